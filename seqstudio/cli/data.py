"""``seqstudio data music``: build a training corpus."""

from __future__ import annotations

import argparse


def register(sub) -> None:
    p = sub.add_parser("data", help="build training corpora")
    kinds = p.add_subparsers(dest="kind", metavar="KIND")
    m = kinds.add_parser("music", help="music corpus from music21's bundled corpus and/or your MIDI folders",
                         description="Build a tokenised music corpus with a fixed train/valid/test split by "
                                     "piece. Cached: a second run with the same options is instant.")
    m.add_argument("--out", default="data/corpus/music", help="corpus folder (default data/corpus/music)")
    m.add_argument("--music21", default="default",
                   help="comma-separated music21 corpus collections; 'default' (12 collections, 99%% of its "
                        "notes), 'all', or 'none'")
    m.add_argument("--midi-dir", action="append", default=[], metavar="DIR",
                   help="a folder of your own .mid files (repeatable)")
    m.add_argument("--stretches", default="0.95,1,1.05", help="tempo stretch factors stored for the train split")
    m.add_argument("--max-tracks", type=int, default=8, help="voices per piece before extra tracks share the last")
    m.add_argument("--limit", type=int, default=None, help="at most N files per source (quick trials)")
    m.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    m.add_argument("--rebuild", action="store_true", help="re-assemble even if an identical corpus exists")
    m.set_defaults(run=run_music)
    s = kinds.add_parser("speech", help="speech corpus synthesised by offline English voices, augmented",
                         description="Synthesise sentences from offline English text with every installed voice "
                                     "of espeak-ng, flite and festival (see scripts/setup.sh; the opt-in voices of "
                                     "Piper, SVOX Pico and Kokoro when --voices names them; --list-voices lists "
                                     "them all), with random rate and "
                                     "pitch, then augment the train split (speed, reverb, noise, telephone, gain; "
                                     "--voice-shift: other speakers made from the recorded voices). "
                                     "Whole voices are held out for valid and test. Resumable: run the same "
                                     "command again after an interruption; a finished corpus returns at once.")
    s.add_argument("--out", default="data/corpus/speech", help="corpus folder (default data/corpus/speech)")
    s.add_argument("--train", type=int, default=16000, help="training utterances (default 16000, ~13 h)")
    s.add_argument("--valid", type=int, default=400, help="validation utterances (default 400)")
    s.add_argument("--test", type=int, default=600, help="test utterances (default 600)")
    s.add_argument("--voices", default="",
                   help="comma-separated voice ids to use (default: every installed espeak-ng, flite and festival "
                        "voice; the opt-in voices of Piper, SVOX Pico and Kokoro only when named; see --list-voices)")
    s.add_argument("--list-voices", action="store_true",
                   help="list every voice id with its speaker, split and whether it is installed here, then exit")
    s.add_argument("--no-augment", action="store_true", help="keep the train split clean")
    s.add_argument("--voice-shift", type=float, default=0.0, metavar="P",
                   help="share of the recorded voices' training utterances read by a shifted voice: formants "
                        "x0.9-1.25 and another pitch, the tempo kept (default 0: none)")
    s.add_argument("--shift-range", type=float, nargs=2, metavar=("LOW", "HIGH"), default=None,
                   help="with --voice-shift: the formant factor's range, within 0.7-1.5 (default 0.9 1.25; below 1 "
                        "makes longer vocal tracts, e.g. men from women)")
    s.add_argument("--shift-pitch", type=float, nargs=2, metavar=("LOW", "HIGH"), default=None,
                   help="with --voice-shift: the pitch asked of the synthesiser, as a factor of the voice's own, "
                        "within 0.5-2.0 (default 0.9 1.7; the heard pitch is this times the formant factor)")
    s.add_argument("--seed", type=int, default=0, help="random seed of pairing, rate, pitch and augmentation")
    s.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    s.set_defaults(run=run_speech)
    from seqstudio.cli.data_import import register_import

    register_import(kinds)
    from seqstudio.cli.data_augment import register_augment

    register_augment(kinds)
    p.set_defaults(run=None)


