from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from seqstudio.core.errors import Cancelled, SeqStudioError
from seqstudio.core.progress import Progress
from seqstudio.music.bundle import load_music_model
from seqstudio.music.corpus import load_corpus
from seqstudio.music.dataset import StreamSampler, WindowSampler, transpose
from seqstudio.music.evaluate import sequence_nll
from seqstudio.music.tokenizer import Tokenizer
from seqstudio.music.train import PRESETS, train_music

CPU = torch.device("cpu")
QUIET = dict(log=lambda *_: None)


def test_tiny_training_learns_and_writes_a_loadable_model(tiny_model, tiny_corpus):
    bundle = load_music_model(tiny_model)
    prov = bundle.config["provenance"]
    history = prov["history"]
    assert history[-1]["valid_nll"] < history[0]["valid_nll"]  # it learned something
    assert prov["metrics"]["valid_nll_per_event"] < np.log(bundle.tokenizer.vocab_size)  # beats uniform
    assert prov["steps"] == PRESETS["tiny"].steps and prov["parameters"] == bundle.model.num_parameters()
    _, splits = load_corpus(tiny_corpus)
    again = sequence_nll(bundle.model, [s.astype(np.int64) for s in splits["valid"].sequences()], CPU)
    assert again.nll == pytest.approx(prov["metrics"]["valid_nll_per_event"], abs=1e-3)


class StopAt(Progress):
    """Asks the job to stop once ``step`` steps are done, as Ctrl-C or the app's Cancel would."""

    def __init__(self, step: int) -> None:
        super().__init__()
        self.step = step

    def update(self, done: int, info: str = "") -> None:
        if done >= self.step:
            self.cancel()


def test_interrupted_and_resumed_run_equals_uninterrupted_run(tmp_path, tiny_corpus):
    cfg = replace(PRESETS["tiny"], steps=12, checkpoint_every=100, eval_every=4)
    train_music(tiny_corpus, tmp_path / "straight", cfg, CPU, **QUIET)
    with pytest.raises(Cancelled):
        train_music(tiny_corpus, tmp_path / "split", cfg, CPU, progress=StopAt(7), **QUIET)
    assert not (tmp_path / "split" / "model").exists()
    train_music(tiny_corpus, tmp_path / "split", cfg, CPU, **QUIET)  # resumes at step 7, not at 0
    a = load_music_model(tmp_path / "straight" / "model")
    b = load_music_model(tmp_path / "split" / "model")
    for key, value in a.model.state_dict().items():
        torch.testing.assert_close(value, b.model.state_dict()[key], rtol=0, atol=1e-6)
    def curve(bundle):
        return [(h["step"], h["valid_nll"]) for h in bundle.config["provenance"]["history"]]

    assert curve(a) == curve(b) and [step for step, _ in curve(a)] == [4, 8, 12]


def test_resume_refuses_other_settings_and_no_resume(tmp_path, tiny_corpus):
    cfg = replace(PRESETS["tiny"], steps=4, checkpoint_every=2, eval_every=2)
    train_music(tiny_corpus, tmp_path / "r", cfg, CPU, **QUIET)
    with pytest.raises(SeqStudioError, match="other settings"):
        train_music(tiny_corpus, tmp_path / "r", replace(cfg, hidden_size=64), CPU, **QUIET)
    with pytest.raises(SeqStudioError, match="already holds"):
        train_music(tiny_corpus, tmp_path / "r", cfg, CPU, resume=False, **QUIET)
    with pytest.raises(SeqStudioError, match="only a finished run"):
        train_music(tiny_corpus, tmp_path / "r", replace(cfg, steps=3), CPU, **QUIET)
    longer = train_music(tiny_corpus, tmp_path / "r", replace(cfg, steps=6), CPU, **QUIET)  # a finished run goes on
    assert longer["steps"] == 6 and [h["step"] for h in longer["history"]] == [2, 4, 6]

    with pytest.raises(Cancelled):
        train_music(tiny_corpus, tmp_path / "cut", cfg, CPU, progress=StopAt(2), **QUIET)
    with pytest.raises(SeqStudioError, match="only a finished run"):  # a run cut short would bend its schedule
        train_music(tiny_corpus, tmp_path / "cut", replace(cfg, steps=8), CPU, **QUIET)


def test_windows_are_deterministic_per_step_and_transposition_stays_in_range(tiny_corpus):
    _, splits = load_corpus(tiny_corpus)
    tok = Tokenizer()
    sampler = WindowSampler(splits["train"], tok, seq_len=32, transpose=3, seed=7)
    assert np.array_equal(sampler.batch(5, 4), sampler.batch(5, 4))
    assert not np.array_equal(sampler.batch(5, 4), sampler.batch(6, 4))
    edge = np.array([[tok.note_on + 126, tok.note_off + 126, tok.note_on + 60]])
    assert np.array_equal(transpose(edge, np.array([3]), tok), edge)  # would leave 0..127: left as is
    assert np.array_equal(transpose(edge, np.array([-2]), tok), edge - np.array([[2, 2, 2]]))


