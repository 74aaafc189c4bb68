"""Steering that the model's training does not enforce: key lock and a target note density.

Key lock estimates the seed's key with the Krumhansl–Kessler profiles (correlation of the seed's
duration-weighted pitch-class histogram with the 24 rotated major/minor profiles) and masks NOTE_ONs
outside that key's scale: the diatonic major scale, or for minor the natural minor plus the raised
6th and 7th that melodic and harmonic minor use.

Density steering adds a bias to every NOTE_ON logit, driven by an integral controller on the log of
the note rate measured over the last few seconds of each variation.
"""

from __future__ import annotations

import math

import numpy as np

from seqstudio.music.tokenizer import Note

PITCH_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
_MAJOR_PROFILE = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
_MINOR_PROFILE = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])
_MAJOR_SCALE = (0, 2, 4, 5, 7, 9, 11)
_MINOR_SCALE = (0, 2, 3, 5, 7, 8, 9, 10, 11)


def estimate_key(notes: list[Note]) -> tuple[int, str]:
    """(tonic pitch class, "major" | "minor") of the notes, weighted by duration."""
    hist = np.zeros(12)
    for n in notes:
        hist[n.pitch % 12] += max(n.end - n.start, 0.01)
    if not hist.any():
        return 0, "major"
    best, best_r = (0, "major"), -2.0
    for tonic in range(12):
        for mode, profile in (("major", _MAJOR_PROFILE), ("minor", _MINOR_PROFILE)):
            r = float(np.corrcoef(hist, np.roll(profile, tonic))[0, 1])
            if r > best_r:
                best, best_r = (tonic, mode), r
    return best


def key_name(tonic: int, mode: str) -> str:
    return f"{PITCH_NAMES[tonic]} {mode}"


def scale_mask(tonic: int, mode: str) -> np.ndarray:
    """Boolean (128,) over MIDI pitches: True where the pitch belongs to the key's scale."""
    degrees = _MAJOR_SCALE if mode == "major" else _MINOR_SCALE
    allowed = {(tonic + d) % 12 for d in degrees}
    return np.array([p % 12 in allowed for p in range(128)])


class DensityController:
    """Per-variation bias on NOTE_ON logits that pulls the note rate towards ``target`` notes/second."""

    def __init__(self, target: float, batch: int, window: float = 3.0, gain: float = 1.5,
                 limit: float = 8.0) -> None:
        self.log_target = math.log(target)
        self.window = window
        self.gain = gain
        self.limit = limit
        self.notes = np.zeros(batch)  # exponentially decayed note count
        self.time = np.full(batch, 1e-3)  # exponentially decayed elapsed time
        self.bias = np.zeros(batch)

    def note_on(self, rows: np.ndarray) -> None:
        self.notes[rows] += 1.0

    def advance(self, rows: np.ndarray, seconds: np.ndarray) -> None:
        """Time moved on by ``seconds`` in ``rows``: decay the window, then integrate the log error."""
        decay = np.exp(-seconds / self.window)
        self.notes[rows] *= decay
        self.time[rows] = self.time[rows] * decay + seconds
        rate = self.notes[rows] / np.maximum(self.time[rows], 0.25)
        error = self.log_target - np.log(np.maximum(rate, 0.05))
        self.bias[rows] = np.clip(self.bias[rows] + self.gain * seconds * error, -self.limit, self.limit)
