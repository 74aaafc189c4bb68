"""The one device policy: chosen once at an entry point, never inside a model."""

from __future__ import annotations

import re

import torch

from seqstudio.core.errors import SeqStudioError

_PATTERN = re.compile(r"^(auto|cpu|cuda|cuda:\d+)$")


def resolve_device(spec: str = "auto") -> torch.device:
    """Turn ``auto``, ``cpu``, ``cuda`` or ``cuda:N`` into a device that exists here.

    ``auto`` is CUDA when available, else the CPU. Anything else that is not present raises
    :class:`SeqStudioError` with a one-line reason.
    """
    spec = (spec or "auto").strip().lower()
    if not _PATTERN.match(spec):
        raise SeqStudioError(f"unknown device {spec!r}: use auto, cpu, cuda or cuda:N")
    if spec == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if spec == "cpu":
        return torch.device("cpu")
    if not torch.cuda.is_available():
        raise SeqStudioError(f"device {spec!r} is not available: no CUDA GPU was found (use --device cpu)")
    index = int(spec.split(":")[1]) if ":" in spec else 0
    count = torch.cuda.device_count()
    if index >= count:
        raise SeqStudioError(f"device {spec!r} is not available: this machine has {count} CUDA device(s)")
    return torch.device("cuda", index)


def describe(device: torch.device) -> str:
    """A short human name for a device, for status lines and model cards."""
    if device.type == "cuda":
        return f"{device} ({torch.cuda.get_device_name(device)})"
    return "cpu"
