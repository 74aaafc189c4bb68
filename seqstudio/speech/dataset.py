"""Manifest utterances -> padded batches of waveforms and CTC targets, sized by seconds of audio.

Batches are made of utterances of similar length (sorted by duration, cut so that a batch holds at
most ``batch_seconds`` of padded audio), so little compute goes to padding; their order is shuffled
per epoch by ``(seed, epoch)``. A step number alone decides its batch, so a resumed run sees exactly
the batches an uninterrupted run would.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from seqstudio.core.errors import SeqStudioError
from seqstudio.speech.audio import audio_info, load_audio
from seqstudio.speech.manifest import Utterance
from seqstudio.speech.text import CharVocab, normalize_text


@dataclass(frozen=True)
class Example:
    audio: str
    text: str  # normalised
    targets: tuple[int, ...]
    duration: float


@dataclass
class Batch:
    waveforms: torch.Tensor  # (B, samples) float32
    lengths: torch.Tensor  # (B,) samples
    targets: torch.Tensor  # (sum of target lengths,) int64, concatenated
    target_lengths: torch.Tensor  # (B,)
    texts: list[str]


def prepare(utterances: list[Utterance], vocab: CharVocab, frames_per_second: float,
            max_seconds: float | None = None, training: bool = True) -> tuple[list[Example], int]:
    """Normalise and encode each text; drop what CTC cannot learn from. Returns (examples, dropped).

    Dropped in training: empty texts, and texts with more characters (plus repeats, which need a blank
    between) than the model has output frames for the audio - CTC has no path for them. For scoring
    (``training=False``) only empty texts are dropped: an utterance the model cannot spell still counts.
    """
    out: list[Example] = []
    dropped = 0
    for u in utterances:
        text = normalize_text(u.text)
        duration = u.duration if u.duration is not None else audio_info(u.audio).duration
        if duration is None:
            raise SeqStudioError(f"{u.audio}: cannot tell its duration; add \"duration\" to the manifest")
        needed = len(text) + sum(1 for a, b in zip(text, text[1:], strict=False) if a == b)
        too_hard = needed > duration * frames_per_second - 2 or (max_seconds and duration > max_seconds)
        if not text or (training and too_hard):
            dropped += 1
            continue
        out.append(Example(str(u.audio), text, tuple(vocab.encode(text)), float(duration)))
    return out, dropped


def make_batches(examples: list[Example], batch_seconds: float, max_batch: int) -> list[list[int]]:
    """Indices grouped by similar duration; each group's padded audio is at most ``batch_seconds``."""
    order = sorted(range(len(examples)), key=lambda i: (examples[i].duration, i))
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        longest = examples[i].duration  # sorted: the newcomer is the longest
        if current and (longest * (len(current) + 1) > batch_seconds or len(current) >= max_batch):
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


class BatchSchedule:
    """Step -> batch indices: epochs of all batches, each epoch in its own seeded order."""

    def __init__(self, batches: list[list[int]], seed: int) -> None:
        if not batches:
            raise SeqStudioError("no usable training utterances")
        self.batches, self.seed = batches, seed
        self._epoch, self._order = -1, np.arange(0)

    def __len__(self) -> int:
        return len(self.batches)

    def at(self, step: int) -> list[int]:
        epoch, index = divmod(step, len(self.batches))
        if epoch != self._epoch:
            self._epoch, self._order = epoch, np.random.default_rng([self.seed, epoch]).permutation(len(self.batches))
        return self.batches[int(self._order[index])]


def collate(examples: list[Example], sample_rate: int) -> Batch:
    audios = [load_audio(e.audio, sample_rate) for e in examples]
    lengths = torch.tensor([len(a) for a in audios], dtype=torch.long)
    waveforms = torch.zeros(len(audios), int(lengths.max()) if len(audios) else 0)
    for row, audio in enumerate(audios):
        waveforms[row, : len(audio)] = torch.from_numpy(audio)
    targets = torch.tensor([t for e in examples for t in e.targets], dtype=torch.long)
    target_lengths = torch.tensor([len(e.targets) for e in examples], dtype=torch.long)
    return Batch(waveforms, lengths, targets, target_lengths, [e.text for e in examples])
