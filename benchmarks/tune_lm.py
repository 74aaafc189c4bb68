"""Pick the LM weight and word bonus of the beam decoder on the VALIDATION split (never on test).

    python benchmarks/tune_lm.py [--model default] [--manifest data/corpus/speech/valid.jsonl]

One model run; every (lm_weight, word_bonus) pair of the grid decodes the same log-probs. Prints WER/CER per
pair, best first, so the defaults in seqstudio/speech/beam.py can be set from a measured table.
"""

from __future__ import annotations

import argparse
import itertools

from seqstudio.speech.beam import DecodeOptions
from seqstudio.speech.bundle import find_lm
from seqstudio.speech.evaluate import evaluate_speech
from seqstudio.speech.transcriber import Transcriber


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="default")
    parser.add_argument("--manifest", default="data/corpus/speech/valid.jsonl")
    parser.add_argument("--weights", default="0.3,0.5,0.8,1.2")
    parser.add_argument("--bonuses", default="0,0.5,1,2")
    parser.add_argument("--beam", type=int, default=16)
    args = parser.parse_args()
    transcriber = Transcriber.load(args.model, "cpu", lm=None)  # greedy and LM as explicit variants
    lm = find_lm(transcriber.bundle.path)
    if lm is None:
        raise SystemExit("the model folder has no lm.arpa")
    grid = list(itertools.product([float(w) for w in args.weights.split(",")],
                                  [float(b) for b in args.bonuses.split(",")]))
    variants = {"greedy": None} | {f"w={w:g} b={b:g}": DecodeOptions(beam_size=args.beam, lm=str(lm), lm_weight=w,
                                                                   word_bonus=b) for w, b in grid}
    result = evaluate_speech(transcriber, args.manifest, variants=variants)
    print(f"{result.utterances} utterances, {result.audio_s / 60:.1f} min, beam {args.beam}")
    for s in sorted(result.scores, key=lambda s: (s.wer, s.cer)):
        print(f"{s.name:<14} WER {100 * s.wer:6.2f}%  CER {100 * s.cer:6.2f}%  RTF {s.real_time_factor:.4f}")


if __name__ == "__main__":
    main()
