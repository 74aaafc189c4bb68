"""Generation options: one dataclass shared by the CLI, the API and the app (torch-free, cheap to import)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from seqstudio.core.errors import SeqStudioError

MAX_SECONDS = 600.0
MAX_VARIATIONS = 64
TOKENS_PER_SECOND_CAP = 400  # a continuation that needs more tokens than this is runaway; it stops there
# Weights of the CPU step kernel (seqstudio/nn/fast_step.py). int8 (per-row scales, float32 activations)
# is the default: a step at batch 1 streams every weight from cache, and int8 moves 4x fewer bytes -- the
# kernel is ~3.4x faster (107 vs 367 us per token for the 3x512 music-default) and the whole generation ~2.3x --
# while quality does not move: NLL per event of music-default over whole corpus splits, fp32 -> int8 weights,
# test 0.70348 -> 0.70358 and validation 0.71186 -> 0.71181 nats (benchmarks/music_int8_quality.py, with
# fast_step.int8_reference and music.evaluate.sequence_nll). fp32 is the exact model, for comparison.
# A GPU runs the model in float32 whatever this says.
PRECISIONS = ("int8", "fp32")


@dataclass(frozen=True)
class GenerateOptions:
    seconds: float = 20.0  # length of the continuation
    temperature: float = 1.0  # 0 = always the most likely token
    top_k: int = 0  # 0 = off
    top_p: float = 0.95  # nucleus sampling; 1 = off
    variations: int = 1
    rng_seed: int | None = None  # None: a fresh seed, reported on the take
    context_seconds: float | None = None  # condition on the last N seconds of the seed (None: all)
    max_context_tokens: int = 4096
    include_seed: bool = True
    key_lock: bool = False
    density: float | None = None  # target notes per second (None: the model's own pace)
    precision: str = "int8"  # CPU step kernel weights: "int8" (per-row scales) or "fp32"; see PRECISIONS

    def validate(self) -> None:
        if not (math.isfinite(self.seconds) and 0 < self.seconds <= MAX_SECONDS):
            raise SeqStudioError(f"length must be between 0 and {MAX_SECONDS:g} seconds, got {self.seconds:g}")
        if not (math.isfinite(self.temperature) and 0 <= self.temperature <= 10):
            raise SeqStudioError(f"temperature must be in [0, 10], got {self.temperature:g}")
        if self.top_k < 0:
            raise SeqStudioError(f"top-k must be 0 (off) or positive, got {self.top_k}")
        if not (0 < self.top_p <= 1):
            raise SeqStudioError(f"top-p must be in (0, 1], got {self.top_p:g}")
        if not (1 <= self.variations <= MAX_VARIATIONS):
            raise SeqStudioError(f"variations must be between 1 and {MAX_VARIATIONS}, got {self.variations}")
        if self.rng_seed is not None and not (0 <= self.rng_seed < 2**63):
            raise SeqStudioError("the RNG seed must be a non-negative integer")
        if self.context_seconds is not None and not (self.context_seconds > 0):
            raise SeqStudioError(f"context seconds must be positive, got {self.context_seconds:g}")
        if self.max_context_tokens < 2:
            raise SeqStudioError("max context tokens must be at least 2")
        if self.precision not in PRECISIONS:
            raise SeqStudioError(f"precision must be one of {', '.join(PRECISIONS)}, got {self.precision!r}")
        if self.density is not None and not (math.isfinite(self.density) and 0.1 <= self.density <= 100):
            raise SeqStudioError(f"note density must be between 0.1 and 100 notes per second, got {self.density:g}")
