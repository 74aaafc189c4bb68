"""WER and CER per held-out voice group (engine and speaker), greedy and with the language model.

    python benchmarks/speech_by_voice.py [--model default] [--manifest data/corpus/speech/test.jsonl] [--json]

The corpus manifests record each utterance's voice; rows group them by engine and speaker (e.g. flite's SLT,
festival's SLT, espeak-ng's Scottish accent with all its variants), so the card can say which kinds of voice
the model hears well; manifests of recordings (``data/human``) group by their speaker. Every group is decoded by
the same model run, greedy and with ``lm.arpa`` beside the model.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import defaultdict
from pathlib import Path

from seqstudio.speech.beam import DecodeOptions
from seqstudio.speech.bundle import find_lm
from seqstudio.speech.evaluate import evaluate_speech
from seqstudio.speech.manifest import read_manifest, write_manifest
from seqstudio.speech.transcriber import Transcriber


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="default")
    parser.add_argument("--manifest", default="data/corpus/speech/test.jsonl")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    transcriber = Transcriber.load(args.model, "cpu", lm=None)  # greedy and LM as explicit variants
    lm = find_lm(transcriber.bundle.path)
    variants = {"greedy": None}
    if lm is not None:
        variants["lm"] = DecodeOptions(lm=str(lm))
    groups = defaultdict(list)
    for u in read_manifest(args.manifest):
        voice = u.extra.get("voice")  # a synthetic corpus' engine:voice; recordings name only their speaker
        groups[f"{str(voice).split(':')[0]} {u.speaker}" if voice else str(u.speaker or "?")].append(u)
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in sorted(groups):
            path = write_manifest(Path(tmp) / f"{len(rows)}.jsonl", groups[name])
            result = evaluate_speech(transcriber, path, variants=variants)
            rows[name] = {"utterances": result.utterances, "audio_s": round(result.audio_s, 1),
                          **{s.name: {"wer": round(s.wer, 4), "cer": round(s.cer, 4)} for s in result.scores}}
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    width = max(36, *(len(name) + 2 for name in rows))
    print(f"{'voice group':<{width}}{'utts':>6}{'greedy WER':>12}{'CER':>8}{'LM WER':>10}{'CER':>8}")
    for name, row in rows.items():
        lm_part = f"{100 * row['lm']['wer']:>9.1f}%{100 * row['lm']['cer']:>7.1f}%" if "lm" in row else ""
        print(f"{name:<{width}}{row['utterances']:>6}{100 * row['greedy']['wer']:>11.1f}%"
              f"{100 * row['greedy']['cer']:>7.1f}%{lm_part}")


if __name__ == "__main__":
    main()
