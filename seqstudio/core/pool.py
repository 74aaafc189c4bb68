"""Work items in worker processes, handed back one by one as each finishes, cancellable."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any


def run_in_processes(work: Callable[..., Any], items: Mapping[Hashable, tuple], workers: int,
                     finished: Callable[[Hashable, Any], None]) -> None:
    """Call ``work(*args)`` for every ``items[key] = args`` in up to ``workers`` processes, and
    ``finished(key, result)`` here as each one ends (as_completed, not map: one slow item must not freeze a
    progress bar while the other workers keep finishing). An exception from ``work`` or from ``finished`` -
    a cancelled :class:`~seqstudio.core.progress.Progress`, Ctrl-C - cancels the items not yet started and
    propagates."""
    with ProcessPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = {pool.submit(work, *args): key for key, args in items.items()}
        try:
            for future in as_completed(futures):
                finished(futures[future], future.result())
        except BaseException:
            for future in futures:
                future.cancel()
            raise
