"""Outputs are written whole or not at all, and never clobber a file unless asked."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from seqstudio.core.errors import SeqStudioError


def umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# mkstemp makes 0600 files; a finished output should get the permissions any new file would get
FILE_MODE = 0o666 & ~umask()


def check_writable(path: Path, overwrite: bool) -> None:
    """Fail early, before any work, when ``path`` exists and ``overwrite`` is false."""
    path = Path(path)
    if path.is_dir():
        raise SeqStudioError(f"{path} is a folder, not a file")
    if path.exists() and not overwrite:
        raise SeqStudioError(f"{path} already exists (use --overwrite to replace it)")
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise SeqStudioError(f"cannot write {path}: {parent} is not a folder")


def _stage(path: Path, write: Callable[[Path], None]) -> Path:
    """Write into a temporary file beside ``path`` (same file system, so the final rename is atomic)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as exc:
        raise SeqStudioError(f"cannot write {path}: {exc.strerror or exc}") from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        write(tmp_path)
        os.chmod(tmp_path, FILE_MODE)
        with open(tmp_path, "rb+") as handle:
            os.fsync(handle.fileno())
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
    return tmp_path


def atomic_write_many(items: list[tuple[Path, Callable[[Path], None]]], overwrite: bool = False) -> list[Path]:
    """Write several files all-or-nothing: every one is staged before any is moved into place."""
    paths = [Path(p) for p, _ in items]
    for p in paths:
        check_writable(p, overwrite)
    staged: list[Path] = []
    try:
        for p, (_, write) in zip(paths, items, strict=True):
            staged.append(_stage(p, write))
        for p in paths:
            if not overwrite and p.exists():  # someone else wrote it meanwhile
                raise SeqStudioError(f"{p} already exists (use --overwrite to replace it)")
        for tmp, p in zip(staged, paths, strict=True):
            os.replace(tmp, p)
    finally:
        for tmp in staged:
            tmp.unlink(missing_ok=True)
    return paths


def atomic_write(path: str | os.PathLike, write: Callable[[Path], None], overwrite: bool = False) -> Path:
    """Call ``write(tmp_path)`` and move the result onto ``path`` in one rename.

    A crash or an exception inside ``write`` leaves no partial file behind.
    """
    return atomic_write_many([(Path(path), write)], overwrite=overwrite)[0]


def atomic_write_text(path: str | os.PathLike, text: str, overwrite: bool = False) -> Path:
    return atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"), overwrite=overwrite)
