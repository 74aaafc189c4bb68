"""Training windows from a built corpus, with transposition applied on the fly.

A batch depends only on (seed, step), so a resumed run sees exactly the batches it would have seen.
"""

from __future__ import annotations

import numpy as np

from seqstudio.music.corpus import Split
from seqstudio.music.tokenizer import PAD, Tokenizer


class WindowSampler:
    def __init__(self, split: Split, tokenizer: Tokenizer, seq_len: int, transpose: int, seed: int) -> None:
        if len(split) == 0:
            raise ValueError("the training split is empty")
        self.split = split
        self.tok = tokenizer
        self.seq_len = seq_len
        self.transpose = transpose
        self.seed = seed
        lengths = np.diff(split.offsets)
        # a sequence is drawn in proportion to the windows it holds, so every token is equally likely
        self.weights = np.maximum(lengths - seq_len, 1).astype(np.float64)
        self.weights /= self.weights.sum()
        self.lengths = lengths

    def batch(self, step: int, batch_size: int) -> np.ndarray:
        """(batch, seq_len + 1) int64 windows; inputs are [:, :-1], targets [:, 1:]; PAD-filled tails."""
        rng = np.random.default_rng([self.seed, step])
        seqs = rng.choice(len(self.lengths), size=batch_size, p=self.weights)
        out = np.full((batch_size, self.seq_len + 1), PAD, dtype=np.int64)
        for row, i in enumerate(seqs):
            n = self.lengths[i]
            start = int(rng.integers(0, max(n - self.seq_len - 1, 0) + 1))
            window = self.split.tokens[self.split.offsets[i] + start : self.split.offsets[i] + min(n, start + self.seq_len + 1)]
            out[row, : len(window)] = window
        shifts = rng.integers(-self.transpose, self.transpose + 1, size=batch_size)
        return transpose(out, shifts, self.tok)


def transpose(batch: np.ndarray, shifts: np.ndarray, tok: Tokenizer) -> np.ndarray:
    """Shift every NOTE_ON/NOTE_OFF of row i by shifts[i] semitones; rows that would leave 0..127 stay put."""
    out = batch.copy()
    for lo in (tok.note_on, tok.note_off):
        is_note = (out >= lo) & (out < lo + 128)
        pitch = np.where(is_note, out - lo, 0)
        moved = pitch + shifts[:, None]
        ok = np.all(~is_note | ((moved >= 0) & (moved < 128)), axis=1)
        shifts = np.where(ok, shifts, 0)
    for lo in (tok.note_on, tok.note_off):
        is_note = (out >= lo) & (out < lo + 128)
        out = np.where(is_note, out + shifts[:, None], out)
    return out
