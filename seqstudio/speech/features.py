"""Waveforms -> normalised log-mel frames, and SpecAugment masking for training.

Normalisation (``FeatureConfig.normalize``) is one of:

- ``"utterance"`` (the default): each band's mean and variance over the utterance's valid frames. It needs
  the whole utterance, which a bidirectional model needs anyway.
- ``"online"``: causal, for the streaming model. Frame ``t`` is normalised with the mean and variance of the
  last ``norm_window`` frames up to and including ``t``, blended with a prior worth ``prior_frames`` frames:
  the training set's per-band mean and standard deviation (``prior_mean``, ``prior_std``, measured by
  ``seqstudio train speech --streaming``). This is Kaldi's online CMVN: the prior carries the first frames,
  the utterance's own statistics take over within a second. A frame never depends on later audio, so a
  stream fed in pieces (:class:`OnlineNormalizer`) gives what the whole file gives.
- ``"none"``: raw log-mel (for views).

Frames are not centred (no padding at either end, like Kaldi's ``snip_edges``): every valid frame then
sees only its own utterance's samples, so zero-padding a batch cannot change any valid frame, and a
batch gives exactly what each utterance gives alone. The price is that an utterance shorter than one
window (25 ms) has no frames.

Shapes: waveforms (batch, samples) and lengths (batch,) in samples -> features (batch, frames, n_mels)
and frame_lengths (batch,). Features are float32 whatever the input dtype (an STFT in half precision
loses the quiet bands) and live on the input's device.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace

import torch
import torchaudio
from torch import nn

NORMALIZATIONS = ("utterance", "online", "none")


@dataclass(frozen=True)
class FeatureConfig:
    sample_rate: int = 16000
    n_mels: int = 80
    win_ms: float = 25.0  # window length; 400 samples at 16 kHz
    hop_ms: float = 10.0  # frame step; 160 samples at 16 kHz
    n_fft: int | None = None  # None: the window length
    f_min: float = 0.0
    f_max: float | None = 8000.0  # None: Nyquist
    log_floor: float = 1e-6  # mel power is clamped here before the log, so digital silence stays finite
    normalize: str = "utterance"  # "utterance", "online" (causal, for streaming) or "none"; True/False are read
    # as "utterance"/"none" (the configs written before "online" existed)
    norm_window: int = 600  # "online": frames of the utterance's own statistics (6 s at a 10-ms hop)
    prior_frames: int = 100  # "online": how many frames the prior is worth
    prior_mean: tuple[float, ...] | None = None  # "online": per-band mean of the training set's log-mel
    prior_std: tuple[float, ...] | None = None  # "online": per-band standard deviation

    def __post_init__(self) -> None:
        legacy = {True: "utterance", False: "none"}
        if isinstance(self.normalize, bool):
            object.__setattr__(self, "normalize", legacy[self.normalize])
        if self.normalize not in NORMALIZATIONS:
            raise ValueError(f"normalize must be one of {', '.join(NORMALIZATIONS)}, got {self.normalize!r}")
        for name in ("prior_mean", "prior_std"):
            value = getattr(self, name)
            if value is not None:
                value = tuple(round(float(v), 5) for v in value)  # as JSON keeps them: written, read back equal
                object.__setattr__(self, name, value)
                if len(value) != self.n_mels or not all(math.isfinite(v) for v in value):
                    raise ValueError(f"{name} must hold {self.n_mels} finite numbers, one per mel band")
        if self.prior_std is not None and min(self.prior_std) <= 0:
            raise ValueError("prior_std must be positive")
        if self.normalize == "online":
            if self.prior_mean is None or self.prior_std is None:
                raise ValueError('normalize="online" needs prior_mean and prior_std (the training set\'s statistics)')
            if self.norm_window < 1 or self.prior_frames < 1:
                raise ValueError("norm_window and prior_frames must be at least 1")
        if self.sample_rate < 1000 or self.n_mels < 1:
            raise ValueError("sample_rate must be >= 1000 Hz and n_mels >= 1")
        if not (self.win_ms > 0 and self.hop_ms > 0) or self.win_length < 2 or self.hop_length < 1:
            raise ValueError("win_ms and hop_ms must be positive and give at least 2 and 1 samples")
        if self.fft_size < self.win_length:
            raise ValueError("n_fft must be at least the window length")
        if self.n_mels > self.fft_size // 2 + 1:
            raise ValueError(f"n_mels={self.n_mels} is more than the {self.fft_size // 2 + 1} FFT bins")
        nyquist = self.sample_rate / 2
        f_max = nyquist if self.f_max is None else self.f_max
        if not 0 <= self.f_min < f_max <= nyquist:
            raise ValueError(f"need 0 <= f_min < f_max <= {nyquist:g} Hz (the Nyquist frequency)")
        if not self.log_floor > 0:
            raise ValueError("log_floor must be positive")

    @property
    def win_length(self) -> int:
        return int(round(self.win_ms * self.sample_rate / 1000))

    @property
    def hop_length(self) -> int:
        return int(round(self.hop_ms * self.sample_rate / 1000))

    @property
    def fft_size(self) -> int:
        return self.win_length if self.n_fft is None else self.n_fft

    def num_frames(self, samples: torch.Tensor) -> torch.Tensor:
        """How many whole frames fit in ``samples`` (any integer tensor); 0 below one window."""
        frames = torch.div(samples - self.fft_size, self.hop_length, rounding_mode="floor") + 1
        return frames.clamp_min(0)

    @property
    def streamable(self) -> bool:
        """Whether a frame's features depend on earlier audio only."""
        return self.normalize != "utterance"

    def to_dict(self) -> dict:
        data = asdict(self)
        for name in ("prior_mean", "prior_std"):  # as JSON reads them back
            if data[name] is not None:
                data[name] = list(data[name])
        return data

    @classmethod
    def from_dict(cls, data: dict) -> FeatureConfig:
        return cls(**data)

    def online(self, mean: Sequence[float], std: Sequence[float]) -> FeatureConfig:
        """This config normalised online, with the prior's per-band mean and standard deviation of raw log-mel."""
        return replace(self, normalize="online", prior_mean=tuple(mean), prior_std=tuple(std))


