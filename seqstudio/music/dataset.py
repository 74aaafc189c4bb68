"""Training windows from a built corpus, with transposition applied on the fly.

The split's sequences (each led by BOS) are packed end to end and windows are cut at uniformly random
offsets, so every token of the split is equally likely to be trained on — short folk tunes as much as
long masses. A window may cross into the next piece; the BOS there tells the model a new piece begins.
A batch depends only on (seed, step), so a resumed run sees exactly the batches it would have seen.
"""

from __future__ import annotations

import numpy as np

from seqstudio.music.corpus import Split
from seqstudio.music.tokenizer import PAD, Tokenizer


class WindowSampler:
    def __init__(self, split: Split, tokenizer: Tokenizer, seq_len: int, transpose: int, seed: int) -> None:
        if len(split.tokens) < 2:
            raise ValueError("the training split is empty")
        if seed < 0:
            raise ValueError("the seed must be non-negative")
        self.tokens = split.tokens
        self.tok = tokenizer
        self.seq_len = seq_len
        self.transpose = transpose
        self.seed = seed

    def batch(self, step: int, batch_size: int) -> np.ndarray:
        """(batch, seq_len + 1) int64 windows; inputs are [:, :-1], targets [:, 1:]."""
        rng = np.random.default_rng([self.seed, step])
        width = self.seq_len + 1
        if len(self.tokens) >= width:
            starts = rng.integers(0, len(self.tokens) - width + 1, size=batch_size)
            out = self.tokens[starts[:, None] + np.arange(width)].astype(np.int64)
        else:  # a corpus shorter than one window: the whole of it, padded
            out = np.full((batch_size, width), PAD, dtype=np.int64)
            out[:, : len(self.tokens)] = self.tokens
        shifts = rng.integers(-self.transpose, self.transpose + 1, size=batch_size)
        return transpose(out, shifts, self.tok)


def transpose(batch: np.ndarray, shifts: np.ndarray, tok: Tokenizer) -> np.ndarray:
    """Shift every NOTE_ON/NOTE_OFF of row i by shifts[i] semitones; rows that would leave 0..127 stay put."""
    out = batch.copy()
    for lo in (tok.note_on, tok.note_off):
        is_note = (out >= lo) & (out < lo + 128)
        moved = np.where(is_note, out - lo, 0) + shifts[:, None]
        ok = np.all(~is_note | ((moved >= 0) & (moved < 128)), axis=1)
        shifts = np.where(ok, shifts, 0)
    for lo in (tok.note_on, tok.note_off):
        is_note = (out >= lo) & (out < lo + 128)
        out = np.where(is_note, out + shifts[:, None], out)
    return out


class StreamSampler:
    """Contiguous streams for truncated backpropagation through time with the LSTM state carried on.

    Row ``b`` of every batch walks its own endless stream: the train split's pieces in a random order
    (a new order each pass), each piece transposed by its own random shift. Step ``s`` returns tokens
    ``[s * seq_len, (s + 1) * seq_len]`` of every stream, so the state left by one step is the right
    start for the next, and the model learns from context longer than one window — as it is used when
    scoring or continuing a whole piece. Like ``WindowSampler``, a batch depends only on (seed, step).
    """

    def __init__(self, split: Split, tokenizer: Tokenizer, seq_len: int, transpose: int, seed: int) -> None:
        if len(split) < 1 or len(split.tokens) < 2:
            raise ValueError("the training split is empty")
        if seed < 0:
            raise ValueError("the seed must be non-negative")
        self.split = split
        self.lengths = np.diff(split.offsets)
        self.total = int(self.lengths.sum())
        self.tok = tokenizer
        self.seq_len = seq_len
        self.transpose = transpose
        self.seed = seed
        self._orders: dict[tuple[int, int], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}  # (row, pass)
        self._low, self._high = _pitch_ranges(split, tokenizer)

    def _order(self, row: int, cycle: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(pieces in order, their start positions in the pass, their shifts) for one pass of one row."""
        key = (row, cycle)
        if key not in self._orders:
            # a row needs at most its current pass and the next (a window may straddle them): forget older ones
            for old in [k for k in self._orders if k[0] == row and not cycle - 1 <= k[1] <= cycle + 1]:
                del self._orders[old]
            rng = np.random.default_rng([self.seed, row, cycle, 7])
            order = rng.permutation(len(self.lengths)).astype(np.int32)
            starts = np.concatenate([[0], np.cumsum(self.lengths[order])[:-1]])
            shifts = rng.integers(-self.transpose, self.transpose + 1, size=len(order)).astype(np.int8)
            # a piece that a shift would push out of 0..127 stays where it is, every part of it alike
            fits = (self._low[order] + shifts >= 0) & (self._high[order] + shifts <= 127)
            shifts = np.where(fits, shifts, 0)
            self._orders[key] = (order, starts, shifts)
        return self._orders[key]

    def _stream(self, row: int, begin: int, width: int) -> np.ndarray:
        out = np.empty(width, dtype=np.int64)
        filled, pos = 0, begin
        while filled < width:
            cycle, at = divmod(pos, self.total)
            order, starts, shifts = self._order(row, cycle)
            k = int(np.searchsorted(starts, at, side="right")) - 1
            piece = int(order[k])
            within = at - int(starts[k])
            take = min(int(self.lengths[piece]) - within, width - filled)
            first = int(self.split.offsets[piece]) + within
            chunk = self.split.tokens[first : first + take].astype(np.int64)[None, :]
            out[filled : filled + take] = transpose(chunk, shifts[k : k + 1], self.tok)[0]
            filled += take
            pos += take
        return out

    def batch(self, step: int, batch_size: int) -> np.ndarray:
        """(batch, seq_len + 1) int64; row b continues row b of step - 1 (inputs [:, :-1], targets [:, 1:])."""
        begin = step * self.seq_len
        return np.stack([self._stream(row, begin, self.seq_len + 1) for row in range(batch_size)])


def _pitch_ranges(split: Split, tok: Tokenizer) -> tuple[np.ndarray, np.ndarray]:
    """Lowest and highest NOTE_ON/NOTE_OFF pitch of every piece (127 and 0 for a piece without notes)."""
    low = np.full(len(split), 127, dtype=np.int64)
    high = np.zeros(len(split), dtype=np.int64)
    for i in range(len(split)):  # piece by piece: no copy of the whole split at a wider type
        piece = split.sequence(i)
        pitch = piece[(piece >= tok.note_on) & (piece < tok.note_off + 128)] - tok.note_on
        if len(pitch):
            pitch = np.where(pitch >= 128, pitch - 128, pitch)
            low[i], high[i] = pitch.min(), pitch.max()
    return low, high
