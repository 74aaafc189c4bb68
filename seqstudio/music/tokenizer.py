"""MIDI notes <-> event tokens of the Performance RNN family, with track tokens for several instruments.

Vocabulary (``TokenizerConfig`` defaults, 398 tokens)::

    PAD, BOS
    NOTE_ON(pitch)   x128   a note starts on the current track
    NOTE_OFF(pitch)  x128   the oldest sounding note of that pitch on the current track ends
    TIME_SHIFT(k)    x100   time moves on by k steps of 10 ms (k = 1..100)
    VELOCITY(b)      x32    later NOTE_ONs use velocity bin b
    TRACK(t)         x8     later NOTE_ON/NOTE_OFFs belong to track slot t

Why track *slots* rather than General MIDI program tokens: the offline training corpus is almost all
voices of one program (chorales, masses, folk tunes), so a program token would tie what the model
learns to programs it never saw. A slot says "which voice of this piece" and the voices' real
instruments (program, name) are kept from the seed and restored on output. Drums are not
tokenised: the corpus has no percussion for a model to learn from (see ``midi_io``).

Events at the same time step are ordered by track, and within a track NOTE_OFF before NOTE_ON, so a
chord costs one TRACK token per voice instead of one per note.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import asdict, dataclass

import numpy as np

from seqstudio.core.errors import SeqStudioError

PAD = 0
BOS = 1


@dataclass(frozen=True)
class TokenizerConfig:
    time_step: float = 0.01  # seconds per TIME_SHIFT step
    max_shift_steps: int = 100  # the longest single TIME_SHIFT (1 s)
    velocity_bins: int = 32
    max_tracks: int = 8

    def __post_init__(self) -> None:
        if not (0 < self.time_step <= 1):
            raise ValueError("time_step must be in (0, 1] seconds")
        if self.max_shift_steps < 1 or self.velocity_bins < 1 or not (1 <= self.max_tracks <= 64):
            raise ValueError("max_shift_steps, velocity_bins must be >= 1 and max_tracks in 1..64")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> TokenizerConfig:
        return cls(**data)


@dataclass(frozen=True)
class Note:
    track: int
    pitch: int
    start: float  # seconds
    end: float  # seconds
    velocity: int


def _quantize(start: float, end: float) -> tuple[int, int]:
    """Round onset and offset to steps, keeping every note at least one step long with both errors
    under one step (a note shorter than a step takes the step cell that holds most of it)."""
    on, off = int(round(start)), int(round(end))
    if off > on:
        return on, off
    k = int(math.floor(start))
    return (k, k + 1) if end < k + 1 else (k + 1, k + 2)


class Tokenizer:
    """Stateless encoder/decoder between :class:`Note` lists and token id arrays."""

    def __init__(self, config: TokenizerConfig | None = None) -> None:
        self.config = config = config or TokenizerConfig()
        self.note_on = 2
        self.note_off = self.note_on + 128
        self.time_shift = self.note_off + 128
        self.velocity = self.time_shift + config.max_shift_steps
        self.track = self.velocity + config.velocity_bins
        self.vocab_size = self.track + config.max_tracks

    # -- velocity bins ---------------------------------------------------------------------------
    def velocity_bin(self, velocity: int) -> int:
        v = min(max(int(velocity), 1), 127)
        return min(self.config.velocity_bins - 1, (v - 1) * self.config.velocity_bins // 127)

    def bin_velocity(self, b: int) -> int:
        return int(1 + (b + 0.5) * 127 / self.config.velocity_bins)

    # -- token kinds (vectorised, for masks and steering) ------------------------------------------
    def kind_ranges(self) -> dict[str, tuple[int, int]]:
        return {
            "note_on": (self.note_on, self.note_off),
            "note_off": (self.note_off, self.time_shift),
            "time_shift": (self.time_shift, self.velocity),
            "velocity": (self.velocity, self.track),
            "track": (self.track, self.vocab_size),
        }

    def shift_steps(self) -> np.ndarray:
        """For every token id, how many time steps it advances (0 for all but TIME_SHIFT)."""
        steps = np.zeros(self.vocab_size, dtype=np.int64)
        steps[self.time_shift : self.velocity] = np.arange(1, self.config.max_shift_steps + 1)
        return steps

    def describe(self, token: int) -> str:
        for name, (lo, hi) in self.kind_ranges().items():
            if lo <= token < hi:
                value = token - lo + (1 if name == "time_shift" else 0)
                return f"{name.upper()}({value})"
        return {PAD: "PAD", BOS: "BOS"}.get(int(token), f"?{token}")

    # -- encoding ----------------------------------------------------------------------------------
    def encode(self, notes: list[Note], bos: bool = True) -> np.ndarray:
        """Encode notes (times in seconds from 0) to token ids; ``bos`` prepends the BOS token."""
        step = self.config.time_step
        events: list[tuple[int, int, int, int, int]] = []
        for n in notes:
            if not (0 <= n.track < self.config.max_tracks):
                raise SeqStudioError(f"track slot {n.track} is outside 0..{self.config.max_tracks - 1}")
            if not (0 <= n.pitch < 128):
                raise SeqStudioError(f"pitch {n.pitch} is outside 0..127")
            on, off = _quantize(n.start / step, n.end / step)
            events.append((on, n.track, 1, n.pitch, n.velocity))
            events.append((off, n.track, 0, n.pitch, 0))
        events.sort()
        tokens: list[int] = [BOS] if bos else []
        now, track, vel_bin = 0, -1, -1
        max_shift = self.config.max_shift_steps
        for time, trk, is_on, pitch, velocity in events:
            gap = time - now
            while gap > 0:
                k = min(gap, max_shift)
                tokens.append(self.time_shift + k - 1)
                gap -= k
            now = time
            if trk != track:
                tokens.append(self.track + trk)
                track = trk
            if is_on:
                b = self.velocity_bin(velocity)
                if b != vel_bin:
                    tokens.append(self.velocity + b)
                    vel_bin = b
                tokens.append(self.note_on + pitch)
            else:
                tokens.append(self.note_off + pitch)
        return np.asarray(tokens, dtype=np.int16)

    # -- decoding ----------------------------------------------------------------------------------
    def decode(self, tokens, start_time: float = 0.0, end_time: float | None = None) -> list[Note]:
        """Decode token ids to notes. Notes still sounding at the end close at ``end_time`` (or the
        last time reached). Stray NOTE_OFFs and PAD/BOS are ignored, so any id sequence decodes."""
        dec = DecoderState(self, start_time)
        for t in np.asarray(tokens).tolist():
            dec.feed(int(t))
        return dec.close(end_time)


class DecoderState:
    """Incremental decoder: feed tokens one at a time (generation uses it to track time and notes)."""

    def __init__(self, tokenizer: Tokenizer, start_time: float = 0.0) -> None:
        self.tok = tokenizer
        self.steps = 0
        self.start_time = start_time
        self.track = 0
        self.velocity = tokenizer.bin_velocity(tokenizer.velocity_bin(80))
        self.open: dict[tuple[int, int], deque[tuple[int, int]]] = {}
        self.notes: list[Note] = []

    @property
    def time(self) -> float:
        return self.start_time + self.steps * self.tok.config.time_step

    def _note(self, track: int, pitch: int, on: int, off: int, velocity: int) -> Note:
        step = self.tok.config.time_step
        return Note(track, pitch, self.start_time + on * step, self.start_time + off * step, velocity)

    def feed(self, t: int) -> None:
        tok = self.tok
        if tok.note_on <= t < tok.note_off:
            self.open.setdefault((self.track, t - tok.note_on), deque()).append((self.steps, self.velocity))
        elif tok.note_off <= t < tok.time_shift:
            queue = self.open.get((self.track, t - tok.note_off))
            if queue:
                on, vel = queue.popleft()
                self.notes.append(self._note(self.track, t - tok.note_off, on, max(self.steps, on + 1), vel))
        elif tok.time_shift <= t < tok.velocity:
            self.steps += t - tok.time_shift + 1
        elif tok.velocity <= t < tok.track:
            self.velocity = tok.bin_velocity(t - tok.velocity)
        elif tok.track <= t < tok.vocab_size:
            self.track = t - tok.track

    def close(self, end_time: float | None = None) -> list[Note]:
        """All notes, those still sounding ended at ``end_time`` (default: the current time)."""
        step = self.tok.config.time_step
        end_steps = self.steps if end_time is None else int(round((end_time - self.start_time) / step))
        notes = list(self.notes)
        for (track, pitch), queue in self.open.items():
            for on, vel in queue:
                notes.append(self._note(track, pitch, on, max(end_steps, on + 1), vel))
        notes.sort(key=lambda n: (n.start, n.track, n.pitch))
        return notes
