"""``seqstudio bench generate``: generation speed of SeqStudio's path next to a naive loop, in one run.

Per device it prints tokens/s at batch 1 and at a batch of variations for
- naive: one ``nn.LSTM`` call per token plus ``torch.multinomial`` (what a straightforward loop does);
- step: SeqStudio's inference step plus sampling (on the CPU the fused numba kernel);
- generate: the whole ``Composer.continue_midi`` path on a real seed (prefill, masks, steering, decoding,
  MIDI rendering), tokens counted as generated.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import torch

from seqstudio.core.device import describe
from seqstudio.core.models import resolve_model
from seqstudio.music.bundle import load_music_model
from seqstudio.music.composer import DEFAULT_MODEL, Composer
from seqstudio.music.midi_io import load_midi
from seqstudio.nn.bench_step import measure_step_speed, time_naive_loop

SEED = "data/seeds/chorale_quartet.mid"


def _generate_rate(composer: Composer, seed, batch: int, tokens: int) -> float:
    """Tokens/s of the full generation path; the length is chosen to make about ``tokens`` per variation."""
    composer.continue_midi(seed, seconds=1, variations=batch, rng_seed=0)  # warm-up
    start = time.perf_counter()
    takes = composer.continue_midi(seed, seconds=max(2.0, tokens / 40), variations=batch, rng_seed=0)
    if composer.device.type == "cuda":
        torch.cuda.synchronize(composer.device)
    elapsed = time.perf_counter() - start
    return sum(len(t.tokens) for t in takes) / elapsed


def _naive_rate(model, device: torch.device, batch: int, tokens: int) -> float:
    first = torch.zeros(batch, dtype=torch.long, device=device)
    gen = torch.Generator(device=device).manual_seed(0)
    time_naive_loop(model, first, 10, gen)
    return batch * tokens / min(time_naive_loop(model, first, tokens, gen) for _ in range(3))


def run_generate_bench(model_spec: str, tokens: int, batch: int, seed_path: str | None) -> Iterator[str]:
    from seqstudio.core.models import models_root

    folder = resolve_model(model_spec, DEFAULT_MODEL)
    bundle = load_music_model(folder)
    model = bundle.model
    seed = load_midi(seed_path or (models_root().parent / SEED))
    arch = bundle.config["architecture"]
    yield (f"model {folder}: {arch['num_layers']}x{arch['hidden_size']} LSTM, {model.num_parameters():,} parameters; "
           f"torch {torch.__version__}, {torch.get_num_threads()} CPU threads")
    yield (f"{'device':<24}{'batch':>6}{'naive tok/s':>14}{'step tok/s':>13}{'generate tok/s':>16}"
           f"{'step/naive':>12}{'generate/naive':>16}")
    devices = [torch.device("cpu")] + ([torch.device("cuda")] if torch.cuda.is_available() else [])
    for device in devices:
        composer = Composer(bundle, device)
        for b in dict.fromkeys((1, batch)):
            if device.type == "cpu":
                r = measure_step_speed(model, b, tokens)
                naive, step = r["naive_tokens_per_s"], r["fast_tokens_per_s"]
            else:
                naive = _naive_rate(model, device, b, tokens)
                step = float("nan")  # on a GPU the step *is* the batched torch call; see generate
            gen = _generate_rate(composer, seed, b, tokens)
            step_ratio = f"{step / naive:>11.1f}x" if step == step else f"{'-':>12}"
            yield (f"{describe(device):<24}{b:>6}{naive:>14.0f}{step:>13.0f}{gen:>16.0f}{step_ratio}"
                   f"{gen / naive:>15.1f}x")
        model.to("cpu")
