"""``seqstudio data import-speech KIND SOURCE --out manifest.jsonl``: real corpora -> a speech manifest."""

from __future__ import annotations

import argparse

from seqstudio.cli.common import int_arg

_DESCRIPTION = """\
List the utterances of a speech corpus you have on disk in a JSONL manifest (audio path, text, duration,
speaker), the input of `seqstudio train speech` and `seqstudio eval speech`. Nothing is copied.

  librispeech  SOURCE: a LibriSpeech folder (e.g. LibriSpeech/dev-clean): */*/*.trans.txt beside .flac files
  commonvoice  SOURCE: a Common Voice language folder (TSV files beside clips/) or one of its TSV files;
               --split picks the TSV in a folder (default train)
  ljspeech     SOURCE: the LJSpeech folder (metadata.csv beside wavs/) or its metadata.csv
  manifest     SOURCE: a JSONL or TSV manifest (audio<TAB>text), rewritten with paths relative to --out

Utterances whose audio is missing or unreadable are left out and counted."""


def register_import(kinds) -> None:
    """Add ``import-speech`` to the ``seqstudio data`` sub-commands (``kinds`` is their subparsers object)."""
    from seqstudio.speech.importers import COMMONVOICE_SPLITS, KINDS

    p = kinds.add_parser("import-speech", help="a real speech corpus (LibriSpeech, Common Voice, LJSpeech) -> "
                                               "a manifest", description=_DESCRIPTION,
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("corpus_kind", choices=KINDS, metavar="KIND", help=" | ".join(KINDS))
    p.add_argument("source", metavar="SOURCE", help="the corpus folder (or file), see above")
    p.add_argument("--out", required=True, metavar="JSONL", help="the manifest to write")
    p.add_argument("--split", default=None, choices=COMMONVOICE_SPLITS, help="Common Voice: which TSV")
    p.add_argument("--limit", type=int_arg, default=None, metavar="N", help="at most N utterances")
    p.add_argument("--overwrite", action="store_true", help="replace an existing manifest")
    p.set_defaults(run=run_import)


def run_import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from seqstudio.core.atomic import check_writable
    from seqstudio.core.progress import BarProgress
    from seqstudio.speech.importers import import_speech, write_import

    out = Path(args.out)
    check_writable(out, args.overwrite)
    result = import_speech(args.corpus_kind, args.source, split=args.split, limit=args.limit,
                           progress=BarProgress())
    write_import(result, out, overwrite=args.overwrite)
    speakers = len({u.speaker for u in result.utterances if u.speaker is not None})
    print(f"wrote {out}: {len(result.utterances)} utterances, {result.hours:.2f} h, {speakers} speakers")
    if result.skipped:
        print(f"left out {len(result.skipped)} utterance(s) whose audio is missing or unreadable, e.g.: "
              f"{result.skipped[0]}")
    return 0
