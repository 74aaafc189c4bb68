"""``seqstudio bench generate``: tokens per second of generation against a naive loop, side by side."""

from __future__ import annotations

import argparse


def register(sub) -> None:
    p = sub.add_parser("bench", help="speed benchmarks (ratios measured side by side in one run)")
    kinds = p.add_subparsers(dest="kind", metavar="KIND")
    g = kinds.add_parser("generate", help="generation tokens/s: SeqStudio's path vs one nn.LSTM call per token",
                         description="Measure tokens per second at batch 1 and at a batch of variations, on the "
                                     "CPU and on a GPU when present, for SeqStudio's generation path and a naive "
                                     "loop (one nn.LSTM call per token), in the same run.")
    g.add_argument("--model", default="default", help="model folder or name under models/")
    g.add_argument("--tokens", type=int, default=400, help="tokens generated per measurement (default 400)")
    g.add_argument("--batch", type=int, default=8, help="the batch of variations (default 8)")
    g.add_argument("--seed-midi", default=None, help="seed for the end-to-end measurement (default: bundled)")
    g.set_defaults(run=run_generate)
    p.set_defaults(run=None)


def run_generate(args: argparse.Namespace) -> int:
    from seqstudio.core.errors import SeqStudioError
    from seqstudio.music.bench import run_generate_bench

    if args.tokens < 10 or args.batch < 1:
        raise SeqStudioError("--tokens must be at least 10 and --batch at least 1")
    for line in run_generate_bench(args.model, args.tokens, args.batch, args.seed_midi):
        print(line, flush=True)
    return 0
