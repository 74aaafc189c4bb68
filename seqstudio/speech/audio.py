"""Audio files -> mono float32 at the model's sample rate, whole (:func:`load_audio`) or streamed in
chunks cut at silences (:func:`iter_audio_chunks`).

Decoding is libsndfile (via soundfile: WAV, FLAC, OGG/Vorbis/Opus, MP3, AIFF, ... at any bit depth),
with audioread as the fallback for what libsndfile does not know (it uses ffmpeg when one is installed,
e.g. for M4A voice memos). Both paths decode block by block, so memory never scales with the file:
channels are averaged per block and resampled with a soxr stream, whose output does not depend on how
the input is blocked (it equals one-shot ``soxr.resample``), so a streamed file and a loaded one give
the same samples.

Everything a user can get wrong with a file (missing, a folder, not audio, damaged, truncated, absurd)
is a one-line :class:`SeqStudioError`; wrong arguments from code are ``ValueError``.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import soundfile as sf
import soxr

from seqstudio.core.errors import SeqStudioError
from seqstudio.core.progress import Progress

SAMPLE_RATE = 16000
MAX_LOAD_SECONDS = 2 * 3600.0  # 2 h at 16 kHz is 460 MB of float32; longer files are streamed

_MIN_RATE, _MAX_RATE = 1000, 1_000_000  # outside this a header is damaged, not exotic
_MAX_CHANNELS = 256
_BLOCK_BYTES = 4 << 20  # decoded (frames x channels) float32 per block
_MAX_BLOCK_FRAMES = 1 << 16
_UNKNOWN_FRAMES = 1 << 62  # libsndfile reports huge counts for streams of unknown length
_FRAME_S = 0.01  # the unit of the silence search
_SMOOTH_S = 0.1  # a cut needs ~100 ms of quiet: a single quiet 10 ms frame can be a stop consonant
_MIDI_MAGIC = b"MThd"
# libsndfile's header log says "data : 176400 (should be 88178)" when a WAV/AIFF ends early.
_SHORT_DATA = re.compile(r"^\s*(?:data|SSND)\s*:\s*(\d+)\s*\(should be (\d+)\)", re.MULTILINE)
_UNKNOWN_DATA_SIZE = 0x7FFFFFFF  # streaming writers put 0x7FFFFFFF / 0xFFFFFFFF for "unknown length"


@dataclass(frozen=True)
class AudioInfo:
    """What a file's header says. ``frames`` is ``None`` when the decoder cannot tell in advance."""

    sample_rate: int
    channels: int
    frames: int | None

    @property
    def duration(self) -> float | None:
        return None if self.frames is None else self.frames / self.sample_rate


class AudioChunk(NamedTuple):
    """A stretch of a streamed file: ``start`` in seconds from the file's beginning, mono samples."""

    start: float
    samples: np.ndarray


# -- opening and decoding ------------------------------------------------------------------------


def _check_file(path: Path) -> None:
    """The failures libsndfile would report vaguely ("Format not recognised") get a clear message."""
    if not path.exists():
        raise SeqStudioError(f"{path}: no such file")
    if path.is_dir():
        raise SeqStudioError(f"{path} is a folder, not an audio file")
    try:
        with open(path, "rb") as handle:
            head = handle.read(4)
    except OSError as exc:
        raise SeqStudioError(f"{path} cannot be read ({exc.strerror or exc})") from None
    if not head:
        raise SeqStudioError(f"{path} is empty (0 bytes), not an audio file")
    if head == _MIDI_MAGIC:
        raise SeqStudioError(f"{path} is a MIDI file (notes, not sound); speech needs a recording")


def _check_header(path: Path, info: AudioInfo) -> None:
    if not _MIN_RATE <= info.sample_rate <= _MAX_RATE:
        raise SeqStudioError(f"{path} has an implausible sample rate of {info.sample_rate} Hz (damaged header?)")
    if not 1 <= info.channels <= _MAX_CHANNELS:
        raise SeqStudioError(f"{path} has an implausible {info.channels} channels (damaged header?)")


