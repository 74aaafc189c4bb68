"""The one worker pattern: a job function runs on its own QThread and talks to the UI only through signals.

A job function is plain Python, ``fn(*args, progress=Progress, **kwargs) -> result``, with no Qt in it.
It reports through :class:`SignalProgress` (a :class:`seqstudio.core.progress.Progress`) and stops at its
next ``progress.check()`` after :meth:`Job.cancel`. Threads are never terminated: closing the app cancels
its jobs and waits for them to return.
"""

from __future__ import annotations

import logging
import time
import traceback
import weakref
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from seqstudio.core.errors import Cancelled, SeqStudioError
from seqstudio.core.progress import Progress

log = logging.getLogger(__name__)
_PROGRESS_INTERVAL_S = 0.05  # a token loop reports thousands of times a second; the UI needs ~20


class SignalProgress(Progress):
    """Progress that emits ``report(done, total, description)`` on an emitter living in the worker thread."""

    def __init__(self, report: Callable[[int, int, str], None]) -> None:
        super().__init__()
        self._report = report
        self._total = -1
        self._description = ""
        self._last = 0.0

    def start(self, total: int | None, description: str = "") -> None:
        self._total = -1 if total is None else int(total)
        self._description = description
        self._last = 0.0
        self._report(0, self._total, description)

    def update(self, done: int, info: str = "") -> None:
        now = time.monotonic()
        if now - self._last >= _PROGRESS_INTERVAL_S or done == self._total:
            self._last = now
            self._report(int(done), self._total, self._description)


def describe_error(exc: BaseException) -> str:
    """A message for a dialog: the user's own problem as SeqStudio words it, else the kind and text of a bug."""
    if isinstance(exc, SeqStudioError):
        return str(exc)
    if isinstance(exc, MemoryError):
        return "out of memory"
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror or exc}"
    return f"unexpected {type(exc).__name__}: {exc}"


class _Worker(QObject):
    progress = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(str, str)  # message, details (a traceback for bugs, else "")
    cancelled = Signal()
    done = Signal()

    def __init__(self, fn: Callable[..., Any], args: tuple, kwargs: dict) -> None:
        super().__init__()
        self._fn, self._args, self._kwargs = fn, args, kwargs
        self.progress_obj = SignalProgress(self.progress.emit)

    @Slot()
    def run(self) -> None:
        try:
            self.progress_obj.check()  # cancelled before it began
            result = self._fn(*self._args, progress=self.progress_obj, **self._kwargs)
            self.progress_obj.check()
        except Cancelled:
            self.cancelled.emit()
        except Exception as exc:  # noqa: BLE001 - any failure becomes a dialog; the app lives on
            details = "" if isinstance(exc, SeqStudioError) else traceback.format_exc()
            if details:
                log.error("job failed\n%s", details)
            self.failed.emit(describe_error(exc), details)
        else:
            self.succeeded.emit(result)
        finally:
            self.done.emit()


class Job(QObject):
    """One background job. Its signals are emitted on the thread that created it (the UI thread)."""

    progress = Signal(int, int, str)  # done, total (-1: unknown), phase
    succeeded = Signal(object)
    failed = Signal(str, str)
    cancelled = Signal()
    finished = Signal()  # always last, after one of succeeded / failed / cancelled

    _live: weakref.WeakSet[Job] = weakref.WeakSet()
    _running: set[Job] = set()  # strong references while the thread runs, so a job is never collected mid-run

    def __init__(self, name: str, fn: Callable[..., Any], *args, parent: QObject | None = None, **kwargs) -> None:
        super().__init__(parent)
        self.name = name
        self._thread: QThread | None = QThread()
        self._thread.setObjectName(f"seqstudio-{name}")
        self._worker = _Worker(fn, args, kwargs)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        # quit() is thread-safe; a direct connection keeps it working while the UI thread waits in wait()
        self._worker.done.connect(self._thread.quit, Qt.ConnectionType.DirectConnection)
        self._worker.progress.connect(self._on_progress)
        self._worker.succeeded.connect(self._on_succeeded)
        self._worker.failed.connect(self._on_failed)
        self._worker.cancelled.connect(self._on_cancelled)
        self._thread.finished.connect(self._on_thread_finished)
        self._outcome: str | None = None
        Job._live.add(self)

    # -- control -------------------------------------------------------------------------------------------
    def start(self) -> Job:
        Job._running.add(self)
        self._thread.start()
        return self

    def cancel(self) -> None:
        self._worker.progress_obj.cancel()

    @property
    def is_running(self) -> bool:
        return self._thread is not None and self._thread.isRunning()

    @property
    def cancel_requested(self) -> bool:
        return self._worker.progress_obj.cancelled

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until the thread has returned (True) or ``msecs`` passed (False)."""
        return self._thread is None or self._thread.wait(msecs)

    @classmethod
    def running_jobs(cls) -> list[Job]:
        return [job for job in list(cls._live) if job.is_running]

    # -- relays on the UI thread ---------------------------------------------------------------------------
    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, phase: str) -> None:
        if not self.cancel_requested:
            self.progress.emit(done, total, phase)

    @Slot(object)
    def _on_succeeded(self, result: object) -> None:
        self._outcome = "succeeded"
        self.succeeded.emit(result)

    @Slot(str, str)
    def _on_failed(self, message: str, details: str) -> None:
        self._outcome = "failed"
        self.failed.emit(message, details)

    @Slot()
    def _on_cancelled(self) -> None:
        self._outcome = "cancelled"
        self.cancelled.emit()

    @Slot()
    def _on_thread_finished(self) -> None:
        # The thread and worker are owned by Python (no Qt parent) and go with this job; their thread's event
        # loop is over, so deleteLater would never run for the worker.
        if self._thread is not None:
            self._thread.wait()
        self._thread = None
        Job._running.discard(self)
        self.finished.emit()


def cancel_and_wait(jobs: list[Job], msecs: int = 30_000) -> bool:
    """Ask every job to stop, then wait for each; True when all returned in time."""
    for job in jobs:
        job.cancel()
    return all(job.wait(msecs) for job in jobs)
