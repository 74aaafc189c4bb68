"""Make clean synthetic speech sound like other speakers recorded somewhere: voice shift, speed, room, noise,
telephone, gain.

Each transform takes and returns 16 kHz mono float32 and draws its randomness from the ``rng`` it is
given, so a corpus built twice with the same seed is the same corpus. :func:`augment` applies a random
chain (each step with its own probability) and says what it did, for the manifest.

- voice shift (recorded voices only, applied while synthesising, see :func:`voice_shift_plan`): the
  synthesiser reads ``a`` times slower at a new pitch, then the audio is played ``a`` times faster
  (0.9-1.25): the formants - the vocal tract's resonances - move by ``a``, the pitch ends at ``a`` times the
  one asked for, and the tempo is the voice's own. A shorter or longer vocal tract and another pitch are
  another speaker: the recorded training voices (Kal, AWB, RMS) are all men, and the only recorded woman
  (SLT) is held out for testing, so without this training never hears a natural voice at a woman's pitch
  and formants.
- speed: resampling by a factor (0.9-1.1, as Kaldi's speed perturbation): tempo and pitch move together.
- reverb: a synthetic room impulse response - a direct path, then exponentially decaying noise with a
  random RT60 (0.15-0.8 s) and a little pre-delay - convolved and mixed at a random direct-to-reverb ratio.
- noise: white, pink, brown or mains hum added at a random SNR (5-30 dB) measured over the speech
  (the frames within 20 dB of the loudest), not over the pauses.
- telephone: 300-3400 Hz band-pass, down to 8 kHz and back, and mu-law companding.
- gain: -18..+6 dB; louder than full scale is clipped, as a real overdriven recording is.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import soxr
from scipy import signal

SAMPLE_RATE = 16000


@dataclass(frozen=True)
class AugmentConfig:
    p_speed: float = 0.5
    speed_range: tuple[float, float] = (0.9, 1.1)
    p_reverb: float = 0.35
    rt60_range: tuple[float, float] = (0.15, 0.8)
    p_noise: float = 0.5
    snr_db_range: tuple[float, float] = (5.0, 30.0)
    p_telephone: float = 0.1
    p_gain: float = 0.5
    gain_db_range: tuple[float, float] = (-18.0, 6.0)
    p_shift: float = 0.0  # voice shift of a recorded voice's utterance; 0 keeps corpora built before it
    shift_range: tuple[float, float] = (0.9, 1.25)  # vocal-tract factor a
    shift_pitch_range: tuple[float, float] = (0.9, 1.7)  # pitch asked of the synthesiser (times a at the end)

    def __post_init__(self) -> None:
        for name in ("p_speed", "p_reverb", "p_noise", "p_telephone", "p_gain", "p_shift"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be a probability in [0, 1]")
        for name in ("speed_range", "rt60_range", "snr_db_range", "gain_db_range", "shift_range",
                     "shift_pitch_range"):
            low, high = getattr(self, name)
            if not low <= high:
                raise ValueError(f"{name} must be (low, high) with low <= high")
        if not (0.5 <= self.speed_range[0] and self.speed_range[1] <= 2.0):
            raise ValueError("speed_range must stay within 0.5..2.0")
        if not (0.7 <= self.shift_range[0] and self.shift_range[1] <= 1.5):
            raise ValueError("shift_range must stay within 0.7..1.5")
        if not (0.5 <= self.shift_pitch_range[0] and self.shift_pitch_range[1] <= 2.0):
            raise ValueError("shift_pitch_range must stay within 0.5..2.0")

    def to_dict(self) -> dict:
        """As JSON values; without the voice-shift fields while it is off, so a corpus built before voice
        shift existed keeps its key (the key hashes this dict) and resumes or is found finished."""
        data = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}
        if self.p_shift == 0:
            for name in ("p_shift", "shift_range", "shift_pitch_range"):
                del data[name]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> AugmentConfig:
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})


NO_AUGMENT = AugmentConfig(p_speed=0.0, p_reverb=0.0, p_noise=0.0, p_telephone=0.0, p_gain=0.0)


def voice_shift_plan(rng: np.random.Generator, config: AugmentConfig, n: int, natural: bool,
                     pitch_control: bool) -> list[tuple[float, float] | None]:
    """For each of ``n`` utterances of one voice: None (no shift), or (vocal-tract factor ``a``, pitch to
    ask the synthesiser for). Synthesise at rate / ``a`` and that pitch, then :func:`speed` by ``a``.

    Only recorded (``natural``) voices are shifted: espeak-ng's formant voices have their own variants. A
    voice without pitch control (flite's RMS) is asked for pitch 1 and ends at ``a``. Draws nothing from
    ``rng`` while ``p_shift`` is 0, so corpora built before voice shift are rebuilt the same.
    (Without pitch control: flite's RMS, festival's HTS SLT, Piper.)
    """
    if config.p_shift == 0 or not natural:
        return [None] * n
    plan: list[tuple[float, float] | None] = []
    for _ in range(n):
        if rng.random() < config.p_shift:
            factor = float(rng.uniform(*config.shift_range))
            pitch = float(rng.uniform(*config.shift_pitch_range))
            plan.append((factor, pitch if pitch_control else 1.0))
        else:
            plan.append(None)
    return plan


def speed(audio: np.ndarray, factor: float) -> np.ndarray:
    """Play ``factor`` times faster (shorter, higher) by resampling."""
    if factor == 1.0:
        return audio
    out_rate = int(round(SAMPLE_RATE / factor))
    return soxr.resample(audio, SAMPLE_RATE, out_rate, quality="HQ").astype(np.float32)


def room_impulse(rng: np.random.Generator, rt60: float) -> np.ndarray:
    """A synthetic room impulse response of ``rt60`` seconds (time to decay by 60 dB), peak 1 at the start."""
    length = int(SAMPLE_RATE * min(rt60 * 1.2, 1.2))
    t = np.arange(length) / SAMPLE_RATE
    decay = np.exp(-6.9078 * t / rt60)  # ln(1000): amplitude falls 60 dB over rt60
    tail = rng.standard_normal(length) * decay
    # walls absorb highs more than lows: a one-pole low-pass on the tail
    b, a = signal.butter(1, rng.uniform(2500, 7000) / (SAMPLE_RATE / 2))
    tail = signal.lfilter(b, a, tail)
    predelay = int(SAMPLE_RATE * rng.uniform(0.003, 0.02))
    rir = np.zeros(length + predelay)
    rir[0] = 1.0
    rir[predelay:] += tail * rng.uniform(0.15, 0.5) / max(np.abs(tail).max(), 1e-9)
    return rir.astype(np.float32)


def reverb(audio: np.ndarray, rng: np.random.Generator, rt60: float) -> np.ndarray:
    wet = signal.fftconvolve(audio, room_impulse(rng, rt60))[: len(audio)]
    peak_in, peak_out = np.abs(audio).max(), np.abs(wet).max()
    return (wet * (peak_in / peak_out if peak_out > 0 else 1.0)).astype(np.float32)


def _coloured(rng: np.random.Generator, n: int, exponent: float) -> np.ndarray:
    """Noise with power spectrum ~ 1 / f**exponent (0 white, 1 pink, 2 brown), unit RMS."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n)
    f[0] = f[1] if n > 1 else 1.0
    noise = np.fft.irfft(spectrum / f ** (exponent / 2), n)
    return noise / max(float(np.sqrt(np.mean(noise**2))), 1e-12)


def _hum(rng: np.random.Generator, n: int) -> np.ndarray:
    mains = rng.choice([50.0, 60.0])
    t = np.arange(n) / SAMPLE_RATE
    hum = sum(rng.uniform(0.2, 1.0) / k * np.sin(2 * np.pi * mains * k * t + rng.uniform(0, 2 * np.pi))
              for k in range(1, 6))
    hum = hum + 0.1 * _coloured(rng, n, 0.0)
    return hum / max(float(np.sqrt(np.mean(hum**2))), 1e-12)


NOISE_KINDS = ("white", "pink", "brown", "hum")


def active_power(audio: np.ndarray, frame: int = 320) -> float:
    """Mean power of the 20 ms frames within 20 dB of the loudest: the speech, not the pauses around it."""
    n = len(audio) // frame * frame
    if n == 0:
        return float(np.mean(audio.astype(np.float64) ** 2)) if len(audio) else 0.0
    powers = np.mean(audio[:n].astype(np.float64).reshape(-1, frame) ** 2, axis=1)
    loudest = powers.max()
    return float(powers[powers >= loudest * 0.01].mean()) if loudest > 0 else 0.0


def add_noise(audio: np.ndarray, rng: np.random.Generator, snr_db: float, kind: str) -> np.ndarray:
    """``audio`` plus ``kind`` noise at ``snr_db`` below its :func:`active_power`."""
    n = len(audio)
    if kind == "hum":
        noise = _hum(rng, n)
    else:
        noise = _coloured(rng, n, {"white": 0.0, "pink": 1.0, "brown": 2.0}[kind])
    speech_power = active_power(audio)
    if speech_power <= 0:
        return audio
    scale = np.sqrt(speech_power / 10 ** (snr_db / 10))
    return (audio + scale * noise).astype(np.float32)


def telephone(audio: np.ndarray) -> np.ndarray:
    sos = signal.butter(4, [300, 3400], btype="bandpass", fs=SAMPLE_RATE, output="sos")
    narrow = signal.sosfilt(sos, audio)
    low = soxr.resample(narrow, SAMPLE_RATE, 8000, quality="HQ")
    peak = max(float(np.abs(low).max()), 1e-9)
    mu = 255.0
    x = np.clip(low / peak, -1, 1)
    companded = np.sign(x) * np.log1p(mu * np.abs(x)) / np.log1p(mu)
    quantised = np.round(companded * 127) / 127  # 8-bit mu-law
    expanded = np.sign(quantised) * ((1 + mu) ** np.abs(quantised) - 1) / mu * peak
    return soxr.resample(expanded, 8000, SAMPLE_RATE, quality="HQ").astype(np.float32)


def gain(audio: np.ndarray, db: float) -> np.ndarray:
    return np.clip(audio * 10 ** (db / 20), -1.0, 1.0).astype(np.float32)


def augment(audio: np.ndarray, rng: np.random.Generator, config: AugmentConfig) -> tuple[np.ndarray, dict]:
    """A random chain of the transforms above; returns the audio and a record of what was applied."""
    applied: dict = {}
    out = np.asarray(audio, dtype=np.float32)
    if rng.random() < config.p_speed:
        factor = float(rng.uniform(*config.speed_range))
        out, applied["speed"] = speed(out, factor), round(factor, 3)
    if rng.random() < config.p_reverb:
        rt60 = float(rng.uniform(*config.rt60_range))
        out, applied["rt60"] = reverb(out, rng, rt60), round(rt60, 3)
    if rng.random() < config.p_telephone:
        out, applied["telephone"] = telephone(out), True
    if rng.random() < config.p_noise:
        snr, kind = float(rng.uniform(*config.snr_db_range)), str(rng.choice(NOISE_KINDS))
        out = add_noise(out, rng, snr, kind)
        applied["noise"], applied["snr_db"] = kind, round(snr, 1)
    if rng.random() < config.p_gain:
        db = float(rng.uniform(*config.gain_db_range))
        out, applied["gain_db"] = gain(out, db), round(db, 1)
    else:
        out = np.clip(out, -1.0, 1.0)
    return np.ascontiguousarray(out, dtype=np.float32), applied
