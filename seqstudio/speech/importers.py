"""Real speech corpora -> the JSONL manifest (:mod:`seqstudio.speech.manifest`) that training and evaluation read.

Each importer reads a corpus where it lies (nothing is copied or converted) and lists its utterances:

- ``librispeech``: ``SPEAKER/CHAPTER/SPEAKER-CHAPTER.trans.txt`` files of ``ID TEXT`` lines beside ``ID.flac``
  (any folder above or inside a LibriSpeech split, e.g. ``LibriSpeech/dev-clean``);
- ``commonvoice``: a Common Voice language folder (``validated.tsv``, ``train.tsv``, ``dev.tsv``,
  ``test.tsv`` ... beside ``clips/``) or one of its TSV files; durations from ``clip_durations.tsv``
  when the release has one;
- ``ljspeech``: ``metadata.csv`` (``id|text|normalized text``) beside ``wavs/``; the normalised text
  (numbers spelled out) is the reference when present;
- ``manifest``: a JSONL or TSV manifest, rewritten with its paths relative to the new one.

Texts are kept as the corpus writes them; trainers and scorers normalise. Durations come from each file's
header (cheap), which also proves the file is readable audio: an utterance whose audio is missing or
unreadable is left out and counted, so one broken file does not spoil an import of 100,000.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from seqstudio.core.errors import SeqStudioError
from seqstudio.core.progress import Progress
from seqstudio.speech.audio import audio_info
from seqstudio.speech.manifest import Utterance, read_manifest, write_manifest

KINDS = ("librispeech", "commonvoice", "ljspeech", "manifest")
COMMONVOICE_SPLITS = ("train", "dev", "test", "validated", "other", "invalidated")


@dataclass
class ImportResult:
    utterances: list[Utterance]
    skipped: list[str] = field(default_factory=list)  # one line per utterance left out, and why

    @property
    def hours(self) -> float:
        return sum(u.duration or 0.0 for u in self.utterances) / 3600.0


def _read_lines(path: Path) -> list[str]:
    try:
        # split on newlines only: str.splitlines() would also cut a sentence at U+2028 or U+0085
        return [line.removesuffix("\r") for line in path.read_text(encoding="utf-8-sig").split("\n")]
    except UnicodeDecodeError:
        raise SeqStudioError(f"{path} is not UTF-8 text") from None
    except OSError as exc:
        raise SeqStudioError(f"{path} cannot be read ({exc.strerror or exc})") from None


def _need_folder(source: Path, what: str) -> None:
    if not source.exists():
        raise SeqStudioError(f"{source} does not exist")
    if not source.is_dir():
        raise SeqStudioError(f"{source} is not a folder; {what}")


# -- the corpora's layouts: each yields (audio path, text, speaker, known duration or None, extra) --

Row = tuple[Path, str, str | None, float | None, dict]


def _librispeech(source: Path, split: str | None) -> Iterator[Row]:
    _need_folder(source, "give a LibriSpeech folder (e.g. LibriSpeech/dev-clean)")
    transcripts = sorted(source.rglob("*.trans.txt"))
    if not transcripts:
        raise SeqStudioError(f"{source} holds no LibriSpeech *.trans.txt files")
    for trans in transcripts:
        speaker = trans.name.split("-")[0]
        for number, line in enumerate(_read_lines(trans), 1):
            if not line.strip():
                continue
            uid, _, text = line.strip().partition(" ")
            if not text:
                raise SeqStudioError(f"{trans}:{number}: expected \"ID TEXT\"")
            yield trans.parent / f"{uid}.flac", text.strip(), speaker, None, {"id": uid}


def _commonvoice_tsv(source: Path, split: str | None) -> Path:
    if source.is_file():
        if split is not None:
            raise SeqStudioError("--split picks a TSV in a Common Voice folder; you gave a TSV file")
        return source
    _need_folder(source, "give a Common Voice language folder or one of its TSV files")
    split = split or "train"
    tsv = source / f"{split}.tsv"
    if not tsv.is_file():
        present = sorted(p.stem for p in source.glob("*.tsv"))
        raise SeqStudioError(f"{source} has no {split}.tsv (it has: {', '.join(present) or 'no TSV files'})")
    return tsv


def _commonvoice(source: Path, split: str | None) -> Iterator[Row]:
    tsv = _commonvoice_tsv(source, split)
    folder = tsv.parent
    clips = folder / "clips"
    durations: dict[str, float] = {}
    duration_file = folder / "clip_durations.tsv"
    if duration_file.is_file():
        for row in csv.reader(_read_lines(duration_file)[1:], delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(row) >= 2:
                try:
                    durations[row[0]] = float(row[1]) / 1000.0  # milliseconds
                except ValueError:
                    pass
    lines = _read_lines(tsv)
    if not lines:
        raise SeqStudioError(f"{tsv} is empty")
    header = lines[0].split("\t")
    if "path" not in header or "sentence" not in header:
        raise SeqStudioError(f"{tsv} is not a Common Voice TSV (its header lacks \"path\" and \"sentence\")")
    # QUOTE_NONE: sentences contain quotes that are text, not CSV quoting
    for number, row in enumerate(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE), 2):
        path, text = row.get("path"), row.get("sentence")
        if not path or text is None:
            raise SeqStudioError(f"{tsv}:{number}: a row without path or sentence")
        extra = {k: row[k] for k in ("gender", "age", "accents", "accent", "locale") if row.get(k)}
        yield clips / path, text.strip(), row.get("client_id") or None, durations.get(path), extra


def _ljspeech(source: Path, split: str | None) -> Iterator[Row]:
    metadata = source if source.is_file() else source / "metadata.csv"
    if source.is_dir() and not metadata.is_file():
        raise SeqStudioError(f"{source} has no metadata.csv (an LJSpeech folder holds metadata.csv and wavs/)")
    if not source.exists():
        raise SeqStudioError(f"{source} does not exist")
    wavs = metadata.parent / "wavs"
    for number, line in enumerate(_read_lines(metadata), 1):
        if not line.strip():
            continue
        cells = line.split("|")
        if len(cells) < 2 or not cells[0].strip():
            raise SeqStudioError(f"{metadata}:{number}: expected \"id|text|normalized text\"")
        text = cells[2] if len(cells) > 2 and cells[2].strip() else cells[1]
        uid = cells[0].strip()
        yield wavs / f"{uid}.wav", text.strip(), "ljspeech", None, {"id": uid}


def _manifest(source: Path, split: str | None) -> Iterator[Row]:
    for u in read_manifest(source):
        yield u.audio, u.text, u.speaker, u.duration, dict(u.extra)


_LAYOUTS: dict[str, Callable[[Path, str | None], Iterator[Row]]] = {
    "librispeech": _librispeech,
    "commonvoice": _commonvoice,
    "ljspeech": _ljspeech,
    "manifest": _manifest,
}


def import_speech(kind: str, source: str | os.PathLike, *, split: str | None = None, limit: int | None = None,
                  progress: Progress | None = None) -> ImportResult:
    """The utterances of a corpus of ``kind`` (see :data:`KINDS`) at ``source``; ``split`` picks a Common
    Voice TSV (default ``train``); ``limit`` stops after that many usable utterances."""
    layout = _LAYOUTS.get(kind)
    if layout is None:
        raise SeqStudioError(f"unknown corpus kind {kind!r} (choose from {', '.join(KINDS)})")
    if split is not None and kind != "commonvoice":
        raise SeqStudioError("--split is for Common Voice only")
    if limit is not None and limit < 1:
        raise SeqStudioError("--limit must be at least 1")
    progress = progress or Progress()
    progress.start(None, f"importing {kind}")
    result = ImportResult([])
    for audio, text, speaker, duration, extra in layout(Path(source), split):
        progress.check()
        if duration is None:
            try:
                duration = audio_info(audio).duration
            except SeqStudioError as exc:
                result.skipped.append(str(exc))
                continue
        elif not audio.is_file():
            result.skipped.append(f"{audio}: no such file")
            continue
        result.utterances.append(Utterance(audio, text, duration, speaker, extra))
        progress.update(len(result.utterances))
        if limit is not None and len(result.utterances) >= limit:
            break
    progress.finish()
    if not result.utterances:
        why = f" ({len(result.skipped)} left out, e.g. {result.skipped[0]})" if result.skipped else ""
        raise SeqStudioError(f"{source}: no usable utterances found{why}")
    return result


def write_import(result: ImportResult, out: str | os.PathLike, overwrite: bool = False) -> Path:
    """Write the manifest atomically; audio paths inside its folder become relative to it."""
    return write_manifest(out, result.utterances, overwrite=overwrite)
