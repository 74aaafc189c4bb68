"""Tokens/s of sampling with the naive per-token ``model(...)`` loop versus ``FastLSTMStep``.

Both loops include picking the next token by sampling from the softmax (torch.multinomial for the
naive loop, numpy inverse CDF for the fast one), so the ratio is what generation actually gains.
``seqstudio bench generate`` prints the table for a real model.
"""

from __future__ import annotations

import time

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


def _time_fast(stepper: FastLSTMStep, first: np.ndarray, n: int, rng: np.random.Generator) -> float:
    tokens = first
    start = time.perf_counter()
    for _ in range(n):
        tokens = _sample_np(stepper.step(tokens), rng)
    return time.perf_counter() - start


def measure_step_speed(model: nn.Module, batch: int, n_tokens: int, seed: int = 0, repeats: int = 3) -> dict:
    """Sample ``n_tokens`` steps for ``batch`` rows both ways, on the CPU, ``repeats`` times.

    Rounds alternate naive/fast so both see the same background load, and the fastest round of
    each counts (best-of-n is the least noisy estimate on a shared machine). The naive loop runs
    with torch's current thread count; the fast one is single-threaded. Returns
    ``naive_tokens_per_s`` and ``fast_tokens_per_s`` (batch * n_tokens / seconds) and ``speedup``
    (fast / naive), plus the settings they were measured under.
    """
    if next(model.parameters()).device.type != "cpu":
        raise ValueError("measure_step_speed compares CPU loops; move the model to the CPU first")
    was_training = model.training
    model.eval()  # dropout off, as in generation
    try:
        first = np.random.default_rng(seed).integers(0, model.config.vocab_size, batch)
        first_t = torch.as_tensor(first, dtype=torch.long)
        gen = torch.Generator().manual_seed(seed)
        rng = np.random.default_rng(seed)
        stepper = FastLSTMStep(model.embedding, model.lstm, model.head)
        stepper.reset(batch)
        time_naive_loop(model, first_t, _WARMUP, gen)
        _time_fast(stepper, first, _WARMUP, rng)
        naive_s = fast_s = float("inf")
        for _ in range(repeats):
            naive_s = min(naive_s, time_naive_loop(model, first_t, n_tokens, gen))
            stepper.reset(batch)
            fast_s = min(fast_s, _time_fast(stepper, first, n_tokens, rng))
    finally:
        model.train(was_training)
    naive_tps, fast_tps = batch * n_tokens / naive_s, batch * n_tokens / fast_s
    return {
        "batch": batch,
        "n_tokens": n_tokens,
        "repeats": repeats,
        "torch_threads": torch.get_num_threads(),
        "naive_tokens_per_s": naive_tps,
        "fast_tokens_per_s": fast_tps,
        "speedup": fast_tps / naive_tps,
    }
