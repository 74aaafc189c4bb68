"""What the app's workers run: thin, Qt-free calls into the core (the CLI's own path), plus the loaded
models they share. Every function takes ``progress`` and imports torch and the task packages only when it
runs, on a worker thread, so the window is up before any of them is imported.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from seqstudio.core.progress import Progress

# -- devices -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeviceInfo:
    cuda: bool
    names: tuple[str, ...]  # the CUDA devices' names
    reason: str  # why there is no GPU, when there is none


def probe_devices(progress: Progress) -> DeviceInfo:
    import torch

    if not torch.cuda.is_available():
        built = torch.version.cuda
        why = ("no NVIDIA GPU or driver was found" if built else "this torch was built without CUDA")
        return DeviceInfo(False, (), why)
    names = tuple(torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count()))
    return DeviceInfo(True, names, "")


# -- loaded models, shared by the jobs -------------------------------------------------------------------------


@dataclass
class LoadedModel:
    name: str  # what the status bar says: the folder's name
    path: Path
    device: str  # the device it runs on, e.g. "cpu" or "cuda:0"
    summary: str  # e.g. "3×384 LSTM"
    engine: Any = field(repr=False, default=None)  # a Composer or a Transcriber


class ModelCache:
    """The Composer and Transcriber in use, each loaded once per (model, device); thread-safe, so a job that
    needs a model waits for the load already under way instead of loading it twice."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # guards the dicts only, never held during a load
        self._task_locks: dict[str, threading.Lock] = {}  # one per task: a slow music load never blocks speech
        self._loaded: dict[str, tuple[tuple[str, str], LoadedModel]] = {}

    def get(self, task: str, model: str, device: str) -> LoadedModel:
        with self._lock:
            task_lock = self._task_locks.setdefault(task, threading.Lock())
        with task_lock:
            key = (model, device)
            held = self._loaded.get(task)
            if held is not None and held[0] == key:
                return held[1]
            self._loaded.pop(task, None)  # let the old one go before the new one takes memory
            loaded = _load_composer(model, device) if task == "music" else _load_transcriber(model, device)
            self._loaded[task] = (key, loaded)
            return loaded

    def current(self, task: str) -> LoadedModel | None:
        held = self._loaded.get(task)
        return held[1] if held else None


def _lstm_summary(lstm) -> str:
    bi = "Bi" if lstm.bidirectional else ""
    return f"{lstm.num_layers}×{lstm.hidden_size} {bi}LSTM"


def _load_composer(model: str, device: str) -> LoadedModel:
    from seqstudio.music.composer import Composer

    composer = Composer.load(model, device=device)
    path = composer.bundle.path or Path(model)
    return LoadedModel(path.name, path, str(composer.device), _lstm_summary(composer.bundle.model.lstm), composer)


def _load_transcriber(model: str, device: str) -> LoadedModel:
    from seqstudio.speech.transcriber import Transcriber

    transcriber = Transcriber.load(model, device=device, decode_workers="auto")
    path = transcriber.bundle.path or Path(model)
    return LoadedModel(path.name, path, str(transcriber.device), _lstm_summary(transcriber.bundle.model.lstm),
                       transcriber)


def load_model(cache: ModelCache, task: str, model: str, device: str, progress: Progress) -> LoadedModel:
    progress.start(None, "loading model")
    return cache.get(task, model, device)


def _shipped_folder_missing(name: str) -> Path | None:
    """The folder of the shipped model ``name`` under models/ if it holds no model (checked without torch)."""
    from seqstudio.core.models import models_root

    folder = models_root() / name
    return None if (folder / "config.json").exists() else folder


def speech_model_missing(model: str) -> str | None:
    """Why the speech model cannot be loaded, checked without torch: the default one is still being trained."""
    if model not in ("", "default"):
        return None if Path(model).exists() else f"the speech model folder {model} does not exist"
    folder = _shipped_folder_missing("speech-default")
    return None if folder is None else f"the default speech model is not trained yet ({folder} is missing)"


