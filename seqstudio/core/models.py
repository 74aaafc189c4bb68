"""Where named models live, and how a user's model argument becomes a folder."""

from __future__ import annotations

import os
from pathlib import Path

from seqstudio.core.errors import SeqStudioError

MODELS_ENV = "SEQSTUDIO_MODELS"
DEFAULT_STREAMING_MODEL = "speech-streaming"  # the shipped streaming speech model, under models/


def models_root() -> Path:
    """``$SEQSTUDIO_MODELS``, else the repository's ``models/`` (SeqStudio is installed editable from its
    checkout, so the shipped models sit beside the package)."""
    env = os.environ.get(MODELS_ENV)
    return Path(env) if env else Path(__file__).resolve().parents[2] / "models"


def resolve_model(spec: str, default_name: str) -> Path:
    """A model folder from a path, a name under ``models/``, or ``default`` (then ``default_name``)."""
    if spec in ("", "default"):
        return models_root() / default_name
    path = Path(spec)
    if path.exists() or os.sep in spec or spec.startswith("."):
        return path
    named = models_root() / spec
    if named.exists():
        return named
    raise SeqStudioError(f"no model {spec!r}: give a model folder, or a name under {models_root()}")
