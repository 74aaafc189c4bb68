"""The gate replay must be the LSTM itself: its hidden and cell states equal nn.LSTM's own to 1e-5 (absolute, or
relative for the large cell values of the trained model, where float32 rounding of ~60 is ~4e-6)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from seqstudio.nn.inspect import GATES, trace_lstm, trace_subsampled_model, trace_token_model
from tests.conftest import REPO, SEEDS


def _check_against_module(lstm: nn.LSTM, x: torch.Tensor) -> None:
    trace = trace_lstm(lstm, x)
    out, (h_n, c_n) = lstm(x[None])
    dirs = 2 if lstm.bidirectional else 1
    last = trace.layers[-1]
    replayed = np.concatenate([last.hidden[d] for d in range(dirs)], axis=1)
    np.testing.assert_allclose(replayed, out[0].detach().numpy(), rtol=1e-5, atol=1e-5)
    for layer, lt in enumerate(trace.layers):
        for d in range(dirs):
            end = -1 if d == 0 else 0  # the backward direction ends at the first step
            row = layer * dirs + d
            np.testing.assert_allclose(lt.hidden[d, end], h_n[row, 0].detach().numpy(), rtol=1e-5, atol=1e-5)
            np.testing.assert_allclose(lt.cell[d, end], c_n[row, 0].detach().numpy(), rtol=1e-5, atol=1e-5)
        for gate in ("input", "forget", "output"):
            values = lt.get(gate)
            assert values.shape == (dirs, x.shape[0], lstm.hidden_size)
            assert values.min() >= 0 and values.max() <= 1
    assert trace.steps == x.shape[0] and trace.hidden_size == lstm.hidden_size and trace.directions == dirs


@pytest.mark.parametrize("bidirectional", [False, True])
def test_replay_matches_nn_lstm(bidirectional):
    torch.manual_seed(0)
    lstm = nn.LSTM(7, 11, num_layers=3, bidirectional=bidirectional, batch_first=True).eval()
    _check_against_module(lstm, torch.randn(23, 7))


def test_a_stream_traced_piece_by_piece_is_the_whole_trace():
    """Each piece starts from the state the last one ended in, as nn.LSTM does when given (h, c)."""
    torch.manual_seed(1)
    lstm = nn.LSTM(7, 11, num_layers=3, batch_first=True).eval()
    x = torch.randn(23, 7)
    whole = trace_lstm(lstm, x)
    pieces, state = [], None
    for a, b in ((0, 5), (5, 6), (6, 17), (17, 23)):
        piece = trace_lstm(lstm, x[a:b], state=state)
        pieces.append(piece)
        state = (torch.from_numpy(np.stack([lt.hidden[0, -1] for lt in piece.layers])),
                 torch.from_numpy(np.stack([lt.cell[0, -1] for lt in piece.layers])))
        _, module_state = lstm(x[None, :b])  # and the state it ends in is the module's
        np.testing.assert_allclose(state[1].numpy(), module_state[1][:, 0].detach().numpy(), rtol=1e-5, atol=1e-5)
    for layer, lt in enumerate(whole.layers):
        for name in ("input", "forget", "output", "cell", "hidden"):
            joined = np.concatenate([p.layers[layer].get(name) for p in pieces], axis=1)
            np.testing.assert_allclose(joined, lt.get(name), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="backwards"):
        trace_lstm(nn.LSTM(7, 11, bidirectional=True), x, state=state)


def test_the_bundled_music_model_over_a_bundled_seed():
    from seqstudio.music.bundle import load_music_model
    from seqstudio.music.midi_io import load_midi, to_score

    bundle = load_music_model(REPO / "models" / "music-default")
    score = to_score(load_midi(SEEDS / "folk_reel.mid"), bundle.tokenizer.config.max_tracks)
    tokens = bundle.tokenizer.encode(score.notes)[:150].astype(np.int64)
    times = np.cumsum(bundle.tokenizer.shift_steps()[tokens]) * bundle.tokenizer.config.time_step
    trace = trace_token_model(bundle.model, tokens, times)
    with torch.no_grad():
        x = bundle.model.embedding(torch.as_tensor(tokens))
    _check_against_module(bundle.model.lstm, x)
    assert len(trace.layers) == bundle.model.config.num_layers and trace.times[-1] == pytest.approx(times[-1])
    assert set(GATES) <= set(vars(trace.layers[0]))


def test_a_tiny_speech_model_after_its_subsampling():
    from seqstudio.speech.model import SpeechLSTM, SpeechModelConfig

    torch.manual_seed(1)
    model = SpeechLSTM(SpeechModelConfig(vocab_size=29, n_mels=16, conv_channels=4, hidden_size=8,
                                         num_layers=2)).eval()
    features = torch.randn(37, 16)
    trace = trace_subsampled_model(model, features, frame_shift_s=0.04)
    assert trace.steps == 10 and trace.directions == 2  # ceil(37 / 4)
    np.testing.assert_allclose(trace.times[:2], [0.0, 0.04])
    with torch.no_grad():
        x, _ = model.subsample(features[None], torch.tensor([37]))
    _check_against_module(model.lstm, x[0])


def test_bad_inputs_are_refused():
    lstm = nn.LSTM(3, 4)
    with pytest.raises(ValueError):
        trace_lstm(lstm, torch.randn(5, 2))
    with pytest.raises(ValueError):
        trace_lstm(lstm, torch.randn(2, 5, 3))
    with pytest.raises(TypeError):
        trace_lstm(nn.GRU(3, 4), torch.randn(5, 3))
