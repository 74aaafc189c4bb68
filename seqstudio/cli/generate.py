"""``seqstudio generate``: continue a seed MIDI file."""

from __future__ import annotations

import argparse
import sys

from seqstudio.cli.common import add_device, float_arg, int_arg


def register(sub) -> None:
    from seqstudio.music.options import PRECISIONS, GenerateOptions

    d = GenerateOptions()
    p = sub.add_parser("generate", help="continue a seed MIDI file with the music LSTM",
                       description="Continue a seed MIDI file. The output holds the seed, then the "
                                   "continuation in the seed's instruments and tempo.")
    p.add_argument("--seed", required=True, metavar="MIDI", help="the seed MIDI file")
    p.add_argument("--out", required=True, metavar="MIDI",
                   help="output file; with --variations N, files OUT-1.mid ... OUT-N.mid")
    p.add_argument("--model", default="default", help="model folder or name under models/ (default: music-default)")
    p.add_argument("--seconds", type=float_arg, default=d.seconds,
                   help=f"length of the continuation (default {d.seconds:g})")
    p.add_argument("--temperature", type=float_arg, default=d.temperature,
                   help=f"sampling temperature; 0 = greedy (default {d.temperature:g})")
    p.add_argument("--top-k", type=int_arg, default=d.top_k, help="sample among the k most likely tokens (0 = off)")
    p.add_argument("--top-p", type=float_arg, default=d.top_p,
                   help=f"nucleus sampling mass in (0, 1] (default {d.top_p:g})")
    p.add_argument("--variations", type=int_arg, default=1, help="how many continuations, made in one batch")
    p.add_argument("--rng-seed", type=int_arg, default=None,
                   help="fix the random seed for an exactly repeatable result")
    p.add_argument("--context-seconds", type=float_arg, default=None,
                   help="condition on only the last N seconds of the seed (default: all of it)")
    p.add_argument("--no-seed-in-output", dest="include_seed", action="store_false",
                   help="write only the continuation, starting at 0 s")
    p.add_argument("--key-lock", action="store_true", help="keep new notes in the seed's key")
    p.add_argument("--density", type=float_arg, default=None, help="target notes per second")
    p.add_argument("--precision", choices=PRECISIONS, default=d.precision,
                   help=f"weights of the CPU step kernel: int8 (per-row scales; ~3x faster, +0.01%% NLL on the "
                        f"test split) or fp32 (the exact model); a GPU always runs fp32 (default {d.precision})")
    p.add_argument("--overwrite", action="store_true", help="replace existing output files")
    add_device(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from seqstudio.core.progress import BarProgress
    from seqstudio.music.composer import Composer, check_outputs, output_paths, write_takes
    from seqstudio.music.options import GenerateOptions

    options = GenerateOptions(
        seconds=args.seconds, temperature=args.temperature, top_k=args.top_k, top_p=args.top_p,
        variations=args.variations, rng_seed=args.rng_seed, context_seconds=args.context_seconds,
        include_seed=args.include_seed, key_lock=args.key_lock, density=args.density, precision=args.precision,
    )
    options.validate()
    paths = output_paths(args.out, args.variations)
    check_outputs(paths, args.overwrite)
    composer = Composer.load(args.model, args.device)
    takes = composer.continue_midi(args.seed, options, progress=BarProgress())
    write_takes(takes, paths, overwrite=args.overwrite)
    for take, path in zip(takes, paths, strict=True):
        print(f"wrote {path}  ({len(take.notes)} new notes over {args.seconds:g} s"
              f"{', key ' + take.key if take.key else ''})")
        if not take.complete:
            print(f"warning: variation {take.variation} hit the token limit before {args.seconds:g} s; "
                  "it ends early (try a lower temperature)", file=sys.stderr)
    print(f"rng seed {takes[0].rng_seed} (pass --rng-seed {takes[0].rng_seed} to repeat)", file=sys.stderr)
    return 0
