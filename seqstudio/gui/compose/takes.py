"""Takes: the variations of the last generation side by side, and the session's history. Either list drags a
take out as a .mid file (to a DAW or a file manager)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QMimeData, QRectF, QSize, Qt, QUrl
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QListView, QListWidget, QListWidgetItem

from seqstudio.gui import theme
from seqstudio.gui.compose.piano_roll import RollNote
from seqstudio.gui.jobs import ComposeResult

THUMB = QSize(200, 72)


@dataclass
class TakeRef:
    """One take of one generation, as the lists hold it."""

    result: ComposeResult
    index: int
    made: datetime

    @property
    def take(self):
        return self.result.takes[self.index]

    def file_stem(self) -> str:
        return f"{self.result.seed.path.stem}-take{self.index + 1}-{self.take.rng_seed}"

    def roll_notes(self) -> list[RollNote]:
        seed = self.result.seed
        notes = [RollNote(n.track, n.pitch, n.start, n.end, n.velocity, False) for n in seed.notes]
        notes += [RollNote(-1, p, s, e, 90, False) for p, s, e in seed.drums]
        offset = self.take.seed_end
        notes += [RollNote(n.track, n.pitch, n.start + offset, n.end + offset, n.velocity, True)
                  for n in self.take.notes]
        return notes


def thumbnail(notes: list[RollNote], size: QSize = THUMB) -> QPixmap:
    """A small picture of a take: seed notes in cool colours, the continuation in warm ones."""
    pixmap = QPixmap(size)
    pixmap.fill(theme.accent("keys"))
    pitched = [n for n in notes if n.track >= 0]
    if not pitched:
        return pixmap
    lo, hi = min(n.pitch for n in pitched) - 1, max(n.pitch for n in pitched) + 1
    end = max(n.end for n in pitched)
    sx, sy = size.width() / end, size.height() / (hi - lo + 1)
    p = QPainter(pixmap)
    for n in pitched:
        p.fillRect(QRectF(n.start * sx, (hi - n.pitch) * sy, max(1.0, (n.end - n.start) * sx), max(1.0, sy)),
                   theme.track_colour(n.track, n.new))
    p.end()
    return pixmap


class TakeList(QListWidget):
    """A list of :class:`TakeRef`; dragging an item out gives the file manager or DAW a .mid file."""

    def __init__(self, scratch: Path, horizontal: bool, parent=None) -> None:
        super().__init__(parent)
        self._scratch = scratch
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        if horizontal:
            self.setViewMode(QListView.ViewMode.IconMode)
            self.setFlow(QListView.Flow.LeftToRight)
            self.setWrapping(False)
            self.setMovement(QListView.Movement.Static)
            self.setIconSize(THUMB)
            self.setSpacing(6)
            self.setMinimumHeight(THUMB.height() + 40)
            self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        else:
            self.setIconSize(QSize(THUMB.width() // 2, THUMB.height() // 2))
            self.setAlternatingRowColors(True)

    def add(self, ref: TakeRef, text: str, tooltip: str) -> QListWidgetItem:
        item = QListWidgetItem(QIcon(thumbnail(ref.roll_notes())), text)
        item.setData(Qt.ItemDataRole.UserRole, ref)
        item.setToolTip(tooltip)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsDragEnabled)
        self.addItem(item)
        return item

    def ref(self, item: QListWidgetItem | None) -> TakeRef | None:
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    def current_ref(self) -> TakeRef | None:
        return self.ref(self.currentItem())

    def midi_file(self, ref: TakeRef) -> Path:
        """The take as a .mid in the session's scratch folder (written once, on first need)."""
        path = self._scratch / f"{ref.file_stem()}.mid"
        if not path.exists():
            ref.take.midi.write(str(path))
        return path

    def mimeTypes(self) -> list[str]:  # noqa: N802 - Qt's name
        return ["text/uri-list"]

    def mimeData(self, items) -> QMimeData:  # noqa: N802
        data = QMimeData()
        refs = [self.ref(i) for i in items if self.ref(i) is not None]
        data.setUrls([QUrl.fromLocalFile(str(self.midi_file(r))) for r in refs])
        return data

    def supportedDragActions(self):  # noqa: N802
        return Qt.DropAction.CopyAction
