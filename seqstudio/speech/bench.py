"""``seqstudio bench transcribe``: the real-time factor of transcription (compute time / audio time).

Everything a user waits for is timed: reading and resampling the file, features, the model and CTC
decoding as `seqstudio transcribe` decodes by default (beam search with the model's lm.arpa when it ships one,
on one process per core for big batches); loading the model and starting those processes are not. Per device
(the CPU, and a GPU when present) it measures
- one file: a single recording of ``seconds``, transcribed alone (after a warm-up batch);
- a batch: ``files`` recordings of ``file_seconds`` each in one ``transcribe_many`` call, whose chunks
  share batches (a GPU gets ``gpu_files``: a GPU is fast only when it is given enough work), decoded by
  default and again greedily (best path: what the model and features alone cost);
- a long file of ``long_minutes``, in a fresh process, reporting its peak resident memory next to that
  of a shorter file, ten minutes longer than the device's batch (14 minutes on a CPU, whose batch holds 4;
  70 on a GPU, whose batch holds an hour), in another fresh process: streaming keeps the two about equal.
  Peak RSS counts shared libraries' file pages too (more or fewer, with what the page cache holds), so the
  peak of anonymous memory - what the work allocated - is reported beside it.

The test audio is real human speech: the 49 recordings in the repository's data/human (eight sources, read
sentences, prompts and commands), strung together in random order with pauses and a faint noise floor. An
installed copy without them uses ALSA's voice prompts (/usr/share/sounds/alsa: "Front Center", ... spoken by
a person) and, without those, a synthetic stand-in (harmonic bursts shaped like syllables). The search's
cost does depend on the audio: on one core, beam search with the LM took 3.8 ms per second of data/human's
speech, 0.8 ms on ALSA's two-word prompts (mostly pauses) and 2.3 ms on the bursts, so the bench uses
the densest real speech it can find.
"""

from __future__ import annotations

import resource
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import soundfile as sf
import torch

from seqstudio.core.device import describe
from seqstudio.core.errors import SeqStudioError
from seqstudio.core.memory import AnonPeak
from seqstudio.speech.audio import SAMPLE_RATE, load_audio
from seqstudio.speech.beam import DecodeOptions
from seqstudio.speech.transcriber import POOL_FROM_S, Transcriber, auto_decode_workers, default_batch_s

HUMAN_DIR = Path(__file__).resolve().parents[2] / "data" / "human"  # in a checkout of the repository
VOICE_DIR = Path("/usr/share/sounds/alsa")
_DISTINCT_FILES = 8  # batch members cycle through this many different recordings


