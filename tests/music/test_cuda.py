"""What only a GPU can check for music: bf16-autocast training with the LSTM state carried on the GPU,
resuming it, and that evaluation and generation on CUDA agree with the CPU. Skipped without CUDA (CI has
none); run on a GPU machine with `pytest tests/music/test_cuda.py tests/speech/test_cuda.py`."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from seqstudio.core.checkpoint import load_checkpoint
from seqstudio.core.errors import Cancelled
from seqstudio.music.bundle import load_music_model
from seqstudio.music.composer import Composer
from seqstudio.music.corpus import load_corpus
from seqstudio.music.evaluate import sequence_nll
from seqstudio.music.midi_io import midi_bytes
from seqstudio.music.train import PRESETS, train_music
from tests.conftest import make_midi
from tests.music.test_train import QUIET, StopAt

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA")
CUDA, CPU = torch.device("cuda"), torch.device("cpu")


def test_stateful_bf16_training_on_cuda_learns_resumes_and_evaluates_like_the_cpu(tmp_path, tiny_corpus):
    cfg = replace(PRESETS["tiny"], steps=16, eval_every=8, checkpoint_every=100)
    assert cfg.stateful and cfg.amp
    straight = train_music(tiny_corpus, tmp_path / "straight", cfg, CUDA, **QUIET)
    history = straight["history"]
    assert history[-1]["valid_nll"] < history[0]["valid_nll"]
    assert straight["device"].startswith("cuda")

    with pytest.raises(Cancelled):
        train_music(tiny_corpus, tmp_path / "split", cfg, CUDA, progress=StopAt(5), **QUIET)
    saved = load_checkpoint(tmp_path / "split" / "checkpoint.pt")
    assert saved["step"] == 5 and saved["extra"]["state"][0].shape[1] == cfg.batch_size
    resumed = train_music(tiny_corpus, tmp_path / "split", cfg, CUDA, **QUIET)
    # cuDNN in bf16 need not be bit-exact run to run, but a resumed run follows the same curve
    for a, b in zip(history, resumed["history"], strict=True):
        assert a["step"] == b["step"] and a["valid_nll"] == pytest.approx(b["valid_nll"], abs=0.02)

    bundle = load_music_model(tmp_path / "straight" / "model")
    _, splits = load_corpus(tiny_corpus)
    valid = [s.astype(np.int64) for s in splits["valid"].sequences()]
    on_cpu = sequence_nll(bundle.model, valid, CPU).nll
    on_gpu = sequence_nll(bundle.model.to(CUDA), valid, CUDA).nll
    assert on_gpu == pytest.approx(on_cpu, abs=1e-3)
    assert on_gpu == pytest.approx(straight["metrics"]["valid_nll_per_event"], abs=1e-3)


def test_generation_on_cuda_is_reproducible_and_batched(tiny_model, tmp_path):
    seed = make_midi(tmp_path / "seed.mid", voices=2, seconds=5, programs=[0, 33], seed=5)
    composer = Composer.load(tiny_model, device="cuda")
    a = composer.continue_midi(seed, seconds=4, variations=3, rng_seed=7)
    b = composer.continue_midi(seed, seconds=4, variations=3, rng_seed=7)
    assert [midi_bytes(t.midi) for t in a] == [midi_bytes(t.midi) for t in b]
    assert len({tuple(t.tokens.tolist()) for t in a}) == 3
    assert all(t.notes and max(n.end for n in t.notes) <= 4 + 1e-9 for t in a)
