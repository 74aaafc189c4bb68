"""Scoring music models and baselines on MIDI folders and on corpus splits."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch

from seqstudio.core.errors import SeqStudioError
from seqstudio.core.progress import Progress
from seqstudio.music.bundle import MusicBundle
from seqstudio.music.evaluate import NLLResult, sequence_nll
from seqstudio.music.midi_io import load_midi, to_score, window


def tokenize_folder(bundle: MusicBundle, folder: str | os.PathLike) -> tuple[list[np.ndarray], list[str]]:
    """Every readable .mid/.midi under ``folder`` as one BOS-led sequence; unreadable files are listed."""
    folder = Path(folder)
    if folder.is_file():
        files = [folder]
    elif folder.is_dir():
        files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in (".mid", ".midi"))
    else:
        raise SeqStudioError(f"{folder} does not exist")
    if not files:
        raise SeqStudioError(f"{folder} holds no .mid or .midi files")
    sequences, skipped = [], []
    for path in files:
        try:
            score = to_score(load_midi(path), bundle.tokenizer.config.max_tracks, str(path))
        except SeqStudioError as exc:
            skipped.append(str(exc))
            continue
        notes = window(score.notes, min(n.start for n in score.notes))  # re-timed to the first note, as in training
        sequences.append(bundle.tokenizer.encode(notes).astype(np.int64))
    if not sequences:
        raise SeqStudioError(f"none of the {len(files)} MIDI files in {folder} could be read ({skipped[0]})")
    return sequences, skipped


def evaluate_folder(bundle: MusicBundle, folder: str | os.PathLike, device: torch.device,
                    progress: Progress | None = None) -> tuple[NLLResult, int, list[str]]:
    sequences, skipped = tokenize_folder(bundle, folder)
    bundle.model.to(device)
    return sequence_nll(bundle.model, sequences, device, progress=progress), len(sequences), skipped