def streaming_model_missing() -> str:
    """Why the shipped streaming model cannot be loaded ("" when it can), checked without torch."""
    from seqstudio.core.models import DEFAULT_STREAMING_MODEL

    folder = _shipped_folder_missing(DEFAULT_STREAMING_MODEL)
    return "" if folder is None else f"the streaming speech model is missing ({folder})"


# -- compose ---------------------------------------------------------------------------------------------------


def bundled_seeds() -> list[Path]:
    """The seed MIDI files shipped in the repository's data/seeds."""
    folder = Path(__file__).resolve().parents[2] / "data" / "seeds"
    return sorted(folder.glob("*.mid"))


@dataclass
class Seed:
    """A seed MIDI as the piano roll shows it: pitched notes per voice slot, drums aside."""

    path: Path
    notes: list  # seqstudio.music.tokenizer.Note, times in the file's seconds
    drums: list[tuple[int, float, float]]  # (pitch, start, end)
    voices: list[str]  # a name per slot: the track's name or its General MIDI instrument
    end_time: float


def _voice_name(inst) -> str:
    import pretty_midi

    name = (inst.name or "").strip()
    return name or pretty_midi.program_to_instrument_name(inst.program)


def open_seed(path: str | Path, progress: Progress) -> Seed:
    from seqstudio.music.midi_io import load_midi, to_score
    from seqstudio.music.tokenizer import TokenizerConfig

    progress.start(None, "reading MIDI")
    score = to_score(load_midi(path), TokenizerConfig().max_tracks, str(path))
    drums = [(n.pitch, n.start, n.end) for inst in score.drums for n in inst.notes]
    return Seed(Path(path), score.notes, drums, [_voice_name(i) for i in score.slots], score.end_time)


@dataclass
class ComposeResult:
    seed: Seed
    takes: list  # seqstudio.music.generate.Take
    options: Any  # the GenerateOptions used
    model: LoadedModel


def compose(cache: ModelCache, model: str, device: str, seed_path: Path, options, progress: Progress
            ) -> ComposeResult:
    seed = open_seed(seed_path, progress)
    loaded = load_model(cache, "music", model, device, progress)
    takes = loaded.engine.continue_midi(seed_path, options, progress=progress)
    return ComposeResult(seed, takes, options, loaded)


def trace_take(cache: ModelCache, model: str, device: str, result: ComposeResult, take_index: int,
               progress: Progress):
    """The LSTM's gates over the seed's context and one take's continuation, with each token's time."""
    from seqstudio.music.generate import _context_tokens
    from seqstudio.music.midi_io import load_midi, to_score
    from seqstudio.nn.inspect import trace_token_model

    progress.start(None, "replaying the LSTM")
    loaded = load_model(cache, "music", model, device, progress)
    bundle = loaded.engine.bundle
    tok = bundle.tokenizer
    score = to_score(load_midi(result.seed.path), tok.config.max_tracks, str(result.seed.path))
    context = _context_tokens(bundle, score, result.options)  # the tokens the generation was conditioned on
    take = result.takes[take_index]
    steps = tok.shift_steps()
    # the context ends where the seed ends (also when it was cut to a window or to the token limit)
    context_times = np.cumsum(steps[context]) * tok.config.time_step
    context_times += take.seed_end - (context_times[-1] if len(context_times) else 0.0)
    new_times = take.seed_end + np.cumsum(steps[take.tokens.astype(np.int64)]) * tok.config.time_step
    tokens = np.concatenate([context, take.tokens]).astype(np.int64)
    times = np.concatenate([context_times, new_times])
    trace = trace_token_model(bundle.model, tokens, times)
    labels = [tok.describe(int(t)) for t in tokens]
    return InsideView("music", trace, labels, len(context), f"{result.seed.path.name} · take {take_index + 1}",
                      (result, take_index))


