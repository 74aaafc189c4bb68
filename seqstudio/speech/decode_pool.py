"""Beam search on several CPU cores.

The prefix beam search (:mod:`seqstudio.speech.beam`) is pure Python, so one process decodes on one core. Beside
a GPU that core was the bound: on an H200 machine 256 files of 30 s took 31 s with the search in the calling
process (it costs ~1.3 ms per second of audio per core on the 2-core dev machine, ~10 s of those files on one
core there; reading them ~0.3 s; the model's GPU time was not measured apart); on 16 processes they took 3.7 s,
of which reading, features and the model were 1.2 s. A :class:`DecodePool` spreads the chunks of a batch over
worker processes. Workers import no torch (a few tens of MB each, not hundreds) and read the language model from
its ARPA file once each; the log-probs travel as float64 arrays, the n-best lists come back.
:meth:`DecodePool.submit` returns at once, so that the caller can run the model on its next batch meanwhile (the
transcriber does beside a GPU). Results equal decoding in the calling process exactly: the same code runs on the
same numbers, and a worker uses the LM file only while it is still the file the caller read (else the caller
decodes that batch).
"""

from __future__ import annotations

import os
import signal
import warnings
import weakref
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context

import numpy as np

from seqstudio.speech.beam import DecodeOptions, load_lm, make_search, search_one
from seqstudio.speech.decode import Hypothesis
from seqstudio.speech.lm import NgramLM
from seqstudio.speech.text import CharVocab

