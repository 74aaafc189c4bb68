"""CTC log-probs -> text with word timings (greedy decoding), and the error rates that score it.

Times: output frame ``t`` covers ``[offset + t * shift, offset + (t + 1) * shift)`` seconds. A character
occupies the frames of its run in the best path (blanks excluded); a word starts where its first
character's run starts and ends where its last character's run ends. CTC emits characters in short
spikes, so words come out a little shorter than they were spoken; the order and gaps are right.

WER and CER are corpus-level (total edits / total reference units), as speech papers report them,
not a mean of per-utterance rates that would let short utterances dominate.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from seqstudio.speech.formats import Word
from seqstudio.speech.text import CharVocab

if TYPE_CHECKING:  # beam search runs in processes that import no torch (decode_pool)
    import torch


@dataclass(frozen=True)
class Hypothesis:
    text: str  # single spaces between words, none at either end
    spans: tuple[tuple[int, int], ...]  # one half-open output-frame range [start, end) per character of text
    score: float  # log-probability of the best path: the sum of the chosen frames' log-probs
    words: tuple[Word, ...] = ()


def check_batch(log_probs, vocab: CharVocab, lengths, frame_shift_s: float, offset_s
                ) -> tuple[torch.Tensor, list[int], list[float]]:
    """What every CTC decoder checks and normalises first: log_probs as (B, T, V) with V = ``len(vocab)``,
    one length (in frames, default T) and one time offset per utterance. ValueError on anything else."""
    import torch

    log_probs = torch.as_tensor(log_probs)
    if log_probs.dim() == 2:
        log_probs = log_probs[None]
    if log_probs.dim() != 3 or not log_probs.is_floating_point():
        raise ValueError(f"log_probs must be a float (T, V) or (B, T, V) tensor, got shape {tuple(log_probs.shape)}")
    batch, frames, symbols = log_probs.shape
    if symbols != len(vocab):
        raise ValueError(f"log_probs has {symbols} symbols but the vocabulary has {len(vocab)}")
    if not frame_shift_s > 0:
        raise ValueError("frame_shift_s must be positive")
    if lengths is None:
        lengths_list = [frames] * batch
    else:
        lengths_list = [int(n) for n in torch.as_tensor(lengths).reshape(-1).tolist()]
        if len(lengths_list) != batch or any(not 0 <= n <= frames for n in lengths_list):
            raise ValueError(f"lengths must be {batch} values within 0..{frames}")
    offsets = [float(offset_s)] * batch if isinstance(offset_s, int | float) else [float(o) for o in offset_s]
    if len(offsets) != batch:
        raise ValueError(f"offset_s must be one value or {batch} values")
    return log_probs, lengths_list, offsets


def greedy_decode(
    log_probs: torch.Tensor,
    vocab: CharVocab,
    lengths: torch.Tensor | None = None,
    *,
    frame_shift_s: float,
    offset_s: float | Sequence[float] = 0.0,
) -> list[Hypothesis]:
    """Best-path CTC decoding: the most likely symbol per frame, repeats merged, blanks dropped.

    log_probs: (T, V) for one utterance or (B, T, V) with optional ``lengths`` (B,) in frames; V must be
    ``len(vocab)``. ``frame_shift_s`` is seconds per output frame (``SpeechModelConfig.frame_shift_s``);
    ``offset_s`` (one value, or one per utterance) is added to every time, for audio cut into chunks.
    Returns one :class:`Hypothesis` per utterance.
    """
    log_probs, lengths_list, offsets = check_batch(log_probs, vocab, lengths, frame_shift_s, offset_s)

    # One reduction on the tensor's device, then one copy: the per-run work below is on small arrays.
    best, ids = log_probs.detach().float().max(dim=-1)  # (B, T) each
    best_np, ids_np = best.cpu().numpy(), ids.cpu().numpy()
    return [
        best_path(ids_np[b, :n], best_np[b, :n], vocab, frame_shift_s, offsets[b]) for b, n in enumerate(lengths_list)
    ]


def best_path(ids: np.ndarray, best: np.ndarray, vocab: CharVocab, shift: float, offset: float) -> Hypothesis:
    """The greedy :class:`Hypothesis` of one utterance from ids, best: (T,) the argmax symbol and its
    log-prob per frame; ``shift`` seconds per frame, ``offset`` seconds added to every time."""
    score = float(best.sum(dtype=np.float64))
    if ids.size == 0:
        return Hypothesis("", (), score)
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])  # first frame of each run of one symbol
    ends = np.r_[starts[1:], ids.size]
    chars: list[str] = []
    spans: list[tuple[int, int]] = []
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        symbol = int(ids[start])
        if symbol == vocab.blank:
            continue
        char = vocab.chars[symbol - 1]
        if char == " " and (not chars or chars[-1] == " "):
            continue  # no leading or doubled spaces, so text and spans stay one-to-one
        chars.append(char)
        spans.append((start, end))
    if chars and chars[-1] == " ":
        chars.pop()
        spans.pop()
    text = "".join(chars)
    # Cumulative probabilities give each word's mean confidence without a pass per word.
    cumulative = np.r_[0.0, np.cumsum(np.exp(best.astype(np.float64)))]
    words = []
    first = 0
    for i in range(len(chars) + 1):
        if i == len(chars) or chars[i] == " ":
            if i > first:
                start, end = spans[first][0], spans[i - 1][1]
                confidence = (cumulative[end] - cumulative[start]) / (end - start)
                words.append(
                    Word(text[first:i], offset + start * shift, offset + end * shift, min(1.0, float(confidence)))
                )
            first = i + 1
    return Hypothesis(text, tuple(spans), score, tuple(words))


# -- error rates ---------------------------------------------------------------------------------


def edit_distance(ref: Sequence[Hashable], hyp: Sequence[Hashable]) -> int:
    """Levenshtein distance: the fewest substitutions, insertions and deletions turning ``ref`` into ``hyp``.

    Works on any sequences (strings for characters, lists of words); O(len(ref) * len(hyp)) time,
    O(len(hyp)) memory.
    """
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, start=1):
        current = [i]
        for j, h in enumerate(hyp, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h)))
        previous = current
    return previous[-1]


def _as_list(texts: str | Sequence[str]) -> list[str]:
    return [texts] if isinstance(texts, str) else list(texts)


def _error_rate(refs: str | Sequence[str], hyps: str | Sequence[str], units) -> float:
    refs, hyps = _as_list(refs), _as_list(hyps)
    if len(refs) != len(hyps):
        raise ValueError(f"{len(refs)} references but {len(hyps)} hypotheses")
    edits = total = 0
    for ref, hyp in zip(refs, hyps, strict=True):
        ref_units, hyp_units = units(ref), units(hyp)
        edits += edit_distance(ref_units, hyp_units)
        total += len(ref_units)
    if total == 0:
        # Only empty references: a rate relative to nothing. Perfect if nothing was said back, else unbounded.
        return 0.0 if edits == 0 else float("inf")
    return edits / total


def wer(refs: str | Sequence[str], hyps: str | Sequence[str]) -> float:
    """Word error rate over a corpus: word edits / reference words. Words are split on whitespace.

    An empty reference (silence) contributes its hypothesis words as insertions. If every reference
    is empty the result is 0.0 when every hypothesis is too, else ``inf``.
    """
    return _error_rate(refs, hyps, str.split)


def cer(refs: str | Sequence[str], hyps: str | Sequence[str]) -> float:
    """Character error rate over a corpus: character edits / reference characters, spaces included
    (whitespace runs count as one space; leading and trailing whitespace not at all). Empty
    references as in :func:`wer`."""
    return _error_rate(refs, hyps, lambda text: " ".join(text.split()))
