"""``seqstudio train music``: train the music LSTM with a preset, resumable."""

from __future__ import annotations

import argparse
from dataclasses import replace

from seqstudio.cli.common import add_device


def register(sub) -> None:
    from seqstudio.music.presets import PRESET_NAMES
    from seqstudio.speech.presets import PRESET_NAMES as SPEECH_PRESETS

    p = sub.add_parser("train", help="train models")
    kinds = p.add_subparsers(dest="kind", metavar="KIND")
    m = kinds.add_parser("music", help="train the music LSTM on a built corpus",
                         description="Train the music LSTM. Interrupt at any time: running the same command "
                                     "again resumes from the last checkpoint in --out; a larger --steps continues a "
                                     "finished run.")
    m.add_argument("--corpus", default="data/corpus/music", help="a corpus built by `seqstudio data music`")
    m.add_argument("--out", required=True, help="run folder: checkpoint.pt, log.jsonl and the model in model/")
    m.add_argument("--preset", choices=PRESET_NAMES, default="cpu",
                   help="cpu: the shipped default, ~75 min on 2 idle cores; gpu: 3x512 for a GPU; tiny: a smoke test")
    _add_run_options(m)
    m.set_defaults(run=run_music)
    s = kinds.add_parser("speech", help="train the speech BiLSTM with CTC on a corpus folder of manifests",
                         description="Train the speech model on a folder holding train.jsonl and valid.jsonl "
                                     "(from `seqstudio data speech` or `seqstudio data import-speech`). Interrupt "
                                     "at any time: the same command resumes from the last checkpoint in --out; "
                                     "a larger --steps continues a finished run.")
    s.add_argument("--corpus", default="data/corpus/speech", help="folder with train.jsonl and valid.jsonl")
    s.add_argument("--extra-train", action="append", default=[], metavar="FOLDER",
                   help="also train on this folder's train.jsonl (repeatable; validation and test stay --corpus's; "
                        "resuming needs the same folders in the same order)")
    s.add_argument("--out", required=True, help="run folder: checkpoint.pt, log.jsonl and the model in model/")
    s.add_argument("--preset", choices=SPEECH_PRESETS, default="cpu",
                   help="cpu: the shipped default, a 3x256 BiLSTM for 2 CPU cores; gpu: 4x320 for a GPU; "
                        "tiny: a smoke test")
    s.add_argument("--streaming", action="store_true",
                   help="train the streaming variant: a unidirectional LSTM over causally normalised features, "
                        "for live transcription (seqstudio.StreamingRecognizer); it hears no future context, so it "
                        "makes more errors than the bidirectional model. With --init of a bidirectional model, it "
                        "starts from that model's forward direction")
    _add_run_options(s)
    s.set_defaults(run=run_speech)
    from seqstudio.cli.lm import register_lm

    register_lm(kinds)
    p.set_defaults(run=None)


def _add_run_options(p) -> None:
    """The options every `train` kind reads through :func:`_setup`."""
    p.add_argument("--steps", type=int, default=None, help="override the preset's number of steps")
    p.add_argument("--seed", type=int, default=None, help="override the preset's random seed")
    p.add_argument("--init", default=None, metavar="MODEL",
                   help="fine-tune: start from this model's weights (a folder, a name under models/, or 'default'); "
                        "its architecture replaces the preset's")
    p.add_argument("--lr", type=float, default=None,
                   help="override the preset's peak learning rate (default with --init: a quarter of it)")
    p.add_argument("--no-resume", dest="resume", action="store_false",
                   help="refuse to continue an existing run in --out (resuming needs the same preset and options)")
    add_device(p)
    p.add_argument("--threads", type=int, default=None,
                   help="CPU threads for torch (default: all cores; 1 is faster when other work shares the CPU)")


def _setup(args: argparse.Namespace, presets: dict, with_init, default_model: str):
    """The preset's config with --init, --lr, --steps and --seed applied, the device, and --threads set:
    what every `train` kind does before its own work. Returns (config, device)."""
    import math

    from seqstudio.core.device import resolve_device
    from seqstudio.core.errors import SeqStudioError
    from seqstudio.core.models import resolve_model

    cfg = presets[args.preset]
    if args.init is not None:
        cfg = with_init(cfg, resolve_model(args.init, default_model))
        if args.lr is None:
            cfg = replace(cfg, lr=cfg.lr / 4)
    if args.lr is not None:
        if not (math.isfinite(args.lr) and 0 < args.lr <= 1):
            raise SeqStudioError("--lr must be a number in (0, 1]")
        cfg = replace(cfg, lr=args.lr)
    if args.steps is not None:
        if args.steps < 1:
            raise SeqStudioError("--steps must be at least 1")
        cfg = replace(cfg, steps=args.steps)
    if args.seed is not None:
        if args.seed < 0:
            raise SeqStudioError("--seed must be a non-negative integer")
        cfg = replace(cfg, seed=args.seed)
    device = resolve_device(args.device)
    if args.threads is not None:
        from seqstudio.core.threads import check_threads

        check_threads(args.threads)
        import torch

        torch.set_num_threads(args.threads)
    return cfg, device


def run_speech(args: argparse.Namespace) -> int:
    from seqstudio.core.device import describe
    from seqstudio.core.progress import BarProgress
    from seqstudio.speech.train import PRESETS, train_speech, with_init

    cfg, device = _setup(args, PRESETS, with_init, "speech-default")
    if args.streaming and not cfg.streaming:  # from scratch, or from a bidirectional --init's forward direction
        cfg = replace(cfg, streaming=True, bidirectional=False)
    kind = "BiLSTM" if cfg.bidirectional else "LSTM"
    print(f"training preset {args.preset} on {describe(device)}: {cfg.num_layers}x{cfg.hidden_size} {kind}, "
          f"{cfg.steps} steps of up to {cfg.batch_seconds:.0f} s of audio, peak learning rate {cfg.lr:g}"
          + (f", starting from {cfg.init}" if cfg.init else ""))
    train_speech(args.corpus, args.out, cfg, device, resume=args.resume, progress=BarProgress(),
                 extra_train=args.extra_train)
    return 0


def run_music(args: argparse.Namespace) -> int:
    from seqstudio.core.device import describe
    from seqstudio.core.progress import BarProgress
    from seqstudio.music.train import PRESETS, train_music, with_init

    cfg, device = _setup(args, PRESETS, with_init, "music-default")
    print(f"training preset {args.preset} on {describe(device)}: {cfg.num_layers}x{cfg.hidden_size} LSTM, "
          f"{cfg.steps} steps of {cfg.batch_size}x{cfg.seq_len} tokens, peak learning rate {cfg.lr:g}"
          + (f", starting from {cfg.init}" if cfg.init else ""))
    train_music(args.corpus, args.out, cfg, device, resume=args.resume, progress=BarProgress())
    return 0
