"""Resumable builds in a folder (the speech corpus builders): ``spec.json`` when one starts, ``summary.json``
when it is finished, each carrying the build's key, so a rerun finds its own work and never mixes another's."""

from __future__ import annotations

import json
from pathlib import Path

from seqstudio.core.errors import SeqStudioError


def read_object(path: Path) -> dict | None:
    """The JSON object in ``path``; None when it is missing, unreadable, or not an object."""
    try:
        data = json.loads(path.read_text()) if path.exists() else None
    except (OSError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


def finished_summary(out_dir: Path, key: str, other: str) -> dict | None:
    """The summary of a finished build with ``key`` in ``out_dir``; None when none is finished there.

    A summary with another key (or an unreadable one) is another build: refused with ``{out_dir} {other}``, so
    nothing is mixed into it or overwritten."""
    if not (out_dir / "summary.json").exists():
        return None
    summary = read_object(out_dir / "summary.json")
    if summary is not None and summary.get("key") == key:
        return summary
    raise SeqStudioError(f"{out_dir} {other}; choose another --out")


def start_or_resume(out_dir: Path, key: str, started: dict) -> dict:
    """Begin a build with ``key`` in ``out_dir`` (writing ``started``, which holds the key, as its spec.json), or
    resume one begun with the same key: returns the spec.json in force. A partial build with another key, or
    an unreadable spec.json, is refused."""
    from seqstudio.core.atomic import atomic_write_text

    path = out_dir / "spec.json"
    (out_dir / "parts").mkdir(parents=True, exist_ok=True)
    if path.exists():
        found = read_object(path)
        if found is None or found.get("key") != key:
            raise SeqStudioError(f"{out_dir} holds a partial build with other settings; choose another --out")
        return found
    atomic_write_text(path, json.dumps(started, indent=1), overwrite=True)
    return started
