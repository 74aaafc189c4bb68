"""Live captions as they arrive: the last few caption lines of final words, then (dimmed) what is heard but
not final yet. Lines break where subtitles would (``segment_words``), so they match the exported transcript."""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QTextBrowser

from seqstudio.speech.formats import segment_words

LINES = 3  # caption lines shown
RECENT_WORDS = 60  # words re-segmented per update: enough for LINES lines of up to 80 characters


class CaptionView(QTextBrowser):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        font = self.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        self.setFont(font)
        self.setToolTip(self.tr("Live captions: final words, then (dimmed) what is heard but not final yet"))
        self._words: list = []
        self._partial = ""

    def start(self) -> None:
        self._words, self._partial = [], ""
        waiting = self.tr("Listening… speak, and the words appear here.")
        self.setHtml(f"<i>{escape(waiting)}</i>")

    def add(self, update) -> None:
        """Show a :class:`~seqstudio.speech.streaming.StreamUpdate`."""
        self._words.extend(update.words)
        self._partial = update.partial
        lines = [escape(s.text) for s in segment_words(self._words[-RECENT_WORDS:])[-LINES:]]
        if self._partial:
            dim = self.palette().placeholderText().color().name()
            tail = f'<span style="color:{dim}">{escape(self._partial)}</span>'
            lines[-1:] = [f"{lines[-1]} {tail}" if lines else tail]
        self.setHtml("<br>".join(lines))

    def words(self) -> list:
        """Every final word of this session so far."""
        return list(self._words)
