"""Shared fixtures: real MIDI files made in tmp folders, a tiny real corpus and a tiny trained model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pretty_midi
import pytest

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "data" / "seeds"


def make_midi(path: Path, voices: int = 2, seconds: float = 8.0, seed: int = 0, programs=None,
              drums: bool = False, tempo: float = 120.0) -> Path:
    """A real little piece: each voice a random walk in its own register, quarter notes at ``tempo``."""
    rng = np.random.default_rng(seed)
    midi = pretty_midi.PrettyMIDI(initial_tempo=tempo)
    beat = 60.0 / tempo
    for v in range(voices):
        program = programs[v] if programs else [0, 40, 71, 33][v % 4]
        inst = pretty_midi.Instrument(program=program, name=f"voice{v}")
        pitch = 72 - 10 * v
        t = 0.0
        while t < seconds:
            dur = beat * rng.choice([0.5, 1, 1, 2])
            inst.notes.append(pretty_midi.Note(int(rng.integers(50, 110)), int(pitch), t, t + dur * 0.9))
            pitch = int(np.clip(pitch + rng.choice([-2, -1, 1, 2, 0]), 30, 100))
            t += dur
        midi.instruments.append(inst)
    if drums:
        kit = pretty_midi.Instrument(program=0, is_drum=True, name="drums")
        for i in range(int(seconds / beat)):
            kit.notes.append(pretty_midi.Note(100, 36 if i % 2 == 0 else 38, i * beat, i * beat + 0.1))
        midi.instruments.append(kit)
    path.parent.mkdir(parents=True, exist_ok=True)
    midi.write(str(path))
    return path


@pytest.fixture(scope="session")
def midi_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("midi")
    for i in range(40):
        make_midi(folder / f"piece{i:02d}.mid", voices=1 + i % 3, seconds=6 + i % 5, seed=i)
    return folder


@pytest.fixture(scope="session")
def tiny_corpus(tmp_path_factory, midi_folder) -> Path:
    from seqstudio.music.corpus import CorpusSpec, build_corpus

    out = tmp_path_factory.mktemp("corpus")
    build_corpus(CorpusSpec(music21=(), midi_dirs=(str(midi_folder),), stretches=(0.9, 1.0)), out, jobs=1)
    return out


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory, tiny_corpus) -> Path:
    import torch

    from seqstudio.music.train import PRESETS, train_music

    run = tmp_path_factory.mktemp("run")
    train_music(tiny_corpus, run, PRESETS["tiny"], torch.device("cpu"), log=lambda *_: None)
    return run / "model"
