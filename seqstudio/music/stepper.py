"""Token-by-token inference for generation: the seed is prefilled, then each step advances every
variation by one token. On the CPU the numba kernel of ``seqstudio.nn.fast_step`` does both (in the
requested weight precision) and is ``fused``: generation calls it from its own compiled sampling loop.
On a GPU the batched torch step (float32) is already efficient; the prefill is one nn.LSTM call."""

from __future__ import annotations

import copy
import weakref

import numpy as np
import torch

from seqstudio.music.model import MusicLSTM
from seqstudio.nn.fast_step import FastLSTMStep


@torch.inference_mode()
def _prefill_state(model: MusicLSTM, context: np.ndarray, batch: int, device: torch.device):
    if len(context) < 2:
        return None
    tokens = torch.as_tensor(context[None, :-1], dtype=torch.long, device=device)
    _, (h, c) = model.lstm(model.embedding(tokens))
    return h.expand(-1, batch, -1).contiguous(), c.expand(-1, batch, -1).contiguous()


class CpuStepper:
    fused = True

    def __init__(self, model: MusicLSTM, precision: str = "fp32") -> None:
        self.model = model.eval()
        self.fast = _fast_step(model, precision)

    def prefill(self, context: np.ndarray, batch: int) -> None:
        self.fast.prefill(context[:-1], batch)  # the last token is the first step's input

    def step(self, tokens: np.ndarray) -> np.ndarray:
        return self.fast.step(tokens)

    def kernel_args(self) -> tuple:
        return self.fast.kernel_args()


class TorchStepper:
    fused = False

    def __init__(self, model: MusicLSTM, device: torch.device) -> None:
        self.model = model.eval()
        self.device = device
        self.state = None

    def prefill(self, context: np.ndarray, batch: int) -> None:
        self.state = _prefill_state(self.model, context, batch, self.device)

    @torch.inference_mode()
    def step(self, tokens: np.ndarray) -> np.ndarray:
        x = torch.as_tensor(tokens, dtype=torch.long, device=self.device)[:, None]
        logits, self.state = self.model(x, self.state)
        return logits[:, 0].float().cpu().numpy()


_SNAPSHOTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _fast_step(model: MusicLSTM, precision: str) -> FastLSTMStep:
    """A stepper with its own state over the kernel's weight snapshot. The snapshot is made once per model
    and precision (folding and quantizing cost tens of ms, as much as a short continuation) and made
    again when a parameter has been replaced or changed in place since (torch counts in-place writes)."""
    snapshots = _SNAPSHOTS.setdefault(model, {})
    version = tuple((id(t), t._version) for t in model.parameters())
    hit = snapshots.get(precision)
    if hit is None or hit[0] != version:
        hit = snapshots[precision] = (version, FastLSTMStep(model.embedding, model.lstm, model.head, precision))
    fast = copy.copy(hit[1])
    fast.reset(1)  # fresh state buffers: the weights are shared, read-only
    return fast


def make_stepper(model: MusicLSTM, device: torch.device, precision: str = "fp32"):
    """``precision`` ("fp32" or "int8") applies to the CPU kernel; a GPU runs the model in float32."""
    model.to(device)
    return CpuStepper(model, precision) if device.type == "cpu" else TorchStepper(model, device)
