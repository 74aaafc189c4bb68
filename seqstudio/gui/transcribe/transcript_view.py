"""The transcript as time-stamped segments: click a row to seek there, the segment being played is
highlighted, the text is editable (the edits are what gets exported)."""

from __future__ import annotations

import bisect
from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from seqstudio.gui import theme


def clock(seconds: float) -> str:
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(int(minutes), 60)
    return f"{hours}:{minutes:02d}:{secs:04.1f}" if hours else f"{minutes}:{secs:04.1f}"


class TranscriptView(QTableWidget):
    seek_requested = Signal(float)
    edited = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(0, 3, parent)
        self.setHorizontalHeaderLabels([self.tr("Start"), self.tr("End"), self.tr("Text")])
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setVisible(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
                             | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.setWordWrap(True)
        self.setToolTip(self.tr("Click a segment to hear it; double-click the text to correct it"))
        self._segments: list = []
        self._starts: list[float] = []
        self._playing_row = -1
        self.cellClicked.connect(self._clicked)
        self.itemChanged.connect(self._changed)

    def set_segments(self, segments: list) -> None:
        self.blockSignals(True)
        self._segments = list(segments)
        self._starts = [s.start for s in self._segments]
        self._playing_row = -1
        self.setRowCount(len(self._segments))
        for row, seg in enumerate(self._segments):
            for col, text in enumerate((clock(seg.start), clock(seg.end), seg.text)):
                item = QTableWidgetItem(text)
                if col < 2:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.setItem(row, col, item)
        self.resizeRowsToContents()
        self.blockSignals(False)

    def segments(self) -> list:
        """The segments with the user's edits (empty text stays empty; the formats skip blank cues)."""
        return list(self._segments)

    def _clicked(self, row: int, _col: int) -> None:
        if 0 <= row < len(self._segments):
            self.seek_requested.emit(self._segments[row].start)

    def _changed(self, item: QTableWidgetItem) -> None:
        if item.column() == 2 and 0 <= item.row() < len(self._segments):
            self._segments[item.row()] = replace(self._segments[item.row()], text=item.text().strip())
            self.edited.emit()

    def highlight_time(self, seconds: float) -> int:
        """Highlight the segment playing at ``seconds``; returns its row (-1 in a pause)."""
        row = bisect.bisect_right(self._starts, seconds) - 1
        if row >= 0 and seconds > self._segments[row].end:
            row = -1
        if row != self._playing_row:
            self.blockSignals(True)
            for r in (self._playing_row, row):
                if 0 <= r < self.rowCount():
                    colour = theme.accent("highlight_row") if r == row else self.palette().base().color()
                    for c in range(3):
                        item = self.item(r, c)
                        if item is not None:
                            item.setBackground(colour)
            self.blockSignals(False)
            self._playing_row = row
            if row >= 0:
                self.scrollToItem(self.item(row, 0), QAbstractItemView.ScrollHint.EnsureVisible)
        return row
