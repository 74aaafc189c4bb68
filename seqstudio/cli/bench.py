"""``seqstudio bench generate``: tokens per second of generation against a naive loop, side by side."""

from __future__ import annotations

import argparse

from seqstudio.cli.common import float_arg, int_arg


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
    g.add_argument("--repeats", type=int, default=3, help="rounds per measurement; medians are printed (default 3)")
    g.set_defaults(run=run_generate)
    t = kinds.add_parser("transcribe", help="transcription real-time factor (compute time / audio time)",
                         description="Measure the real-time factor of transcription (reading, features, model and "
                                     "greedy decoding included) for one file and for a batch of files, on the CPU "
                                     "and on a GPU when present, and the peak memory of a long file next to a "
                                     "1-minute one, each in a fresh process. The audio is generated (human voice "
                                     "prompts from /usr/share/sounds/alsa when present).")
    t.add_argument("--model", default="default", help="model folder or name under models/")
    t.add_argument("--seconds", type=float_arg, default=60.0, help="length of the single file (default 60)")
    t.add_argument("--files", type=int_arg, default=32, help="files in the CPU batch (default 32)")
    t.add_argument("--gpu-files", type=int_arg, default=256, help="files in the GPU batch (default 256)")
    t.add_argument("--file-seconds", type=float_arg, default=30.0, help="length of each batch file (default 30)")
    t.add_argument("--long-minutes", type=float_arg, default=120.0,
                   help="length of the long file for the memory test (default 120; 0 skips it)")
    t.add_argument("--device", default=None, help="only this device (default: the CPU, and a GPU when present)")
    t.set_defaults(run=run_transcribe)
    p.set_defaults(run=None)


def run_generate(args: argparse.Namespace) -> int:
    from seqstudio.core.errors import SeqStudioError
    from seqstudio.music.bench import run_generate_bench

    if args.tokens < 10 or args.batch < 1 or args.repeats < 1:
        raise SeqStudioError("--tokens must be at least 10, --batch and --repeats at least 1")
    for line in run_generate_bench(args.model, args.tokens, args.batch, args.seed_midi, args.repeats):
        print(line, flush=True)
    return 0


def run_transcribe(args: argparse.Namespace) -> int:
    from seqstudio.core.device import resolve_device
    from seqstudio.core.errors import SeqStudioError
    from seqstudio.speech.bench import run_transcribe_bench

    if not (1 <= args.seconds <= 36000 and 1 <= args.file_seconds <= 3600):
        raise SeqStudioError("--seconds must be within 1..36000 and --file-seconds within 1..3600")
    if args.files < 1 or args.gpu_files < 1 or not 0 <= args.long_minutes <= 24 * 60:
        raise SeqStudioError("--files and --gpu-files must be at least 1, --long-minutes within 0..1440")
    devices = None if args.device is None else [str(resolve_device(args.device))]
    for line in run_transcribe_bench(args.model, args.seconds, args.files, args.file_seconds, args.gpu_files,
                                     args.long_minutes, devices):
        print(line, flush=True)
    return 0
