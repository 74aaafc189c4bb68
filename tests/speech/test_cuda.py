"""What only a GPU can check for speech: bf16-autocast CTC training on CUDA and transcription on CUDA
agreeing with the CPU, on the real human recordings in data/human. Skipped without CUDA (CI has none)."""

from __future__ import annotations

from dataclasses import replace

import pytest
import torch

from seqstudio.speech.audio import load_audio
from seqstudio.speech.bundle import load_speech_model
from seqstudio.speech.manifest import read_manifest, write_manifest
from seqstudio.speech.streaming import StreamingRecognizer
from seqstudio.speech.train import PRESETS, train_speech
from seqstudio.speech.transcriber import Transcriber
from tests.conftest import REPO

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA")


def _rows():
    return read_manifest(REPO / "data" / "human" / "manifest.jsonl")


def test_bf16_ctc_training_on_cuda_runs_and_saves_a_model(tmp_path):
    rows = _rows()
    corpus = tmp_path / "corpus"
    for split, part in (("train", rows[:20]), ("valid", rows[20:])):
        write_manifest(corpus / f"{split}.jsonl", part)
    cfg = replace(PRESETS["tiny"], steps=6, eval_every=3, checkpoint_every=3)
    prov = train_speech(corpus, tmp_path / "run", cfg, torch.device("cuda"), log=lambda *_: None)
    assert prov["device"].startswith("cuda") and all(h["train_loss"] == h["train_loss"] for h in prov["history"])
    assert load_speech_model(tmp_path / "run" / "model").model.num_parameters() == prov["parameters"]


def test_transcription_on_cuda_matches_the_cpu():
    files = [u.audio for u in _rows()[:6]]
    on_cpu = Transcriber.load("default", device="cpu", lm=None).transcribe_many(files)
    on_gpu = Transcriber.load("default", device="cuda", lm=None).transcribe_many(files)
    for a, b in zip(on_cpu, on_gpu, strict=True):
        assert a.text == b.text
        assert [(w.text, round(w.start, 2)) for w in a.words] == [(w.text, round(w.start, 2)) for w in b.words]


def test_streaming_on_cuda_trains_and_hears_what_the_cpu_hears(tmp_path):
    rows = _rows()
    corpus = tmp_path / "corpus"
    for split, part in (("train", rows[:20]), ("valid", rows[20:])):
        write_manifest(corpus / f"{split}.jsonl", part)
    cfg = replace(PRESETS["tiny"], steps=4, eval_every=2, checkpoint_every=2, streaming=True, bidirectional=False)
    train_speech(corpus, tmp_path / "run", cfg, torch.device("cuda"), log=lambda *_: None)
    audio = load_audio(rows[0].audio, 16000)
    heard = []
    for device in ("cpu", "cuda"):
        bundle = load_speech_model(tmp_path / "run" / "model")
        with torch.no_grad():
            bundle.model.head.weight.mul_(40.0)  # words come out of a model trained for 4 steps
        live = StreamingRecognizer(bundle, torch.device(device))
        for start in range(0, len(audio), 1600):
            live.accept(audio[start:start + 1600])
        live.finish()
        heard.append([(w.text, round(w.start, 2)) for w in live.words])
    assert heard[0] and heard[0] == heard[1]
