"""The speech model: log-mel frames -> conv subsampling -> stacked (Bi)LSTM -> linear -> CTC log-probs.

``SpeechLSTM.forward(features (batch, frames, n_mels), lengths (batch,))`` returns ``log_probs
(batch, out_frames, vocab_size)`` and ``out_lengths (batch,)``, with ``out_frames = ceil(frames / s)``
for the subsampling factor ``s``. Every stage keeps padding out of valid frames (the conv stack masks
its outputs, the LSTM runs over packed sequences), so a batch gives what each utterance gives alone.
The unidirectional variant (``bidirectional=False``) is the same code; its conv stack looks no further
ahead than the end of the current ``s``-frame block, so it can stream.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

SUBSAMPLING_FACTORS = (2, 4, 8)  # one stride-2 conv layer per factor of two


@dataclass(frozen=True)
class SpeechModelConfig:
    vocab_size: int  # blank + characters; len(CharVocab) (29 for the default English one)
    n_mels: int = 80  # must match the FeatureConfig the model is fed
    conv_channels: int = 32
    subsampling: int = 4  # 10 ms feature frames -> 40 ms output frames: CTC needs no finer, the LSTM runs 4x less
    hidden_size: int = 320  # per direction
    num_layers: int = 4
    bidirectional: bool = True  # False: the streaming variant
    dropout: float = 0.1

    def __post_init__(self) -> None:
        sizes = {
            "vocab_size": self.vocab_size,
            "n_mels": self.n_mels,
            "conv_channels": self.conv_channels,
            "hidden_size": self.hidden_size,
            "num_layers": self.num_layers,
            "subsampling": self.subsampling,
        }
        for name, value in sizes.items():
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{name} must be an integer, got {value!r}")
            if not 1 <= value <= 1 << 16:
                raise ValueError(f"{name} must be between 1 and 65536, got {value}")
        if self.vocab_size < 2:
            raise ValueError("vocab_size must be at least 2: the blank and one character")
        if self.subsampling not in SUBSAMPLING_FACTORS:
            raise ValueError(f"subsampling must be one of {SUBSAMPLING_FACTORS}, got {self.subsampling}")
        if not isinstance(self.bidirectional, bool):
            raise ValueError("bidirectional must be True or False")
        if isinstance(self.dropout, bool) or not isinstance(self.dropout, int | float):
            raise ValueError("dropout must be a number")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError("dropout must be in [0, 1)")

    @property
    def conv_layers(self) -> int:
        return self.subsampling.bit_length() - 1

    @property
    def conv_out_features(self) -> int:
        """Width of one frame after the conv stack: channels x mel bands left after halving per layer."""
        bands = self.n_mels
        for _ in range(self.conv_layers):
            bands = (bands + 1) // 2
        return self.conv_channels * bands

    def subsampled_length(self, lengths: torch.Tensor | int) -> torch.Tensor | int:
        """Output frames for ``lengths`` input frames (an int or an integer tensor): ``ceil(lengths / s)``.

        Each kernel-3, stride-2, padding-1 conv maps L frames to ceil(L / 2), and ceil(ceil(L / 2) / 2)
        = ceil(L / 4), so the whole stack is one ceiling division. 0 stays 0.
        """
        return (lengths + self.subsampling - 1) // self.subsampling

    def frame_shift_s(self, feature_hop_s: float) -> float:
        """Seconds per output frame, given seconds per feature frame (``FeatureConfig.hop_ms / 1000``)."""
        return self.subsampling * feature_hop_s

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> SpeechModelConfig:
        unknown = set(data) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown speech model settings: {', '.join(sorted(unknown))}")
        return cls(**data)


@dataclass(frozen=True)
class StreamState:
    """Where :meth:`SpeechLSTM.step` stopped: the last block of input frames and the LSTM's (h, c)."""

    context: torch.Tensor | None = None
    lstm: tuple[torch.Tensor, torch.Tensor] | None = None


