"""Speech model artifacts: a saved model loads back identical; inconsistent folders are refused."""

from __future__ import annotations

import json
import pickle  # noqa: TID251 - only to make the hostile file the loader must refuse

import pytest
import torch

from seqstudio.core.errors import SeqStudioError
from seqstudio.speech.bundle import load_speech_model, save_speech_model
from seqstudio.speech.features import FeatureConfig
from seqstudio.speech.model import SpeechLSTM, SpeechModelConfig
from seqstudio.speech.text import CharVocab


def _saved(tmp_path, **overrides):
    vocab = CharVocab()
    torch.manual_seed(0)
    model = SpeechLSTM(SpeechModelConfig(vocab_size=len(vocab), hidden_size=8, num_layers=1, conv_channels=2,
                                         **overrides)).eval()
    folder = save_speech_model(tmp_path / "m", model, FeatureConfig(), vocab, {"note": "test"})
    return model, folder


def test_round_trip_gives_the_same_outputs(tmp_path):
    model, folder = _saved(tmp_path)
    bundle = load_speech_model(folder)
    x, lengths = torch.randn(2, 50, 80), torch.tensor([50, 31])
    with torch.no_grad():
        expected, _ = model(x, lengths)
        got, _ = bundle.model(x, lengths)
    assert torch.equal(expected, got)
    assert bundle.vocab == CharVocab() and bundle.features == FeatureConfig()
    assert bundle.frame_shift_s == pytest.approx(0.04)
    assert bundle.config["provenance"] == {"note": "test"}


def _edit(folder, change):
    config = json.loads((folder / "config.json").read_text())
    change(config)
    (folder / "config.json").write_text(json.dumps(config))


@pytest.mark.parametrize("change, message", [
    (lambda c: c["architecture"].update(name="transformer"), "architecture"),
    (lambda c: c["architecture"].update(hidden_size=9), "weights do not match"),
    (lambda c: c["vocabulary"].update(chars="abc"), "vocab_size"),
    (lambda c: c["features"].update(n_mels=40), "mel bands"),
    (lambda c: c["features"].update(bogus=1), "inconsistent"),
    (lambda c: c.update(task="music"), "not a speech model"),
])
def test_inconsistent_configs_are_refused(tmp_path, change, message):
    _, folder = _saved(tmp_path)
    _edit(folder, change)
    with pytest.raises(SeqStudioError, match=message):
        load_speech_model(folder)


def test_pickle_weights_are_never_unpickled(tmp_path):
    _, folder = _saved(tmp_path)
    (folder / "model.safetensors").write_bytes(pickle.dumps({"boom": 1}))
    with pytest.raises(SeqStudioError, match="never unpickles"):
        load_speech_model(folder)
