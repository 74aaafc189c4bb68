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
    with pytest.raises(SeqStudioError, match="other settings .hidden_size 48 -> 64."):
        train_music(tiny_corpus, tmp_path / "r", replace(cfg, hidden_size=64), CPU, **QUIET)
    with pytest.raises(SeqStudioError, match="already holds"):
        train_music(tiny_corpus, tmp_path / "r", cfg, CPU, resume=False, **QUIET)
    with pytest.raises(SeqStudioError, match="cannot change to 3 steps .it has done 4 steps"):
        train_music(tiny_corpus, tmp_path / "r", replace(cfg, steps=3), CPU, **QUIET)
    longer = train_music(tiny_corpus, tmp_path / "r", replace(cfg, steps=6), CPU, **QUIET)  # a finished run goes on
    assert longer["steps"] == 6 and [h["step"] for h in longer["history"]] == [2, 4, 6]

    with pytest.raises(Cancelled):
        train_music(tiny_corpus, tmp_path / "cut", cfg, CPU, progress=StopAt(2), **QUIET)
    with pytest.raises(SeqStudioError, match="stopped at step 2 of 4"):  # a run cut short would bend its schedule
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
    originals = sorted(tuple(_untransposed(train.sequence(i), tok)) for i in range(len(train)))
    for first in (0, len(train)):  # each of the first two passes holds every piece exactly once
        assert sorted(tuple(_untransposed(p, tok)) for p in pieces[first : first + len(train)]) == originals
    moved = 0
    for p in pieces:
        match = [i for i in range(len(train)) if len(train.sequence(i)) == len(p)
                 and np.array_equal(_untransposed(train.sequence(i), tok), _untransposed(p, tok))]
        notes = (p >= tok.note_on) & (p < tok.note_off + 128)  # NOTE_ON and NOTE_OFF move together
        shifts = set((p[notes] - train.sequence(match[0])[notes]).tolist())
        assert len(shifts) == 1 and abs(next(iter(shifts))) <= 3
        moved += shifts != {0}
    assert moved > len(pieces) // 2  # most pieces are transposed


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


def test_stateful_training_feeds_each_step_the_state_the_last_one_left(tmp_path, tiny_corpus, monkeypatch):
    from seqstudio.music.model import MusicLSTM

    seen = []
    forward = MusicLSTM.forward

    def spy(self, tokens, state=None):
        if self.training:
            seen.append(None if state is None else state[1].detach().clone())
        logits, out = forward(self, tokens, state)
        if self.training:
            seen.append(out[1].detach().clone())
        return logits, out

    monkeypatch.setattr(MusicLSTM, "forward", spy)
    cfg = replace(PRESETS["tiny"], steps=3, eval_every=100, reset_prob=0.0)
    train_music(tiny_corpus, tmp_path / "r", cfg, CPU, **QUIET)
    given, left = seen[0::2], seen[1::2]
    assert given[0] is None and len(given) == 3
    for step in (1, 2):
        assert torch.equal(given[step], left[step - 1])  # exactly what the step before left behind

    seen.clear()
    train_music(tiny_corpus, tmp_path / "w", replace(cfg, stateful=False), CPU, **QUIET)
    assert all(s is None for s in seen[0::2])


def test_checkpoints_that_kept_the_state_at_the_top_still_resume_exactly(tmp_path, tiny_corpus):
    cfg = replace(PRESETS["tiny"], steps=8, checkpoint_every=100, eval_every=4)
    whole = train_music(tiny_corpus, tmp_path / "whole", cfg, CPU, **QUIET)
    with pytest.raises(Cancelled):
        train_music(tiny_corpus, tmp_path / "old", cfg, CPU, progress=StopAt(3), **QUIET)
    path = tmp_path / "old" / "checkpoint.pt"
    ckpt = torch.load(path, weights_only=True)  # noqa: TID251 - rewriting a test checkpoint in the old layout
    ckpt["state"] = ckpt["extra"].pop("state")
    torch.save(ckpt, path)
    resumed = train_music(tiny_corpus, tmp_path / "old", cfg, CPU, **QUIET)
    assert resumed["metrics"] == whole["metrics"]


def test_cli_preset_names_are_the_presets():
    from seqstudio.music.presets import PRESET_NAMES

    assert tuple(PRESETS) == PRESET_NAMES  # the torch-free list the CLI shows must not drift from the real table