def _voice_clips() -> tuple[list[np.ndarray], str]:
    """(recordings of people, where from): data/human's, else ALSA's prompts, else none."""
    for folder, what in ((HUMAN_DIR, "human recordings from"), (VOICE_DIR, "human voice prompts from")):
        clips = []
        for path in sorted(folder.glob("*.wav")):
            if path.stem.lower() == "noise":
                continue
            try:
                clips.append(load_audio(path))
            except SeqStudioError:  # an odd file only means the next source
                continue
        clips = [c for c in clips if len(c) > SAMPLE_RATE // 4]
        if clips:
            return clips, f"{what} {folder}"
    return [], "synthetic bursts"


def _synthetic_clip(rng: np.random.Generator) -> np.ndarray:
    """A stand-in 'phrase': 2-5 syllable-like harmonic bursts with short gaps."""
    parts = []
    for _ in range(int(rng.integers(2, 6))):
        n = np.arange(int(rng.uniform(0.12, 0.35) * SAMPLE_RATE)) / SAMPLE_RATE
        f0 = rng.uniform(90, 220)
        burst = sum(np.sin(2 * np.pi * f0 * k * n + rng.uniform(0, 6)) / k for k in range(1, 10))
        parts += [0.15 * burst * np.hanning(len(n)), np.zeros(int(rng.uniform(0.02, 0.12) * SAMPLE_RATE))]
    return np.concatenate(parts).astype(np.float32)


class SpeechSource:
    """Endless speech-like audio: clips in random order separated by 0.2-0.9 s pauses, over faint noise."""

    def __init__(self, seed: int = 0) -> None:
        self.rng = np.random.default_rng(seed)
        self.clips, self.kind = _voice_clips()

    def take(self, samples: int) -> np.ndarray:
        out = np.empty(samples, dtype=np.float32)
        n = 0
        while n < samples:
            clip = self.clips[int(self.rng.integers(len(self.clips)))] if self.clips else _synthetic_clip(self.rng)
            gap = np.zeros(int(self.rng.uniform(0.2, 0.9) * SAMPLE_RATE), dtype=np.float32)
            piece = np.concatenate([clip * self.rng.uniform(0.5, 1.0), gap])[: samples - n]
            out[n : n + len(piece)] = piece
            n += len(piece)
        out += 1e-3 * self.rng.standard_normal(samples).astype(np.float32)
        return out


def write_speech(path: Path, seconds: float, seed: int = 0, block_s: float = 60.0) -> Path:
    """A 16 kHz 16-bit WAV of ``seconds`` of speech-like audio, written block by block (flat memory)."""
    source = SpeechSource(seed)
    total = int(round(seconds * SAMPLE_RATE))
    with sf.SoundFile(str(path), "w", samplerate=SAMPLE_RATE, channels=1, subtype="PCM_16") as handle:
        written = 0
        while written < total:
            block = source.take(min(total - written, int(block_s * SAMPLE_RATE)))
            handle.write(np.clip(block, -1, 1))
            written += len(block)
    return path


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _timed(transcriber: Transcriber, paths: list[Path], options: DecodeOptions | None = None) -> tuple[float, float]:
    """(wall seconds, audio seconds) of one transcribe_many call."""
    _sync(transcriber.device)
    started = time.perf_counter()
    transcripts = transcriber.transcribe_many(paths, options)
    _sync(transcriber.device)
    return time.perf_counter() - started, sum(t.duration_s for t in transcripts)


def _long_file_child(model: str, device: str, path: str) -> dict:
    """Runs in a fresh process: transcribe one file as `seqstudio transcribe` does (its decoding processes
    beside a GPU), report time and peak memory."""
    with AnonPeak() as anon:
        transcriber = Transcriber.load(model, device, decode_workers="auto")
        started = time.perf_counter()
        transcript = transcriber.transcribe(path)
        _sync(transcriber.device)
        wall = time.perf_counter() - started
        transcriber.close()
    peak_gpu = torch.cuda.max_memory_allocated(transcriber.device) if transcriber.device.type == "cuda" else 0
    return {"wall": wall, "audio": transcript.duration_s, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            / 1024, "anon_mb": anon.peak_mb, "gpu_mb": peak_gpu / 2**20}


def _in_fresh_process(model: str, device: str, path: Path) -> dict:
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(_long_file_child, model, device, str(path)).result()


def _line(device: str, case: str, wall: float, audio: float, extra: str = "") -> str:
    rtf = wall / audio if audio > 0 else float("nan")
    return f"{device:<24}{case:<28}{audio:>10.1f}{wall:>11.2f}{rtf:>10.4f}{1 / rtf:>12.0f}x{extra}"


def run_transcribe_bench(model: str = "default", seconds: float = 60.0, files: int = 32, file_seconds: float = 30.0,
                         gpu_files: int = 256, long_minutes: float = 120.0, devices: list[str] | None = None,
                         ) -> Iterator[str]:
    """Yield the report line by line (see the module docstring); ``long_minutes`` 0 skips the memory test."""
    model = str(model)
    probe = Transcriber.load(model, "cpu")
    arch = probe.bundle.config["architecture"]
    shape = f"{arch['num_layers']}x{arch['hidden_size']} {'Bi' if arch.get('bidirectional', True) else ''}LSTM"
    if devices is None:
        devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    with tempfile.TemporaryDirectory(prefix="seqstudio-bench-") as tmp:
        folder = Path(tmp)
        source_kind = SpeechSource().kind
        decoding = "beam search (16) with its lm.arpa" if probe.lm is not None else "greedy"
        yield (f"model {probe.bundle.path}: {shape}, {probe.model.num_parameters():,} parameters; torch "
               f"{torch.__version__}, {torch.get_num_threads()} CPU threads; audio: {source_kind}; "
               f"decoding as `seqstudio transcribe` does by default: {decoding}"
               + ("" if decoding == "greedy" else "; big batches on " + ", ".join(
                   f"{spec}: {auto_decode_workers(torch.device(spec))} process(es)"
                   + (", each batch searched beside the model's next" if torch.device(spec).type == "cuda" else "")
                   for spec in devices)))
        warm = write_speech(folder / "warm.wav", 5.0, seed=99)
        one = write_speech(folder / "one.wav", seconds, seed=1)
        distinct = [write_speech(folder / f"batch{i}.wav", file_seconds, seed=10 + i)
                    for i in range(min(_DISTINCT_FILES, max(files, gpu_files)))]
        yield f"{'device':<24}{'case':<28}{'audio s':>10}{'compute s':>11}{'RTF':>10}{'speed':>13}"
        for spec in devices:
            transcriber = Transcriber(probe.bundle, torch.device(spec), probe.lm, decode_workers="auto")
            name = describe(transcriber.device)
            _timed(transcriber, [warm])  # warm up the device
            wall, audio = _timed(transcriber, [one])  # as `seqstudio transcribe` does one file: no processes started
            yield _line(name, f"one file ({seconds:g} s)", wall, audio)
            # start the decoding processes a folder would start once (not timed)
            _timed(transcriber, [warm] * int(POOL_FROM_S // 5 + 1))
            count = gpu_files if transcriber.device.type == "cuda" else files
            batch = [distinct[i % len(distinct)] for i in range(count)]
            wall, audio = _timed(transcriber, batch)
            yield _line(name, f"batch {count} x {file_seconds:g} s", wall, audio)
            if decoding != "greedy":
                wall, audio = _timed(transcriber, batch, DecodeOptions(beam_size=1))
                yield _line(name, f"batch {count} x {file_seconds:g} s, greedy", wall, audio)
            transcriber.close()
        probe.model.to("cpu")
        if long_minutes > 0:
            long = write_speech(folder / "long.wav", long_minutes * 60.0, seed=4)
            for spec in devices:
                # the comparison must fill a whole batch, or it would hold less than the long file does
                short_minutes = min(long_minutes, max(10.0, default_batch_s(torch.device(spec)) / 60 + 10))
                short = folder / f"short{short_minutes:g}.wav"
                if not short.exists():
                    write_speech(short, short_minutes * 60.0, seed=3)
                base = _in_fresh_process(model, spec, short)
                big = _in_fresh_process(model, spec, long)
                gpu = (f", GPU peak {big['gpu_mb']:.0f} MB ({short_minutes:g} min: {base['gpu_mb']:.0f} MB)"
                       if spec != "cpu" else "")
                anon = ("" if big["anon_mb"] is None else
                        f"; anonymous {big['anon_mb']:.0f} MB ({short_minutes:g} min: {base['anon_mb']:.0f} MB)")
                yield _line(spec, f"long file ({long_minutes:g} min)", big["wall"], big["audio"],
                            f"   peak RSS {big['rss_mb']:.0f} MB ({short_minutes:g}-min file: "
                            f"{base['rss_mb']:.0f} MB){anon}{gpu}")
