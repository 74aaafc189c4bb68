"""Augmentation transforms do what they claim, measured on real signals."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from seqstudio.speech.corpus import augment as aug

SR = 16000


def _tone(seconds: float = 1.0, hz: float = 440.0) -> np.ndarray:
    t = np.arange(int(SR * seconds)) / SR
    return (0.5 * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def _peak_hz(x: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(x))
    return float(np.fft.rfftfreq(len(x), 1 / SR)[np.argmax(spectrum)])


def test_speed_changes_length_and_pitch_together():
    x = _tone(1.0, 400.0)
    fast = aug.speed(x, 1.1)
    assert abs(len(fast) - len(x) / 1.1) < 5
    assert _peak_hz(fast) == pytest.approx(440.0, abs=3)


@pytest.mark.parametrize("snr", [5.0, 20.0])
@pytest.mark.parametrize("kind", aug.NOISE_KINDS)
def test_noise_lands_at_the_requested_snr(snr, kind):
    x = np.concatenate([_tone(1.0), np.zeros(SR, np.float32)])  # speech, then a pause as long
    noisy = aug.add_noise(x, np.random.default_rng(0), snr, kind)
    noise = noisy - x
    tone_power = np.mean(x[:SR].astype(np.float64) ** 2)
    measured = 10 * np.log10(tone_power / np.mean(noise.astype(np.float64) ** 2))
    assert measured == pytest.approx(snr, abs=0.5)


def test_noise_kinds_have_their_colour():
    rng = np.random.default_rng(1)
    slopes = {}
    for exponent, kind in ((0.0, "white"), (1.0, "pink"), (2.0, "brown")):
        f, p = signal.welch(aug._coloured(rng, SR * 4, exponent), fs=SR, nperseg=4096)
        band = (f > 50) & (f < 4000)
        slopes[kind] = np.polyfit(np.log10(f[band]), np.log10(p[band]), 1)[0]
    assert slopes["white"] == pytest.approx(0, abs=0.2)
    assert slopes["pink"] == pytest.approx(-1, abs=0.2)
    assert slopes["brown"] == pytest.approx(-2, abs=0.25)


def test_reverb_decays_at_the_requested_rt60():
    rng = np.random.default_rng(2)
    rir = aug.room_impulse(rng, 0.5)
    energy = np.cumsum((rir[::-1].astype(np.float64)) ** 2)[::-1]  # Schroeder backward integration
    db = 10 * np.log10(energy / energy[0])
    t5, t25 = np.argmax(db < -5) / SR, np.argmax(db < -25) / SR
    rt60 = 3 * (t25 - t5)  # T20 extrapolated to 60 dB
    assert rt60 == pytest.approx(0.5, rel=0.3)
    wet = aug.reverb(_tone(), rng, 0.5)
    assert wet.shape == (SR,) and np.abs(wet).max() == pytest.approx(0.5, rel=0.01)


def test_telephone_removes_what_a_phone_line_cannot_carry():
    rng = np.random.default_rng(3)
    x = (0.3 * rng.standard_normal(SR)).astype(np.float32)
    phone = aug.telephone(x)
    f, p = signal.welch(phone, fs=SR, nperseg=1024)
    inside = p[(f > 500) & (f < 3000)].mean()
    assert p[f > 4500].mean() < inside * 1e-3
    assert p[(f > 20) & (f < 150)].mean() < inside * 0.05


def test_gain_clips_at_full_scale():
    loud = aug.gain(_tone(), 12.0)
    assert np.abs(loud).max() == 1.0
    assert np.abs(aug.gain(_tone(), -20.0)).max() == pytest.approx(0.05, rel=0.01)


def test_augment_is_seeded_and_records_what_it_did():
    x = _tone(1.0)
    config = aug.AugmentConfig(p_speed=1, p_reverb=1, p_noise=1, p_telephone=1, p_gain=1)
    a, applied_a = aug.augment(x, np.random.default_rng(7), config)
    b, applied_b = aug.augment(x, np.random.default_rng(7), config)
    assert np.array_equal(a, b) and applied_a == applied_b
    assert set(applied_a) == {"speed", "rt60", "telephone", "noise", "snr_db", "gain_db"}
    assert a.dtype == np.float32 and np.abs(a).max() <= 1.0
    clean, nothing = aug.augment(x, np.random.default_rng(7), aug.NO_AUGMENT)
    assert nothing == {} and np.array_equal(clean, x)


def test_bad_configs_are_refused():
    with pytest.raises(ValueError, match="p_noise"):
        aug.AugmentConfig(p_noise=1.5)
    with pytest.raises(ValueError, match="speed_range"):
        aug.AugmentConfig(speed_range=(0.2, 1.0))
    with pytest.raises(ValueError, match="low <= high"):
        aug.AugmentConfig(snr_db_range=(30.0, 5.0))
    assert aug.AugmentConfig.from_dict(aug.AugmentConfig().to_dict()) == aug.AugmentConfig()


def test_voice_shift_is_off_by_default_and_draws_nothing_then():
    rng = np.random.default_rng(5)
    assert aug.voice_shift_plan(rng, aug.AugmentConfig(), 4, natural=True, pitch_control=True) == [None] * 4
    on = aug.AugmentConfig(p_shift=1.0)
    assert aug.voice_shift_plan(rng, on, 3, natural=False, pitch_control=True) == [None] * 3  # espeak-ng
    assert rng.random() == np.random.default_rng(5).random()  # nothing drawn: older corpora rebuild the same
    plan = aug.voice_shift_plan(np.random.default_rng(1), on, 50, natural=True, pitch_control=True)
    factors, pitches = [p[0] for p in plan], [p[1] for p in plan]
    assert 0.9 <= min(factors) and max(factors) <= 1.25 and 0.9 <= min(pitches) and max(pitches) <= 1.7
    fixed = aug.voice_shift_plan(np.random.default_rng(1), on, 5, natural=True, pitch_control=False)
    assert {p[1] for p in fixed} == {1.0}  # no pitch knob (flite RMS): the pitch moves by the factor alone
    half = aug.voice_shift_plan(np.random.default_rng(2), aug.AugmentConfig(p_shift=0.5), 400, True, True)
    assert 150 < sum(p is not None for p in half) < 250


def test_voice_shift_keeps_older_corpus_keys_and_round_trips():
    # the fields a corpus key hashed before voice shift existed, exactly: older corpora keep their keys
    assert set(aug.AugmentConfig().to_dict()) == {"p_speed", "speed_range", "p_reverb", "rt60_range", "p_noise",
                                                  "snr_db_range", "p_telephone", "p_gain", "gain_db_range"}
    on = aug.AugmentConfig(p_shift=0.3, shift_range=(1.0, 1.2))
    assert on.to_dict()["shift_range"] == [1.0, 1.2] and aug.AugmentConfig.from_dict(on.to_dict()) == on
    with pytest.raises(ValueError, match="shift_range"):
        aug.AugmentConfig(shift_range=(0.5, 1.2))
    with pytest.raises(ValueError, match="p_shift"):
        aug.AugmentConfig(p_shift=-0.1)
