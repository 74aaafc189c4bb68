"""Pick the beam search's size and pruning on the VALIDATION split (never on test): accuracy against time.

    python benchmarks/tune_beam.py [--model default] [--manifest data/corpus/speech/valid.jsonl]

One model run; every (beam_size, beam_threshold, token_threshold) of the grid decodes the same log-probs with the
model's lm.arpa and the default LM weight and word bonus. Prints WER/CER and the real-time factor of each (the
model's share included, so differences between rows are the search's), best WER first.
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
    parser.add_argument("--beams", default="16,24,32")
    parser.add_argument("--beam-thresholds", default="25,12,8")
    parser.add_argument("--token-thresholds", default="5,3")
    args = parser.parse_args()
    transcriber = Transcriber.load(args.model, "cpu", lm=None)  # greedy and LM as explicit variants
    lm = find_lm(transcriber.bundle.path)
    if lm is None:
        raise SystemExit("the model folder has no lm.arpa")
    grid = itertools.product([int(b) for b in args.beams.split(",")],
                             [float(t) for t in args.beam_thresholds.split(",")],
                             [float(t) for t in args.token_thresholds.split(",")])
    variants = {"greedy": None} | {
        f"beam={b} bt={bt:g} tt={tt:g}": DecodeOptions(beam_size=b, lm=str(lm), beam_threshold=bt, token_threshold=tt)
        for b, bt, tt in grid}
    result = evaluate_speech(transcriber, args.manifest, variants=variants)
    print(f"{result.utterances} utterances, {result.audio_s / 60:.1f} min")
    for s in sorted(result.scores, key=lambda s: (s.wer, s.cer)):
        print(f"{s.name:<24} WER {100 * s.wer:6.2f}%  CER {100 * s.cer:6.2f}%  RTF {s.real_time_factor:.4f}")


if __name__ == "__main__":
    main()