def _floats(text: str) -> tuple[float, ...]:
    from seqstudio.core.errors import SeqStudioError

    try:
        values = tuple(float(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise SeqStudioError(f"--stretches wants numbers separated by commas, got {text!r}") from None
    if not values or any(not (0.25 <= v <= 4) for v in values):
        raise SeqStudioError("--stretches must be factors between 0.25 and 4")
    return values


def run_music(args: argparse.Namespace) -> int:
    from seqstudio.core.errors import SeqStudioError
    from seqstudio.core.progress import BarProgress
    from seqstudio.music.corpus import MUSIC21_DEFAULT, MUSIC21_EXTRA, CorpusSpec, build_corpus
    from seqstudio.music.tokenizer import TokenizerConfig

    if args.music21 == "default":
        collections = MUSIC21_DEFAULT
    elif args.music21 == "all":
        collections = MUSIC21_DEFAULT + MUSIC21_EXTRA
    elif args.music21 == "none":
        collections = ()
    else:
        collections = tuple(x.strip() for x in args.music21.split(",") if x.strip())
    if args.jobs < 1:
        raise SeqStudioError("--jobs must be at least 1")
    if args.limit is not None and args.limit < 1:
        raise SeqStudioError("--limit must be at least 1")
    try:
        tokenizer = TokenizerConfig(max_tracks=args.max_tracks)
    except ValueError as exc:
        raise SeqStudioError(str(exc)) from None
    spec = CorpusSpec(music21=collections, midi_dirs=tuple(args.midi_dir), stretches=_floats(args.stretches),
                      tokenizer=tokenizer, limit=args.limit)
    summary = build_corpus(spec, args.out, jobs=args.jobs, progress=BarProgress(), rebuild=args.rebuild)
    state = "up to date (cached)" if summary.get("cached") else "built"
    print(f"corpus {args.out}: {state}")
    for split, c in summary["splits"].items():
        print(f"  {split:5s} {c['sequences']:6d} sequences  {c['tokens']:10d} tokens  {c['hours']:7.2f} h")
    if summary.get("skipped_files"):
        print(f"  skipped {summary['skipped_files']} unreadable files (listed in {args.out}/corpus.json)")
    return 0


def run_speech(args: argparse.Namespace) -> int:
    from seqstudio.core.errors import SeqStudioError
    from seqstudio.core.progress import BarProgress
    from seqstudio.speech.corpus.augment import NO_AUGMENT, AugmentConfig
    from seqstudio.speech.corpus.build import SpeechCorpusSpec, build_speech_corpus

    if args.list_voices:
        return _list_voices()
    if args.jobs < 1:
        raise SeqStudioError("--jobs must be at least 1")
    if args.no_augment and args.voice_shift:
        raise SeqStudioError("--voice-shift is an augmentation: leave out --no-augment to use it")
    ranges = {name: tuple(value) for name, value in (("shift_range", args.shift_range),
                                                     ("shift_pitch_range", args.shift_pitch)) if value is not None}
    if ranges and not args.voice_shift:
        raise SeqStudioError("--shift-range and --shift-pitch shape the voice shift: give --voice-shift P too")
    try:
        augment = NO_AUGMENT if args.no_augment else AugmentConfig(p_shift=args.voice_shift, **ranges)
        spec = SpeechCorpusSpec(train=args.train, valid=args.valid, test=args.test,
                                voices=tuple(v.strip() for v in args.voices.split(",") if v.strip()),
                                augment=augment, seed=args.seed)
    except ValueError as exc:
        raise SeqStudioError(str(exc)) from None
    summary = build_speech_corpus(args.out, spec, workers=args.jobs, progress=BarProgress())
    print(f"corpus {args.out}:")
    for split, c in summary["splits"].items():
        print(f"  {split:5s} {c['utterances']:6d} utterances  {c['hours']:6.2f} h  {c['voices']:3d} voices  "
              f"speakers: {', '.join(c['speakers'])}")
    return 0


def _list_voices() -> int:
    """Every voice of the inventory: id, speaker, split, default or opt-in, and installed or what is missing."""
    from seqstudio.speech.corpus.voices import OPT_IN_ENGINES, VOICES, missing_reason

    print(f"{'voice':34s} {'speaker':22s} {'split':6s} {'used':8s} installed")
    installed = 0
    for voice in VOICES:
        reason = missing_reason(voice)
        installed += reason is None
        used = "opt-in" if voice.engine in OPT_IN_ENGINES else "default"
        print(f"{voice.id:34s} {voice.speaker:22s} {voice.split:6s} {used:8s} {'yes' if reason is None else reason}")
    print(f"{len(VOICES)} voices, {installed} installed; opt-in voices are used only when --voices names them")
    return 0