def _one_line(text: str) -> str:
    return " ".join(str(text).split()).rstrip(".")


class _Decoder:
    """An open file: its checked header (:class:`AudioInfo`) and its samples as mono float32 blocks."""

    def __init__(self, path: Path, allow_truncated: bool) -> None:
        _check_file(path)
        self.path = path
        self.allow_truncated = allow_truncated
        self._sf: sf.SoundFile | None = None
        self._ar = None
        try:
            self._sf = sf.SoundFile(str(path))
        except sf.LibsndfileError as exc:
            if exc.code != 1:  # libsndfile knows the format but the file is broken: no point in ffmpeg
                raise SeqStudioError(f"{path} is damaged or not a supported audio file ({_why(exc)})") from None
            self._ar = _audioread_open(path)
        except (RuntimeError, OSError) as exc:
            raise SeqStudioError(f"{path} cannot be opened as audio ({_one_line(exc)})") from None
        try:
            if self._sf is not None:
                frames = self._sf.frames if 0 <= self._sf.frames < _UNKNOWN_FRAMES else None
                self.info = AudioInfo(int(self._sf.samplerate), int(self._sf.channels), frames)
                _check_header(path, self.info)
                self._check_wav_truncation()
            else:
                self.info = AudioInfo(int(self._ar.samplerate), int(self._ar.channels), None)
                _check_header(path, self.info)
        except BaseException:
            self.close()
            raise

    def _check_wav_truncation(self) -> None:
        """libsndfile silently shortens a WAV/AIFF whose data chunk runs past the end of the file."""
        if self.allow_truncated:
            return
        for declared, present in _SHORT_DATA.findall(self._sf.extra_info):
            declared, present = int(declared), int(present)
            if present < declared < _UNKNOWN_DATA_SIZE:
                have = self.info.duration or 0.0
                want = have * declared / max(present, 1)
                raise SeqStudioError(
                    f"{self.path} is truncated: its header promises {want:.2f} s but the data ends at {have:.2f} s"
                )

    def close(self) -> None:
        if self._sf is not None:
            self._sf.close()
        if self._ar is not None:
            self._ar.close()

    def __enter__(self) -> _Decoder:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def blocks(self, progress: Progress | None = None) -> Iterator[np.ndarray]:
        """Mono float32 blocks at the file's own rate; non-finite samples (broken float files) become 0."""
        channels = self.info.channels
        raw = _soundfile_blocks(self) if self._sf is not None else _audioread_blocks(self._ar, self.path, channels)
        done = 0
        if progress is not None:
            progress.start(self.info.frames, "reading audio")
        for block in raw:
            mono = block[:, 0].copy() if channels == 1 else block.mean(axis=1, dtype=np.float32)
            if not np.isfinite(mono).all():
                np.nan_to_num(mono, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
            done += len(mono)
            if progress is not None:
                progress.check()
                progress.update(done)
            yield mono
        declared = self.info.frames
        # Compressed formats (MP3, FLAC) know their length from the header but may just stop decoding.
        if declared and not self.allow_truncated and done < 0.99 * declared - 0.1 * self.info.sample_rate:
            rate = self.info.sample_rate
            raise SeqStudioError(
                f"{self.path} is truncated: its header promises {declared / rate:.2f} s "
                f"but the data ends at {done / rate:.2f} s"
            )
        if progress is not None:
            progress.finish()


def _why(exc: sf.LibsndfileError) -> str:
    if exc.code == 7:  # "File does not exist or is not a regular file": it does, so it is damaged
        return "cannot be decoded"
    return _one_line(exc.error_string) or f"libsndfile error {exc.code}"


def _soundfile_blocks(decoder: _Decoder) -> Iterator[np.ndarray]:
    handle = decoder._sf
    frames = max(1024, min(_MAX_BLOCK_FRAMES, _BLOCK_BYTES // (4 * decoder.info.channels)))
    while True:
        try:
            block = handle.read(frames, dtype="float32", always_2d=True)
        except (RuntimeError, ValueError) as exc:
            raise SeqStudioError(f"{decoder.path} is damaged ({_one_line(exc)})") from None
        if len(block) == 0:
            return
        yield block


def _audioread_open(path: Path):
    """The fallback decoder; audioread turns to ffmpeg/GStreamer/Core Audio when they are installed."""
    import audioread

    try:
        with warnings.catch_warnings():  # its stdlib backend imports modules Python 3.13 drops; not ours to fix
            warnings.simplefilter("ignore", DeprecationWarning)
            return audioread.audio_open(str(path))
    except audioread.DecodeError:
        raise SeqStudioError(f"{path} is not an audio file (format not recognised)") from None
    except (OSError, EOFError, ValueError) as exc:
        raise SeqStudioError(f"{path} is damaged or not a supported audio file ({_one_line(exc)})") from None


def _audioread_blocks(handle, path: Path, channels: int) -> Iterator[np.ndarray]:
    """audioread yields interleaved little-endian int16 bytes in buffers of any size."""
    import audioread

    leftover = b""
    frame_bytes = 2 * channels
    try:
        for buffer in handle:
            data = leftover + bytes(buffer)
            usable = len(data) - len(data) % frame_bytes
            leftover = data[usable:]
            if usable:
                ints = np.frombuffer(data[:usable], dtype="<i2").reshape(-1, channels)
                yield ints.astype(np.float32) / 32768.0
    except (audioread.DecodeError, OSError, EOFError) as exc:
        raise SeqStudioError(f"{path} is damaged ({_one_line(exc)})") from None


def _resampled(blocks: Iterator[np.ndarray], rate: int, sample_rate: int) -> Iterator[np.ndarray]:
    """soxr "HQ" streaming; same-rate input passes through untouched (bit-exact)."""
    if rate == sample_rate:
        yield from blocks
        return
    stream = soxr.ResampleStream(rate, sample_rate, 1, dtype="float32", quality="HQ")
    for block in blocks:
        out = stream.resample_chunk(block)
        if len(out):
            yield out
    tail = stream.resample_chunk(np.zeros(0, dtype=np.float32), last=True)
    if len(tail):
        yield tail


def _check_rate(sample_rate: int) -> None:
    if not _MIN_RATE <= sample_rate <= _MAX_RATE:
        raise ValueError(f"sample_rate must be in {_MIN_RATE}..{_MAX_RATE} Hz, got {sample_rate}")


# -- public API ----------------------------------------------------------------------------------


def audio_info(path: str | os.PathLike) -> AudioInfo:
    """Read only the header (cheap); raises the same errors :func:`load_audio` would on opening."""
    with _Decoder(Path(path), allow_truncated=True) as decoder:
        return decoder.info


def load_audio(
    path: str | os.PathLike,
    sample_rate: int = SAMPLE_RATE,
    *,
    max_seconds: float | None = MAX_LOAD_SECONDS,
    allow_truncated: bool = False,
    progress: Progress | None = None,
) -> np.ndarray:
    """The whole file as a float32 mono array at ``sample_rate`` (channels averaged), shape (samples,).

    A file with 0 frames gives an empty array. ``max_seconds`` refuses files that would not fit in
    memory comfortably (stream those with :func:`iter_audio_chunks`); ``allow_truncated`` accepts a file
    whose data ends before its header says (a recording cut off by a crash), returning what is there.
    """
    _check_rate(sample_rate)
    path = Path(path)
    with _Decoder(path, allow_truncated) as decoder:
        info = decoder.info
        ratio = sample_rate / info.sample_rate
        if max_seconds is not None and info.duration is not None and info.duration > max_seconds:
            raise SeqStudioError(
                f"{path} is {info.duration / 3600:.1f} h long, over the {max_seconds / 3600:.1f} h limit "
                "for loading a file whole; stream it in chunks instead"
            )
        # One preallocated array, so peak memory is the result plus one block, not twice the result.
        out = np.empty(int(np.ceil((info.frames or 0) * ratio)) + 16, dtype=np.float32)
        n = 0
        for block in _resampled(decoder.blocks(progress), info.sample_rate, sample_rate):
            if n + len(block) > len(out):
                if max_seconds is not None and (n + len(block)) / sample_rate > max_seconds:
                    raise SeqStudioError(
                        f"{path} is over the {max_seconds / 3600:.1f} h limit for loading a file whole; "
                        "stream it in chunks instead"
                    )
                grown = np.empty(max(2 * len(out), n + len(block)), dtype=np.float32)
                grown[:n] = out[:n]
                out = grown
            out[n : n + len(block)] = block
            n += len(block)
    out.resize(n, refcheck=False)  # shrinks in place; nothing else refers to ``out``
    return out


def iter_audio_chunks(
    path: str | os.PathLike,
    sample_rate: int = SAMPLE_RATE,
    max_chunk_s: float = 30.0,
    *,
    search_s: float = 5.0,
    allow_truncated: bool = False,
    progress: Progress | None = None,
) -> Iterator[AudioChunk]:
    """Stream a file of any length as consecutive :class:`AudioChunk` s of at most ``max_chunk_s``.

    Each chunk ends in the quietest ~100 ms found in its last ``search_s`` seconds, so a seam falls in
    a pause rather than inside a word. The chunks tile the file exactly: concatenated they are what
    :func:`load_audio` returns, and ``start`` is the first sample's index / ``sample_rate``. Memory is
    bounded by one chunk plus one decoded block, whatever the file's length. A 0-frame file yields
    nothing. ``progress`` counts input frames and is checked for cancellation once per block.
    """
    _check_rate(sample_rate)
    if not max_chunk_s > 0 or not 0 < search_s <= max_chunk_s:
        raise ValueError("need max_chunk_s > 0 and 0 < search_s <= max_chunk_s")
    limit = int(round(max_chunk_s * sample_rate))
    search = int(round(search_s * sample_rate))
    frame = max(1, int(round(_FRAME_S * sample_rate)))
    smooth = max(1, int(round(_SMOOTH_S / _FRAME_S)))
    if limit < frame:
        raise ValueError(f"max_chunk_s must be at least {_FRAME_S} s")
    with _Decoder(Path(path), allow_truncated) as decoder:
        emitted = 0
        pending: list[np.ndarray] = []
        pending_len = 0
        for block in _resampled(decoder.blocks(progress), decoder.info.sample_rate, sample_rate):
            pending.append(block)
            pending_len += len(block)
            if pending_len < limit:
                continue
            buffer = np.concatenate(pending)
            while len(buffer) >= limit:
                cut = quiet_cut(buffer[:limit], search, frame, smooth)
                yield AudioChunk(emitted / sample_rate, buffer[:cut])
                emitted += cut
                buffer = buffer[cut:]
            pending = [buffer.copy()]  # drop the reference to the big buffer the chunks were cut from
            pending_len = len(buffer)
        if pending_len:
            yield AudioChunk(emitted / sample_rate, np.concatenate(pending))


def quiet_cut(samples: np.ndarray, search: int, frame: int, smooth: int = 1) -> int:
    """Where to end a chunk of ``samples``: the middle of the quietest ``frame`` among those in the last
    ``search`` samples, with frame energies averaged over ``smooth`` neighbouring frames.

    Frames are aligned to the end of ``samples``. Ties go to the latest frame so that a long silence
    gives the longest chunk. Returns an index in ``(len(samples) - search, len(samples)]``.
    """
    end = len(samples)
    count = min(search, end) // frame
    if count == 0:
        return end
    window = samples[end - count * frame : end].astype(np.float64).reshape(count, frame)
    energy = np.einsum("ij,ij->i", window, window)
    if smooth > 1 and count > 1:
        kernel = np.ones(min(smooth, count))
        # Divide by the number of neighbours present, so edge frames are not favoured for having fewer.
        energy = np.convolve(energy, kernel, mode="same") / np.convolve(np.ones(count), kernel, mode="same")
    best = count - 1 - int(np.argmin(energy[::-1]))
    return end - count * frame + best * frame + frame // 2
