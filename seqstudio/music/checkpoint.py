"""Resume checkpoints for training: separate from shipped artifacts, loaded with ``weights_only=True``."""

from __future__ import annotations

import os
from pathlib import Path

import torch

from seqstudio.core.errors import SeqStudioError


def save_checkpoint(path: Path, payload: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    torch.save(payload, tmp)
    os.replace(tmp, path)


def load_checkpoint(path: Path) -> dict:
    try:
        return torch.load(path, map_location="cpu", weights_only=True)  # noqa: TID251 - the one vetted place
    except Exception as exc:
        reason = str(exc).splitlines()[0][:160] if str(exc) else exc.__class__.__name__
        raise SeqStudioError(f"cannot resume from {path}: {reason}") from None
