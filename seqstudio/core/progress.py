"""Progress reporting and cooperative cancellation, shared by the CLI, the API and the app."""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass, field

from seqstudio.core.errors import Cancelled


@dataclass
class Progress:
    """Receives ``update`` calls from long jobs; ``cancel()`` asks the job to stop at its next check.

    The base class is silent; the CLI uses :class:`BarProgress`, the app a subclass that emits signals.
    """

    _cancel: threading.Event = field(default_factory=threading.Event, repr=False)

    def start(self, total: int | None, description: str = "") -> None:
        """A new phase of ``total`` units begins (``None`` when the total is unknown)."""

    def update(self, done: int, info: str = "") -> None:
        """``done`` units of the current phase are finished."""

    def finish(self) -> None:
        """The current phase is over."""

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        """A cancellation point: raise :class:`Cancelled` if someone asked the job to stop."""
        if self._cancel.is_set():
            raise Cancelled("cancelled")


class BarProgress(Progress):
    """A tqdm bar on stderr, quiet when stderr is not a terminal unless ``always`` is set."""

    def __init__(self, always: bool = False) -> None:
        super().__init__()
        self._bar = None
        self._always = always

    def start(self, total: int | None, description: str = "") -> None:
        from tqdm import tqdm

        self.finish()
        disable = not (self._always or sys.stderr.isatty())
        self._bar = tqdm(total=total, desc=description, file=sys.stderr, disable=disable, dynamic_ncols=True)

    def update(self, done: int, info: str = "") -> None:
        if self._bar is None:
            return
        self._bar.n = done
        if info:
            self._bar.set_postfix_str(info, refresh=False)
        self._bar.refresh()

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
