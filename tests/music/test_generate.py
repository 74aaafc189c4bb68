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
    for before, after in zip(seed.instruments, out.instruments, strict=True):
        assert (before.program, before.is_drum, before.name) == (after.program, after.is_drum, after.name)
        old = [(n.pitch, round(n.start, 3)) for n in before.notes]
        assert [(n.pitch, round(n.start, 3)) for n in after.notes][: len(old)] == old
        assert all(n.start >= seed_end - 1e-6 for n in after.notes[len(old):])
    # the new notes went to the seed's pitched instruments, none to the drums, and all of them arrived
    new_notes = {(i.program, i.is_drum): len(a.notes) - len(i.notes)
                 for i, a in zip(seed.instruments, out.instruments, strict=True)}
    assert sum(new_notes.values()) == len(take.notes)
    assert new_notes[(0, True)] == 0
    assert sum(v > 0 for (program, drum), v in new_notes.items() if program in (73, 40, 33) and not drum) >= 1


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


def _piece(path, head_seed: int, tail: list[tuple[int, float]]):
    """60 s of a random-walk head (different per ``head_seed``) and then the same 6 s tail."""
    rng = np.random.default_rng(head_seed)
    midi = pretty_midi.PrettyMIDI()
    inst = pretty_midi.Instrument(0)
    t = 0.0
    while t < 60:
        inst.notes.append(pretty_midi.Note(80, int(rng.integers(40, 90)), t, t + 0.3))
        t += 0.4
    for pitch, start in tail:
        inst.notes.append(pretty_midi.Note(80, pitch, 60 + start, 60 + start + 0.45))
    midi.instruments.append(inst)
    midi.write(str(path))
    return path


def test_context_window_uses_only_the_end_of_a_long_seed(composer, tmp_path):
    tail = [(60 + (i * 5) % 12, i * 0.5) for i in range(12)]
    a = _piece(tmp_path / "a.mid", 1, tail)
    b = _piece(tmp_path / "b.mid", 2, tail)
    (ta,) = composer.continue_midi(a, seconds=3, context_seconds=5, rng_seed=3)
    (tb,) = composer.continue_midi(b, seconds=3, context_seconds=5, rng_seed=3)
    assert np.array_equal(ta.tokens, tb.tokens)  # same last 5 s, same continuation
    # what conditions the model: the last 5 s alone with the window, everything without it
    from seqstudio.music.generate import _context_tokens
    from seqstudio.music.midi_io import load_midi, to_score

    scores = [to_score(load_midi(p), 8) for p in (a, b)]
    windowed = [_context_tokens(composer.bundle, sc, GenerateOptions(context_seconds=5)) for sc in scores]
    whole = [_context_tokens(composer.bundle, sc, GenerateOptions()) for sc in scores]
    assert np.array_equal(*windowed) and windowed[0][0] != 1  # no BOS: the window starts mid-piece
    assert not np.array_equal(*whole) and whole[0][0] == 1 and len(whole[0]) > 10 * len(windowed[0])


