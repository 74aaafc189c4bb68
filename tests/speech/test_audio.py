"""load_audio / iter_audio_chunks on real files of many formats, depths, rates and kinds of damage."""

from __future__ import annotations

import struct
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from seqstudio.core.errors import Cancelled, SeqStudioError
from seqstudio.core.progress import Progress
from seqstudio.speech.audio import (
    AudioInfo,
    _audioread_blocks,
    _audioread_open,
    audio_info,
    iter_audio_chunks,
    load_audio,
    quiet_cut,
)

RATE = 16000


def tone(rate: int, seconds: float, freq: float = 440.0, amp: float = 0.3) -> np.ndarray:
    t = np.arange(int(round(rate * seconds))) / rate
    return amp * np.sin(2 * np.pi * freq * t)


def speech_like(rate: int, seconds: float, seed: int = 0) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """Word-like bursts (0.2-1.2 s of harmonics, each with a 40 ms near-silent dip like a stop
    consonant) separated by 0.2-0.5 s pauses of faint noise. Returns the signal and the pauses (s)."""
    rng = np.random.default_rng(seed)
    total = int(rate * seconds)
    x = 1e-3 * rng.standard_normal(total)
    gaps: list[tuple[float, float]] = []
    t = 0.3
    while True:
        length = rng.uniform(0.2, 1.2)
        if t + length > seconds - 0.3:
            break
        a, b = int(t * rate), int((t + length) * rate)
        n = np.arange(b - a) / rate
        f0 = rng.uniform(100, 250)
        burst = sum(np.sin(2 * np.pi * f0 * k * n + rng.uniform(0, 6)) / k for k in range(1, 8))
        envelope = np.minimum(1.0, np.minimum(n, n[-1] - n) / 0.02)  # 20 ms ramps
        dip = int(rng.uniform(0.05, 0.6) * (b - a))
        envelope[dip : dip + int(0.04 * rate)] = 0.0
        x[a:b] += 0.2 * burst * envelope
        gap = rng.uniform(0.2, 0.5)
        gaps.append((t + length, t + length + gap))
        t += length + gap
    return x, gaps


def write(path: Path, data: np.ndarray, rate: int, subtype: str | None = None, fmt: str | None = None) -> Path:
    sf.write(str(path), data, rate, subtype=subtype, format=fmt)
    return path


def dominant_frequency(x: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.argmax(spectrum) * rate / len(x))


# -- whole files -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, subtype, rate, tol",
    [
        ("u8.wav", "PCM_U8", 8000, 2e-2),  # 8-bit unsigned
        ("s16.wav", "PCM_16", 44100, 2e-3),
        ("s24.wav", "PCM_24", 48000, 2e-3),
        ("s32.wav", "PCM_32", 22050, 2e-3),
        ("f32.wav", "FLOAT", 32000, 2e-3),
        ("f64.wav", "DOUBLE", 16000, 1e-6),
        ("hi.flac", "PCM_24", 96000, 2e-3),
        ("s16.aiff", "PCM_16", 11025, 2e-3),
    ],
)
def test_lossless_files_of_any_rate_and_depth_become_16k_mono(tmp_path, name, subtype, rate, tol):
    path = write(tmp_path / name, tone(rate, 1.5), rate, subtype)
    x = load_audio(path)
    assert x.dtype == np.float32 and x.ndim == 1
    assert len(x) == pytest.approx(1.5 * RATE, abs=1)
    expected = 0.3 * np.sin(2 * np.pi * 440.0 * np.arange(len(x)) / RATE)
    edge = RATE // 20  # the resampler's filter rings at the very ends
    assert np.abs(x[edge:-edge] - expected[edge:-edge]).max() < tol


@pytest.mark.parametrize("name, fmt, subtype", [("a.ogg", "OGG", "VORBIS"), ("a.mp3", "MP3", "MPEG_LAYER_III")])
def test_lossy_files_keep_duration_pitch_and_loudness(tmp_path, name, fmt, subtype):
    path = write(tmp_path / name, tone(44100, 2.0), 44100, subtype, fmt)
    x = load_audio(path)
    assert len(x) == pytest.approx(2.0 * RATE, abs=0.06 * RATE)
    assert dominant_frequency(x, RATE) == pytest.approx(440, abs=2)
    assert np.sqrt(np.mean(x**2)) == pytest.approx(0.3 / np.sqrt(2), rel=0.1)


