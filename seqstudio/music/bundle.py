"""A music model artifact <-> (model, tokenizer): the only place a music model is rebuilt from disk."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seqstudio.core.artifact import load_artifact, save_artifact
from seqstudio.core.errors import SeqStudioError
from seqstudio.music.model import MusicLSTM, MusicModelConfig
from seqstudio.music.tokenizer import Tokenizer, TokenizerConfig

ARCHITECTURE = "music-lstm"


@dataclass
class MusicBundle:
    model: MusicLSTM
    tokenizer: Tokenizer
    config: dict[str, Any]  # the whole config.json, provenance included
    path: Path | None = None


def save_music_model(folder: str | os.PathLike, model: MusicLSTM, tokenizer: Tokenizer,
                     provenance: dict[str, Any], overwrite: bool = False) -> Path:
    config = {
        "task": "music",
        "architecture": {"name": ARCHITECTURE, **model.config.to_dict()},
        "tokenizer": tokenizer.config.to_dict(),
        "provenance": provenance,
    }
    return save_artifact(folder, model.state_dict(), config, overwrite=overwrite)


def load_music_model(folder: str | os.PathLike) -> MusicBundle:
    artifact = load_artifact(folder, task="music")
    arch = dict(artifact.config["architecture"])
    if arch.pop("name", None) != ARCHITECTURE:
        raise SeqStudioError(f"{folder} holds an architecture this SeqStudio does not know")
    try:
        tokenizer = Tokenizer(TokenizerConfig.from_dict(artifact.config["tokenizer"]))
        model_config = MusicModelConfig.from_dict(arch)
    except (KeyError, TypeError, ValueError) as exc:
        raise SeqStudioError(f"{folder}/config.json is inconsistent: {exc}") from None
    if model_config.vocab_size != tokenizer.vocab_size:
        raise SeqStudioError(f"{folder}: vocab_size {model_config.vocab_size} does not match the tokenizer's "
                             f"{tokenizer.vocab_size}")
    # the weights decide the real sizes: a config that disagrees with them fails in load_state_dict below,
    # before a stranger's numbers could ask for an absurd allocation
    expected = {k: tuple(v.shape) for k, v in artifact.tensors.items()}
    if expected.get("embedding.weight") != (model_config.vocab_size, model_config.embed_dim):
        raise SeqStudioError(f"{folder}: weights do not match config.json (embedding size)")
    try:
        model = MusicLSTM(model_config)
        model.load_state_dict(artifact.tensors, strict=True)
    except (RuntimeError, TypeError, ValueError) as exc:
        raise SeqStudioError(f"{folder}: weights do not match config.json ({str(exc).splitlines()[0]})") from None
    model.eval()
    return MusicBundle(model=model, tokenizer=tokenizer, config=artifact.config, path=Path(folder))