@dataclass
class InsideView:
    """What the LSTM view shows: a trace, a label per step, and where the input's own part ends."""

    task: str  # "music" or "speech"
    trace: Any  # seqstudio.nn.inspect.LSTMTrace
    labels: list[str]
    boundary: int  # steps before this are the seed (music); 0 for speech
    title: str
    source: Any = None  # what to draw under the heatmaps: (ComposeResult, take index) or an AudioView


def render_wav(midi, path: Path, progress: Progress, sample_rate: int = 32000) -> tuple[Path, str]:
    """Render ``midi`` (a PrettyMIDI, or a MIDI file's path) to a WAV: FluidSynth with a General MIDI
    SoundFont where one is installed, else pretty_midi's built-in additive synth. Returns (path, synth)."""
    from seqstudio.gui.synth import render_midi

    progress.start(None, "rendering audio")
    if isinstance(midi, str | Path):
        from seqstudio.music.midi_io import load_midi

        midi = load_midi(midi)
    return render_midi(midi, Path(path), progress, sample_rate)


def export_takes(refs_midi: list, paths: list[Path], progress: Progress, overwrite: bool = True) -> list[Path]:
    """Write takes' MIDI all or none, through the CLI's own writer."""
    from seqstudio.music.composer import write_takes

    progress.start(None, "writing MIDI")
    return write_takes(refs_midi, paths, overwrite=overwrite)


# -- transcribe ------------------------------------------------------------------------------------------------


VIEW_MAX_SECONDS = 3600.0  # longer files are viewed as a decimated waveform envelope and a pooled mel
VIEW_MAX_COLUMNS = 36_000  # how many waveform / mel columns such a view keeps


@dataclass
class AudioView:
    path: Path
    samples: np.ndarray  # mono float32 at sample_rate (for a downsampled view: min/max pairs of an envelope)
    sample_rate: int
    mel: np.ndarray  # (frames, n_mels) log-mel, normalised
    hop_s: float
    downsampled: bool = False  # a long file's overview, not its samples

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate


def open_audio(path: str | Path, progress: Progress, max_seconds: float | None = None) -> AudioView:
    """The whole file for the signal view; over ``max_seconds`` (default :data:`VIEW_MAX_SECONDS`) it is
    streamed into a downsampled overview instead of refused."""
    import torch

    from seqstudio.speech.audio import audio_info, load_audio
    from seqstudio.speech.features import FeatureConfig, LogMel

    max_seconds = VIEW_MAX_SECONDS if max_seconds is None else max_seconds
    progress.start(None, "reading audio")
    config = FeatureConfig()
    duration = audio_info(path).duration
    if duration is not None and duration > max_seconds:
        return _open_long_audio(Path(path), duration, progress)
    samples = load_audio(path, config.sample_rate, max_seconds=max_seconds, progress=progress)
    progress.check()
    with torch.no_grad():
        mel, _ = LogMel(config)(torch.from_numpy(samples)[None])
    return AudioView(Path(path), samples, config.sample_rate, mel[0].numpy(), config.hop_ms / 1000.0)


