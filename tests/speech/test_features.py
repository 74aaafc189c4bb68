"""LogMel and SpecAugment: shapes, agreement with a numpy reference, padding invariance, devices, bad configs."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from seqstudio.speech.features import FeatureConfig, LogMel, SpecAugment, SpecAugmentConfig

DEVICES = ["cpu", pytest.param("cuda", marks=pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA"))]


def noisy_tone(samples: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(samples) / 16000
    return (0.05 * rng.standard_normal(samples) + 0.3 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)


def test_default_config_is_25ms_windows_every_10ms():
    cfg = FeatureConfig()
    assert (cfg.win_length, cfg.hop_length, cfg.fft_size, cfg.n_mels) == (400, 160, 400, 80)
    assert FeatureConfig.from_dict(cfg.to_dict()) == cfg
    assert cfg.num_frames(torch.tensor([0, 399, 400, 559, 560, 16000])).tolist() == [0, 0, 1, 1, 2, 98]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"sample_rate": 0},
        {"n_mels": 0},
        {"win_ms": 0.0},
        {"hop_ms": -10.0},
        {"n_fft": 256},  # shorter than the 400-sample window
        {"n_mels": 300},  # more bands than FFT bins
        {"f_max": 9000.0},  # above Nyquist
        {"f_min": 8000.0},
        {"log_floor": 0.0},
    ],
)
def test_bad_feature_configs_raise(kwargs):
    with pytest.raises(ValueError):
        FeatureConfig(**kwargs)


def reference_log_mel(y: np.ndarray) -> np.ndarray:
    """The textbook definition in numpy, independent of torchaudio: periodic Hann window, |rfft|^2,
    HTK-mel triangles (no area normalisation) from 0 to 8 kHz, log clamped at 1e-6. (frames, 80)."""
    n_fft, hop, n_mels = 400, 160, 80
    frames = np.lib.stride_tricks.sliding_window_view(y.astype(np.float64), n_fft)[::hop]
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)
    power = np.abs(np.fft.rfft(frames * window, axis=1)) ** 2
    mel = np.linspace(0.0, 2595 * np.log10(1 + 8000 / 700), n_mels + 2)
    edges = 700 * (10 ** (mel / 2595) - 1)
    freqs = np.linspace(0, 8000, n_fft // 2 + 1)
    rising = (freqs[None, :] - edges[:-2, None]) / (edges[1:-1] - edges[:-2])[:, None]
    falling = (edges[2:, None] - freqs[None, :]) / (edges[2:] - edges[1:-1])[:, None]
    bank = np.maximum(0.0, np.minimum(rising, falling))  # (n_mels, bins)
    return np.log(np.maximum(power @ bank.T, 1e-6))


def test_log_mel_matches_the_textbook_definition():
    y = noisy_tone(16000)
    features, lengths = LogMel(FeatureConfig(normalize=False))(torch.from_numpy(y)[None], torch.tensor([16000]))
    assert features.shape == (1, 98, 80) and lengths.tolist() == [98]
    np.testing.assert_allclose(features[0].numpy(), reference_log_mel(y), atol=1e-3)


def test_normalised_features_have_zero_mean_unit_variance_per_utterance():
    features, lengths = LogMel()(torch.from_numpy(noisy_tone(8000))[None], None)
    valid = features[0, : lengths[0]]
    assert torch.allclose(valid.mean(0), torch.zeros(80), atol=1e-4)
    assert torch.allclose(valid.std(0, unbiased=False), torch.ones(80), atol=1e-2)


@pytest.mark.parametrize("normalize", [True, False])
def test_a_batch_gives_what_each_item_gives_alone(normalize):
    """Padding must not leak into any valid frame, including through the normalisation statistics."""
    lengths = [16000, 7000, 401, 300, 0]  # the last two are shorter than one window
    mel = LogMel(FeatureConfig(normalize=normalize))
    batch = torch.zeros(len(lengths), max(lengths))
    for i, n in enumerate(lengths):
        batch[i, :n] = torch.from_numpy(noisy_tone(n, seed=i))
    batch[1, 7000:] = 0.7  # garbage in the padding, not only zeros
    features, frame_lengths = mel(batch, torch.tensor(lengths))
    assert features.shape == (5, 98, 80) and frame_lengths.tolist() == [98, 42, 1, 0, 0]
    for i, n in enumerate(lengths):
        alone, alone_lengths = mel(batch[i : i + 1, :n], torch.tensor([n]))
        frames = int(frame_lengths[i])
        assert alone_lengths.tolist() == [frames] and alone.shape[1] == max(frames, 1)
        torch.testing.assert_close(features[i, :frames], alone[0, :frames], atol=1e-4, rtol=1e-4)
        assert (features[i, frames:] == 0).all()


@pytest.mark.parametrize("device", DEVICES)
def test_features_follow_the_input_device_and_are_float32(device):
    mel = LogMel().to(device)
    waves = torch.from_numpy(noisy_tone(4000)).to(device, torch.float64)[None].repeat(2, 1)
    features, frame_lengths = mel(waves, torch.tensor([4000, 2000], device=device))
    assert features.device.type == frame_lengths.device.type == device
    assert features.dtype == torch.float32
    assert torch.isfinite(features).all()


def test_digital_silence_stays_finite():
    features, _ = LogMel()(torch.zeros(1, 4000), None)
    assert torch.isfinite(features).all() and (features == 0).all()


@pytest.mark.parametrize(
    "waves, lengths",
    [
        (torch.zeros(4000), torch.tensor([4000])),  # not batched
        (torch.zeros(2, 4000), torch.tensor([4000])),  # lengths for another batch
        (torch.zeros(2, 4000), torch.tensor([4000.0, 10.0])),  # float lengths
        (torch.zeros(2, 4000), torch.tensor([4001, 10])),  # longer than the tensor
        (torch.zeros(2, 4000), torch.tensor([-1, 10])),
    ],
)
def test_bad_inputs_raise(waves, lengths):
    with pytest.raises(ValueError):
        LogMel()(waves, lengths)


# -- SpecAugment -----------------------------------------------------------------------------------


def _features(lengths: list[int], frames: int = 300, bands: int = 80) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(len(lengths), frames, bands, generator=gen) + 5.0  # no accidental zeros
    for i, n in enumerate(lengths):
        x[i, n:] = -7.0  # recognisable padding
    return x, torch.tensor(lengths)


def test_spec_augment_is_an_identity_in_eval_mode():
    x, lengths = _features([300, 120])
    augment = SpecAugment().eval()
    assert augment(x, lengths) is x


def test_spec_augment_masks_only_valid_cells_within_limits():
    cfg = SpecAugmentConfig(freq_masks=2, freq_width=27, time_masks=2, time_width=100, time_fraction=0.2)
    x, lengths = _features([300, 120, 40, 0])
    augment = SpecAugment(cfg).train()
    out = augment(x, lengths, generator=torch.Generator().manual_seed(1))
    masked = out == 0
    for i, n in enumerate(lengths.tolist()):
        assert (out[i, n:] == -7.0).all(), "padding was touched"
        assert not masked[i, n:].any()
        whole_frames = masked[i, :n].all(dim=1).sum().item()
        assert whole_frames <= 2 * min(100, int(0.2 * n))
        if n:
            open_frames = masked[i, :n][~masked[i, :n].all(dim=1)]  # frames that no time mask hit
            assert open_frames.all(dim=0).sum().item() <= 2 * 27  # bands masked in all of them
    assert masked.any(), "nothing was masked"
    kept = ~masked
    assert torch.equal(out[kept], x[kept])


def test_spec_augment_is_reproducible_with_a_seeded_generator():
    x, lengths = _features([300, 200, 150])
    augment = SpecAugment().train()
    a = augment(x, lengths, generator=torch.Generator().manual_seed(7))
    b = augment(x, lengths, generator=torch.Generator().manual_seed(7))
    c = augment(x, lengths, generator=torch.Generator().manual_seed(8))
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_spec_augment_config_round_trips_and_validates():
    cfg = SpecAugmentConfig(time_width=50)
    assert SpecAugmentConfig.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(ValueError):
        SpecAugmentConfig(freq_masks=-1)
    with pytest.raises(ValueError):
        SpecAugmentConfig(time_fraction=1.5)
