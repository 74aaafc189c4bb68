"""Whether a corpus folder already holds what a build would make: its ``summary.json`` carries the build's key."""

from __future__ import annotations

import json
from pathlib import Path

from seqstudio.core.errors import SeqStudioError


def finished_summary(out_dir: Path, key: str, other: str) -> dict | None:
    """The summary of a finished build with ``key`` in ``out_dir``; None when none is finished there.

    A summary with another key (or an unreadable one) is another build: refused with ``{out_dir} {other}``, so
    nothing is mixed into it or overwritten."""
    path = out_dir / "summary.json"
    if not path.exists():
        return None
    try:
        summary = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        summary = None
    if isinstance(summary, dict) and summary.get("key") == key:
        return summary
    raise SeqStudioError(f"{out_dir} {other}; choose another --out")
