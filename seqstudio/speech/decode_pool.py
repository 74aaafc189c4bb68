"""Beam search on several CPU cores.

The prefix beam search (:mod:`seqstudio.speech.beam`) is pure Python, so one process decodes on one core; on
a GPU the model is done with a batch long before its decoding is (measured on an H200: 256 files of 30 s took
31 s, nearly all of it beam search, while the model needs about a second). A :class:`DecodePool` spreads the
chunks of a batch over worker processes. Workers import no torch (a few tens of MB each, not hundreds) and read
the language model from its ARPA file once each; the log-probs travel as float64 arrays, the n-best lists come
back. Results equal decoding in the calling process exactly: the same code runs on the same numbers.
"""

from __future__ import annotations

import os
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
        """One n-best list per row (``rows[i]``: (T_i, V) float64 log-probs), in order."""
        if not self.can_decode(lm):
            raise ValueError("this language model has no file the workers could read")
        # longest first, dealt round-robin into a few tasks per worker: even loads, little per-task overhead
        order = sorted(range(len(rows)), key=lambda i: -len(rows[i]))
        tasks = min(len(rows), 4 * self.workers)
        groups = [order[k::tasks] for k in range(tasks)]
        source = None if lm is None else lm.source
        executor = self._start()
        try:
            futures = [executor.submit(_decode_group, vocab.chars, source, options, frame_shift_s,
                                       [(rows[i], offsets[i]) for i in group]) for group in groups]
            results: list[list[Hypothesis] | None] = [None] * len(rows)
            for group, future in zip(groups, futures, strict=True):
                for i, nbest in zip(group, future.result(), strict=True):
                    results[i] = nbest
        except BrokenProcessPool:  # a worker died (killed, out of memory): finish here, start afresh next time
            self.close()
            search = make_search(vocab, options, lm)
            return [search_one(search, row, frame_shift_s, offset) for row, offset in zip(rows, offsets, strict=True)]
        return results  # type: ignore[return-value]

    def _start(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(max_workers=self.workers, mp_context=get_context("spawn"))
            self._finalizer = weakref.finalize(self, self._executor.shutdown, wait=False, cancel_futures=True)
        return self._executor

    def close(self) -> None:
        if self._finalizer is not None:
            self._finalizer()
        self._executor = self._finalizer = None


# -- in the worker processes ------------------------------------------------------------------------

_SEARCHES: dict[tuple, object] = {}


def _decode_group(chars: str, lm_source: str | None, options: DecodeOptions, frame_shift_s: float,
                  rows: list[tuple[np.ndarray, float]]) -> list[list[Hypothesis]]:
    key = (chars, lm_source, options)
    search = _SEARCHES.get(key)
    if search is None:
        if len(_SEARCHES) >= 4:  # a long-lived app decoding with many option sets
            _SEARCHES.clear()
        lm = load_lm(lm_source) if lm_source is not None else None
        search = _SEARCHES[key] = make_search(CharVocab(chars), options, lm)
    return [search_one(search, lp, frame_shift_s, offset) for lp, offset in rows]
