"""The music model: token embedding -> stacked LSTM -> linear head over the event vocabulary."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn

State = tuple[torch.Tensor, torch.Tensor]  # (h, c), each (layers, batch, hidden)


@dataclass(frozen=True)
class MusicModelConfig:
    vocab_size: int
    embed_dim: int = 256
    hidden_size: int = 384
    num_layers: int = 3
    dropout: float = 0.1

    def __post_init__(self) -> None:
        sizes = (self.vocab_size, self.embed_dim, self.hidden_size, self.num_layers)
        if any(isinstance(v, bool) or not isinstance(v, int) for v in sizes):
            raise ValueError("vocab_size, embed_dim, hidden_size and num_layers must be integers")
        if min(sizes) < 1 or max(sizes) > 1 << 16:
            raise ValueError("vocab_size, embed_dim, hidden_size and num_layers must be between 1 and 65536")
        if isinstance(self.dropout, bool) or not isinstance(self.dropout, int | float):
            raise ValueError("dropout must be a number")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError("dropout must be in [0, 1)")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> MusicModelConfig:
        return cls(**data)


class MusicLSTM(nn.Module):
    """``forward(tokens, state) -> (logits, state)`` serves training (whole windows) and sampling.

    tokens: (batch, time) int64; logits: (batch, time, vocab). The model follows its inputs' device.
    """

    def __init__(self, config: MusicModelConfig) -> None:
        super().__init__()
        self.config = config
        self.embedding = nn.Embedding(config.vocab_size, config.embed_dim)
        self.lstm = nn.LSTM(
            config.embed_dim,
            config.hidden_size,
            num_layers=config.num_layers,
            dropout=config.dropout if config.num_layers > 1 else 0.0,
            batch_first=True,
        )
        self.drop = nn.Dropout(config.dropout)
        self.head = nn.Linear(config.hidden_size, config.vocab_size)

    def forward(self, tokens: torch.Tensor, state: State | None = None) -> tuple[torch.Tensor, State]:
        x = self.embedding(tokens)
        out, state = self.lstm(x, state)
        return self.head(self.drop(out)), state

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())
