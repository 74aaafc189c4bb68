"""scripts/ship_model.py: a trained model copied into models/ with float16 weights still loads as the same
model (float32 compute), keeps its provenance and its card, and scores almost exactly what it scored."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch

from seqstudio.core.artifact import load_artifact
from seqstudio.music.bundle import load_music_model
from seqstudio.music.corpus import load_corpus
from seqstudio.music.evaluate import sequence_nll
from tests.conftest import REPO


def test_shipped_copy_is_float16_on_disk_and_scores_like_the_original(tiny_model, tiny_corpus, tmp_path):
    dst = tmp_path / "shipped"
    dst.mkdir()
    (dst / "README.md").write_text("card")
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "ship_model.py"), str(tiny_model), str(dst)],
                          capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr
    stored = load_artifact(dst)
    assert {t.dtype for t in stored.tensors.values()} == {torch.float16}
    assert (dst / "model.safetensors").stat().st_size < 0.55 * (tiny_model / "model.safetensors").stat().st_size
    assert (dst / "README.md").read_text() == "card" and stored.config["stored_dtype"] == "float16"

    original, shipped = load_music_model(tiny_model), load_music_model(dst)
    assert shipped.config["provenance"] == original.config["provenance"]
    assert all(p.dtype == torch.float32 for p in shipped.model.parameters())  # computed in float32
    _, splits = load_corpus(tiny_corpus)
    valid = [s.astype(np.int64) for s in splits["valid"].sequences()]
    before = sequence_nll(original.model, valid, torch.device("cpu")).nll
    after = sequence_nll(shipped.model, valid, torch.device("cpu")).nll
    assert after == pytest.approx(before, abs=2e-3) and after != before