def test_channels_are_averaged(tmp_path):
    channels = np.stack([tone(RATE, 1.0, 200.0 * (k + 1), 0.1 * (k + 1)) for k in range(6)], axis=1)
    path = write(tmp_path / "surround.wav", channels.astype(np.float32), RATE, "FLOAT")
    x = load_audio(path)
    np.testing.assert_allclose(x, channels.astype(np.float32).mean(axis=1), atol=1e-6)
    assert audio_info(path) == AudioInfo(RATE, 6, RATE)

    left = tone(44100, 1.0)
    cancelled = write(tmp_path / "stereo.wav", np.stack([left, -left], axis=1), 44100, "PCM_16")
    assert np.abs(load_audio(cancelled)).max() < 1e-4


def test_other_target_rates(tmp_path):
    path = write(tmp_path / "a.wav", tone(44100, 1.0), 44100, "PCM_16")
    assert len(load_audio(path, sample_rate=8000)) == 8000
    with pytest.raises(ValueError, match="sample_rate"):
        load_audio(path, sample_rate=0)


def test_zero_frame_file_is_empty_not_an_error(tmp_path):
    path = write(tmp_path / "nothing.wav", np.zeros((0, 1), np.float32), RATE, "PCM_16")
    x = load_audio(path)
    assert x.shape == (0,) and x.dtype == np.float32
    assert list(iter_audio_chunks(path)) == []


def test_non_finite_samples_become_silence(tmp_path):
    data = np.full(1000, 0.5, np.float32)
    data[10], data[20], data[30] = np.nan, np.inf, -np.inf
    x = load_audio(write(tmp_path / "broken.wav", data, RATE, "FLOAT"))
    assert np.isfinite(x).all() and x[10] == x[20] == x[30] == 0.0 and x[11] == 0.5


# -- bad files: one clear line each ----------------------------------------------------------------

MIDI = b"MThd\x00\x00\x00\x06\x00\x00\x00\x01\x01\xe0MTrk\x00\x00\x00\x04\x00\xff\x2f\x00"


def _good_wav(tmp_path: Path, seconds: float = 2.0) -> bytes:
    return write(tmp_path / "good.wav", tone(RATE, seconds), RATE, "PCM_16").read_bytes()


def _patched(data: bytes, offset: int, fmt: str, value: int) -> bytes:
    out = bytearray(data)
    out[offset : offset + struct.calcsize(fmt)] = struct.pack(fmt, value)
    return bytes(out)


