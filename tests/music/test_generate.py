from __future__ import annotations

import numpy as np
import pretty_midi
import pytest

from seqstudio.core.errors import SeqStudioError
from seqstudio.music.composer import Composer
from seqstudio.music.midi_io import midi_bytes
from seqstudio.music.options import GenerateOptions
from seqstudio.music.steering import estimate_key, scale_mask
from seqstudio.music.tokenizer import Note
from tests.conftest import make_midi


@pytest.fixture(scope="module")
def composer(tiny_model):
    return Composer.load(tiny_model, device="cpu")


@pytest.fixture(scope="module")
def seed_file(tmp_path_factory):
    return make_midi(tmp_path_factory.mktemp("seed") / "seed.mid", voices=3, seconds=6,
                     programs=[73, 40, 33], drums=True, seed=3)


def test_continuation_has_the_length_and_instruments_asked_for(composer, seed_file):
    seed = pretty_midi.PrettyMIDI(str(seed_file))
    (take,) = composer.continue_midi(seed_file, seconds=5, rng_seed=1)
    seed_end = max(n.end for i in seed.instruments if not i.is_drum for n in i.notes)
    assert take.seed_end == pytest.approx(seed_end)
    assert take.notes, "the continuation has notes"
    assert max(n.end for n in take.notes) <= 5 + 1e-9
    out = take.midi
    # every seed note is still there, unchanged, and new notes begin only after the seed
    for before, after in zip(seed.instruments, out.instruments):
        assert (before.program, before.is_drum, before.name) == (after.program, after.is_drum, after.name)
        old = [(n.pitch, round(n.start, 3)) for n in before.notes]
        assert [(n.pitch, round(n.start, 3)) for n in after.notes][: len(old)] == old
        assert all(n.start >= seed_end - 1e-6 for n in after.notes[len(old):])
    new_programs = {out.instruments[[i.program for i in out.instruments].index(p)].program
                    for p in (73, 40, 33)}
    assert new_programs == {73, 40, 33}
    assert not any(len(a.notes) > len(b.notes) for a, b in zip(out.instruments, seed.instruments) if a.is_drum)


def test_same_rng_seed_same_file_and_variations_differ(composer, seed_file):
    a = composer.continue_midi(seed_file, seconds=4, variations=3, rng_seed=42)
    b = composer.continue_midi(seed_file, seconds=4, variations=3, rng_seed=42)
    assert [midi_bytes(t.midi) for t in a] == [midi_bytes(t.midi) for t in b]
    assert len({tuple(t.tokens.tolist()) for t in a}) == 3
    c = composer.continue_midi(seed_file, seconds=4, variations=1, rng_seed=43)
    assert midi_bytes(c[0].midi) != midi_bytes(a[0].midi)


def test_batched_variation_matches_the_same_variation_alone(composer, seed_file):
    """A batch gives what each item gives alone: greedy decoding makes it comparable."""
    batch = composer.continue_midi(seed_file, seconds=3, variations=4, temperature=0, rng_seed=0)
    alone = composer.continue_midi(seed_file, seconds=3, variations=1, temperature=0, rng_seed=0)
    assert all(np.array_equal(t.tokens, alone[0].tokens) for t in batch)


def test_without_seed_the_file_starts_at_zero(composer, seed_file):
    (take,) = composer.continue_midi(seed_file, seconds=4, rng_seed=5, include_seed=False)
    notes = [n for i in take.midi.instruments for n in i.notes]
    assert len(notes) == len(take.notes)
    assert min(n.start for n in notes) < 4 and max(n.end for n in notes) <= 4 + 1e-6


def test_key_lock_keeps_new_notes_in_the_seed_key(composer, tmp_path):
    midi = pretty_midi.PrettyMIDI()
    inst = pretty_midi.Instrument(0)
    for i, p in enumerate([60, 62, 64, 65, 67, 69, 71, 72, 67, 64, 60] * 2):  # C major
        inst.notes.append(pretty_midi.Note(90, p, i * 0.4, i * 0.4 + 0.35))
    midi.instruments.append(inst)
    midi.write(str(tmp_path / "c.mid"))
    takes = composer.continue_midi(tmp_path / "c.mid", seconds=6, key_lock=True, variations=4, rng_seed=9)
    allowed = scale_mask(0, "major")
    assert takes[0].key == "C major"
    assert all(allowed[n.pitch] for t in takes for n in t.notes)
    free = composer.continue_midi(tmp_path / "c.mid", seconds=6, variations=4, rng_seed=9, temperature=1.5)
    assert any(not allowed[n.pitch] for t in free for n in t.notes)  # the lock, not the model, did it


def test_density_target_steers_the_note_rate(composer, seed_file):
    def rate(target):
        takes = composer.continue_midi(seed_file, seconds=8, density=target, variations=4, rng_seed=2)
        return np.mean([len(t.notes) / 8 for t in takes])

    sparse, dense = rate(1.0), rate(12.0)
    assert dense > 2 * sparse
    assert sparse < 3.0 and dense > 6.0


def test_context_window_uses_only_the_end_of_a_long_seed(composer, tmp_path):
    long_seed = make_midi(tmp_path / "long.mid", voices=2, seconds=120, seed=4)
    (a,) = composer.continue_midi(long_seed, seconds=2, context_seconds=5, rng_seed=3)
    (b,) = composer.continue_midi(long_seed, seconds=2, context_seconds=5, rng_seed=3, max_context_tokens=100000)
    assert np.array_equal(a.tokens, b.tokens)


def test_estimate_key_finds_a_minor_and_major():
    a_minor = [Note(0, p, i, i + 1, 80) for i, p in enumerate([57, 60, 64, 57, 59, 60, 62, 64, 56, 57])]
    assert estimate_key(a_minor) == (9, "minor")
    g_major = [Note(0, p, i, i + 1, 80) for i, p in enumerate([67, 71, 74, 67, 69, 71, 72, 74, 66, 67])]
    assert estimate_key(g_major) == (7, "major")


@pytest.mark.parametrize("bad", [dict(seconds=-1), dict(seconds=0), dict(temperature=-0.5), dict(top_p=0),
                                 dict(top_p=1.5), dict(top_k=-3), dict(variations=0), dict(density=-2),
                                 dict(context_seconds=0), dict(seconds=float("nan"))])
def test_nonsense_options_are_refused(bad):
    with pytest.raises(SeqStudioError):
        GenerateOptions(**bad).validate()
