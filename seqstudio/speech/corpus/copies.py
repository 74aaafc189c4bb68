"""``seqstudio data augment-speech``: augmented copies of recorded speech, a training folder for ``--extra-train``.

A few hundred recordings of real people are worth far more than their share of a large synthetic corpus,
but listed once they are a few percent of what training sees. This writes each utterance of a manifest
(imported recordings, say) ``copies`` times through the augmentation chain of :mod:`augment` - speed, room,
telephone, noise, gain - beside its clean original, so a small real corpus can be mixed in at a useful
weight and heard in rooms and on lines it was not recorded in.

Output folder::

    summary.json          spec (source manifest's fingerprint, copies, seed, augmentation), key, counts
    train.jsonl           every copy (audio, text, duration, speaker, which source utterance, what was applied)
    wav/<unit>/<n>-<copy>.wav        16 kHz mono 16-bit
    parts/<unit>.json     one finished work unit each (what makes the build resumable): its rows, and the
                          seconds of its recordings and of the copies left out (too long or too short)

Each copy's randomness comes from (seed, utterance number, copy number), so a rebuild is the same corpus
and an interrupted one resumes where it stopped. Copy 0 is the original (resampled to 16 kHz mono) unless
``keep_original`` is off.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf

from seqstudio.core.atomic import atomic_write_text
from seqstudio.core.builds import finished_summary, start_or_resume
from seqstudio.core.errors import SeqStudioError
from seqstudio.core.pool import run_in_processes
from seqstudio.core.progress import Progress
from seqstudio.speech.corpus.augment import AugmentConfig, augment

SAMPLE_RATE = 16000
UNIT_SIZE = 64
MAX_COPIES = 100
MIN_SECONDS = 0.3  # shorter recordings are left out, as in `seqstudio data speech`
FORMAT = 1


@dataclass(frozen=True)
class CopiesSpec:
    copies: int = 4  # augmented copies of each utterance
    keep_original: bool = True  # also list the clean original (copy 0)
    augment: AugmentConfig = field(default_factory=AugmentConfig)
    max_seconds: float = 16.0  # longer copies are dropped, as in `seqstudio data speech`
    seed: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.copies <= MAX_COPIES:
            raise SeqStudioError(f"--copies must be 0..{MAX_COPIES}")
        if self.copies == 0 and not self.keep_original:
            raise SeqStudioError("nothing to write: no copies and no originals")
        if self.augment.p_shift:
            raise SeqStudioError("voice shift needs a synthesiser; recordings can only be sped up or slowed down")
        if self.seed < 0:
            raise SeqStudioError("--seed must be 0 or more")

    def to_dict(self) -> dict:
        return {"copies": self.copies, "keep_original": self.keep_original, "augment": self.augment.to_dict(),
                "max_seconds": self.max_seconds, "seed": self.seed, "format": FORMAT}


def _rows(manifest: Path) -> list[dict]:
    from seqstudio.speech.manifest import read_manifest

    return [{"audio": str(u.audio), "text": u.text, "speaker": u.speaker} for u in read_manifest(manifest)]


def _key(spec: CopiesSpec, rows: list[dict], manifest: Path) -> str:
    """Depends on the settings and on every source utterance's text, speaker and audio bytes."""
    digest = hashlib.sha1(json.dumps(spec.to_dict(), sort_keys=True).encode())
    for number, row in enumerate(rows, 1):
        digest.update(json.dumps([row["text"], row["speaker"]]).encode() + b"\0")
        try:
            digest.update(hashlib.sha1(Path(row["audio"]).read_bytes()).digest())
        except OSError as exc:
            raise SeqStudioError(f"{manifest}, utterance {number}: cannot read {row['audio']} "
                                 f"({exc.strerror or exc})") from None
    return digest.hexdigest()[:16]