MAX_WORKERS = 16


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class DecodePool:
    """Worker processes (started on first use, "spawn": safe beside CUDA and Qt threads) that run
    :func:`~seqstudio.speech.beam.search_one` for many utterances at once."""

    def __init__(self, workers: int) -> None:
        if workers < 2:
            raise ValueError("a decode pool needs at least 2 workers")
        self.workers = workers
        self.broken = False  # a worker died: from then on everything is decoded in the calling process
        self._executor: ProcessPoolExecutor | None = None
        self._finalizer = None

    @property
    def started(self) -> bool:
        return self._executor is not None

    @staticmethod
    def can_decode(lm: NgramLM | None) -> bool:
        """Workers read the LM from its file: an LM built in memory is decoded in the calling process."""
        return lm is None or lm.source is not None

    def decode(self, rows: list[np.ndarray], offsets: list[float], vocab: CharVocab, options: DecodeOptions,
               lm: NgramLM | None, frame_shift_s: float) -> list[list[Hypothesis]]:
        """One n-best list per row (``rows[i]``: (T_i, V) float64 log-probs), in order. Decoded here instead
        when a worker died or the LM's file is no longer the one ``lm`` was read from."""
        return self.submit(rows, offsets, vocab, options, lm, frame_shift_s).result()

    def submit(self, rows: list[np.ndarray], offsets: list[float], vocab: CharVocab, options: DecodeOptions,
               lm: NgramLM | None, frame_shift_s: float) -> PendingDecode:
        """Start decoding ``rows`` on the workers and return at once: :meth:`PendingDecode.result` gives what
        :meth:`decode` would. The caller can run the model on its next batch meanwhile."""
        if not self.can_decode(lm):
            raise ValueError("this language model has no file the workers could read")
        pending = PendingDecode(self, rows, offsets, vocab, options, lm, frame_shift_s)
        # longest first, dealt round-robin into a few tasks per worker: even loads, little per-task overhead
        order = sorted(range(len(rows)), key=lambda i: -len(rows[i]))
        tasks = min(len(rows), 4 * self.workers)
        source = None if lm is None else lm.source
        try:
            executor = self._start()
            for group in (order[k::tasks] for k in range(tasks)):
                pending.futures.append(executor.submit(_decode_group, vocab.chars, source, options, frame_shift_s,
                                                       [(rows[i], offsets[i]) for i in group]))
                pending.groups.append(group)
        except BrokenProcessPool as exc:  # result() decodes it here
            pending.error = exc
        except BaseException:  # Ctrl-C: nothing keeps running behind the caller's back
            pending.cancel()
            self.close()
            raise
        return pending

    def _collect(self, pending: PendingDecode) -> list[list[Hypothesis]]:
        try:
            if pending.error is not None:
                raise pending.error
            results: list[list[Hypothesis] | None] = [None] * len(pending.rows)
            for group, future in zip(pending.groups, pending.futures, strict=True):
                for i, nbest in zip(group, future.result(), strict=True):
                    results[i] = nbest
            return results  # type: ignore[return-value]
        except (BrokenProcessPool, StaleLM) as exc:
            # an LM file that changed since it was read would decode with other numbers there: this batch
            # stays here
            pending.cancel()
            if isinstance(exc, BrokenProcessPool):
                # killed, out of memory, or -- the usual reason -- a script without an
                # `if __name__ == "__main__":` guard, which every spawned worker runs again: do not retry
                self.close()
                self.broken = True
                warnings.warn("beam search worker processes stopped; decoding in this process from now on (a "
                              "script that starts them needs an `if __name__ == \"__main__\":` block)",
                              RuntimeWarning, stacklevel=4)  # _collect, result, decode: its caller
            search = make_search(pending.vocab, pending.options, pending.lm)
            return [search_one(search, row, pending.frame_shift_s, offset)
                    for row, offset in zip(pending.rows, pending.offsets, strict=True)]
        except BaseException:  # Ctrl-C, an error in one task: nothing keeps running behind the caller's back
            self.close()
            raise

    def _start(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(max_workers=self.workers, mp_context=get_context("spawn"),
                                                 initializer=_ignore_ctrl_c)
            self._finalizer = weakref.finalize(self, self._executor.shutdown, wait=False, cancel_futures=True)
        return self._executor

    def close(self) -> None:
        if self._finalizer is not None:
            self._finalizer()
        self._executor = self._finalizer = None


class PendingDecode:
    """A batch on its way through a :class:`DecodePool` (from :meth:`DecodePool.submit`)."""

    def __init__(self, pool: DecodePool, rows: list[np.ndarray], offsets: list[float], vocab: CharVocab,
                 options: DecodeOptions, lm: NgramLM | None, frame_shift_s: float) -> None:
        self.pool, self.rows, self.offsets, self.vocab = pool, rows, offsets, vocab
        self.options, self.lm, self.frame_shift_s = options, lm, frame_shift_s
        self.groups: list[list[int]] = []
        self.futures: list = []
        self.error: BaseException | None = None
        self._results: list[list[Hypothesis]] | None = None

    def result(self) -> list[list[Hypothesis]]:
        """One n-best list per row, in order (waits for the workers; decodes here if they could not)."""
        if self._results is None:
            self._results = self.pool._collect(self)
        return self._results

    def cancel(self) -> None:
        """Drop what has not started (a task already running finishes, and its result is not used)."""
        for future in self.futures:
            future.cancel()


# -- in the worker processes ------------------------------------------------------------------------

class StaleLM(Exception):
    """The LM's file changed after the calling process read it."""


def _ignore_ctrl_c() -> None:
    """Ctrl-C goes to the whole process group; the caller handles it (and stops the workers), so the
    workers print no tracebacks of their own."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


_SEARCHES: dict[tuple, object] = {}


def _decode_group(chars: str, lm_source: tuple[str, int, int] | None, options: DecodeOptions,
                  frame_shift_s: float, rows: list[tuple[np.ndarray, float]]) -> list[list[Hypothesis]]:
    if lm_source is not None and options.lm_weight == 0:
        lm_source = None  # the search would not look at it
    key = (chars, lm_source, options)
    search = _SEARCHES.get(key)
    if search is None:
        if len(_SEARCHES) >= 4:  # a long-lived app decoding with many option sets
            _SEARCHES.clear()
        search = _SEARCHES[key] = make_search(CharVocab(chars), options, _read_lm(lm_source))
    return [search_one(search, lp, frame_shift_s, offset) for lp, offset in rows]


def _read_lm(source: tuple[str, int, int] | None) -> NgramLM | None:
    if source is None:
        return None
    path, mtime_ns, size = source
    try:
        stat = os.stat(path)
    except OSError:
        raise StaleLM(path) from None
    if (stat.st_mtime_ns, stat.st_size) != (mtime_ns, size):
        raise StaleLM(path)
    return load_lm(path)
