"""``seqstudio train lm``: build the word n-gram language model the speech beam decoder uses."""

from __future__ import annotations

import argparse


def register_lm(kinds) -> None:
    """Add ``lm`` to the ``train`` command's sub-command group ``kinds``."""
    from seqstudio.speech.lm import DEFAULT_ORDER, MAX_ORDER, MIN_ORDER

    p = kinds.add_parser("lm", help="word n-gram language model for speech decoding, from text",
                         description="Build a Kneser-Ney word n-gram language model and write it as an ARPA "
                                     "file, for `--lm` in speech decoding. Text is normalised the way "
                                     "transcripts are (numbers spelled out, lowercase). Only the train split "
                                     "of the offline sentences is used, never valid or test sentences.")
    p.add_argument("--out", required=True, metavar="FILE", help="the ARPA file to write (e.g. models/lm.arpa)")
    p.add_argument("--text", action="append", default=[], metavar="FILE",
                   help="plain UTF-8 text, one sentence per line (repeatable)")
    p.add_argument("--manifest", action="append", default=[], metavar="FILE",
                   help="the transcripts of a speech manifest (JSONL or TSV, e.g. an imported corpus' train.jsonl; "
                        "never its valid or test split) (repeatable)")
    p.add_argument("--sentences", choices=["default", "none"], default=None,
                   help="'default': the train split of the offline English sentences the speech corpus is "
                        "made from (the default when no --text or --manifest is given); 'none': only those")
    p.add_argument("--order", type=int, default=DEFAULT_ORDER,
                   help=f"n-gram order, {MIN_ORDER}..{MAX_ORDER} (default {DEFAULT_ORDER})")
    p.add_argument("--min-count", type=int, default=2,
                   help="drop n-grams of two words or more seen fewer times (default 2: a few MB from 60k "
                        "sentences; 1 keeps all)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing --out file")
    p.set_defaults(run=run_lm)


def _read_lines(path: str) -> list[str]:
    from seqstudio.core.errors import SeqStudioError

    try:
        with open(path, encoding="utf-8") as handle:
            return [line for line in handle if line.strip()]
    except FileNotFoundError:
        raise SeqStudioError(f"--text {path} does not exist") from None
    except IsADirectoryError:
        raise SeqStudioError(f"--text {path} is a folder, not a text file") from None
    except UnicodeDecodeError:
        raise SeqStudioError(f"--text {path} is not UTF-8 text") from None
    except OSError as exc:
        raise SeqStudioError(f"cannot read --text {path}: {exc.strerror or exc}") from None


def run_lm(args: argparse.Namespace) -> int:
    from seqstudio.core.atomic import check_writable
    from seqstudio.core.errors import SeqStudioError
    from seqstudio.speech.lm import MAX_ORDER, MIN_ORDER, NgramLM

    if not MIN_ORDER <= args.order <= MAX_ORDER:
        raise SeqStudioError(f"--order must be from {MIN_ORDER} to {MAX_ORDER}")
    if args.min_count < 1:
        raise SeqStudioError("--min-count must be at least 1")
    sentences_source = args.sentences or ("none" if args.text or args.manifest else "default")
    if sentences_source == "none" and not (args.text or args.manifest):
        raise SeqStudioError("no text: give --text FILE, --manifest FILE or --sentences default")
    check_writable(args.out, args.overwrite)  # before the work, not after

    texts: list[str] = []
    for path in args.text:
        lines = _read_lines(path)
        print(f"{path}: {len(lines)} lines")
        texts += lines
    from seqstudio.speech.manifest import read_manifest

    for path in args.manifest:
        transcripts = [utterance.text for utterance in read_manifest(path)]
        print(f"{path}: {len(transcripts)} transcripts")
        texts += transcripts
    if sentences_source == "default":
        from seqstudio.speech.corpus.sentences import collect_sentences, split_sentences

        train = split_sentences(collect_sentences())["train"]
        print(f"offline sentences: {len(train)} in the train split")
        texts += train
    lm = NgramLM.train(texts, order=args.order, min_count=args.min_count)
    path = lm.write_arpa(args.out, overwrite=args.overwrite)
    counts = [sum(1 for gram in lm.probs if len(gram) == n) for n in range(1, lm.order + 1)]
    size = path.stat().st_size / 1e6
    print(f"wrote {path} ({size:.1f} MB): order {lm.order}, "
          + ", ".join(f"{c} {n}-grams" for n, c in enumerate(counts, start=1)))
    return 0