def _run_unit(out: str, index: int, items: list[tuple[int, dict]], spec_dict: dict) -> str | None:
    """Read, augment and write one unit; returns an error, or None."""
    from seqstudio.speech.audio import load_audio

    out_dir = Path(out)
    part = out_dir / "parts" / f"{index:05d}.json"
    if part.exists():
        return None
    config = AugmentConfig.from_dict(spec_dict["augment"])
    wav_dir = out_dir / "wav" / f"{index:05d}"
    wav_dir.mkdir(parents=True, exist_ok=True)
    rows: list[dict] = []
    record = {"rows": rows, "source_seconds": 0.0, "too_short": 0, "too_long": 0}
    for number, row in items:
        try:
            clean = load_audio(row["audio"], SAMPLE_RATE)
        except SeqStudioError as exc:
            return f"utterance {number + 1}: {exc}"
        record["source_seconds"] += len(clean) / SAMPLE_RATE
        if len(clean) < MIN_SECONDS * SAMPLE_RATE:  # nothing to augment (an empty file, a click)
            record["too_short"] += 1
            continue
        first = 0 if spec_dict["keep_original"] else 1
        for copy in range(first, spec_dict["copies"] + 1):
            if copy == 0:
                audio, applied = np.clip(clean, -1.0, 1.0).astype(np.float32), {}
            else:
                audio, applied = augment(clean, np.random.default_rng([spec_dict["seed"], number, copy]), config)
            seconds = len(audio) / SAMPLE_RATE
            if seconds > spec_dict["max_seconds"]:
                record["too_long"] += 1
                continue
            wav = wav_dir / f"{number:06d}-{copy:02d}.wav"
            sf.write(str(wav), audio, SAMPLE_RATE, subtype="PCM_16")
            rows.append({"audio": wav.relative_to(out_dir).as_posix(), "text": row["text"],
                         "duration": round(seconds, 3), "speaker": row["speaker"], "source": number,
                         "copy": copy, "augment": applied})
    atomic_write_text(part, json.dumps(record, ensure_ascii=False) + "\n", overwrite=True)
    return None


def _check_out(out_dir: Path) -> None:
    """``out`` must be a new or empty folder, or one this command started (a resume)."""
    if out_dir.exists() and not out_dir.is_dir():
        raise SeqStudioError(f"--out {out_dir} is a file, not a folder")
    if out_dir.is_dir() and not (out_dir / "spec.json").exists() and any(out_dir.iterdir()):
        raise SeqStudioError(f"--out {out_dir} is a folder with other files in it; choose a new or empty one")


def augment_manifest(manifest: str | os.PathLike, out: str | os.PathLike, spec: CopiesSpec, workers: int = 2,
                     progress: Progress | None = None, log=print, unit_size: int = UNIT_SIZE) -> dict:
    """Write (or resume, or find finished) the augmented copies of ``manifest``'s utterances in ``out``."""
    progress = progress or Progress()
    out_dir = Path(out)
    _check_out(out_dir)
    rows = _rows(Path(manifest))
    key = _key(spec, rows, Path(manifest))
    summary_path = out_dir / "summary.json"
    finished = finished_summary(out_dir, key, "holds other copies or other recordings")
    if finished is not None:
        log(f"{out_dir} already holds these copies")
        return finished
    start_or_resume(out_dir, key, {"key": key, "spec": spec.to_dict(), "manifest": str(manifest)})
    numbered = list(enumerate(rows))
    units = [numbered[i:i + unit_size] for i in range(0, len(numbered), unit_size)]
    todo = [i for i in range(len(units)) if not (out_dir / "parts" / f"{i:05d}.json").exists()]
    done = len(rows) - sum(len(units[i]) for i in todo)
    progress.start(len(rows), "augmenting")
    progress.update(done)
    spec_dict = spec.to_dict()
    failures: list[str] = []

    def finished(index: int, error: str | None) -> None:
        nonlocal done
        if error:
            failures.append(error)
        done += len(units[index])
        progress.update(done)
        progress.check()

    run_in_processes(_run_unit, {i: (str(out_dir), i, units[i], spec_dict) for i in todo}, workers, finished)
    progress.finish()
    if failures:
        raise SeqStudioError(f"{manifest}, {failures[0]}; delete {out_dir} (what was made so far) or choose another "
                             "--out before trying again")
    records = [json.loads((out_dir / "parts" / f"{i:05d}.json").read_text()) for i in range(len(units))]
    listed = [r for record in records for r in record["rows"]]
    too_short, too_long = sum(r["too_short"] for r in records), sum(r["too_long"] for r in records)
    if too_short or too_long:
        log(f"left out {too_short} recording(s) under {MIN_SECONDS} s and {too_long} copies over "
            f"{spec.max_seconds:g} s")
    if not listed:
        raise SeqStudioError(f"no copy of {manifest} is between {MIN_SECONDS} and {spec.max_seconds:g} s long")
    seconds = sum(r["duration"] for r in listed)
    atomic_write_text(out_dir / "train.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in listed),
                      overwrite=True)
    summary = {"key": key, "spec": spec_dict, "manifest": str(manifest), "sample_rate": SAMPLE_RATE,
               "source_utterances": len(rows),
               "source_hours": round(sum(r["source_seconds"] for r in records) / 3600, 3),
               "left_out": {"too_short": too_short, "too_long": too_long},
               "splits": {"train": {"utterances": len(listed), "hours": round(seconds / 3600, 3),
                                    "speakers": sorted({r["speaker"] for r in listed if r["speaker"] is not None})}}}
    atomic_write_text(summary_path, json.dumps(summary, indent=1) + "\n", overwrite=True)
    log(f"train: {len(listed)} utterances ({len(rows)} recordings), {seconds / 3600:.2f} h")
    return summary