def _valid_mask(frame_lengths: torch.Tensor, frames: int) -> torch.Tensor:
    """(batch, frames) bool: True where a frame belongs to its utterance, False in padding."""
    return torch.arange(frames, device=frame_lengths.device)[None, :] < frame_lengths[:, None]


class LogMel(nn.Module):
    """``forward(waveforms, lengths) -> (features, frame_lengths)``, see the module docstring for shapes.

    A thin wrapper over ``torchaudio.transforms.MelSpectrogram``, whose window and filterbank are
    buffers, so ``.to(device)`` moves them; it has no parameters and nothing to save.
    """

    def __init__(self, config: FeatureConfig | None = None) -> None:
        super().__init__()
        self.config = config = config or FeatureConfig()
        self.mel = torchaudio.transforms.MelSpectrogram(
            sample_rate=config.sample_rate,
            n_fft=config.fft_size,
            win_length=config.win_length,
            hop_length=config.hop_length,
            f_min=config.f_min,
            f_max=config.f_max,
            n_mels=config.n_mels,
            power=2.0,
            center=False,
            norm=None,  # spelled out: a changed library default would silently change trained features
            mel_scale="htk",
        )

    def forward(
        self, waveforms: torch.Tensor, lengths: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        if waveforms.dim() != 2:
            raise ValueError(f"waveforms must be (batch, samples), got shape {tuple(waveforms.shape)}")
        batch, samples = waveforms.shape
        if lengths is None:
            lengths = torch.full((batch,), samples, dtype=torch.long, device=waveforms.device)
        if lengths.shape != (batch,) or lengths.is_floating_point():
            raise ValueError(f"lengths must be an integer tensor of shape ({batch},), got {tuple(lengths.shape)}")
        if batch and (int(lengths.min()) < 0 or int(lengths.max()) > samples):
            raise ValueError(f"lengths must be within 0..{samples}")
        lengths = lengths.to(waveforms.device)
        frame_lengths = self.config.num_frames(lengths)
        x = waveforms.to(torch.float32)
        if samples < self.config.fft_size:  # the STFT needs one whole window; such frames are all padding
            x = nn.functional.pad(x, (0, self.config.fft_size - samples))
        features = self.raw(x)  # (batch, frames, n_mels)
        valid = _valid_mask(frame_lengths, features.shape[1])[:, :, None]  # (batch, frames, 1)
        if self.config.normalize == "utterance":
            count = frame_lengths.clamp_min(1).to(features.dtype)[:, None, None]
            mean = (features * valid).sum(dim=1, keepdim=True) / count
            centred = (features - mean) * valid
            var = (centred * centred).sum(dim=1, keepdim=True) / count
            features = centred * torch.rsqrt(var + 1e-5)
        elif self.config.normalize == "online":
            features = online_normalize(features, self.config) * valid  # causal: padding cannot reach back
        else:
            features = features * valid
        return features, frame_lengths

    def raw(self, waveforms: torch.Tensor) -> torch.Tensor:
        """(batch, samples) float32 -> (batch, frames, n_mels) log-mel before normalisation, every whole window."""
        power = self.mel(waveforms)  # (batch, n_mels, frames)
        return torch.log(power.clamp_min(self.config.log_floor)).transpose(1, 2)


def online_normalize(raw: torch.Tensor, config: FeatureConfig, history: torch.Tensor | None = None) -> torch.Tensor:
    """Causal CMVN (see the module docstring) of raw log-mel ``raw`` (batch, frames, n_mels).

    ``history`` (batch, h, n_mels): in a stream, the raw frames just before ``raw``, all of them or the last
    ``norm_window - 1`` at least; a whole utterance has none. Sums run in float64: over an hour of frames,
    float32 prefix sums would lose the window's statistics.
    """
    window = config.norm_window
    batch, frames, bands = raw.shape
    past = 0 if history is None else min(history.shape[1], window - 1)
    x = raw.double()
    if past:
        x = torch.cat([history[:, history.shape[1] - past:].double(), x], dim=1)
    zero = x.new_zeros(batch, 1, bands)
    s1 = torch.cat([zero, x.cumsum(dim=1)], dim=1)  # s1[:, k]: the sum of the first k frames of x
    s2 = torch.cat([zero, (x * x).cumsum(dim=1)], dim=1)
    ends = torch.arange(past + 1, past + frames + 1, device=raw.device)  # one past each new frame, in x
    starts = (ends - window).clamp_min(0)
    count = (ends - starts).double()[None, :, None]
    prior = float(config.prior_frames)
    mean_p = torch.tensor(config.prior_mean, dtype=torch.float64, device=raw.device)
    std_p = torch.tensor(config.prior_std, dtype=torch.float64, device=raw.device)
    mean = (s1[:, ends] - s1[:, starts] + prior * mean_p) / (count + prior)
    second = (s2[:, ends] - s2[:, starts] + prior * (std_p * std_p + mean_p * mean_p)) / (count + prior)
    var = (second - mean * mean).clamp_min(0.0)
    return ((x[:, past:] - mean) * torch.rsqrt(var + 1e-5)).to(raw.dtype)


class OnlineNormalizer:
    """Log-mel features of a stream fed in pieces of any size, equal to what :class:`LogMel` gives the whole.

    ``push(samples (n,)) -> features (frames, n_mels)``: the frames whose window is complete so far, normalised
    causally (``"online"``) or not at all (``"none"``). Keeps the samples of the next window's start and the
    last ``norm_window - 1`` raw frames: memory stays flat however long the stream.
    """

    def __init__(self, frontend: LogMel) -> None:
        if not frontend.config.streamable:
            raise ValueError('per-utterance normalisation needs the whole utterance: it cannot stream')
        self.frontend = frontend
        self.config = frontend.config
        self.reset()

    def reset(self) -> None:
        device = self.frontend.mel.spectrogram.window.device
        self._samples = torch.zeros(0, device=device)
        self._history = torch.zeros(1, 0, self.config.n_mels, device=device)
        self.frames = 0  # frames given out so far

    def push(self, samples: torch.Tensor) -> torch.Tensor:
        cfg = self.config
        buffer = torch.cat([self._samples, samples.to(self._samples.device, torch.float32).reshape(-1)])
        count = int(cfg.num_frames(torch.tensor(buffer.numel())))
        if count == 0:
            self._samples = buffer
            return buffer.new_zeros(0, cfg.n_mels)
        used = (count - 1) * cfg.hop_length + cfg.fft_size
        raw = self.frontend.raw(buffer[None, :used])  # (1, count, n_mels)
        self._samples = buffer[count * cfg.hop_length:]
        if cfg.normalize == "online":
            features = online_normalize(raw, cfg, self._history)
            history = torch.cat([self._history, raw], dim=1)
            self._history = history[:, max(0, history.shape[1] - (cfg.norm_window - 1)):]
        else:
            features = raw
        self.frames += count
        return features[0]


@dataclass(frozen=True)
class SpecAugmentConfig:
    """Defaults follow the LibriSpeech "LD" policy of Park et al. (2019), with the time masks capped
    at a fraction of each utterance so that a short one is never wiped out."""

    freq_masks: int = 2
    freq_width: int = 27  # a frequency mask covers 0..freq_width mel bands
    time_masks: int = 2
    time_width: int = 100  # a time mask covers 0..time_width frames ...
    time_fraction: float = 0.2  # ... and at most this fraction of the utterance's valid frames

    def __post_init__(self) -> None:
        if min(self.freq_masks, self.freq_width, self.time_masks, self.time_width) < 0:
            raise ValueError("mask counts and widths must be >= 0")
        if not 0.0 <= self.time_fraction <= 1.0:
            raise ValueError("time_fraction must be in [0, 1]")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> SpecAugmentConfig:
        return cls(**data)


def _band_masks(
    count: int, max_width: torch.Tensor, extent: torch.Tensor, size: int, generator: torch.Generator | None
) -> torch.Tensor:
    """(batch, size) bool: the union of ``count`` bands per row, each of width 0..max_width placed
    uniformly inside 0..extent. Drawn on the CPU so a seeded generator gives the same masks on any device."""
    batch = extent.shape[0]
    if count == 0 or size == 0:
        return torch.zeros(batch, size, dtype=torch.bool)
    u = torch.rand(batch, count, 2, generator=generator, dtype=torch.float64)
    width = torch.floor(u[..., 0] * (max_width[:, None] + 1))
    start = torch.floor(u[..., 1] * (extent[:, None] - width + 1))
    pos = torch.arange(size, dtype=torch.float64)[None, None, :]
    return ((pos >= start[..., None]) & (pos < (start + width)[..., None])).any(dim=1)


class SpecAugment(nn.Module):
    """Time and frequency masking of normalised features, in training mode only (an identity in eval).

    ``forward(features (batch, frames, n_mels), frame_lengths (batch,), generator=None) -> features``.
    Masked cells are set to 0, the mean of normalised features; frames past an utterance's length are
    never touched, so padding stays what it was.
    """

    def __init__(self, config: SpecAugmentConfig | None = None) -> None:
        super().__init__()
        self.config = config or SpecAugmentConfig()

    def forward(
        self, features: torch.Tensor, frame_lengths: torch.Tensor, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        if not self.training:
            return features
        if features.dim() != 3 or frame_lengths.shape != features.shape[:1]:
            raise ValueError("features must be (batch, frames, n_mels) and frame_lengths (batch,)")
        cfg = self.config
        batch, frames, bands = features.shape
        lengths = frame_lengths.detach().to("cpu", torch.float64).clamp(0, frames)
        time_width = torch.minimum(torch.full_like(lengths, cfg.time_width), torch.floor(cfg.time_fraction * lengths))
        in_time = _band_masks(cfg.time_masks, time_width, lengths, frames, generator)  # (batch, frames)
        band_extent = torch.full_like(lengths, bands)
        freq_width = torch.full_like(lengths, min(cfg.freq_width, bands))
        in_freq = _band_masks(cfg.freq_masks, freq_width, band_extent, bands, generator)  # (batch, bands)
        valid = torch.arange(frames)[None, :] < lengths[:, None]
        mask = (in_time[:, :, None] | in_freq[:, None, :]) & valid[:, :, None]
        return features.masked_fill(mask.to(features.device), 0.0)