def _open_long_audio(path: Path, duration: float, progress: Progress) -> AudioView:
    """A long file streamed chunk by chunk into a min/max envelope and a mel pooled to the same columns,
    so memory stays bounded by :data:`VIEW_MAX_COLUMNS` whatever the file's length."""
    import math

    import torch

    from seqstudio.speech.audio import iter_audio_chunks
    from seqstudio.speech.features import FeatureConfig, LogMel

    config = FeatureConfig(normalize=False)  # per-chunk normalisation would show seams; the view rescales
    hop = config.hop_length
    pool = max(1, math.ceil(duration * config.sample_rate / hop / VIEW_MAX_COLUMNS))  # mel frames per column
    bucket = pool * hop  # samples per column
    logmel = LogMel(config)
    envelope: list[np.ndarray] = []
    mels: list[np.ndarray] = []
    rest = np.zeros(0, dtype=np.float32)

    def add(samples: np.ndarray) -> None:
        columns = len(samples) // bucket
        if columns == 0:
            return
        blocks = samples[: columns * bucket].reshape(columns, bucket)
        envelope.append(np.stack([blocks.max(axis=1), blocks.min(axis=1)], axis=1).reshape(-1))
        with torch.no_grad():
            mel = logmel(torch.from_numpy(np.ascontiguousarray(samples[: columns * bucket]))[None])[0][0].numpy()
        want = columns * pool
        if len(mel) < want:  # the last window's frames: repeat the edge
            mel = np.concatenate([mel, np.repeat(mel[-1:], want - len(mel), axis=0)])
        mels.append(mel[:want].reshape(columns, pool, -1).mean(axis=1))

    for chunk in iter_audio_chunks(path, config.sample_rate, allow_truncated=True, progress=progress):
        samples = np.concatenate([rest, chunk.samples])
        usable = len(samples) // bucket * bucket
        add(samples[:usable])
        rest = samples[usable:]
    if len(rest):
        add(np.pad(rest, (0, bucket - len(rest))))
    progress.check()
    wave = np.concatenate(envelope) if envelope else np.zeros(0, dtype=np.float32)
    mel = np.concatenate(mels) if mels else np.zeros((0, config.n_mels), dtype=np.float32)
    return AudioView(path, wave.astype(np.float32), 2 * config.sample_rate / bucket, mel.astype(np.float32),
                     bucket / config.sample_rate, downsampled=True)


def transcribe(cache: ModelCache, model: str, device: str, path: Path, progress: Progress):
    loaded = load_model(cache, "speech", model, device, progress)
    return loaded.engine.transcribe(path, progress=progress)


def trace_utterance(cache: ModelCache, model: str, device: str, audio: AudioView, progress: Progress,
                    max_seconds: float = 30.0) -> InsideView:
    """The speech LSTM's gates over (the first ``max_seconds`` of) an utterance."""
    progress.start(None, "replaying the LSTM")
    loaded = load_model(cache, "speech", model, device, progress)
    return _trace_speech(loaded.engine.bundle, audio, progress, max_seconds)


def trace_streaming(audio: AudioView, progress: Progress, max_seconds: float = 30.0) -> InsideView:
    """The shipped streaming model's gates over (the first ``max_seconds`` of) a live session's recording: the
    run its captions came from, since a stream computes what the model computes over the whole recording."""
    from seqstudio.core.models import DEFAULT_STREAMING_MODEL, resolve_model
    from seqstudio.speech.bundle import load_speech_model

    progress.start(None, "replaying the LSTM")
    return _trace_speech(load_speech_model(resolve_model("default", DEFAULT_STREAMING_MODEL)), audio, progress,
                         max_seconds, f"{audio.path.name} · {DEFAULT_STREAMING_MODEL}, as it captioned it live")


def _trace_speech(bundle, audio: AudioView, progress: Progress, max_seconds: float, title: str = "") -> InsideView:
    import torch

    from seqstudio.nn.inspect import trace_subsampled_model
    from seqstudio.speech.features import LogMel

    if audio.downsampled:  # a long file's overview: read the first stretch itself
        from seqstudio.speech.audio import iter_audio_chunks

        first = next(iter_audio_chunks(audio.path, bundle.features.sample_rate, max_seconds, progress=progress),
                     None)
        samples = first.samples if first is not None else np.zeros(0, dtype=np.float32)
        samples = samples[: int(max_seconds * bundle.features.sample_rate)]
    else:
        samples = audio.samples[: int(max_seconds * audio.sample_rate)]
    with torch.no_grad():
        features, _ = LogMel(bundle.features)(torch.from_numpy(samples)[None])
    if audio.downsampled:  # the view then shows that stretch, as the LSTM read it
        audio = AudioView(audio.path, samples, bundle.features.sample_rate, features[0].numpy(),
                          bundle.features.hop_ms / 1000.0)
    trace = trace_subsampled_model(bundle.model, features[0], bundle.frame_shift_s)
    labels = [f"{t:.2f} s" for t in trace.times]
    return InsideView("speech", trace, labels, 0, title or audio.path.name, audio)
