"""Token-by-token inference for generation: the seed is prefilled in one LSTM call, then each step
advances every variation by one token. On the CPU a fused numpy step avoids nn.LSTM's per-call cost;
on a GPU the batched torch step is already efficient."""

from __future__ import annotations

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
    def __init__(self, model: MusicLSTM) -> None:
        self.model = model.eval()
        self.fast = FastLSTMStep(model.embedding, model.lstm, model.head)

    def prefill(self, context: np.ndarray, batch: int) -> None:
        state = _prefill_state(self.model, context, batch, torch.device("cpu"))
        self.fast.reset(batch)
        if state is not None:
            self.fast.set_state(*state)

    def step(self, tokens: np.ndarray) -> np.ndarray:
        return self.fast.step(tokens)


class TorchStepper:
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


def make_stepper(model: MusicLSTM, device: torch.device):
    model.to(device)
    return CpuStepper(model) if device.type == "cpu" else TorchStepper(model, device)