def test_tempo_map_is_kept(composer, tmp_path):
    midi = pretty_midi.PrettyMIDI(str(make_midi(tmp_path / "t.mid", voices=2, seconds=8, tempo=90, seed=8)))
    ticks_at_4s = midi.time_to_tick(4.0)
    midi._tick_scales.append((ticks_at_4s, 60.0 / (140 * midi.resolution)))  # 90 BPM, then 140 BPM
    midi._update_tick_to_time(midi.time_to_tick(60))
    midi.write(str(tmp_path / "t2.mid"))
    seed = pretty_midi.PrettyMIDI(str(tmp_path / "t2.mid"))
    (take,) = composer.continue_midi(tmp_path / "t2.mid", seconds=4, rng_seed=1)
    out = pretty_midi.PrettyMIDI(__import__("io").BytesIO(midi_bytes(take.midi)))
    for a, b in zip(seed.get_tempo_changes(), out.get_tempo_changes(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    assert sorted(np.round(seed.get_tempo_changes()[1])) == [90, 140]


def test_the_seed_velocity_carries_into_the_continuation(composer, tmp_path):
    path = make_midi(tmp_path / "soft.mid", voices=2, seconds=6, seed=5)
    midi = pretty_midi.PrettyMIDI(str(path))
    for inst in midi.instruments:
        for n in inst.notes:
            n.velocity = 30
    midi.write(str(path))
    tok = composer.bundle.tokenizer
    expected = tok.bin_velocity(tok.velocity_bin(30))
    checked = 0
    for take in composer.continue_midi(path, seconds=3, variations=8, rng_seed=4):
        # the first NOTE_ON before any VELOCITY token must sound at the seed's velocity
        steps, track = 0, None
        for t in take.tokens.tolist():
            if tok.velocity <= t < tok.track:
                break
            steps += int(tok.shift_steps()[t])
            if tok.track <= t < tok.vocab_size:
                track = t - tok.track
            if tok.note_on <= t < tok.note_off and track is not None:
                start = steps * tok.config.time_step
                (note,) = [n for n in take.notes if n.track == track and n.pitch == t - tok.note_on
                           and abs(n.start - start) < 1e-6]
                assert note.velocity == expected
                checked += 1
                break
    assert checked > 0


def test_continuations_reach_the_requested_length(composer, seed_file):
    takes = composer.continue_midi(seed_file, seconds=5, variations=4, rng_seed=1)
    shift = composer.bundle.tokenizer.shift_steps()
    for take in takes:
        assert take.complete
        reached = shift[take.tokens].sum() * composer.bundle.tokenizer.config.time_step
        assert 5 - 1.0 < reached <= 5  # the next shift (at most 1 s) would have passed the end


def test_sampling_filters():
    from seqstudio.music.generate import _sample

    logits = np.log(np.array([[0.4, 0.3, 0.2, 0.1]] * 2000))
    rng = np.random.default_rng(0)
    top_k = _sample(logits, GenerateOptions(top_k=2, top_p=1.0), rng)
    assert set(top_k.tolist()) == {0, 1}
    top_p = _sample(logits, GenerateOptions(top_p=0.5), rng)
    assert set(top_p.tolist()) == {0, 1}  # 0.4 alone is under 0.5, so the second token joins; 0.7 is over
    free = _sample(logits, GenerateOptions(top_p=1.0), rng)
    assert set(free.tolist()) == {0, 1, 2, 3} and abs(np.mean(free == 0) - 0.4) < 0.05
    assert set(_sample(logits, GenerateOptions(temperature=0), rng).tolist()) == {0}


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


def test_fused_cpu_loop_equals_the_step_by_step_loop(composer, seed_file, monkeypatch):
    """The compiled loop (kernel + sampling per chunk) and the per-step loop that a GPU uses (stepper.step,
    then the same _choose) give the same tokens, with masks, top-k and density steering in play."""
    from seqstudio.music import stepper

    opts = dict(seconds=4, variations=3, rng_seed=11, top_k=20, density=4.0, key_lock=True)
    fused = composer.continue_midi(seed_file, **opts)
    monkeypatch.setattr(stepper.CpuStepper, "fused", False)
    stepwise = composer.continue_midi(seed_file, **opts)
    assert [t.tokens.tolist() for t in fused] == [t.tokens.tolist() for t in stepwise]


@pytest.mark.parametrize("precision", ["int8", "fp32"])
def test_both_precisions_generate_and_repeat(composer, seed_file, precision):
    a = composer.continue_midi(seed_file, seconds=3, variations=2, rng_seed=5, precision=precision)
    b = composer.continue_midi(seed_file, seconds=3, variations=2, rng_seed=5, precision=precision)
    assert all(t.notes and t.complete for t in a)
    assert [midi_bytes(t.midi) for t in a] == [midi_bytes(t.midi) for t in b]


def test_int8_is_the_default_and_precision_is_validated():
    assert GenerateOptions().precision == "int8"
    with pytest.raises(SeqStudioError, match="precision"):
        GenerateOptions(precision="fp16").validate()


def test_top_p_beyond_the_quick_search_and_ties():
    """More kept tokens than the max-search handles (the stable-sort fallback), and equal probabilities:
    lower token ids come first, so the nucleus of a flat distribution is a prefix."""
    from seqstudio.music.generate import _sample

    logits = np.zeros((3000, 100))
    picks = _sample(logits, GenerateOptions(top_p=0.505), np.random.default_rng(1))
    assert set(picks.tolist()) == set(range(51))
    logits[:, 7] = -np.inf  # a forbidden token is never drawn
    assert 7 not in _sample(logits, GenerateOptions(top_p=1.0), np.random.default_rng(2)).tolist()


def test_density_update_matches_the_controller():
    from seqstudio.music.generate import _density_advance
    from seqstudio.music.steering import DensityController

    ref, ours = DensityController(5.0, 2), DensityController(5.0, 2)
    rng = np.random.default_rng(0)
    for _ in range(200):
        b, seconds = int(rng.integers(2)), float(rng.uniform(0.01, 1.0))
        if rng.random() < 0.5:
            ref.note_on(np.array([b]))
            ours.notes[b] += 1.0
        ref.advance(np.array([b]), np.array([seconds]))
        _density_advance(b, seconds, ours.notes, ours.time, ours.bias, ours.log_target, ours.window, ours.gain,
                         ours.limit)
    np.testing.assert_allclose(ours.bias, ref.bias, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ours.notes, ref.notes, rtol=1e-12)


@pytest.mark.parametrize("precision", ["int8", "fp32"])
@pytest.mark.parametrize("batch", [1, 3])
def test_prefill_leaves_the_state_of_stepping_through_the_seed(composer, seed_file, precision, batch, monkeypatch):
    """The CPU prefill of a real seed on the trained model (input projections of many positions at once,
    then the recurrence, in stretches of 64 here) leaves every variation in the state that feeding the
    context to the step kernel token by token leaves."""
    import torch

    from seqstudio.music.generate import _context_tokens
    from seqstudio.music.midi_io import load_midi, to_score
    from seqstudio.music.stepper import make_stepper
    from seqstudio.nn import fast_step

    monkeypatch.setattr(fast_step, "_PREFILL_CHUNK", 64)
    bundle = composer.bundle
    score = to_score(load_midi(seed_file), bundle.tokenizer.config.max_tracks)
    context = _context_tokens(bundle, score, GenerateOptions())
    assert len(context) > 2 * 64  # several stretches
    stepper = make_stepper(bundle.model, torch.device("cpu"), precision)
    stepper.prefill(context, batch)
    got = stepper.fast.get_state()
    stepper.fast.reset(batch)
    for t in context[:-1]:  # the last context token is the first step's input
        stepper.fast.step(np.full(batch, t))
    expected = stepper.fast.get_state()
    assert got[0].shape[1] == batch and np.abs(expected[1]).max() > 0.1
    for g, e in zip(got, expected, strict=True):
        assert np.abs(g - e).max() < 1e-4
