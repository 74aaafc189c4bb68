"""``seqstudio eval music``: NLL per event of a model on MIDI files or a corpus split; n-gram baselines."""

from __future__ import annotations

import argparse
import json

from seqstudio.cli.common import add_device, float_arg, int_arg


def register(sub) -> None:
    p = sub.add_parser("eval", help="measure models")
    kinds = p.add_subparsers(dest="kind", metavar="KIND")
    m = kinds.add_parser("music", help="NLL per event (and perplexity) of a music model",
                         description="Score a music model on a folder of your MIDI files (or one file), or on a "
                                     "split of a built corpus with --corpus.")
    m.add_argument("midi", nargs="?", help="a MIDI file or a folder of MIDI files")
    m.add_argument("--model", default="default", help="model folder or name under models/")
    m.add_argument("--corpus", default=None, help="instead of MIDI files: a corpus built by `seqstudio data music`")
    m.add_argument("--split", default="test", choices=("train", "valid", "test"), help="split of --corpus")
    m.add_argument("--json", action="store_true", help="print the result as JSON")
    add_device(m)
    m.set_defaults(run=run_music)
    s = kinds.add_parser("speech", help="WER and CER of a speech model (greedy and with a language model) and its "
                                        "real-time factor",
                         description="Transcribe the utterances of a manifest (JSONL with \"audio\" and \"text\", "
                                     "or a TSV of audio<TAB>text) and score them against the references (both "
                                     "normalised: numbers spelled out, lowercase). Greedy decoding always; beam "
                                     "search with a word language model too when --lm is given or the model folder "
                                     "holds lm.arpa.")
    s.add_argument("manifest", help="a JSONL or TSV manifest (e.g. from `seqstudio data import-speech`)")
    s.add_argument("--model", default="default", help="model folder or name under models/ (default: speech-default)")
    s.add_argument("--lm", default=None, metavar="ARPA",
                   help="word language model (default: lm.arpa in the model folder, if any; 'none' for greedy only)")
    s.add_argument("--beam", type=int_arg, default=None, metavar="N", help="beam size of the LM decoding")
    s.add_argument("--lm-weight", type=float_arg, default=None, metavar="W", help="language model weight")
    s.add_argument("--limit", type=int_arg, default=None, metavar="N", help="only the first N utterances")
    s.add_argument("--json", action="store_true", help="print the result as JSON")
    add_device(s)
    s.set_defaults(run=run_speech)
    n = kinds.add_parser("ngram", help="n-gram baseline (interpolated Kneser-Ney) on a built corpus",
                         description="Fit n-gram models of each order on the corpus's train split, pick the "
                                     "order with the best validation NLL, and report validation and test NLL.")
    n.add_argument("--corpus", default="data/corpus/music")
    n.add_argument("--orders", default="3,4,5,6,7", help="orders to try (default 3..7)")
    n.add_argument("--json", action="store_true")
    n.set_defaults(run=run_ngram)
    p.set_defaults(run=None)


def run_music(args: argparse.Namespace) -> int:
    from seqstudio.core.device import resolve_device
    from seqstudio.core.errors import SeqStudioError
    from seqstudio.core.models import resolve_model
    from seqstudio.core.progress import BarProgress
    from seqstudio.music.bundle import load_music_model
    from seqstudio.music.composer import DEFAULT_MODEL
    from seqstudio.music.eval_midi import evaluate_folder
    from seqstudio.music.evaluate import sequence_nll

    if (args.midi is None) == (args.corpus is None):
        raise SeqStudioError("give either a MIDI file/folder or --corpus")
    device = resolve_device(args.device)
    bundle = load_music_model(resolve_model(args.model, DEFAULT_MODEL))
    skipped: list[str] = []
    if args.corpus:
        from seqstudio.music.corpus import load_corpus

        summary, splits = load_corpus(args.corpus)
        if summary["spec"]["tokenizer"] != bundle.tokenizer.config.to_dict():
            raise SeqStudioError("the corpus was tokenised with other settings than the model's tokenizer")
        bundle.model.to(device)
        sequences = [s.astype("int64") for s in splits[args.split].sequences()]
        result = sequence_nll(bundle.model, sequences, device, progress=BarProgress())
        what, count = f"{args.corpus} [{args.split}]", len(sequences)
    else:
        result, count, skipped = evaluate_folder(bundle, args.midi, device, progress=BarProgress())
        what = args.midi
    out = {"data": what, "sequences": count, "events": result.events, "nll_per_event": round(result.nll, 4),
           "perplexity": round(result.perplexity, 3), "skipped": skipped}
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        print(f"{what}: {count} pieces, {result.events} events")
        print(f"NLL per event {result.nll:.4f} nats   perplexity {result.perplexity:.3f}")
        for s in skipped:
            print(f"skipped: {s}")
    return 0


