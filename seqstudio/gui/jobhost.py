"""Starting jobs from the UI: one place that wires a :class:`Job` to a progress bar, a cancel button, the
status bar and the error dialog, and that cancels every job when the window closes."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QProgressBar, QWidget

from seqstudio.gui.worker import Job, cancel_and_wait


def show_error(parent: QWidget | None, title: str, message: str, details: str = "") -> None:
    """A warning dialog; a bug's traceback goes under "Show Details", the user's problem is the text."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("error-dialog")
    if details:
        box.setDetailedText(details)
    box.exec()


class JobHost(QObject):
    """Runs jobs for the workspaces. ``busy_changed`` tells the window when work starts or stops."""

    busy_changed = Signal(bool)
    message = Signal(str)  # for the status bar

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._window = parent
        self._jobs: list[Job] = []

    @property
    def jobs(self) -> list[Job]:
        return list(self._jobs)

    def busy(self, name: str | None = None) -> bool:
        return any(job.name == name or name is None for job in self._jobs)

    def run(self, name: str, fn: Callable, *args, title: str = "", on_done: Callable | None = None,
            on_failed: Callable[[str], None] | None = None, on_cancelled: Callable | None = None,
            bar: QProgressBar | None = None, quiet: bool = False, **kwargs) -> Job:
        """Start ``fn(*args, progress=..., **kwargs)`` on a worker thread.

        ``on_done(result)`` runs on the UI thread; a failure shows a dialog titled ``title`` (unless
        ``quiet``) and then calls ``on_failed(message)``; ``bar`` shows the progress while it runs.
        """
        job = Job(name, fn, *args, parent=self, **kwargs)
        job.bar = bar
        self._jobs.append(job)
        if bar is not None:
            bar.setRange(0, 0)
            bar.setVisible(True)

            def progress(done: int, total: int, phase: str) -> None:
                if total > 0:
                    bar.setRange(0, total)
                    bar.setValue(min(done, total))
                else:
                    bar.setRange(0, 0)
                bar.setFormat(f"{phase} %p%" if total > 0 else phase)

            job.progress.connect(progress)
        if on_done is not None:
            job.succeeded.connect(on_done)

        def failed(message: str, details: str) -> None:
            self.message.emit(f"{title or name}: {message}")
            if not quiet:
                show_error(self._window, title or self.tr("Something went wrong"), message, details)
            if on_failed is not None:
                on_failed(message)

        job.failed.connect(failed)
        job.cancelled.connect(lambda: self.message.emit(self.tr("Cancelled.")))
        if on_cancelled is not None:
            job.cancelled.connect(on_cancelled)

        def finished() -> None:
            if job in self._jobs:
                self._jobs.remove(job)
            if bar is not None and not any(other.bar is bar for other in self._jobs):  # another job still shows
                bar.setVisible(False)
            job.deleteLater()
            self.busy_changed.emit(bool(self._jobs))

        job.finished.connect(finished)
        job.start()
        self.busy_changed.emit(True)
        return job

    def cancel(self, name: str | None = None) -> None:
        for job in self._jobs:
            if name is None or job.name == name:
                job.cancel()

    def shutdown(self, msecs: int = 30_000) -> bool:
        """Cancel every job and wait for its thread to return (closing the window); never terminates one."""
        return cancel_and_wait(self.jobs, msecs)
