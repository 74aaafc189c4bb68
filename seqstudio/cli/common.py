"""Argument types and small helpers the subcommands share."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from seqstudio.core.errors import SeqStudioError

MODELS_ENV = "SEQSTUDIO_MODELS"


def models_root() -> Path:
    """Where named models live: $SEQSTUDIO_MODELS, else the repository's ``models/``."""
    env = os.environ.get(MODELS_ENV)
    return Path(env) if env else Path(__file__).resolve().parents[2] / "models"


def resolve_model(spec: str, default_name: str) -> Path:
    """A model folder from a path, a name under ``models/``, or ``default``."""
    if spec in ("", "default"):
        return models_root() / default_name
    path = Path(spec)
    if path.exists() or os.sep in spec or spec.startswith("."):
        return path
    named = models_root() / spec
    if named.exists():
        return named
    raise SeqStudioError(f"no model {spec!r}: give a model folder, or a name under {models_root()}")


def add_device(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--device", default="auto", help="auto (CUDA when available, else CPU), cpu, cuda or cuda:N")


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    return value


def int_arg(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
