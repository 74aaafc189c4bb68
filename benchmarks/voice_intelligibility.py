"""How well an independent recogniser understands each TTS voice, or each speaker of a recordings manifest.

    python benchmarks/voice_intelligibility.py [--voices ID,ID,...] [--kokoro-styles NAME,...] [--sentences 24]
    python benchmarks/voice_intelligibility.py --manifest data/human/manifest.jsonl

The judge is pocketsphinx's US English model (a classic HMM recogniser with its own dictionary and language model,
nothing SeqStudio trained): a voice it reads about as well as the recorded ones is intelligible English. Voices read
the first ``--sentences`` test-split sentences of the default text sources at their normal rate and pitch;
``--kokoro-styles`` adds any of Kokoro's voices, also those SeqStudio leaves out. Word error rates are
corpus-level, over normalised text. This chose the Kokoro voices SeqStudio uses. Needs ``pip install
pocketsphinx`` (not a SeqStudio dependency).
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from collections.abc import Callable

import numpy as np

from seqstudio.core.errors import SeqStudioError
from seqstudio.speech.audio import load_audio
from seqstudio.speech.corpus.sentences import collect_sentences, split_sentences
from seqstudio.speech.corpus.synth import kokoro_reading, synthesize
from seqstudio.speech.decode import wer
from seqstudio.speech.manifest import read_manifest
from seqstudio.speech.text import normalize_text

DEFAULT_VOICES = ("flite:awb", "flite:slt", "festival:kal_diphone", "piper:en_US-joe-medium", "pico:en-US",
                  "pico:en-GB", "kokoro:jm_kumo", "kokoro:jf_gongitsune", "kokoro:jf_nezumi", "kokoro:mix")  # fmt: skip
LEFT_OUT_KOKORO = ("jf_alpha", "jf_tebukuro")


def recogniser() -> Callable[[np.ndarray], str]:
    """pocketsphinx's default US English decoder as a function of 16 kHz float audio -> lowercase words."""
    try:
        from pocketsphinx import Decoder
    except ImportError:
        sys.exit("voice_intelligibility.py needs pocketsphinx: pip install pocketsphinx")
    decoder = Decoder(samprate=16000, logfn="/dev/null")

    def read(audio: np.ndarray) -> str:
        pcm = (np.clip(audio, -1.0, 1.0) * 32767).astype("<i2").tobytes()
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        hyp = decoder.hyp()
        return normalize_text(hyp.hypstr) if hyp is not None else ""

    return read


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voices", default=",".join(DEFAULT_VOICES), help="comma-separated voice ids")
    parser.add_argument("--kokoro-styles", default=",".join(LEFT_OUT_KOKORO),
                        help="Kokoro voices by style name, in the inventory or not ('' for none)")  # fmt: skip
    parser.add_argument("--sentences", type=int, default=24)
    parser.add_argument("--manifest", help="score a manifest's recordings per speaker instead of voices")
    args = parser.parse_args()
    read = recogniser()
    groups: dict[str, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    try:
        if args.manifest:
            for u in read_manifest(args.manifest):
                refs, hyps = groups[str(u.speaker or "?")]
                refs.append(normalize_text(u.text))
                hyps.append(read(load_audio(u.audio, 16000)))
        else:
            texts = split_sentences(collect_sentences())["test"][: args.sentences]
            readers = {v: (lambda t, v=v: synthesize(t, v)) for v in args.voices.split(",") if v}
            readers |= {f"kokoro style {s}": (lambda t, s=s: kokoro_reading(t, s))
                        for s in args.kokoro_styles.split(",") if s}  # fmt: skip
            for name, speak in readers.items():
                for text in texts:
                    groups[name][0].append(text)
                    groups[name][1].append(read(speak(text)))
    except SeqStudioError as exc:
        sys.exit(f"voice_intelligibility.py: {exc}")
    print(f"{'voice' if not args.manifest else 'speaker':44s} {'utts':>5s} {'words':>6s}  pocketsphinx WER")
    for name, (refs, hyps) in groups.items():
        words = sum(len(r.split()) for r in refs)
        print(f"{name:44s} {len(refs):5d} {words:6d}  {100 * wer(refs, hyps):6.1f}%")


if __name__ == "__main__":
    main()
