"""What live transcription costs: the streaming variant fed in pieces against the same model on the whole file.

    python benchmarks/streaming.py [MODEL] [--piece-ms 100] [--threads 1] [--minutes 3]

MODEL is a streaming model's folder; without one, a streaming model of the ``cpu`` preset's size (3 x 256,
unidirectional) with random weights stands in: its speed is the trained one's, its words are not. The audio
is the repository's human recordings (``data/human``) one after another, repeated up to ``--minutes``. It
prints the real-time factor of the stream and of the whole file (greedy both), and the compute time per
piece: what a live caption waits for, on top of the piece's own length and the model's 40-ms blocks.
OpenMP's threads spin at every barrier: run it with ``GOMP_SPINCOUNT=1000`` when other work shares the cores
(the ``seqstudio`` command sets that itself), or a piece can wait 200 ms for a busy core.
"""

from __future__ import annotations

import argparse
import resource
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from seqstudio.speech.audio import load_audio
from seqstudio.speech.bundle import SpeechBundle, load_speech_model
from seqstudio.speech.features import FeatureConfig, LogMel
from seqstudio.speech.model import SpeechLSTM
from seqstudio.speech.streaming import StreamingRecognizer
from seqstudio.speech.text import CharVocab
from seqstudio.speech.train import PRESETS
from seqstudio.speech.transcriber import Transcriber

HUMAN = Path(__file__).resolve().parent.parent / "data" / "human"


def stand_in(audio: np.ndarray) -> SpeechBundle:
    cfg = PRESETS["cpu"]
    prior = LogMel(FeatureConfig()).raw(torch.from_numpy(audio[: 16000 * 60])[None])[0].double()
    features = FeatureConfig().online(prior.mean(0).tolist(), prior.std(0).tolist())
    vocab = CharVocab()
    torch.manual_seed(0)
    model = SpeechLSTM(replace(cfg, bidirectional=False, streaming=True).model_config(len(vocab))).eval()
    return SpeechBundle(model=model, features=features, vocab=vocab, config={})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", help="a streaming model folder (default: a random stand-in)")
    parser.add_argument("--piece-ms", type=float, default=100.0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--minutes", type=float, default=3.0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    clips = [load_audio(p, 16000) for p in sorted(HUMAN.glob("*.wav")) + sorted(HUMAN.glob("*.flac"))]
    one_pass = np.concatenate(clips)
    repeats = max(1, int(np.ceil(args.minutes * 60 * 16000 / len(one_pass))))
    audio = np.tile(one_pass, repeats)[: int(args.minutes * 60 * 16000)]
    seconds = len(audio) / 16000
    bundle = load_speech_model(args.model) if args.model else stand_in(audio)
    what = args.model or "a random stand-in of the cpu preset's size (3 x 256, unidirectional)"
    print(f"model: {what}; {bundle.model.num_parameters():,} parameters; {args.threads} threads")
    print(f"audio: {seconds / 60:.1f} min of data/human, in pieces of {args.piece_ms:g} ms")

    live = StreamingRecognizer(bundle)
    step = int(args.piece_ms * 16)
    times = []
    start = time.perf_counter()
    for begin in range(0, len(audio), step):
        t0 = time.perf_counter()
        live.accept(audio[begin:begin + step])
        times.append(time.perf_counter() - t0)
    live.finish()
    stream_s = time.perf_counter() - start
    rss_stream = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    path = Path("/tmp/seqstudio-stream-bench.wav")
    import soundfile as sf

    sf.write(path, audio, 16000, subtype="FLOAT")
    try:
        transcriber = Transcriber(bundle, torch.device("cpu"))
        start = time.perf_counter()
        whole = transcriber.transcribe(path)
        whole_s = time.perf_counter() - start
    finally:
        path.unlink()
    ms = np.array(times) * 1000
    print(f"stream:     RTF {stream_s / seconds:.4f} ({seconds / stream_s:.0f}x real time), "
          f"peak RSS {rss_stream:.0f} MB")
    print(f"whole file: RTF {whole_s / seconds:.4f} ({seconds / whole_s:.0f}x real time), greedy, batched chunks")
    print(f"per {args.piece_ms:g}-ms piece: median {np.median(ms):.2f} ms, p95 {np.percentile(ms, 95):.2f} ms, "
          f"max {ms.max():.2f} ms")
    print(f"ratio stream / whole file: {stream_s / whole_s:.2f} (the file is cut into chunks at silences, each "
          f"normalised and run afresh, so its words differ a little from the stream's: {len(whole.words)} against "
          f"{len(live.words)})")


if __name__ == "__main__":
    main()