BAD_FILES = {
    "missing": (lambda tmp: None, "no such file"),
    "folder": (lambda tmp: "folder", "is a folder"),
    "zero bytes": (lambda tmp: b"", "empty"),
    "text": (lambda tmp: b"hello, this is not audio\n" * 20, "not an audio file"),
    "midi": (lambda tmp: MIDI, "MIDI file"),
    "random bytes": (lambda tmp: np.random.default_rng(0).bytes(5000), "not an audio file"),
    "header only": (lambda tmp: _good_wav(tmp)[:30], "damaged"),
    "truncated wav": (lambda tmp: _good_wav(tmp)[:30000], "truncated: its header promises 2.00 s"),
    "absurd rate": (lambda tmp: _patched(_good_wav(tmp), 24, "<I", 5), "implausible sample rate"),
    "absurd channels": (lambda tmp: _patched(_good_wav(tmp), 22, "<H", 60000), "damaged"),
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_bad_files_give_one_line_errors(tmp_path, kind):
    make, message = BAD_FILES[kind]
    content = make(tmp_path)
    path = tmp_path / "input.wav"
    if content == "folder":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    for call in (load_audio, lambda p: list(iter_audio_chunks(p))):
        with pytest.raises(SeqStudioError, match=message) as info:
            call(path)
        assert "\n" not in str(info.value)


def test_truncated_wav_can_be_salvaged(tmp_path):
    path = tmp_path / "cut.wav"
    path.write_bytes(_good_wav(tmp_path)[:32044])  # 44-byte header + 1.0 s of 16-bit samples
    x = load_audio(path, allow_truncated=True)
    assert len(x) == RATE
    np.testing.assert_allclose(x, tone(RATE, 1.0), atol=1e-4)


@pytest.mark.parametrize("name, fmt, subtype", [("a.flac", "FLAC", "PCM_16"), ("a.mp3", "MP3", "MPEG_LAYER_III")])
def test_truncated_compressed_files_are_errors(tmp_path, name, fmt, subtype):
    data = write(tmp_path / name, tone(44100, 2.0), 44100, subtype, fmt).read_bytes()
    path = tmp_path / f"cut-{name}"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(SeqStudioError, match="truncated|damaged"):
        load_audio(path)


def test_too_long_to_load_whole(tmp_path):
    path = write(tmp_path / "long.wav", tone(RATE, 2.0), RATE, "PCM_16")
    with pytest.raises(SeqStudioError, match="limit for loading a file whole"):
        load_audio(path, max_seconds=1.0)
    assert sum(len(c.samples) for c in iter_audio_chunks(path, max_chunk_s=1.0, search_s=0.5)) == 2 * RATE


def test_audioread_fallback_decodes_the_same_samples(tmp_path):
    """The decoder used when libsndfile does not know a format (with ffmpeg: M4A, ...), on a WAV."""
    data = (tone(RATE, 0.5) * 32767).astype(np.int16)
    path = write(tmp_path / "a.wav", data, RATE, "PCM_16")
    handle = _audioread_open(path)
    try:
        assert (handle.samplerate, handle.channels) == (RATE, 1)
        decoded = np.concatenate(list(_audioread_blocks(handle, path, 1)))[:, 0]
    finally:
        handle.close()
    np.testing.assert_array_equal(decoded, data / np.float32(32768))


# -- streaming --------------------------------------------------------------------------------------


def test_chunks_tile_the_file_exactly_and_cut_in_pauses(tmp_path):
    signal, gaps = speech_like(RATE, 95.0)
    path = write(tmp_path / "talk.wav", signal.astype(np.float32), RATE, "FLOAT")
    chunks = list(iter_audio_chunks(path, max_chunk_s=10.0, search_s=3.0))
    whole = load_audio(path)
    np.testing.assert_array_equal(np.concatenate([c.samples for c in chunks]), whole)
    np.testing.assert_array_equal(whole, signal.astype(np.float32))
    offset = 0
    for chunk in chunks:
        assert chunk.start == offset / RATE
        assert len(chunk.samples) <= 10 * RATE
        offset += len(chunk.samples)
    assert all(len(c.samples) > 7 * RATE for c in chunks[:-1])
    for chunk in chunks[1:]:
        inside = [a + 0.02 <= chunk.start <= b - 0.02 for a, b in gaps]
        assert any(inside), f"cut at {chunk.start:.3f} s is not in a pause"


def test_resampled_stream_equals_resampled_load(tmp_path):
    signal, gaps = speech_like(44100, 50.0, seed=1)
    path = write(tmp_path / "talk.flac", np.stack([signal, signal], axis=1), 44100, "PCM_24")
    chunks = list(iter_audio_chunks(path, max_chunk_s=12.0, search_s=4.0))
    whole = load_audio(path)
    assert len(whole) == 50 * RATE
    np.testing.assert_array_equal(np.concatenate([c.samples for c in chunks]), whole)
    for chunk in chunks[1:]:
        assert any(a + 0.02 <= chunk.start <= b - 0.02 for a, b in gaps)


def test_quiet_cut_prefers_a_pause_to_a_short_dip():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(3 * RATE).astype(np.float32)
    x[int(2.50 * RATE) : int(2.53 * RATE)] = 0.0  # a 30 ms dip late in the window
    x[int(1.20 * RATE) : int(1.45 * RATE)] *= 1e-3  # a 250 ms pause earlier
    cut = quiet_cut(x, search=2 * RATE, frame=160, smooth=10)
    assert 1.25 * RATE <= cut <= 1.40 * RATE
    assert quiet_cut(np.zeros(RATE, np.float32), search=RATE // 2, frame=160) == RATE - 80  # ties: latest


def _write_long(path: Path, seconds: int) -> Path:
    pattern, _ = speech_like(RATE, 10.0, seed=2)
    with sf.SoundFile(str(path), "w", RATE, 1, subtype="PCM_16") as f:
        for _ in range(seconds // 10):
            f.write(pattern)
    return path


def test_streaming_memory_does_not_grow_with_length(tmp_path):
    short = _write_long(tmp_path / "one-minute.wav", 60)
    long = _write_long(tmp_path / "ten-minutes.wav", 600)
    peaks = {}
    for path in (short, long):
        tracemalloc.start()
        total = sum(len(c.samples) for c in iter_audio_chunks(path))
        peaks[path.name] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert total == sf.info(str(path)).frames
    # One 30 s chunk of float32 is 1.9 MB; a few of those in flight is the design, a file's worth is not.
    assert peaks["ten-minutes.wav"] < 12e6
    assert peaks["ten-minutes.wav"] < 1.25 * peaks["one-minute.wav"]


class _CancelAfterFirstBlock(Progress):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple] = []

    def start(self, total, description=""):
        self.events.append(("start", total))

    def update(self, done, info=""):
        self.events.append(("update", done))
        self.cancel()


def test_progress_counts_frames_and_cancels(tmp_path):
    path = write(tmp_path / "a.wav", tone(RATE, 10.0), RATE, "PCM_16")
    progress = _CancelAfterFirstBlock()
    with pytest.raises(Cancelled):
        list(iter_audio_chunks(path, progress=progress))
    assert progress.events[0] == ("start", 10 * RATE)
    assert progress.events[1][0] == "update" and 0 < progress.events[1][1] < 10 * RATE
    assert len(progress.events) == 2
