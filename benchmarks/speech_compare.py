"""Two speech models on the same recordings, with a paired bootstrap over utterances: is the difference real?

    python benchmarks/speech_compare.py MANIFEST MODEL_A MODEL_B [--by-speaker] [--resamples 10000] [--seed 0]

Each model transcribes every utterance greedily and with the LM beside it (``lm.arpa``, as ``seqstudio
transcribe`` does by default). Corpus-level WER and CER are printed for both, then B - A with a 95 % interval
from resampling the utterances with replacement (the same draw for both models: the comparison is paired), and
how often B came out worse. On a few dozen clips a difference of a few points is usually inside the interval.
``--by-speaker`` resamples whole speakers (each manifest line's ``speaker``) instead of utterances: clips of one
speaker err together, so resampling them one by one makes the interval too narrow when there are few speakers.
"""

from __future__ import annotations

import argparse

import numpy as np

from seqstudio.speech.beam import DecodeOptions
from seqstudio.speech.bundle import find_lm
from seqstudio.speech.decode import edit_distance
from seqstudio.speech.manifest import read_manifest
from seqstudio.speech.text import normalize_text
from seqstudio.speech.transcriber import Transcriber


def edits(model: str, utterances, with_lm: bool) -> np.ndarray:
    """Per utterance: character edits, reference characters, word edits, reference words."""
    transcriber = Transcriber.load(model, "cpu", lm=None)
    lm = find_lm(transcriber.bundle.path) if with_lm else None
    if with_lm and lm is None:
        raise SystemExit(f"{model} has no lm.arpa beside it")
    options = DecodeOptions(lm=str(lm)) if lm else None
    rows = []
    for u in utterances:
        ref = normalize_text(u.text)
        hyp = normalize_text(transcriber.transcribe(u.audio, options).text)
        rows.append((edit_distance(ref, hyp), len(ref), edit_distance(ref.split(), hyp.split()), len(ref.split())))
    return np.array(rows, dtype=np.int64)


def rate(rows: np.ndarray, edit: int) -> float:
    return float(rows[:, edit].sum() / max(rows[:, edit + 1].sum(), 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("manifest")
    parser.add_argument("model_a")
    parser.add_argument("model_b")
    parser.add_argument("--by-speaker", action="store_true", help="resample speakers, not utterances")
    parser.add_argument("--resamples", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    utterances = read_manifest(args.manifest)
    speakers = sorted({str(u.speaker) for u in utterances})
    groups = ([np.array([i for i, u in enumerate(utterances) if str(u.speaker) == s]) for s in speakers]
              if args.by_speaker else [np.array([i]) for i in range(len(utterances))])
    unit = f"{len(groups)} speakers" if args.by_speaker else "utterances"
    print(f"{len(utterances)} utterances of {args.manifest} ({len(speakers)} speakers); A = {args.model_a},"
          f" B = {args.model_b}; bootstrap over {unit}")
    print(f"{'decoding':8} {'metric':6} {'A':>7} {'B':>7} {'B - A':>7}   95 % interval   B worse in")
    for decoding in ("greedy", "lm"):
        a, b = (edits(m, utterances, decoding == "lm") for m in (args.model_a, args.model_b))
        rng = np.random.default_rng(args.seed)
        draws = [np.concatenate([groups[g] for g in pick])
                 for pick in rng.integers(0, len(groups), (args.resamples, len(groups)))]
        for name, edit in (("WER", 2), ("CER", 0)):
            diffs = np.array([rate(b[i], edit) - rate(a[i], edit) for i in draws])
            low, high = np.percentile(diffs, [2.5, 97.5])
            print(f"{decoding:8} {name:6} {100 * rate(a, edit):6.1f}% {100 * rate(b, edit):6.1f}% "
                  f"{100 * (rate(b, edit) - rate(a, edit)):+6.1f}   [{100 * low:+5.1f}, {100 * high:+5.1f}]"
                  f"   {100 * (diffs > 0).mean():5.1f}% of draws")


if __name__ == "__main__":
    main()
