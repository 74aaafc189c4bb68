"""Resume checkpoints for training (separate from shipped artifacts, loaded with ``weights_only=True``) and the
learning-rate schedule every trainer shares."""

from __future__ import annotations

import math
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


def warmup_cosine_lr(step: int, cfg) -> float:
    """The learning rate of every SeqStudio trainer at ``step``: linear warm-up over ``cfg.warmup`` steps, then a
    cosine decay to ``cfg.min_lr_ratio * cfg.lr`` at ``cfg.steps`` (``cfg`` is any training config with ``lr``,
    ``warmup``, ``steps`` and ``min_lr_ratio``). A function of the step alone, so a resumed run follows it exactly."""
    if step < cfg.warmup:
        return cfg.lr * (step + 1) / cfg.warmup
    progress = (step - cfg.warmup) / max(cfg.steps - cfg.warmup, 1)
    return cfg.lr * (cfg.min_lr_ratio + (1 - cfg.min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * min(progress, 1.0))))
