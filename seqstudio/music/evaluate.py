"""Negative log-likelihood per event of a music model on whole sequences (validation, test, user MIDI)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from seqstudio.core.progress import Progress
from seqstudio.music.model import MusicLSTM
from seqstudio.music.tokenizer import PAD


@dataclass
class NLLResult:
    total_nats: float
    events: int

    @property
    def nll(self) -> float:
        return self.total_nats / max(self.events, 1)

    @property
    def perplexity(self) -> float:
        return math.exp(self.nll)


@torch.inference_mode()
def sequence_nll(model: MusicLSTM, sequences: list[np.ndarray], device: torch.device, batch_size: int = 32,
                 chunk: int = 1024, progress: Progress | None = None) -> NLLResult:
    """Every token after the first is predicted from all tokens before it in its own sequence.

    Sequences are batched by length and run in time chunks that carry the LSTM state, so memory stays
    bounded for long pieces and the result equals one pass over each whole sequence.
    """
    progress = progress or Progress()
    was_training = model.training
    model.eval()
    try:
        return _nll(model, sequences, device, batch_size, chunk, progress)
    finally:
        model.train(was_training)


def _nll(model: MusicLSTM, sequences: list[np.ndarray], device: torch.device, batch_size: int, chunk: int,
         progress: Progress) -> NLLResult:
    order = sorted(range(len(sequences)), key=lambda i: len(sequences[i]))
    total, count = 0.0, 0
    progress.start(len(order), "evaluating")
    for b in range(0, len(order), batch_size):
        group = [sequences[i] for i in order[b : b + batch_size] if len(sequences[i]) > 1]
        if not group:
            continue
        longest = max(len(s) for s in group)
        padded = np.full((len(group), longest), PAD, dtype=np.int64)
        for row, s in enumerate(group):
            padded[row, : len(s)] = s
        tokens = torch.from_numpy(padded).to(device)
        state = None
        for t0 in range(0, longest - 1, chunk):
            inputs = tokens[:, t0 : min(t0 + chunk, longest - 1)]
            targets = tokens[:, t0 + 1 : t0 + 1 + inputs.shape[1]]
            logits, state = model(inputs, state)
            loss = F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), targets.reshape(-1),
                                   ignore_index=PAD, reduction="sum")
            total += float(loss)
            count += int((targets != PAD).sum())
        progress.update(min(b + batch_size, len(order)))
        progress.check()
    progress.finish()
    return NLLResult(total, count)