def test_fine_tuning_starts_from_the_given_model(tiny_model, tiny_corpus, tmp_path, capsys):
    from seqstudio.cli.main import main

    # the gpu preset is a 3x512 LSTM with dropout 0.2, but --init brings the tiny model's own architecture
    argv = ["train", "music", "--corpus", str(tiny_corpus), "--out", str(tmp_path / "ft"), "--preset", "gpu",
            "--init", str(tiny_model), "--steps", "1", "--lr", "1e-12", "--device", "cpu"]
    assert main(argv) == 0, capsys.readouterr().err
    start, tuned = load_music_model(tiny_model), load_music_model(tmp_path / "ft" / "model")
    prov = tuned.config["provenance"]
    assert prov["init"]["model"] == str(tiny_model.resolve()) and prov["init"]["steps"] == PRESETS["tiny"].steps
    assert prov["init"]["provenance"] == start.config["provenance"]  # the whole lineage of the start model
    assert prov["train_config"]["hidden_size"] == PRESETS["tiny"].hidden_size
    for name, before in start.model.state_dict().items():  # one step at a vanishing learning rate: same weights
        assert torch.allclose(tuned.model.state_dict()[name], before, atol=1e-6), name

    capsys.readouterr()
    argv = ["train", "music", "--corpus", str(tiny_corpus), "--out", str(tmp_path / "bad"), "--init", str(tmp_path)]
    assert main(argv) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "not a SeqStudio model" in err[0], err
    assert not (tmp_path / "bad").exists()


def test_ctrl_c_in_the_middle_of_a_step_stops_after_it_and_resumes_exactly(tmp_path, tiny_corpus, monkeypatch):
    import signal

    cfg = replace(PRESETS["tiny"], steps=8, checkpoint_every=100, eval_every=4)
    whole = train_music(tiny_corpus, tmp_path / "whole", cfg, CPU, **QUIET)

    real_step = torch.optim.AdamW.step
    calls = []

    def step_then_ctrl_c(self, *args, **kwargs):
        out = real_step(self, *args, **kwargs)
        calls.append(1)
        if len(calls) == 3:  # Ctrl-C lands after the weights moved, before the loop counts the step
            signal.raise_signal(signal.SIGINT)
        return out

    monkeypatch.setattr(torch.optim.AdamW, "step", step_then_ctrl_c)
    before = signal.getsignal(signal.SIGINT)  # SIG_IGN where the suite runs in the background (nohup, `&`)
    with pytest.raises(KeyboardInterrupt):
        train_music(tiny_corpus, tmp_path / "cut", cfg, CPU, **QUIET)
    monkeypatch.setattr(torch.optim.AdamW, "step", real_step)
    assert signal.getsignal(signal.SIGINT) is before  # the handler is given back
    saved = torch.load(tmp_path / "cut" / "checkpoint.pt", weights_only=True)  # noqa: TID251 - test inspection
    assert saved["step"] == 3  # the step in which Ctrl-C came was finished and counted
    resumed = train_music(tiny_corpus, tmp_path / "cut", cfg, CPU, **QUIET)
    assert resumed["metrics"] == whole["metrics"]


def test_a_corpus_without_validation_pieces_trains_and_says_so(tmp_path):
    from seqstudio.music.corpus import CorpusSpec, build_corpus
    from tests.conftest import SEEDS

    corpus = tmp_path / "corpus"
    build_corpus(CorpusSpec(music21=(), midi_dirs=(str(SEEDS),), stretches=(1.0,)), corpus, jobs=1)
    _, splits = load_corpus(corpus)
    assert not splits["valid"].sequences()  # three pieces: the content hash puts none in validation
    lines = []
    prov = train_music(corpus, tmp_path / "run", replace(PRESETS["tiny"], steps=4, eval_every=2), CPU,
                       log=lines.append)
    assert any("validation split" in line and "empty" in line for line in lines)
    assert prov["metrics"]["valid_nll_per_event"] is None and prov["metrics"]["valid_events"] == 0
    assert [h["valid_nll"] for h in prov["history"]] == [None, None]
    assert load_music_model(tmp_path / "run" / "model").config["provenance"]["metrics"]["valid_nll_per_event"] is None
