"""Inside an LSTM: gate activations and cell states per layer and time step, replayed from its own weights.

``nn.LSTM`` returns only the last layer's outputs and the final state; to show what each gate did at
each step we run the same equations again from the module's weights (PyTorch's gate order is
input, forget, cell candidate, output)::

    i = sigmoid(W_ii x + b_ii + W_hi h + b_hi)      how much of the new candidate is written
    f = sigmoid(W_if x + b_if + W_hf h + b_hf)      how much of the old cell is kept
    g = tanh   (W_ig x + b_ig + W_hg h + b_hg)      the candidate
    o = sigmoid(W_io x + b_io + W_ho h + b_ho)      how much of the cell is shown as output
    c' = f * c + i * g,   h' = o * tanh(c')

The replay is of the module in evaluation mode (no dropout between layers) and matches ``nn.LSTM``'s
outputs to float32 rounding. The task models are taken by duck typing (``embedding`` + ``lstm`` for
music, ``subsample`` + ``lstm`` for speech), so this module imports neither task.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

GATES = ("input", "forget", "output", "cell")  # what a view can show, in the order it offers them


@dataclass
class LayerTrace:
    """One layer's activations, each (directions, time, hidden) float32; direction 1 is the backward one,
    stored in forward time order so that step t of both directions is the same moment."""

    input: np.ndarray
    forget: np.ndarray
    candidate: np.ndarray
    output: np.ndarray
    cell: np.ndarray
    hidden: np.ndarray

    def get(self, name: str) -> np.ndarray:
        if name not in GATES + ("candidate", "hidden"):
            raise ValueError(f"unknown activation {name!r}")
        return getattr(self, name)


@dataclass
class LSTMTrace:
    layers: list[LayerTrace]
    times: np.ndarray | None = None  # (time,) seconds of each step in the input, when the caller knows them

    @property
    def steps(self) -> int:
        return self.layers[0].cell.shape[1] if self.layers else 0

    @property
    def hidden_size(self) -> int:
        return self.layers[0].cell.shape[2] if self.layers else 0

    @property
    def directions(self) -> int:
        return self.layers[0].cell.shape[0] if self.layers else 0


def _direction(lstm: nn.LSTM, layer: int, reverse: bool, x: torch.Tensor,
               start: tuple[torch.Tensor, torch.Tensor] | None = None) -> dict[str, torch.Tensor]:
    """Run one direction of one layer over x (time, input) from ``start`` = (h, c) (zeros if None); every
    result is (time, hidden)."""
    suffix = f"_l{layer}" + ("_reverse" if reverse else "")
    w_ih = getattr(lstm, "weight_ih" + suffix)
    w_hh = getattr(lstm, "weight_hh" + suffix)
    bias = torch.zeros(w_ih.shape[0], dtype=x.dtype, device=x.device)
    if lstm.bias:
        bias = getattr(lstm, "bias_ih" + suffix) + getattr(lstm, "bias_hh" + suffix)
    steps, hidden = x.shape[0], lstm.hidden_size
    order = range(steps - 1, -1, -1) if reverse else range(steps)
    projected = x @ w_ih.T + bias  # (time, 4 * hidden): the input half of every step at once
    out = {k: torch.empty(steps, hidden, dtype=x.dtype, device=x.device)
           for k in ("input", "forget", "candidate", "output", "cell", "hidden")}
    if start is None:
        h = torch.zeros(hidden, dtype=x.dtype, device=x.device)
        c = torch.zeros_like(h)
    else:
        h, c = (v.to(dtype=x.dtype, device=x.device) for v in start)
    for t in order:
        i, f, g, o = (projected[t] + w_hh @ h).chunk(4)
        i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
        c = f * c + i * g
        h = o * torch.tanh(c)
        for k, v in (("input", i), ("forget", f), ("candidate", g), ("output", o), ("cell", c), ("hidden", h)):
            out[k][t] = v
    return out


@torch.no_grad()
def trace_lstm(lstm: nn.LSTM, inputs: torch.Tensor, times: np.ndarray | None = None,
               state: tuple[torch.Tensor, torch.Tensor] | None = None) -> LSTMTrace:
    """Gates and cell states of every layer of ``lstm`` over one sequence ``inputs`` (time, input_size)
    (or (1, time, input_size)), starting from ``state``: a unidirectional LSTM's (h, c), each (layers, 1,
    hidden) or (layers, hidden) as ``nn.LSTM`` takes and returns it, or None for zeros. So a stream can be
    traced piece by piece: the next piece starts from the last step of this one's hidden and cell."""
    if not isinstance(lstm, nn.LSTM):
        raise TypeError(f"expected an nn.LSTM, got {type(lstm).__name__}")
    if lstm.proj_size:
        raise ValueError("LSTMs with projections are not supported")
    if inputs.dim() == 3:
        if inputs.shape[0] != 1:
            raise ValueError("trace one sequence at a time (batch of 1)")
        inputs = inputs[0]
    if inputs.dim() != 2 or inputs.shape[1] != lstm.input_size:
        raise ValueError(f"inputs must be (time, {lstm.input_size}), got shape {tuple(inputs.shape)}")
    if times is not None and len(times) != inputs.shape[0]:
        raise ValueError("times must give one time per input step")
    if state is not None:
        if lstm.bidirectional:
            raise ValueError("a bidirectional LSTM reads its input backwards too: it has no state to start from")
        if any(v.numel() != lstm.num_layers * lstm.hidden_size for v in state):
            raise ValueError(f"state must be one sequence's (h, c), each (layers, 1, hidden) = "
                             f"({lstm.num_layers}, 1, {lstm.hidden_size})")
        state = tuple(v.reshape(lstm.num_layers, lstm.hidden_size) for v in state)
    x = inputs.to(lstm.weight_ih_l0.dtype)
    layers = []
    directions = (False, True) if lstm.bidirectional else (False,)
    for layer in range(lstm.num_layers):
        start = None if state is None else (state[0][layer], state[1][layer])
        runs = [_direction(lstm, layer, reverse, x, start) for reverse in directions]
        arrays = {k: torch.stack([r[k] for r in runs]).float().cpu().numpy() for k in runs[0]}
        layers.append(LayerTrace(**arrays))
        x = torch.cat([r["hidden"] for r in runs], dim=1)  # the next layer reads both directions
    return LSTMTrace(layers, None if times is None else np.asarray(times, dtype=np.float64))


