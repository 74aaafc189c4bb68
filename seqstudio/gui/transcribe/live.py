"""Live captions: sound from the microphone -> the streaming model on a worker thread -> words by signal.

The pieces of the path, each replaceable on its own:

- :class:`Microphone` reads the chosen audio input with ``QAudioSource`` and emits mono float32 pieces
  (whatever sample format and channel count the device gives; :func:`to_mono`). Any object with the same
  ``start()``/``stop()``, ``sample_rate`` and ``samples``/``error`` signals can stand in for it:
  :class:`FileSource` plays a recording as if it were spoken (the tests and the screenshots use it).
- :class:`LiveFeed` carries the pieces to the worker (a thread-safe queue) and the worker's updates back (a
  signal, so they arrive on the UI thread).
- :func:`run_live` is the job on the worker thread: :class:`~seqstudio.speech.streaming.StreamingRecognizer`
  hears each piece (and replays its LSTM, so that the app can show the gates as they open and close), every
  piece is also written to a WAV file, and at the end it returns the recording and
  its transcript, which join the queue like any transcribed file. Stopping is cooperative: ``feed.end()``
  lets it hear the last piece and finish; a cancelled job still keeps the recording.
"""

from __future__ import annotations

import os
import queue
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from seqstudio.core.errors import SeqStudioError
from seqstudio.gui.transcribe.inputs import NO_INPUT

# QAudioFormat.SampleFormat's names -> (numpy dtype, the value of silence, the scale to [-1, 1))
SAMPLE_FORMATS = {"UInt8": ("u1", 128.0, 128.0), "Int16": ("<i2", 0.0, 32768.0),
                  "Int32": ("<i4", 0.0, 2147483648.0), "Float": ("<f4", 0.0, 1.0)}  # fmt: skip
FATAL_ERRORS = frozenset({"OpenError", "IOError", "FatalError"})  # QAudio(QtAudio).Error names that end the input
PIECE_WAIT_S = 0.05  # how often the worker looks for a cancel while no audio arrives
CLOCK_S = 0.25  # an update at least this often while it listens, so the clock runs through silence too


def to_mono(data: bytes, sample_format: str, channels: int) -> np.ndarray:
    """Interleaved PCM bytes as the device gives them -> mono float32 in [-1, 1] (the channels' mean).
    A trailing partial frame is dropped (a device delivers whole frames)."""
    if sample_format not in SAMPLE_FORMATS:
        raise SeqStudioError(f"the audio input gives samples as {sample_format}, which SeqStudio cannot read")
    if channels < 1:
        raise SeqStudioError("the audio input gives no channels")
    dtype, zero, scale = SAMPLE_FORMATS[sample_format]
    width = np.dtype(dtype).itemsize * channels
    whole = len(data) - len(data) % width
    frames = np.frombuffer(data[:whole], dtype=dtype).astype(np.float32).reshape(-1, channels)
    return ((frames.mean(axis=1) - zero) / scale).astype(np.float32)


class Microphone(QObject):
    """An audio input (the system's default unless given), read as it arrives. ``sample_rate`` is known once
    ``start()`` has chosen a format: 16 kHz mono 16-bit when the device offers it, else the device's own (the
    recogniser resamples)."""

    samples = Signal(object)  # float32 mono numpy array
    error = Signal(str)

    def __init__(self, parent: QObject | None = None, device=None) -> None:
        super().__init__(parent)
        self._device = device  # a QAudioDevice, or None for the system's default input
        self._source = None
        self._io = None
        self._format = ("Int16", 1)
        self._failed = False
        self.sample_rate = 16000

    def start(self) -> None:
        from PySide6.QtMultimedia import QAudioFormat, QAudioSource, QMediaDevices

        device = self._device if self._device is not None else QMediaDevices.defaultAudioInput()
        if device.isNull():
            raise SeqStudioError(NO_INPUT)
        wanted = QAudioFormat()
        wanted.setSampleRate(16000)
        wanted.setChannelCount(1)
        wanted.setSampleFormat(QAudioFormat.SampleFormat.Int16)
        fmt = wanted if device.isFormatSupported(wanted) else device.preferredFormat()
        self._format = (fmt.sampleFormat().name, fmt.channelCount())
        to_mono(b"", *self._format)  # refuses a format it cannot read before anything starts
        self.sample_rate = fmt.sampleRate()
        self._source = QAudioSource(device, fmt, self)
        self._source.stateChanged.connect(self._check)  # no argument: PySide cannot convert QAudio::State
        self._failed = False
        self._io = self._source.start()
        if self._io is None:
            self.stop()
            raise SeqStudioError("the microphone could not be opened")
        self._io.readyRead.connect(self._read)

    def stop(self) -> None:
        if self._source is None:
            return
        self._read()
        source, self._source, self._io = self._source, None, None
        source.stop()
        source.deleteLater()

    def _check(self) -> None:
        # by name: PySide6 gives QtAudio.Error, which older ones called QAudio.Error, and the two never compare
        # equal. An underrun is not fatal (the device catches up); the others end the input, and are said once.
        error = self._source.error().name if self._source is not None else "NoError"
        if error in FATAL_ERRORS and not self._failed:
            self._failed = True
            self.error.emit(f"the microphone stopped ({error})")

    def _read(self) -> None:
        if self._io is not None:
            data = bytes(self._io.readAll())
            if data:
                self.samples.emit(to_mono(data, *self._format))


