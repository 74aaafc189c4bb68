"""Tokens/s of sampling with the naive per-token ``model(...)`` loop versus ``FastLSTMStep``.

Both loops include picking the next token by sampling from the softmax (torch.multinomial for the
naive loop, numpy inverse CDF for the fast one), so the ratio is what a step actually gains.
``seqstudio bench generate`` prints the table for a real model.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from seqstudio.nn.fast_step import FastLSTMStep

_WARMUP = 10  # steps before timing: first calls pay allocator/oneDNN setup and numba compilation


def _sample_np(logits: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One token per row of logits (B, V), sampled from softmax by inverse CDF."""
    cdf = np.cumsum(np.exp(logits - logits.max(axis=1, keepdims=True)), axis=1)
    u = rng.random((logits.shape[0], 1)) * cdf[:, -1:]
    return np.minimum((cdf < u).sum(axis=1), logits.shape[1] - 1)  # min guards u rounding to the total


def time_naive_loop(model: nn.Module, first: torch.Tensor, n: int, gen: torch.Generator) -> float:
    """Seconds for ``n`` steps of one ``model(tokens, state)`` call per token (any device)."""
    tokens, state = first, None
    with torch.inference_mode():
        start = time.perf_counter()
        for _ in range(n):
            logits, state = model(tokens[:, None], state)
            tokens = torch.multinomial(torch.softmax(logits[:, -1], dim=-1), 1, generator=gen)[:, 0]
        if tokens.is_cuda:
            torch.cuda.synchronize(tokens.device)
        return time.perf_counter() - start


def naive_thread_counts() -> list[int]:
    """The torch thread counts the naive CPU loop is timed with: torch's own setting and 1 (on a busy
    2-core machine per-token torch calls with 2 threads can be 10-50x slower than with 1; the naive loop
    gets whichever is faster, so that a contended core never flatters the ratio)."""
    return list(dict.fromkeys((torch.get_num_threads(), 1)))


def time_naive_cpu(model: nn.Module, first: torch.Tensor, n: int, gen: torch.Generator,
                   threads: Sequence[int]) -> float:
    """The fastest of ``time_naive_loop`` run with each of ``threads`` torch threads (restored after)."""
    before = torch.get_num_threads()
    try:
        best = float("inf")
        for t in threads:
            torch.set_num_threads(t)
            best = min(best, time_naive_loop(model, first, n, gen))
        return best
    finally:
        torch.set_num_threads(before)


def _time_fast(stepper: FastLSTMStep, first: np.ndarray, n: int, rng: np.random.Generator) -> float:
    tokens = first
    start = time.perf_counter()
    for _ in range(n):
        tokens = _sample_np(stepper.step(tokens), rng)
    return time.perf_counter() - start


def measure_step_speed(model: nn.Module, batch: int, n_tokens: int, seed: int = 0, repeats: int = 3,
                       precisions: Sequence[str] = ("fp32",)) -> dict:
    """Sample ``n_tokens`` steps for ``batch`` rows the naive way and with ``FastLSTMStep`` in each of
    ``precisions``, on the CPU, ``repeats`` rounds.

    Within a round the loops run one after the other, so they see the same background load; the median
    round of each counts. The naive loop is timed with each of ``naive_thread_counts()`` and keeps the
    faster; the fast one is single-threaded. Returns ``naive_tokens_per_s``, ``fast_tokens_per_s`` and
    ``speedup`` (fast / naive) for the first precision, ``fast_by_precision`` for all, plus the settings
    they were measured under.
    """
    if next(model.parameters()).device.type != "cpu":
        raise ValueError("measure_step_speed compares CPU loops; move the model to the CPU first")
    if not precisions:
        raise ValueError("at least one precision")
    was_training = model.training
    model.eval()  # dropout off, as in generation
    threads = naive_thread_counts()
    try:
        first = np.random.default_rng(seed).integers(0, model.config.vocab_size, batch)
        first_t = torch.as_tensor(first, dtype=torch.long)
        gen = torch.Generator().manual_seed(seed)
        rng = np.random.default_rng(seed)
        steppers = {p: FastLSTMStep(model.embedding, model.lstm, model.head, p) for p in precisions}
        time_naive_cpu(model, first_t, _WARMUP, gen, threads)
        for stepper in steppers.values():
            stepper.reset(batch)
            _time_fast(stepper, first, _WARMUP, rng)
        naive_s, fast_s = [], {p: [] for p in precisions}
        for _ in range(repeats):
            naive_s.append(time_naive_cpu(model, first_t, n_tokens, gen, threads))
            for p, stepper in steppers.items():
                stepper.reset(batch)
                fast_s[p].append(_time_fast(stepper, first, n_tokens, rng))
    finally:
        model.train(was_training)
    naive_tps = batch * n_tokens / statistics.median(naive_s)
    fast_tps = {p: batch * n_tokens / statistics.median(s) for p, s in fast_s.items()}
    main = fast_tps[precisions[0]]
    return {
        "batch": batch,
        "n_tokens": n_tokens,
        "repeats": repeats,
        "naive_torch_threads": threads,
        "naive_tokens_per_s": naive_tps,
        "fast_tokens_per_s": main,
        "fast_by_precision": fast_tps,
        "speedup": main / naive_tps,
    }
