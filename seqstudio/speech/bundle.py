"""A speech model artifact <-> (model, features, vocabulary): the only place a speech model is rebuilt from disk.

config.json holds the architecture, the feature parameters the model was trained on and its character
vocabulary, so a model is never fed features or decoded with symbols it was not trained with.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seqstudio.core.artifact import load_artifact, save_artifact
from seqstudio.core.errors import SeqStudioError
from seqstudio.speech.features import FeatureConfig
from seqstudio.speech.model import SpeechLSTM, SpeechModelConfig
from seqstudio.speech.text import CharVocab

ARCHITECTURE = "speech-lstm-ctc"
LM_FILE = "lm.arpa"  # a word language model shipped in a model's folder, used by default when present


def find_lm(model_folder: str | os.PathLike | None) -> Path | None:
    """The language model shipped beside a model (``lm.arpa`` in its folder), if there is one."""
    if model_folder is None:
        return None
    path = Path(model_folder) / LM_FILE
    return path if path.is_file() else None


@dataclass
class SpeechBundle:
    model: SpeechLSTM
    features: FeatureConfig
    vocab: CharVocab
    config: dict[str, Any]  # the whole config.json, provenance included
    path: Path | None = None

    @property
    def frame_shift_s(self) -> float:
        """Seconds per output (CTC) frame."""
        return self.model.config.frame_shift_s(self.features.hop_ms / 1000.0)


def save_speech_model(folder: str | os.PathLike, model: SpeechLSTM, features: FeatureConfig, vocab: CharVocab,
                      provenance: dict[str, Any], overwrite: bool = False) -> Path:
    config = {
        "task": "speech",
        "architecture": {"name": ARCHITECTURE, **model.config.to_dict()},
        "features": features.to_dict(),
        "vocabulary": {"chars": vocab.chars},
        "provenance": provenance,
    }
    return save_artifact(folder, model.state_dict(), config, overwrite=overwrite)


def load_speech_model(folder: str | os.PathLike) -> SpeechBundle:
    artifact = load_artifact(folder, task="speech")
    arch = dict(artifact.config.get("architecture") or {})
    if arch.pop("name", None) != ARCHITECTURE:
        raise SeqStudioError(f"{folder} holds an architecture this SeqStudio does not know")
    try:
        features = FeatureConfig.from_dict(artifact.config["features"])
        vocab = CharVocab(str(artifact.config["vocabulary"]["chars"]))
        model_config = SpeechModelConfig.from_dict(arch)
    except (KeyError, TypeError, ValueError) as exc:
        raise SeqStudioError(f"{folder}/config.json is inconsistent: {exc}") from None
    if model_config.vocab_size != len(vocab):
        raise SeqStudioError(f"{folder}: vocab_size {model_config.vocab_size} does not match the vocabulary's "
                             f"{len(vocab)} symbols")
    if model_config.n_mels != features.n_mels:
        raise SeqStudioError(f"{folder}: the model takes {model_config.n_mels} mel bands but its features have "
                             f"{features.n_mels}")
    # the weights decide the real sizes: check one cheap shape before building a model from a stranger's numbers
    head = artifact.tensors.get("head.weight")
    if head is None or tuple(head.shape) != (model_config.vocab_size, model_config.hidden_size
                                             * (2 if model_config.bidirectional else 1)):
        raise SeqStudioError(f"{folder}: weights do not match config.json (output layer size)")
    try:
        model = SpeechLSTM(model_config)
        model.load_state_dict(artifact.tensors, strict=True)
    except (RuntimeError, TypeError, ValueError) as exc:
        raise SeqStudioError(f"{folder}: weights do not match config.json ({str(exc).splitlines()[0]})") from None
    model.eval()
    return SpeechBundle(model=model, features=features, vocab=vocab, config=artifact.config, path=Path(folder))
