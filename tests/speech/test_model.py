"""SpeechLSTM: shapes and lengths, padding invariance, probabilities, bad configs, devices, and that it learns CTC."""

from __future__ import annotations

import math

import pytest
import torch

from seqstudio.speech.model import SpeechLSTM, SpeechModelConfig

DEVICES = ["cpu", pytest.param("cuda", marks=pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA"))]


def tiny(**overrides) -> SpeechModelConfig:
    settings = {"vocab_size": 6, "n_mels": 12, "conv_channels": 3, "hidden_size": 8, "num_layers": 2, "dropout": 0.0}
    return SpeechModelConfig(**(settings | overrides))


def model_for(config: SpeechModelConfig, seed: int = 0) -> SpeechLSTM:
    torch.manual_seed(seed)
    return SpeechLSTM(config).eval()


def test_config_round_trips_and_defaults():
    cfg = SpeechModelConfig(vocab_size=29)
    assert (cfg.n_mels, cfg.subsampling, cfg.bidirectional) == (80, 4, True)
    assert SpeechModelConfig.from_dict(cfg.to_dict()) == cfg
    assert cfg.frame_shift_s(0.01) == pytest.approx(0.04)
    assert cfg.subsampled_length(torch.tensor([0, 1, 4, 5, 8, 9])).tolist() == [0, 1, 1, 2, 2, 3]
    assert cfg.subsampled_length(101) == 26


@pytest.mark.parametrize("subsampling", [2, 4, 8])
@pytest.mark.parametrize("bidirectional", [True, False])
def test_shapes_and_out_lengths_follow_the_conv_arithmetic(subsampling, bidirectional):
    cfg = tiny(subsampling=subsampling, bidirectional=bidirectional)
    model = model_for(cfg)
    lengths = torch.tensor([37, 1, 0, 16, 17, 9])
    log_probs, out_lengths = model(torch.randn(len(lengths), 37, cfg.n_mels), lengths)
    expected = [math.ceil(n / subsampling) for n in lengths.tolist()]
    assert out_lengths.tolist() == expected
    assert log_probs.shape == (len(lengths), math.ceil(37 / subsampling), cfg.vocab_size)
    assert log_probs.dtype == torch.float32
    # The exact arithmetic: what the conv stack really produced matches the helper.
    frames, conv_lengths = model.subsample(torch.randn(len(lengths), 37, cfg.n_mels), lengths)
    assert frames.shape[1] == log_probs.shape[1] and conv_lengths.tolist() == expected


def test_zero_frames_give_an_empty_output():
    cfg = tiny()
    log_probs, out_lengths = model_for(cfg)(torch.zeros(2, 0, cfg.n_mels), torch.zeros(2, dtype=torch.long))
    assert log_probs.shape == (2, 0, cfg.vocab_size) and out_lengths.tolist() == [0, 0]


@pytest.mark.parametrize("bidirectional", [True, False])
def test_a_batch_gives_what_each_utterance_gives_alone(bidirectional):
    cfg = tiny(bidirectional=bidirectional)
    model = model_for(cfg)
    lengths = [23, 5, 1, 14, 0, 8]
    features = torch.randn(len(lengths), max(lengths), cfg.n_mels) * 5  # padding is garbage, not zeros
    with torch.no_grad():
        batched, out_lengths = model(features, torch.tensor(lengths))
        for i, n in enumerate(lengths):
            alone, alone_lengths = model(features[i : i + 1, :n], torch.tensor([n]))
            k = int(out_lengths[i])
            assert alone_lengths.tolist() == [k] and alone.shape[1] == k
            torch.testing.assert_close(batched[i, :k], alone[0], atol=1e-5, rtol=1e-5)


def test_log_probs_are_normalised():
    cfg = tiny()
    log_probs, _ = model_for(cfg)(torch.randn(3, 20, cfg.n_mels), torch.tensor([20, 11, 3]))
    torch.testing.assert_close(log_probs.exp().sum(-1), torch.ones(log_probs.shape[:2]))
    assert (log_probs <= 0).all()


@pytest.mark.parametrize(
    "overrides",
    [
        {"vocab_size": 1},
        {"vocab_size": 0},
        {"n_mels": 0},
        {"conv_channels": 0},
        {"subsampling": 3},
        {"subsampling": 1},
        {"subsampling": 16},
        {"hidden_size": 0},
        {"num_layers": 0},
        {"num_layers": 2.0},
        {"hidden_size": True},
        {"dropout": 1.0},
        {"dropout": -0.1},
        {"dropout": "0.1"},
        {"bidirectional": 1},
    ],
)
def test_bad_configs_raise_value_error(overrides):
    with pytest.raises(ValueError):
        tiny(**overrides)


def test_from_dict_rejects_unknown_settings():
    with pytest.raises(ValueError, match="unknown"):
        SpeechModelConfig.from_dict(tiny().to_dict() | {"heads": 4})


def test_bad_inputs_raise_value_error():
    cfg = tiny()
    model = model_for(cfg)
    with pytest.raises(ValueError):
        model(torch.randn(2, 10, cfg.n_mels + 1), torch.tensor([10, 10]))  # wrong number of mel bands
    with pytest.raises(ValueError):
        model(torch.randn(2, 10, cfg.n_mels), torch.tensor([11, 10]))  # longer than the batch
    with pytest.raises(ValueError):
        model(torch.randn(2, 10, cfg.n_mels), torch.tensor([10.0, 10.0]))


@pytest.mark.parametrize("device", DEVICES)
def test_the_model_follows_its_inputs_device(device):
    cfg = tiny()
    model = model_for(cfg).to(device)
    lengths = torch.tensor([9, 4], device=device)
    log_probs, out_lengths = model(torch.randn(2, 9, cfg.n_mels, device=device), lengths)
    assert log_probs.device.type == device and out_lengths.device.type == device
    assert out_lengths.tolist() == [3, 1]


def test_a_tiny_model_learns_a_toy_ctc_task():
    """Two 'utterances' whose frames encode their label sequence; the CTC loss must drop well below its start."""
    torch.manual_seed(0)
    cfg = tiny(vocab_size=4, n_mels=8, hidden_size=16, num_layers=1)
    model = SpeechLSTM(cfg).train()
    targets = torch.tensor([[1, 2, 3], [3, 1, 0]])  # second utterance has 2 labels; 0 is padding
    target_lengths = torch.tensor([3, 2])
    lengths = torch.tensor([24, 16])
    features = torch.zeros(2, 24, cfg.n_mels)
    for b in range(2):  # each label lights up its own mel bands for a stretch of frames
        n = int(target_lengths[b])
        per = int(lengths[b]) // n
        for k in range(n):
            features[b, k * per : (k + 1) * per, 2 * int(targets[b, k]) : 2 * int(targets[b, k]) + 2] = 1.0
    features += 0.1 * torch.randn_like(features)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
    losses = []
    for _ in range(30):
        log_probs, out_lengths = model(features, lengths)
        loss = torch.nn.functional.ctc_loss(
            log_probs.transpose(0, 1), targets, out_lengths, target_lengths, blank=0, zero_infinity=True
        )
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.2 * losses[0], losses


@pytest.mark.parametrize("subsampling", [2, 4, 8])
def test_the_unidirectional_model_never_looks_past_the_current_block(subsampling):
    """What streaming needs: output frame u depends on input frames up to the end of its block only."""
    cfg = tiny(subsampling=subsampling, bidirectional=False)
    model = model_for(cfg)
    features = torch.randn(1, 6 * subsampling, cfg.n_mels)
    lengths = torch.tensor([6 * subsampling])
    with torch.no_grad():
        before, _ = model(features, lengths)
        changed = features.clone()
        changed[:, 3 * subsampling :] = torch.randn_like(changed[:, 3 * subsampling :])
        after, _ = model(changed, lengths)
    torch.testing.assert_close(after[:, :3], before[:, :3], atol=1e-6, rtol=1e-6)
    assert not torch.allclose(after[:, 3], before[:, 3])
