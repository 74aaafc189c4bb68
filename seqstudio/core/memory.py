"""Memory a piece of work really allocates: the peak of anonymous resident memory, sampled."""

from __future__ import annotations

import threading


def rss_anon_mb() -> float | None:
    """This process's resident anonymous memory (heap, arrays, tensors) in MB; None where /proc has no answer."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


class AnonPeak:
    """The peak of :func:`rss_anon_mb` while the ``with`` block runs, sampled every ``interval`` seconds.

    Peak RSS (``ru_maxrss``) also counts the pages of shared libraries mapped from files - torch's CUDA
    libraries alone are 100-300 MB of them, more or less depending on what the page cache holds - so it moves
    between two runs of the same work; the anonymous peak is what the work itself allocated."""

    def __init__(self, interval: float = 0.01) -> None:
        self.interval = interval
        self.peak_mb: float | None = rss_anon_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            now = rss_anon_mb()
            if now is not None:
                self.peak_mb = max(self.peak_mb or 0.0, now)

    def __enter__(self) -> AnonPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        now = rss_anon_mb()
        if now is not None:
            self.peak_mb = max(self.peak_mb or 0.0, now)
