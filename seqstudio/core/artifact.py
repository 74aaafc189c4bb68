"""The one model-artifact format: a folder with ``model.safetensors`` and ``config.json``.

Weights are data from strangers, so they are read with safetensors (no pickle, no code) and checked
against the architecture named in ``config.json`` with strict key and shape checks by the caller.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from seqstudio.core.atomic import FILE_MODE, umask
from seqstudio.core.errors import SeqStudioError

FORMAT = "seqstudio-model"
FORMAT_VERSION = 1
WEIGHTS = "model.safetensors"
CONFIG = "config.json"

_PICKLE_MAGIC = (b"\x80\x02", b"\x80\x03", b"\x80\x04", b"\x80\x05")
_ZIP_MAGIC = b"PK\x03\x04"  # torch.save's default container


@dataclass
class Artifact:
    """What a model folder holds: its weights (CPU tensors) and its parsed config."""

    path: Path
    config: dict[str, Any]
    tensors: dict[str, torch.Tensor]

    @property
    def task(self) -> str:
        return self.config["task"]


def _sniff_weights(path: Path) -> None:
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head[:2] in _PICKLE_MAGIC or head[:4] == _ZIP_MAGIC:
        raise SeqStudioError(
            f"{path} is a pickle/torch.save file, not safetensors; SeqStudio never unpickles weights"
        )


def read_config(folder: str | os.PathLike) -> dict[str, Any]:
    """Parse and validate ``config.json`` of a model folder (cheap: no weights are read)."""
    folder = Path(folder)
    if not folder.exists():
        raise SeqStudioError(f"model folder {folder} does not exist")
    if not folder.is_dir():
        raise SeqStudioError(f"{folder} is not a model folder (expected a folder with {WEIGHTS} and {CONFIG})")
    config_path = folder / CONFIG
    if not config_path.is_file():
        raise SeqStudioError(f"{folder} is not a SeqStudio model: {CONFIG} is missing")
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SeqStudioError(f"{config_path} is not valid JSON ({exc.__class__.__name__})") from None
    if not isinstance(config, dict) or config.get("format") != FORMAT:
        raise SeqStudioError(f"{folder} is not a SeqStudio model ({CONFIG} lacks \"format\": \"{FORMAT}\")")
    version = config.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= FORMAT_VERSION:
        raise SeqStudioError(
            f"{folder} has model format version {version!r}; this SeqStudio reads up to {FORMAT_VERSION}"
        )
    if not isinstance(config.get("task"), str) or not isinstance(config.get("architecture"), dict):
        raise SeqStudioError(f"{config_path} needs a \"task\" name and an \"architecture\" object")
    return config


def load_artifact(folder: str | os.PathLike, task: str | None = None) -> Artifact:
    """Read a model folder without pickle. ``task`` ("music", "speech") is checked when given."""
    folder = Path(folder)
    config = read_config(folder)
    if task is not None and config["task"] != task:
        raise SeqStudioError(f"{folder} is a {config['task']} model, not a {task} model")
    weights = folder / WEIGHTS
    if not weights.is_file():
        raise SeqStudioError(f"{folder} is not a complete SeqStudio model: {WEIGHTS} is missing")
    _sniff_weights(weights)
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    try:
        tensors = load_file(str(weights), device="cpu")
    except (SafetensorError, OSError, ValueError, RuntimeError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        raise SeqStudioError(f"{weights} is not a readable safetensors file ({reason})") from None
    return Artifact(path=folder, config=config, tensors=tensors)


def save_artifact(
    folder: str | os.PathLike,
    tensors: dict[str, torch.Tensor],
    config: dict[str, Any],
    overwrite: bool = False,
) -> Path:
    """Write a model folder atomically: both files appear together, or the old folder stays."""
    from safetensors.torch import save_file

    folder = Path(folder)
    if folder.exists() and not overwrite and any(folder.iterdir()):
        raise SeqStudioError(f"{folder} already exists and is not empty (use --overwrite to replace it)")
    config = {"format": FORMAT, "format_version": FORMAT_VERSION, **config}
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        os.chmod(staging, 0o777 & ~umask())  # mkdtemp makes 0700; a model folder is shared like any folder
        contiguous = {k: v.detach().to("cpu").contiguous() for k, v in tensors.items()}
        save_file(contiguous, str(staging / WEIGHTS), metadata={"format": FORMAT})
        os.chmod(staging / WEIGHTS, FILE_MODE)  # safetensors writes 0600; a model is shared like any file
        (staging / CONFIG).write_text(json.dumps(config, indent=2, sort_keys=False) + "\n", encoding="utf-8")
        if folder.exists():
            # keep files the folder holds beside the model (its card) unless they are replaced
            for extra in folder.iterdir():
                if extra.name not in (WEIGHTS, CONFIG) and not (staging / extra.name).exists():
                    if extra.is_file():
                        shutil.copy2(extra, staging / extra.name)
            backup = folder.with_name(f".{folder.name}.old")
            shutil.rmtree(backup, ignore_errors=True)
            os.replace(folder, backup)
            os.replace(staging, folder)
            shutil.rmtree(backup, ignore_errors=True)
        else:
            os.replace(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder
