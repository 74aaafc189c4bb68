"""The shipped default model: it loads, composes in every voice of a real multi-instrument seed, and its
model card states the numbers its own config.json records."""

from __future__ import annotations

import re

import pretty_midi
import pytest

from seqstudio.core.models import models_root
from seqstudio.music.bundle import load_music_model
from seqstudio.music.composer import DEFAULT_MODEL, Composer
from seqstudio.music.midi_io import midi_bytes
from seqstudio.music.train import PRESETS
from tests.conftest import SEEDS


@pytest.fixture(scope="module")
def composer():
    return Composer.load("default", device="cpu")


def test_continues_the_chorale_quartet_in_all_four_instruments(composer):
    seed = pretty_midi.PrettyMIDI(str(SEEDS / "chorale_quartet.mid"))
    takes = composer.continue_midi(SEEDS / "chorale_quartet.mid", seconds=12, variations=2, rng_seed=2026)
    for take in takes:
        out = take.midi
        assert [i.program for i in out.instruments] == [i.program for i in seed.instruments]
        grown = [len(a.notes) - len(b.notes) for a, b in zip(out.instruments, seed.instruments, strict=True)]
        assert all(g > 0 for g in grown), grown  # every voice continues
        ends = [n.end for n in take.notes]
        assert 11.0 < max(ends) <= 12.0 + 1e-9  # the continuation fills the requested length
    again = composer.continue_midi(SEEDS / "chorale_quartet.mid", seconds=12, variations=2, rng_seed=2026)
    assert [midi_bytes(t.midi) for t in takes] == [midi_bytes(t.midi) for t in again]


@pytest.mark.parametrize("name", [DEFAULT_MODEL, "music-cpu"])
def test_model_cards_report_the_config_numbers(name):
    bundle = load_music_model(models_root() / name)
    card = (models_root() / name / "README.md").read_text(encoding="utf-8")
    prov = bundle.config["provenance"]
    assert f"{prov['metrics']['valid_nll_per_event']:.4f}" in card
    assert f"{prov['metrics']['test_nll_per_event']:.4f}" in card
    assert f"{prov['parameters']:,}" in card and f"{prov['steps']:,} steps" in card
    assert f"--steps {prov['steps']}" in card or prov["steps"] == PRESETS["cpu"].steps
    assert f"{bundle.model.config.num_layers}×{bundle.model.config.hidden_size} LSTM" in card
    assert bundle.config.get("stored_dtype") == "float16" and "stored as float16" in card
    assert re.search(r"seqstudio train music", card) and re.search(r"seqstudio data music", card)
