"""The shipped speech model: it loads with its language model, transcribes a held-out voice better than
chance and with timings inside the audio, and its card states the numbers its own config.json records."""

from __future__ import annotations

import pytest

from seqstudio.core.models import models_root
from seqstudio.speech.beam import DecodeOptions
from seqstudio.speech.corpus.synth import synthesize
from seqstudio.speech.decode import cer
from seqstudio.speech.transcriber import DEFAULT_MODEL, Transcriber

FOLDER = models_root() / DEFAULT_MODEL
SENTENCE = "the weather is nice today and the children are playing in the garden"


@pytest.fixture(scope="module")
def transcriber():
    return Transcriber.load("default", device="cpu")


def test_hears_a_voice_it_never_trained_on(transcriber, tmp_path):
    import soundfile as sf

    # espeak-ng's Scottish accent is a test voice: held out of training (measured greedy CER on its test split 23.6 %)
    audio = synthesize(SENTENCE, "espeak-ng:en-gb-scotland")
    path = tmp_path / "held_out.wav"
    sf.write(str(path), audio, 16000)
    assert transcriber.lm is not None  # lm.arpa ships beside the model and is used by default
    with_lm = transcriber.transcribe(path)
    greedy = transcriber.transcribe(path, DecodeOptions(beam_size=1))
    for result in (with_lm, greedy):
        assert cer(SENTENCE, result.text) < 0.45  # stage 8: 0.09 (LM), 0.16 (greedy); chance ~0.9
        assert result.words and all(0 <= w.start <= w.end <= result.duration_s + 1e-6 for w in result.words)


def test_model_card_reports_the_config_numbers(transcriber):
    card = (FOLDER / "README.md").read_text(encoding="utf-8")
    prov = transcriber.bundle.config["provenance"]
    assert f"{prov['parameters']:,}" in card
    assert f"{prov['steps']:,} steps" in card
    assert f"{prov['wall_time_s'] / 60:.0f} minutes" in card
    for key in ("valid_cer", "test_cer"):
        assert f"{100 * prov['metrics'][key]:.1f} %" in card
    assert "seqstudio train speech" in card and "seqstudio data speech" in card
