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