def _untransposed(tokens: np.ndarray, tok: Tokenizer) -> np.ndarray:
    """Note tokens mapped to one pitch so that pieces compare whatever their transposition."""
    out = tokens.copy()
    out[(out >= tok.note_on) & (out < tok.note_off)] = tok.note_on
    out[(out >= tok.note_off) & (out < tok.note_off + 128)] = tok.note_off
    return out


def test_streams_continue_from_step_to_step_through_whole_pieces(tiny_corpus):
    _, splits = load_corpus(tiny_corpus)
    train, tok = splits["train"], Tokenizer()
    sampler = StreamSampler(train, tok, seq_len=64, transpose=3, seed=7)
    steps = [sampler.batch(s, 3) for s in range(0, 400)]
    for a, b in zip(steps, steps[1:], strict=False):
        assert np.array_equal(a[:, -1], b[:, 0])  # the last target of a step is the first input of the next
    assert np.array_equal(StreamSampler(train, tok, 64, 3, 7).batch(123, 3), steps[123])  # (seed, step) only
    assert not np.array_equal(steps[0][0], steps[0][1])  # rows walk different orders

    stream = np.concatenate([steps[0][0]] + [b[0, 1:] for b in steps[1:]])
    assert len(stream) > 2 * len(train.tokens)  # more than two passes: row 0 has seen every piece twice
    # cut at BOS, every piece of a pass is a whole piece of the split, transposed as one
    pieces = np.split(stream, np.flatnonzero(stream == 1))[1:-1]
    originals = {tuple(_untransposed(train.sequence(i), tok)) for i in range(len(train))}
    assert {tuple(_untransposed(p, tok)) for p in pieces} == originals
    for p in pieces:
        match = [i for i in range(len(train)) if len(train.sequence(i)) == len(p)
                 and np.array_equal(_untransposed(train.sequence(i), tok), _untransposed(p, tok))]
        notes = (p >= tok.note_on) & (p < tok.note_off)
        shifts = set((p[notes] - train.sequence(match[0])[notes]).tolist())
        assert len(shifts) == 1 and abs(shifts.pop()) <= 3


def test_stateful_training_carries_the_state_and_resets_some_rows():
    from seqstudio.music.train import _start_state

    cfg = replace(PRESETS["tiny"], batch_size=64, reset_prob=0.25)
    h = torch.ones(2, 64, 5)
    assert _start_state(None, cfg, 3) is None
    h0, c0 = _start_state((h, 2 * h), cfg, 3)
    kept = h0[0, :, 0] == 1
    assert torch.equal(c0[0, :, 0], 2 * kept.float())  # h and c of a row are reset together
    assert 5 < int((~kept).sum()) < 32  # about a quarter of the rows start again from zero
    assert torch.equal(_start_state((h, 2 * h), cfg, 3)[0], h0)  # and which ones depends on the step only


def test_cli_preset_names_are_the_presets():
    from seqstudio.music.presets import PRESET_NAMES

    assert tuple(PRESETS) == PRESET_NAMES  # the torch-free list the CLI shows must not drift from the real table


def test_fine_tuning_starts_from_the_given_model(tiny_model, tiny_corpus, tmp_path, capsys):
    from seqstudio.cli.main import main

    # the cpu preset is a 3x384 LSTM, but --init brings the tiny model's own architecture
    argv = ["train", "music", "--corpus", str(tiny_corpus), "--out", str(tmp_path / "ft"), "--preset", "cpu",
            "--init", str(tiny_model), "--steps", "1", "--lr", "1e-12", "--device", "cpu"]
    assert main(argv) == 0, capsys.readouterr().err
    start, tuned = load_music_model(tiny_model), load_music_model(tmp_path / "ft" / "model")
    prov = tuned.config["provenance"]
    assert prov["init"]["model"] == str(tiny_model.resolve()) and prov["init"]["steps"] == PRESETS["tiny"].steps
    assert prov["train_config"]["hidden_size"] == PRESETS["tiny"].hidden_size
    for name, before in start.model.state_dict().items():  # one step at a vanishing learning rate: same weights
        assert torch.allclose(tuned.model.state_dict()[name], before, atol=1e-6), name

    capsys.readouterr()
    argv = ["train", "music", "--corpus", str(tiny_corpus), "--out", str(tmp_path / "bad"), "--init", str(tmp_path)]
    assert main(argv) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "not a SeqStudio model" in err[0], err
    assert not (tmp_path / "bad").exists()