def _time_mask(lengths: torch.Tensor, frames: int) -> torch.Tensor:
    """(batch, 1, frames, 1) float: 1 on valid frames, 0 on padding, to multiply a (B, C, T, F) map."""
    valid = torch.arange(frames, device=lengths.device)[None, :] < lengths[:, None]
    return valid[:, None, :, None].to(torch.float32)


class ConvSubsampling(nn.Module):
    """``forward(features (B, T, n_mels), lengths (B,)) -> (frames (B, ceil(T / s), conv_out_features), lengths)``.

    Stride-2 3x3 convolutions over (time, mel). Each layer's output is zeroed past the valid length,
    because the next layer's kernel reaches one frame beyond it: in a batch that frame would otherwise
    be padding garbage, where an utterance alone sees the conv's own zero padding.
    """

    def __init__(self, config: SpeechModelConfig) -> None:
        super().__init__()
        self.config = config
        layers: list[nn.Module] = []
        in_channels = 1
        for _ in range(config.conv_layers):
            layers.append(nn.Conv2d(in_channels, config.conv_channels, kernel_size=3, stride=2, padding=1))
            in_channels = config.conv_channels
        self.convs = nn.ModuleList(layers)

    def forward(self, features: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = features[:, None, :, :]  # (B, 1, T, n_mels)
        x = x * _time_mask(lengths, x.shape[2]).to(x.dtype)
        for conv in self.convs:
            x = torch.relu(conv(x))  # (B, C, ceil(T / 2), ceil(F / 2))
            lengths = (lengths + 1) // 2
            x = x * _time_mask(lengths, x.shape[2]).to(x.dtype)
        batch, channels, frames, bands = x.shape
        return x.permute(0, 2, 1, 3).reshape(batch, frames, channels * bands), lengths


class SpeechLSTM(nn.Module):
    """CTC acoustic model; see the module docstring for shapes.

    Submodules are ``subsample``, ``lstm`` and ``head``: a view of the LSTM's activations can register a
    forward hook on ``lstm`` (its output is a ``PackedSequence``), which costs nothing when nobody does.
    The model never picks a device: it runs where its parameters and inputs are.
    """

    def __init__(self, config: SpeechModelConfig) -> None:
        super().__init__()
        self.config = config
        self.subsample = ConvSubsampling(config)
        self.lstm = nn.LSTM(
            config.conv_out_features,
            config.hidden_size,
            num_layers=config.num_layers,
            dropout=config.dropout if config.num_layers > 1 else 0.0,
            bidirectional=config.bidirectional,
            batch_first=True,
        )
        self.drop = nn.Dropout(config.dropout)
        self.head = nn.Linear(config.hidden_size * (2 if config.bidirectional else 1), config.vocab_size)

    def forward(self, features: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """features (B, T, n_mels) float, lengths (B,) integer in 0..T -> (log_probs (B, T', V), out_lengths (B,)).

        ``T' = ceil(T / subsampling)``; ``out_lengths`` is on ``lengths``' device. Frames at and past an
        utterance's out_length are padding: their values mean nothing (CTC loss and decoders skip them).
        An utterance with 0 frames gets 0 output frames.
        """
        cfg = self.config
        if features.dim() != 3 or features.shape[2] != cfg.n_mels:
            raise ValueError(f"features must be (batch, frames, {cfg.n_mels}), got shape {tuple(features.shape)}")
        batch, frames, _ = features.shape
        if lengths.shape != (batch,) or lengths.is_floating_point() or lengths.is_complex():
            raise ValueError(f"lengths must be an integer tensor of shape ({batch},), got {tuple(lengths.shape)}")
        if batch and (int(lengths.min()) < 0 or int(lengths.max()) > frames):
            raise ValueError(f"lengths must be within 0..{frames}")
        out_lengths = cfg.subsampled_length(lengths)
        out_frames = cfg.subsampled_length(frames)
        if batch == 0 or out_frames == 0:  # a conv over zero frames is an error, and there is nothing to do
            empty = features.new_zeros(batch, out_frames, cfg.vocab_size)
            return empty, out_lengths

        x, conv_lengths = self.subsample(features, lengths.to(features.device))  # (B, T', conv_out_features)
        # Packing is what keeps padding out of the backward direction; it needs lengths >= 1 on the CPU.
        # An empty utterance runs over one zeroed frame whose output nobody reads.
        packed = pack_padded_sequence(x, conv_lengths.clamp_min(1).cpu(), batch_first=True, enforce_sorted=False)
        out, _ = self.lstm(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=out_frames)  # (B, T', H * directions)
        logits = self.head(self.drop(out))  # (B, T', V)
        return torch.log_softmax(logits.float(), dim=-1), out_lengths  # float32: CTC under AMP needs it

    @torch.no_grad()
    def step(self, features: torch.Tensor, state: StreamState | None = None, *, final: bool = False
             ) -> tuple[torch.Tensor, StreamState]:
        """The unidirectional model over the next piece of a stream: what ``forward`` gives those frames.

        ``features`` (B, T, n_mels): the next frames of B streams, T a multiple of the subsampling factor ``s``
        except in the ``final`` piece; ``state``: what the previous piece returned (None at the start).
        Returns ``log_probs (B, ceil(T / s), V)`` and the state for the next piece. The conv stack reaches
        ``s - 1`` frames back, so the state keeps the last block of input beside the LSTM's (h, c).
        """
        cfg = self.config
        if cfg.bidirectional:
            raise ValueError("a bidirectional model reads each utterance backwards too: it cannot stream")
        if features.dim() != 3 or features.shape[2] != cfg.n_mels:
            raise ValueError(f"features must be (batch, frames, {cfg.n_mels}), got shape {tuple(features.shape)}")
        batch, frames, _ = features.shape
        if frames % cfg.subsampling and not final:
            raise ValueError(f"a piece that is not the last must be whole blocks of {cfg.subsampling} frames")
        state = state or StreamState()
        if frames == 0:
            return features.new_zeros(batch, 0, cfg.vocab_size), state
        window = features if state.context is None else torch.cat([state.context, features], dim=1)
        skip = 0 if state.context is None else 1  # output frames of the context block, computed last time
        lengths = torch.full((batch,), window.shape[1], dtype=torch.long, device=features.device)
        x, _ = self.subsample(window, lengths)
        out, lstm_state = self.lstm(x[:, skip:], state.lstm)
        log_probs = torch.log_softmax(self.head(out).float(), dim=-1)
        return log_probs, StreamState(context=features[:, frames - cfg.subsampling:] if frames >= cfg.subsampling
                                      else None, lstm=lstm_state)

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())


def forward_direction(state: dict[str, torch.Tensor], config: SpeechModelConfig) -> dict[str, torch.Tensor]:
    """The weights of the unidirectional model ``config`` taken from a bidirectional one's ``state`` (same sizes
    otherwise): its conv stack, its LSTM's forward direction, and the forward half of its output layer.

    A warm start for a streaming model: above the first layer, each forward cell also read the backward
    direction's output, and the head read both; those columns are dropped. The result computes exactly what
    the bidirectional model computes when its backward direction outputs zeros (tested), and fine-tuning
    teaches it to do without.
    """
    if config.bidirectional:
        raise ValueError("forward_direction makes a unidirectional model's weights")
    hidden = config.hidden_size
    out: dict[str, torch.Tensor] = {}
    for name, value in state.items():
        if name.startswith("lstm.") and name.endswith("_reverse"):
            continue
        if name.startswith("lstm.weight_ih_l") and name != "lstm.weight_ih_l0":
            value = value[:, :hidden]  # the columns that read the forward output of the layer below
        elif name == "head.weight":
            value = value[:, :hidden]
        out[name] = value.clone()
    return out
