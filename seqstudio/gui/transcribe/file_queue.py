"""The queue of audio files to transcribe: each entry a plain dataclass with its status; files are added by
the Open dialog, by dropping them on the list, or by recording."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem, QStyle

STATUSES = ("waiting", "transcribing", "done", "failed", "cancelled")


@dataclass(eq=False)
class QueueEntry:
    path: Path
    status: str = "waiting"
    detail: str = ""  # progress or the error
    transcript: object | None = None  # seqstudio.speech.transcriber.Transcript
    segments: list | None = None  # the (possibly edited) segments shown and exported
    audio: object | None = None  # jobs.AudioView, once loaded
    loading: bool = False  # an open-audio job for the view is under way
    view_error: str = ""  # why the view could not be read; not the transcription's status
    live: bool = False  # a live session's recording, captioned by the streaming model


class FileQueue(QListWidget):
    files_dropped = Signal(list)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setToolTip(self.tr("Drop audio files here, or use Add files…"))
        self.setMinimumWidth(220)
        self._labels = {"waiting": self.tr("waiting"), "transcribing": self.tr("transcribing"),
                        "done": self.tr("done"), "failed": self.tr("failed"), "cancelled": self.tr("cancelled")}

    def entries(self) -> list[QueueEntry]:
        return [self.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.count())]

    def entry(self, item: QListWidgetItem | None) -> QueueEntry | None:
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    def current_entry(self) -> QueueEntry | None:
        return self.entry(self.currentItem())

    def add(self, path: str | Path) -> QueueEntry:
        path = Path(path)
        for i in range(self.count()):
            if self.entry(self.item(i)).path == path:
                self.setCurrentRow(i)
                return self.entry(self.item(i))
        entry = QueueEntry(path)
        item = QListWidgetItem()
        item.setData(Qt.ItemDataRole.UserRole, entry)
        self.addItem(item)
        self.refresh(entry)
        return entry

    def remove_current(self) -> QueueEntry | None:
        row = self.currentRow()
        if row < 0:
            return None
        return self.entry(self.takeItem(row))

    def refresh(self, entry: QueueEntry) -> None:
        sp = QStyle.StandardPixmap
        icons = {"waiting": sp.SP_FileIcon, "transcribing": sp.SP_BrowserReload, "done": sp.SP_DialogApplyButton,
                 "failed": sp.SP_MessageBoxWarning, "cancelled": sp.SP_DialogCancelButton}
        for i in range(self.count()):
            item = self.item(i)
            if self.entry(item) is entry:
                status = self._labels.get(entry.status, entry.status)
                item.setText(f"{entry.path.name}\n    {status}{' · ' + entry.detail if entry.detail else ''}")
                item.setIcon(self.style().standardIcon(icons.get(entry.status, QStyle.StandardPixmap.SP_FileIcon)))
                item.setToolTip(f"{entry.path}\n{status} {entry.detail}")

    # -- drops --------------------------------------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if event.mimeData().hasUrls():
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event) -> None:  # noqa: N802
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.files_dropped.emit(paths)
