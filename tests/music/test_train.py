from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from seqstudio.core.errors import Cancelled, SeqStudioError
from seqstudio.core.progress import Progress
from seqstudio.music.bundle import load_music_model
from seqstudio.music.corpus import load_corpus
from seqstudio.music.dataset import WindowSampler, transpose
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
    with pytest.raises(SeqStudioError, match="other settings"):
        train_music(tiny_corpus, tmp_path / "r", replace(cfg, steps=8), CPU, **QUIET)  # would bend the schedule
    with pytest.raises(SeqStudioError, match="already holds"):
        train_music(tiny_corpus, tmp_path / "r", cfg, CPU, resume=False, **QUIET)


def test_windows_are_deterministic_per_step_and_transposition_stays_in_range(tiny_corpus):
    _, splits = load_corpus(tiny_corpus)
    tok = Tokenizer()
    sampler = WindowSampler(splits["train"], tok, seq_len=32, transpose=3, seed=7)
    assert np.array_equal(sampler.batch(5, 4), sampler.batch(5, 4))
    assert not np.array_equal(sampler.batch(5, 4), sampler.batch(6, 4))
    edge = np.array([[tok.note_on + 126, tok.note_off + 126, tok.note_on + 60]])
    assert np.array_equal(transpose(edge, np.array([3]), tok), edge)  # would leave 0..127: left as is
    assert np.array_equal(transpose(edge, np.array([-2]), tok), edge - np.array([[2, 2, 2]]))


def test_cli_preset_names_are_the_presets():
    from seqstudio.music.presets import PRESET_NAMES

    assert tuple(PRESETS) == PRESET_NAMES  # the torch-free list the CLI shows must not drift from the real table