class FileSource(QObject):
    """A recording played as if spoken into the microphone: the same interface, pieces of ``piece_s`` seconds
    every ``interval_ms`` (100 ms: real time; less: faster). ``done`` once it has all been played."""

    samples = Signal(object)
    error = Signal(str)

    def __init__(self, path: str | os.PathLike, piece_s: float = 0.1, interval_ms: int = 100,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        import soundfile as sf

        audio, self.sample_rate = sf.read(str(path), dtype="float32", always_2d=True)
        self.audio = audio.mean(axis=1)
        self.piece = max(1, int(piece_s * self.sample_rate))
        self.sent = 0
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)

    @property
    def done(self) -> bool:
        return self.sent >= len(self.audio)

    def start(self) -> None:
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _tick(self) -> None:
        if self.done:
            self.timer.stop()
            return
        self.samples.emit(self.audio[self.sent:self.sent + self.piece])
        self.sent += self.piece


class LiveFeed(QObject):
    """Audio to the worker, updates from it. ``push``/``end`` are called on the UI thread; ``update`` is
    emitted on the worker's and delivered on the UI thread (the feed lives there)."""

    update = Signal(object)  # seqstudio.speech.streaming.StreamUpdate

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._queue: queue.Queue[np.ndarray | None] = queue.Queue()

    def push(self, samples) -> None:
        self._queue.put(np.asarray(samples, dtype=np.float32).reshape(-1))

    def end(self) -> None:
        """No more audio: the worker hears what is queued, then finishes."""
        self._queue.put(None)

    def pieces(self, progress) -> Iterator[np.ndarray]:
        while True:
            progress.check()  # every piece: a microphone may deliver faster than PIECE_WAIT_S
            try:
                piece = self._queue.get(timeout=PIECE_WAIT_S)
            except queue.Empty:
                continue
            if piece is None:
                return
            yield piece


@dataclass(frozen=True)
class LiveResult:
    path: Path  # the recording
    transcript: object  # seqstudio.speech.transcriber.Transcript


def recordings_folder() -> Path:
    """Where recordings and live sessions are written (the system's temporary folder's seqstudio-recordings)."""
    folder = Path(tempfile.gettempdir()) / "seqstudio-recordings"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def recording_path(folder: Path) -> Path:
    """A new file name in ``folder`` for a live session's recording (never an existing one)."""
    stem = f"live-{datetime.now():%Y%m%d-%H%M%S}"
    path, n = folder / f"{stem}.wav", 1
    while path.exists() or path.with_name(path.name + ".part").exists():
        n += 1
        path = folder / f"{stem}-{n}.wav"
    return path


def run_live(model: str, feed: LiveFeed, sample_rate: int, path: str | os.PathLike, *, progress) -> LiveResult:
    """The worker's side of a live session (see the module docstring), recording to ``path`` (a new file; a
    ``.part`` beside it until the session ends). It runs on the CPU, whatever the app's device: a 100-ms piece is
    too small to gain from a GPU."""
    import soundfile as sf

    from seqstudio.speech.formats import segment_words
    from seqstudio.speech.streaming import StreamingRecognizer
    from seqstudio.speech.transcriber import Transcript

    progress.start(None, "loading the streaming model")
    recognizer = StreamingRecognizer.load(model, "cpu", sample_rate=sample_rate, trace=True)
    path = Path(path)
    if path.exists():
        raise SeqStudioError(f"{path} exists: a live session never writes over a file")
    part = path.with_name(path.name + ".part")
    progress.start(None, "listening")
    compute, samples, partial, shown = 0.0, 0, "", 0.0
    try:
        with sf.SoundFile(str(part), "w", samplerate=sample_rate, channels=1, subtype="PCM_16", format="WAV") as out:
            try:
                for piece in feed.pieces(progress):
                    out.write(piece)
                    samples += len(piece)
                    began = time.perf_counter()
                    update = recognizer.accept(piece)
                    compute += time.perf_counter() - began
                    if (update.words or update.partial != partial or update.inside is not None
                            or update.time_s - shown >= CLOCK_S):
                        partial, shown = update.partial, update.time_s
                        feed.update.emit(update)
            finally:  # a stop, a cancel or a failure: the words so far become final and the recording is kept
                began = time.perf_counter()
                feed.update.emit(recognizer.finish())
                compute += time.perf_counter() - began
        os.replace(part, path)
    except BaseException:  # cancelled or failed: what was heard stays on disk, as a whole WAV file
        if part.exists() and not path.exists():
            try:
                os.replace(part, path)
            except OSError:
                pass  # the .part file is still there, whole
        raise
    words = list(recognizer.words)
    transcript = Transcript(path, samples / sample_rate, segment_words(words), words,
                            " ".join(w.text for w in words), compute)
    return LiveResult(path, transcript)