def run_ngram(args: argparse.Namespace) -> int:
    from seqstudio.core.errors import SeqStudioError
    from seqstudio.music.corpus import load_corpus
    from seqstudio.music.ngram import NGramModel, best_order
    from seqstudio.music.tokenizer import Tokenizer, TokenizerConfig

    try:
        orders = sorted({int(x) for x in args.orders.split(",")})
    except ValueError:
        raise SeqStudioError(f"--orders wants integers separated by commas, got {args.orders!r}") from None
    if not orders or orders[0] < 1 or orders[-1] > 7:
        raise SeqStudioError("--orders must lie between 1 and 7 (an 8-gram key no longer fits in 64 bits)")
    summary, splits = load_corpus(args.corpus)
    vocab = Tokenizer(TokenizerConfig.from_dict(summary["spec"]["tokenizer"])).vocab_size
    train, valid, test = (splits[s].sequences() for s in ("train", "valid", "test"))
    if not train or not valid or not test:
        raise SeqStudioError(f"{args.corpus} needs pieces in each of train, valid and test for this comparison")
    order, valid_by_order = best_order(train, valid, vocab, orders=orders)
    total, count = NGramModel(order, vocab).fit(train).nll(test)
    out = {"best_order": order, "valid_nll_by_order": {str(k): round(v, 4) for k, v in valid_by_order.items()},
           "valid_nll_per_event": round(valid_by_order[order], 4), "test_nll_per_event": round(total / count, 4),
           "test_events": count}
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        for k, v in valid_by_order.items():
            print(f"order {k}: valid NLL per event {v:.4f}")
        print(f"best order {order}: valid {valid_by_order[order]:.4f}, test {total / count:.4f} nats per event")
    return 0


def run_speech(args: argparse.Namespace) -> int:
    from seqstudio.core.errors import SeqStudioError
    from seqstudio.core.progress import BarProgress
    from seqstudio.speech.bundle import find_lm
    from seqstudio.speech.evaluate import evaluate_speech, format_report
    from seqstudio.speech.transcriber import Transcriber

    if args.limit is not None and args.limit < 1:
        raise SeqStudioError("--limit must be at least 1")
    transcriber = Transcriber.load(args.model, args.device, lm=None,  # the LM is a variant of its own below
                                  decode_workers="auto")
    explicit = args.lm is not None and args.lm.lower() != "none"
    lm = args.lm if explicit else None if args.lm is not None else find_lm(transcriber.bundle.path)
    variants: dict = {"greedy": None}
    if lm is not None or args.beam is not None or args.lm_weight is not None:
        from seqstudio.speech.beam import DecodeOptions

        given = {"beam_size": args.beam, "lm": None if lm is None else str(lm), "lm_weight": args.lm_weight}
        try:
            options = DecodeOptions(**{k: v for k, v in given.items() if v is not None})
        except ValueError as exc:
            raise SeqStudioError(f"bad decoding options: {exc}") from None
        variants["lm" if lm is not None else "beam"] = options
    result = evaluate_speech(transcriber, args.manifest, variants=variants, limit=args.limit, progress=BarProgress())
    result.lm = None if lm is None else str(lm)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        for line in format_report(result):
            print(line)
    return 0
