"""Outputs are written whole or not at all, and never clobber a file unless asked."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from seqstudio.core.errors import SeqStudioError


def check_writable(path: Path, overwrite: bool) -> None:
    """Fail early, before any work, when ``path`` exists and ``overwrite`` is false."""
    if path.exists() and not overwrite:
        raise SeqStudioError(f"{path} already exists (use --overwrite to replace it)")
    if path.exists() and path.is_dir():
        raise SeqStudioError(f"{path} is a folder, not a file")


def atomic_write(path: str | os.PathLike, write: Callable[[Path], None], overwrite: bool = False) -> Path:
    """Call ``write(tmp_path)`` and move the result onto ``path`` in one rename.

    A crash or an exception inside ``write`` leaves no partial file behind.
    """
    path = Path(path)
    check_writable(path, overwrite)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        write(tmp_path)
        with open(tmp_path, "rb+") as handle:
            os.fsync(handle.fileno())
        if not overwrite and path.exists():  # someone else wrote it meanwhile
            raise SeqStudioError(f"{path} already exists (use --overwrite to replace it)")
        os.replace(tmp_path, path)
    finally:
        tmp_path.unlink(missing_ok=True)
    return path


def atomic_write_bytes(path: str | os.PathLike, data: bytes, overwrite: bool = False) -> Path:
    return atomic_write(path, lambda p: p.write_bytes(data), overwrite=overwrite)


def atomic_write_text(path: str | os.PathLike, text: str, overwrite: bool = False) -> Path:
    return atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"), overwrite=overwrite)
