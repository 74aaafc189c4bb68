"""``seqstudio data augment-speech MANIFEST --out FOLDER``: augmented copies of recordings, for ``--extra-train``."""

from __future__ import annotations

import argparse

from seqstudio.cli.common import float_arg, int_arg

_DESCRIPTION = """\
Write every utterance of a manifest (`seqstudio data import-speech` makes one from your recordings) COPIES
times through the augmentation of `seqstudio data speech` - speed, room reverberation, telephone band, noise,
gain - beside its clean original, as a training folder for `seqstudio train speech --extra-train FOLDER`.
A small set of real recordings is then heard at a useful weight among a large synthetic corpus, and in
rooms and on lines it was not recorded in. Resumable: run the same command again after an interruption;
finished copies with the same settings return at once."""


def register_augment(kinds) -> None:
    """Add ``augment-speech`` to the ``seqstudio data`` sub-commands (``kinds`` is their subparsers object)."""
    p = kinds.add_parser("augment-speech", help="augmented copies of recorded speech, a folder for --extra-train",
                         description=_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("manifest", metavar="MANIFEST", help="a JSONL or TSV manifest of the recordings")
    p.add_argument("--out", required=True, metavar="FOLDER", help="the folder to write (train.jsonl, wav/)")
    p.add_argument("--copies", type=int_arg, default=4, metavar="K", help="augmented copies of each (default 4)")
    p.add_argument("--no-original", action="store_true", help="leave the clean originals out")
    p.add_argument("--speed", type=float_arg, nargs=2, default=(0.9, 1.1), metavar=("LOW", "HIGH"),
                   help="speed factors (tempo and pitch together; default 0.9 1.1)")
    p.add_argument("--p-speed", type=float_arg, default=0.5, metavar="P",
                   help="share of copies whose speed is changed (default 0.5)")
    p.add_argument("--seed", type=int_arg, default=0, help="random seed of the augmentation")
    p.add_argument("--jobs", type=int_arg, default=2, help="worker processes (default 2)")
    p.set_defaults(run=run_augment)


def run_augment(args: argparse.Namespace) -> int:
    from seqstudio.core.errors import SeqStudioError
    from seqstudio.core.progress import BarProgress
    from seqstudio.speech.corpus.augment import AugmentConfig
    from seqstudio.speech.corpus.copies import CopiesSpec, augment_manifest

    if args.jobs < 1:
        raise SeqStudioError("--jobs must be at least 1")
    try:
        config = AugmentConfig(p_speed=args.p_speed, speed_range=tuple(args.speed))
    except ValueError as exc:
        raise SeqStudioError(f"--speed/--p-speed: {exc}") from None
    spec = CopiesSpec(copies=args.copies, keep_original=not args.no_original, augment=config, seed=args.seed)
    augment_manifest(args.manifest, args.out, spec, workers=args.jobs, progress=BarProgress())
    return 0
