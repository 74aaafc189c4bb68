"""``seqstudio transcribe``: audio files or folders -> transcripts with word timings."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from seqstudio.cli.common import add_device, float_arg, int_arg

FORMAT_CHOICES = ("txt", "srt", "vtt", "json")

_DESCRIPTION = """\
Transcribe audio files (WAV, FLAC, OGG, MP3, ... at any rate, depth and channel count, of any length)
and folders of them (searched recursively) with a speech LSTM. All files go through the model in
shared batches.

Where transcripts go (like Buzz and whisper, one file per input and format, named after the input):
  default           next to each input: talk.wav -> talk.txt (talk.srt, ... with --format)
  --out FOLDER      into FOLDER; files found in a folder you named keep their sub-folders there
  --out FILE.EXT    one input only: exactly that file (the format follows .EXT unless --format says)
  --out -           one input, one format: print the transcript on stdout
Two inputs that would share a name (a.wav, a.mp3) are written as a.wav.txt and a.mp3.txt.
An existing transcript is never replaced without --overwrite (or skipped with --skip-existing), and
every file is written whole or not at all.

A file that cannot be transcribed (not audio, damaged, ...) is reported on one line and the others
carry on; the exit status is then 2. Digital silence gives an empty transcript."""


def register(sub) -> None:
    p = sub.add_parser("transcribe", help="audio files or folders -> text with word timings",
                       description=_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("inputs", nargs="+", metavar="FILE_OR_FOLDER", help="audio files and/or folders of audio files")
    p.add_argument("--format", default=None, metavar="FMT",
                   help="txt (plain text, default), srt, vtt (subtitles), json (words with start/end/confidence); "
                        "several separated by commas, or 'all'")
    p.add_argument("--out", default=None, metavar="PATH", help="an output folder, a file (one input) or - (stdout)")
    p.add_argument("--overwrite", action="store_true", help="replace existing transcripts")
    p.add_argument("--skip-existing", action="store_true", help="leave out inputs whose transcripts already exist")
    p.add_argument("--model", default="default", help="model folder or name under models/ (default: speech-default)")
    add_device(p)
    b = p.add_argument_group("decoding (default: beam search with the model's own lm.arpa when its folder has one, "
                             "else greedy)")
    b.add_argument("--beam", type=int_arg, default=None, metavar="N", help="CTC prefix beam search with N beams")
    b.add_argument("--lm", default=None, metavar="FILE",
                   help="a word language model (from `seqstudio train lm`); 'none' for no language model "
                        "(greedy decoding unless --beam or --hotwords ask for the beam search)")
    b.add_argument("--lm-weight", type=float_arg, default=None, metavar="W", help="weight of the language model")
    b.add_argument("--word-bonus", type=float_arg, default=None, metavar="B", help="score added per word")
    b.add_argument("--hotwords", default=None, metavar="WORDS",
                   help="words or phrases to favour, separated by commas: names, jargon (a phrase counts only "
                        "with its words in order)")
    b.add_argument("--hotword-boost", type=float_arg, default=None, metavar="B", help="how much to favour them")
    b.add_argument("--nbest", type=int_arg, default=None, metavar="N",
                   help="also list the N best hypotheses of every stretch of audio, with scores (json format)")
    p.set_defaults(run=run)


def parse_formats(text: str | None) -> list[str] | None:
    """The --format list; ``None`` when not given (txt, or the extension of --out FILE)."""
    from seqstudio.core.errors import SeqStudioError

    if text is None:
        return None
    if text.strip().lower() == "all":
        return list(FORMAT_CHOICES)
    formats = list(dict.fromkeys(f.strip().lower().lstrip(".") for f in text.split(",") if f.strip()))
    bad = [f for f in formats if f not in FORMAT_CHOICES]
    if not formats or bad:
        raise SeqStudioError(f"unknown --format {', '.join(bad) or repr(text)}: choose from "
                             f"{', '.join(FORMAT_CHOICES)} (several separated by commas) or all")
    return formats


def decode_options(args: argparse.Namespace):
    """``None`` (greedy) unless a decoding flag asks for beam search; then a ``DecodeOptions``."""
    from seqstudio.core.errors import SeqStudioError
    from seqstudio.speech.beam import DecodeOptions

    lm = None if args.lm is None or args.lm.lower() == "none" else args.lm
    given = {"beam_size": args.beam, "lm": lm, "lm_weight": args.lm_weight, "word_bonus": args.word_bonus,
             "hotwords": args.hotwords, "hotword_boost": args.hotword_boost, "nbest": args.nbest}
    given = {k: v for k, v in given.items() if v is not None}
    if not given:
        return None
    if "hotwords" in given:
        given["hotwords"] = tuple(w.strip() for w in given["hotwords"].split(",") if w.strip())
    try:
        return DecodeOptions(**given)
    except ValueError as exc:
        raise SeqStudioError(f"bad decoding options: {exc}") from None


def _stem_name(path: Path, fmt: str, full: bool) -> str:
    return f"{path.name if full else path.stem}.{fmt}"


def plan_outputs(inputs: list[str], formats: list[str] | None, out: str | None):
    """Expand folders and name each input's outputs. Returns (jobs, problems): jobs are (audio, [(fmt,
    path)]) in input order; problems are one-line messages about inputs that give nothing to do."""
    from seqstudio.core.errors import SeqStudioError
    from seqstudio.speech.transcriber import AUDIO_EXTENSIONS, find_audio

    audio: list[tuple[Path, Path]] = []  # (file, relative location under --out)
    problems: list[str] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found = find_audio(path)
            if not found:
                problems.append(f"{path} holds no audio files (looked for {', '.join(sorted(AUDIO_EXTENSIONS)[:6])}, "
                                "...)")
            audio += [(f, f.relative_to(path).parent) for f in found]
        else:
            audio.append((path, Path()))
    seen: set[Path] = set()
    unique = []
    for file, rel in audio:
        key = file.resolve()
        if key not in seen:
            seen.add(key)
            unique.append((file, rel))
    if out == "-":
        formats = formats or ["txt"]
        if len(unique) != 1 or len(formats) != 1:
            raise SeqStudioError("--out - (stdout) takes one input file and one format")
        return [(unique[0][0], [(formats[0], None)])], problems
    out_file = None
    if out is not None:
        target = Path(out)
        if target.suffix and not target.is_dir() and not out.endswith(("/", "\\")):
            if len(unique) > 1 or any(Path(i).is_dir() for i in inputs):
                raise SeqStudioError(f"--out {out} names a file, but there are several inputs; give a folder")
            out_file = target
    if out_file is not None:
        fmt = out_file.suffix.lower().lstrip(".")
        if fmt not in FORMAT_CHOICES:
            raise SeqStudioError(f"--out {out}: .{fmt} is not a transcript format ({', '.join(FORMAT_CHOICES)})")
        if formats is not None and formats != [fmt]:
            raise SeqStudioError(f"--out {out} is a .{fmt} file but --format asks for {','.join(formats)}")
        return ([(unique[0][0], [(fmt, out_file)])] if unique else []), problems

    formats = formats or ["txt"]

    def folder_of(file: Path, rel: Path) -> Path:
        return file.parent if out is None else Path(out) / rel

    # inputs that would write the same name (a.wav and a.mp3 in one folder) keep their extension
    stems: dict[Path, int] = {}
    for file, rel in unique:
        key = folder_of(file, rel) / file.stem
        stems[key] = stems.get(key, 0) + 1
    jobs = []
    for file, rel in unique:
        folder = folder_of(file, rel)
        full = stems[folder / file.stem] > 1
        jobs.append((file, [(fmt, folder / _stem_name(file, fmt, full)) for fmt in formats]))
    # two inputs from different places can still meet in one --out folder (day1/talk.wav, day2/talk.wav):
    # refuse before any work rather than let one transcript replace the other
    writers: dict[Path, Path] = {}
    for file, outputs in jobs:
        for _, path in outputs:
            other = writers.setdefault(path, file)
            if other != file:
                raise SeqStudioError(f"{other} and {file} would both be written to {path}; transcribe them into "
                                     "different --out folders")
    return jobs, problems


def run(args: argparse.Namespace) -> int:
    from seqstudio.core.atomic import atomic_write_many, check_writable
    from seqstudio.core.errors import SeqStudioError
    from seqstudio.core.progress import BarProgress
    from seqstudio.speech.transcriber import Transcriber

    formats = parse_formats(args.format)
    if args.overwrite and args.skip_existing:
        raise SeqStudioError("--overwrite and --skip-existing contradict each other; choose one")
    options = decode_options(args)
    jobs, problems = plan_outputs(args.inputs, formats, args.out)
    wants_nbest = options is not None and options.nbest > 1
    if jobs and wants_nbest and not any(fmt == "json" for _, outs in jobs for fmt, _ in outs):
        raise SeqStudioError("--nbest lists are written in the json format only; add --format json")

    # every output is checked before any work: a run never dies on its last file for a name clash
    if args.skip_existing:
        jobs = [(a, outs) for a, outs in jobs if not any(p is not None and p.exists() for _, p in outs)]
    else:
        existing = [p for _, outs in jobs for _, p in outs if p is not None and p.exists() and not p.is_dir()]
        if existing and not args.overwrite:
            more = f" and {len(existing) - 1} other transcript(s)" if len(existing) > 1 else ""
            raise SeqStudioError(f"{existing[0]}{more} already exist(s) (use --overwrite to replace, "
                                 "--skip-existing to leave out)")
        for _, outs in jobs:
            for _, p in outs:
                if p is not None:
                    check_writable(p, args.overwrite)

    for message in problems:
        print(f"seqstudio: error: {message}", file=sys.stderr)
    failed = len(problems)
    if not jobs:
        if failed:
            return 2
        print("nothing to transcribe: every transcript already exists")
        return 0

    # without --lm the model's own lm.arpa (if any) is used; --lm FILE replaces it, --lm none turns it off
    transcriber = Transcriber.load(args.model, args.device, lm=None if args.lm is not None else "auto",
                                  decode_workers="auto")
    total_audio = total_compute = 0.0
    done = 0
    for result in transcriber.iter_transcribe([a for a, _ in jobs], options, progress=BarProgress()):
        outs = jobs[result.index][1]
        if result.error is not None:
            failed += 1
            print(f"seqstudio: error: {result.error}", file=sys.stderr)
            continue
        transcript = result.transcripts[0]
        if outs[0][1] is None:  # --out -
            sys.stdout.write(transcript.render(outs[0][0]))
        else:
            rendered = [(p, transcript.render(fmt)) for fmt, p in outs]
            try:
                atomic_write_many([(p, _writer(text)) for p, text in rendered], overwrite=args.overwrite)
            except SeqStudioError as exc:  # someone made the file meanwhile
                failed += 1
                print(f"seqstudio: error: {exc}", file=sys.stderr)
                continue
            words = len(transcript.words)
            for p, _ in rendered:
                print(f"wrote {p}  ({transcript.duration_s:.1f} s of audio, {words} word{'s' * (words != 1)})")
        done += 1
        total_audio += transcript.duration_s
        total_compute += transcript.compute_s
    if len(jobs) + len(problems) > 1 and args.out != "-":
        rtf = f", real-time factor {total_compute / total_audio:.4f}" if total_audio > 0 else ""
        print(f"transcribed {done} of {len(jobs)} file(s): {total_audio:.1f} s of audio in "
              f"{total_compute:.1f} s{rtf}")
    return 2 if failed else 0


def _writer(text: str):
    def write(path: Path) -> None:
        path.write_text(text, encoding="utf-8")
    return write
