"""A tiny real speech corpus (synthesised by real voices) and a tiny model trained on it, per session."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import torch

from seqstudio.speech.corpus.build import SpeechCorpusSpec, build_speech_corpus

TINY_VOICES = ("espeak-ng:en-us", "espeak-ng:en-us+f3", "flite:kal16",  # train
               "espeak-ng:en-gb-x-gbcwmd",  # valid
               "espeak-ng:en-gb-scotland", "flite:slt")  # test
TINY_SPEC = SpeechCorpusSpec(train=24, valid=6, test=6, voices=TINY_VOICES)


@pytest.fixture(scope="session")
def tiny_speech_corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("speech") / "corpus"
    build_speech_corpus(folder, TINY_SPEC, workers=1, log=lambda *_: None)
    return folder


@pytest.fixture(scope="session")
def tiny_speech_run(tmp_path_factory, tiny_speech_corpus) -> Path:
    from seqstudio.speech.train import PRESETS, train_speech

    run = tmp_path_factory.mktemp("speech-run") / "run"
    train_speech(tiny_speech_corpus, run, replace(PRESETS["tiny"], steps=6, eval_every=3, checkpoint_every=3),
                 torch.device("cpu"), log=lambda *_: None)
    return run
