"""Speech manifests: the one list-of-utterances format that corpora, importers, training and evaluation share.

A manifest is a JSONL file, one object per line::

    {"audio": "wav/000001.wav", "text": "the original text", "duration": 2.43, "speaker": "flite:slt"}

``audio`` and ``text`` are required; ``duration`` (seconds) and ``speaker`` are optional, and any other
keys are kept as they are. A relative ``audio`` path is relative to the manifest's own folder, so a
corpus folder can be moved or copied whole. A TSV (``audio<TAB>text`` per line, an optional header
line ``audio<TAB>text`` or ``path<TAB>sentence``) is read the same way, for people who keep their test
recordings in a spreadsheet. ``text`` is the reference as written; trainers and scorers normalise it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seqstudio.core.atomic import atomic_write_text
from seqstudio.core.errors import SeqStudioError

_TSV_HEADERS = ({"audio", "text"}, {"path", "text"}, {"path", "sentence"}, {"audio", "sentence"})


@dataclass(frozen=True)
class Utterance:
    audio: Path  # absolute, or as given when the manifest is built in memory
    text: str
    duration: float | None = None
    speaker: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_json(self, root: Path | None = None) -> dict[str, Any]:
        audio = self.audio
        if root is not None:
            absolute = audio.absolute()
            try:
                audio = absolute.relative_to(root.absolute())
            except ValueError:
                audio = absolute  # outside the manifest's folder: stored absolute, so it survives the move
        row: dict[str, Any] = {"audio": audio.as_posix(), "text": self.text}
        if self.duration is not None:
            row["duration"] = round(float(self.duration), 3)
        if self.speaker is not None:
            row["speaker"] = self.speaker
        row.update(self.extra)
        return row


def _from_row(row: Any, base: Path, where: str) -> Utterance:
    if not isinstance(row, dict):
        raise SeqStudioError(f"{where}: expected a JSON object with \"audio\" and \"text\"")
    audio, text = row.get("audio"), row.get("text")
    if not isinstance(audio, str) or not audio:
        raise SeqStudioError(f"{where}: \"audio\" must be a non-empty path")
    if not isinstance(text, str):
        raise SeqStudioError(f"{where}: \"text\" must be a string")
    duration = row.get("duration")
    if duration is not None and (isinstance(duration, bool) or not isinstance(duration, int | float) or duration < 0):
        raise SeqStudioError(f"{where}: \"duration\" must be a non-negative number of seconds")
    speaker = row.get("speaker")
    extra = {k: v for k, v in row.items() if k not in ("audio", "text", "duration", "speaker")}
    path = Path(audio).expanduser()
    return Utterance(path if path.is_absolute() else base / path, text,
                     None if duration is None else float(duration), None if speaker is None else str(speaker), extra)


def read_manifest(path: str | os.PathLike) -> list[Utterance]:
    """Every utterance of a JSONL or TSV manifest; one-line :class:`SeqStudioError` on anything malformed."""
    path = Path(path)
    if not path.is_file():
        raise SeqStudioError(f"manifest {path} does not exist" if not path.exists() else f"{path} is not a file")
    try:
        # newlines only: str.splitlines() would also split inside a text holding U+2028 or U+0085
        lines = [line.removesuffix("\r") for line in path.read_text(encoding="utf-8-sig").split("\n")]
    except UnicodeDecodeError:
        raise SeqStudioError(f"{path} is not a UTF-8 text manifest") from None
    base = path.absolute().parent
    out: list[Utterance] = []
    tsv = path.suffix.lower() in (".tsv", ".txt") or (lines and not lines[0].lstrip().startswith("{"))
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        if tsv:
            cells = line.split("\t")
            if number == 1 and {c.strip().lower() for c in cells[:2]} in _TSV_HEADERS:
                continue
            if len(cells) < 2:
                raise SeqStudioError(f"{where}: expected \"audio<TAB>text\"")
            out.append(_from_row({"audio": cells[0].strip(), "text": cells[1].strip()}, base, where))
        else:
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise SeqStudioError(f"{where}: not valid JSON ({exc.msg})") from None
            out.append(_from_row(row, base, where))
    if not out:
        raise SeqStudioError(f"{path} lists no utterances")
    return out


def write_manifest(path: str | os.PathLike, utterances: Iterable[Utterance], overwrite: bool = False) -> Path:
    """Write a JSONL manifest atomically; audio paths inside its folder are stored relative to it."""
    path = Path(path)
    root = path.parent
    text = "".join(json.dumps(u.to_json(root), ensure_ascii=False) + "\n" for u in utterances)
    atomic_write_text(path, text, overwrite=overwrite)
    return path