@torch.no_grad()
def trace_token_model(model: nn.Module, tokens: np.ndarray | torch.Tensor,
                      times: np.ndarray | None = None) -> LSTMTrace:
    """A token model (``model.embedding`` then ``model.lstm``, as the music model) over ``tokens`` (time,)."""
    weight = model.embedding.weight
    ids = torch.as_tensor(np.asarray(tokens), dtype=torch.long, device=weight.device)
    if ids.dim() != 1:
        raise ValueError("tokens must be one sequence (time,)")
    return trace_lstm(model.lstm, model.embedding(ids), times)


@torch.no_grad()
def trace_subsampled_model(model: nn.Module, features: torch.Tensor, frame_shift_s: float | None = None
                           ) -> LSTMTrace:
    """A frames model (``model.subsample`` then ``model.lstm``, as the speech model) over one utterance's
    features (frames, n_mels); the LSTM runs on the subsampled frames, so the trace has those steps."""
    if features.dim() != 2:
        raise ValueError("features must be one utterance (frames, n_mels)")
    device = next(model.parameters()).device
    feats = features.to(device=device, dtype=torch.float32)[None]
    lengths = torch.tensor([feats.shape[1]], device=device)
    x, out_lengths = model.subsample(feats, lengths)
    x = x[0, : int(out_lengths[0])]
    times = None if frame_shift_s is None else np.arange(x.shape[0]) * frame_shift_s
    return trace_lstm(model.lstm, x, times)
