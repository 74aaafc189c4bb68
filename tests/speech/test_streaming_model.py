"""The shipped streaming model: `seqstudio listen` and `StreamingRecognizer.load()` find it, it streams, it hears a
voice it never trained on better than chance with times inside the audio, and its card states its own numbers."""

from __future__ import annotations

import io
import sys

import numpy as np
import pytest
import torch

from seqstudio import StreamingRecognizer
from seqstudio.cli.main import main
from seqstudio.core.models import DEFAULT_STREAMING_MODEL, models_root
from seqstudio.speech.corpus.synth import synthesize
from seqstudio.speech.decode import cer

FOLDER = models_root() / DEFAULT_STREAMING_MODEL
SENTENCE = "the weather is nice today and the children are playing in the garden"


@pytest.fixture(scope="module")
def held_out() -> np.ndarray:
    # espeak-ng's Scottish accent is a test voice: no corpus trains on it. A second of silence on each side, as a
    # live stream has around speech.
    silence = np.zeros(16000, dtype=np.float32)
    return np.concatenate([silence, synthesize(SENTENCE, "espeak-ng:en-gb-scotland"), silence])


def test_the_default_streaming_model_hears_a_voice_it_never_trained_on(held_out):
    live = StreamingRecognizer.load(device="cpu")
    assert live.bundle.path == FOLDER and not live.model.config.bidirectional
    assert live.bundle.features.normalize == "online" and live.bundle.features.prior_mean is not None
    words = []
    for begin in range(0, held_out.size, 1600):  # 100-ms pieces, as `seqstudio listen` reads them
        words += live.accept(held_out[begin:begin + 1600]).words
    words += live.finish().words
    text = " ".join(w.text for w in words)
    assert cer(SENTENCE, text) < 0.5, text  # 0.35 when shipped (the bidirectional default: 0.16 greedy); chance ~0.9
    duration = held_out.size / 16000
    assert all(0 <= w.start <= w.end <= duration for w in words)
    assert words[0].start >= 0.9  # nothing is heard in the leading second of silence


def test_listen_uses_the_shipped_model_by_default(held_out, monkeypatch, capsys):
    pcm = (np.clip(held_out, -1, 1) * 32767).astype("<i2").tobytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(pcm)))
    threads = torch.get_num_threads()
    try:
        code = main(["listen", "--device", "cpu"])
    finally:
        torch.set_num_threads(threads)  # listen sets one thread for the process
    out, err = capsys.readouterr()
    assert code == 0, err
    live = StreamingRecognizer.load(device="cpu")
    live.accept(np.frombuffer(pcm, dtype="<i2"))
    live.finish()
    assert live.words and out.split() == [w.text for w in live.words]  # the same words, however the audio was cut


def test_the_streaming_model_card_reports_its_config_numbers():
    import json

    card = (FOLDER / "README.md").read_text(encoding="utf-8")
    prov = json.loads((FOLDER / "config.json").read_text(encoding="utf-8"))["provenance"]
    assert f"{prov['parameters']:,} parameters" in card
    assert f"{prov['steps']:,} steps" in card
    assert f"{prov['wall_time_s'] / 60:.0f} minutes" in card
    for key in ("valid_cer", "test_cer"):
        assert f"{100 * prov['metrics'][key]:.1f} %" in card
    assert "seqstudio train speech --streaming" in card and (FOLDER / "LICENSE.md").exists()


def test_listen_stops_quietly_when_its_reader_goes(held_out):
    import os
    import subprocess

    pcm = (np.clip(held_out, -1, 1) * 32767).astype("<i2").tobytes()
    read, write = os.pipe()
    os.close(read)  # `seqstudio listen | head -1` after head has exited
    try:
        done = subprocess.run([sys.executable, "-m", "seqstudio", "listen", "--device", "cpu"], input=pcm, stdout=write,
                              stderr=subprocess.PIPE, timeout=300, check=False)
    finally:
        os.close(write)
    assert done.returncode == 141 and done.stderr == b""  # the status of SIGPIPE, and no error for a normal pipeline
