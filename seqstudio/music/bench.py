"""``seqstudio bench generate``: generation speed of SeqStudio's path next to a naive loop, in one run.

Per device it prints tokens/s at batch 1 and at a batch of variations for
- naive: one ``nn.LSTM`` call per token plus ``torch.multinomial`` (what a straightforward loop does); on
  the CPU the faster of torch's thread setting and 1 thread;
- step: SeqStudio's inference step plus numpy sampling (on the CPU the numba kernel, per weight precision);
- generate: the whole ``Composer.continue_midi`` path on a real seed (prefill, masks, steering, decoding,
  MIDI rendering), tokens counted as generated, per weight precision (a GPU runs float32 only).
Each figure is the median of ``repeats`` rounds; within a round every loop runs once, one after the other,
so the ratios compare loops that saw the same background load.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator

import torch

from seqstudio.core.device import describe
from seqstudio.core.models import resolve_model
from seqstudio.music.bundle import load_music_model
from seqstudio.music.composer import DEFAULT_MODEL, Composer
from seqstudio.music.midi_io import load_midi
from seqstudio.music.options import PRECISIONS
from seqstudio.nn.bench_step import measure_step_speed, naive_thread_counts, time_naive_loop

SEED = "data/seeds/chorale_quartet.mid"


def _generate_rates(composer: Composer, seed, batch: int, tokens: int, precisions: tuple[str, ...],
                    repeats: int) -> dict[str, float]:
    """Median tokens/s of the full generation path per precision; the length is chosen to make about
    ``tokens`` per variation."""
    seconds = max(2.0, tokens / 40)
    for p in precisions:  # warm-up: compilation, weight snapshots
        composer.continue_midi(seed, seconds=1, variations=batch, rng_seed=0, precision=p)
    rates: dict[str, list[float]] = {p: [] for p in precisions}
    for _ in range(repeats):
        for p in precisions:
            start = time.perf_counter()
            takes = composer.continue_midi(seed, seconds=seconds, variations=batch, rng_seed=0, precision=p)
            if composer.device.type == "cuda":
                torch.cuda.synchronize(composer.device)
            rates[p].append(sum(len(t.tokens) for t in takes) / (time.perf_counter() - start))
    return {p: statistics.median(r) for p, r in rates.items()}


def _naive_rate(model, device: torch.device, batch: int, tokens: int, repeats: int) -> float:
    first = torch.zeros(batch, dtype=torch.long, device=device)
    gen = torch.Generator(device=device).manual_seed(0)
    time_naive_loop(model, first, 10, gen)
    return batch * tokens / statistics.median(time_naive_loop(model, first, tokens, gen) for _ in range(repeats))


def _cell(x: float, width: int, unit: str = "") -> str:
    """A right-aligned table cell: tokens/s as an integer, a ratio with one decimal and ``unit``; NaN as -."""
    if x != x:
        return f"{'-':>{width}}"
    return f"{x:>{width - len(unit)}.{1 if unit else 0}f}{unit}"


def run_generate_bench(model_spec: str, tokens: int, batch: int, seed_path: str | None,
                       repeats: int = 3) -> Iterator[str]:
    from seqstudio.core.models import models_root

    folder = resolve_model(model_spec, DEFAULT_MODEL)
    bundle = load_music_model(folder)
    model = bundle.model
    seed = load_midi(seed_path or (models_root().parent / SEED))
    arch = bundle.config["architecture"]
    threads = " and ".join(str(t) for t in naive_thread_counts())
    yield (f"model {folder}: {arch['num_layers']}x{arch['hidden_size']} LSTM, {model.num_parameters():,} parameters; "
           f"torch {torch.__version__}; naive CPU loop: the faster of {threads} torch threads; "
           f"SeqStudio's CPU path: 1 thread; medians of {repeats} rounds")
    yield "tokens/s per weight precision (a GPU runs fp32 only); ratios are generate / naive and step / naive"
    yield (f"{'device':<24}{'batch':>6}{'naive':>8}{'step int8':>11}{'step fp32':>11}{'gen int8':>10}"
           f"{'gen fp32':>10}{'step int8/naive':>17}{'gen int8/naive':>16}{'gen fp32/naive':>16}")
    devices = [torch.device("cpu")] + ([torch.device("cuda")] if torch.cuda.is_available() else [])
    nan = float("nan")
    for device in devices:
        composer = Composer(bundle, device)
        precisions = PRECISIONS if device.type == "cpu" else ("fp32",)
        for b in dict.fromkeys((1, batch)):
            if device.type == "cpu":
                r = measure_step_speed(model, b, tokens, repeats=repeats, precisions=precisions)
                naive, steps = r["naive_tokens_per_s"], r["fast_by_precision"]
            else:
                naive = _naive_rate(model, device, b, tokens, repeats)
                steps = {}  # on a GPU the step *is* the batched torch call; see generate
            gens = _generate_rates(composer, seed, b, tokens, precisions, repeats)
            s8, s32, g8, g32 = (d.get(p, nan) for d in (steps, gens) for p in ("int8", "fp32"))
            yield (f"{describe(device):<24}{b:>6}{naive:>8.0f}{_cell(s8, 11)}{_cell(s32, 11)}{_cell(g8, 10)}"
                   f"{_cell(g32, 10)}{_cell(s8 / naive, 17, 'x')}{_cell(g8 / naive, 16, 'x')}"
                   f"{_cell(g32 / naive, 16, 'x')}")
        model.to("cpu")
