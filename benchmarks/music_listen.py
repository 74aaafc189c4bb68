"""Listen by measuring: continue each bundled seed and compare the continuation's statistics with the seed's.

    python benchmarks/music_listen.py [--model default] [--seconds 20] [--variations 5]

Per seed and voice: notes per second, pitch range, share of notes in the seed's key (estimated, no key
lock), and share of onsets on the seed's sixteenth-note grid (pretty_midi's beat tracking of the seed's tempo
map). A continuation that sounds like its seed keeps these close; a broken model drifts in all of them.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from seqstudio.music.composer import Composer
from seqstudio.music.midi_io import load_midi, to_score
from seqstudio.music.steering import estimate_key, key_name, scale_mask

SEEDS = Path(__file__).resolve().parents[1] / "data" / "seeds"


def grid_share(onsets: np.ndarray, beats: np.ndarray, tolerance: float = 0.03) -> float:
    if len(onsets) == 0 or len(beats) < 2:
        return float("nan")
    step = float(np.median(np.diff(beats))) / 4
    phase = (onsets - beats[0]) / step
    return float(np.mean(np.abs(phase - np.round(phase)) * step <= tolerance))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="default")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--variations", type=int, default=5)
    parser.add_argument("--rng-seed", type=int, default=0)
    args = parser.parse_args()
    composer = Composer.load(args.model, "cpu")
    for seed_path in sorted(SEEDS.glob("*.mid")):
        midi = load_midi(seed_path)
        score = to_score(midi, composer.bundle.tokenizer.config.max_tracks)
        tonic, mode = estimate_key(score.notes)
        in_key = scale_mask(tonic, mode)
        beats = midi.get_beats()
        takes = composer.continue_midi(midi, seconds=args.seconds, variations=args.variations, rng_seed=args.rng_seed)
        print(f"\n{seed_path.name}: {score.end_time:.1f} s seed in {key_name(tonic, mode)}, "
              f"{args.variations} x {args.seconds:g} s continuations")
        print(f"  {'voice':<16}{'notes/s seed→new':>18}{'range seed':>12}{'range new':>11}"
              f"{'in key seed→new':>17}{'on grid seed→new':>18}")
        for slot, inst in enumerate(score.slots):
            old = [n for n in score.notes if n.track == slot]
            new = [n for t in takes for n in t.notes if n.track == slot]
            new_onsets = np.array([score.end_time + n.start for n in new])
            rate_old = len(old) / max(score.end_time, 1e-9)
            rate_new = len(new) / (args.seconds * args.variations)
            rng_old = f"{min(n.pitch for n in old)}-{max(n.pitch for n in old)}"
            rng_new = f"{min(n.pitch for n in new)}-{max(n.pitch for n in new)}" if new else "-"
            key_old = np.mean([in_key[n.pitch] for n in old])
            key_new = np.mean([in_key[n.pitch] for n in new]) if new else float("nan")
            grid_old = grid_share(np.array([n.start for n in old]), beats)
            grid_new = grid_share(new_onsets, beats)
            name = inst.name or str(inst.program)
            print(f"  {name:<16}{rate_old:>8.2f} → {rate_new:<7.2f}{rng_old:>12}{rng_new:>11}"
                  f"{key_old:>8.0%} → {key_new:<6.0%}{grid_old:>9.0%} → {grid_new:<6.0%}")


if __name__ == "__main__":
    main()
