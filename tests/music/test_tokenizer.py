from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from seqstudio.music.tokenizer import BOS, Note, Tokenizer, TokenizerConfig

TOK = Tokenizer()
STEP = TOK.config.time_step


@st.composite
def note_lists(draw):
    """Notes on up to 8 tracks; one pitch never overlaps itself on a track (MIDI cannot express that)."""
    notes = []
    for track in range(draw(st.integers(1, 8))):
        for pitch in draw(st.lists(st.integers(0, 127), min_size=1, max_size=6, unique=True)):
            t = draw(st.floats(0, 5))
            for _ in range(draw(st.integers(1, 4))):
                start = t + draw(st.floats(0, 3))
                end = start + draw(st.floats(0.0005, 4))
                notes.append(Note(track, pitch, start, end, draw(st.integers(1, 127))))
                t = end + 0.011  # a gap of more than one step before the same pitch sounds again
    return notes


@settings(max_examples=200, deadline=None)
@given(note_lists())
def test_round_trip_keeps_every_note_within_one_step_and_one_bin(notes):
    decoded = TOK.decode(TOK.encode(notes))
    assert len(decoded) == len(notes)
    # notes of one pitch on one track never overlap, so they keep their order: compare them in order
    def groups(ns):
        out: dict[tuple[int, int], list[Note]] = {}
        for n in sorted(ns, key=lambda n: n.start):
            out.setdefault((n.track, n.pitch), []).append(n)
        return out

    bin_width = 127 / TOK.config.velocity_bins
    got = groups(decoded)
    for key, originals in groups(notes).items():
        assert len(got[key]) == len(originals)
        for original, match in zip(originals, got[key], strict=True):
            assert abs(match.start - original.start) <= STEP + 1e-9
            assert abs(match.end - original.end) <= STEP + 1e-9
            assert abs(match.velocity - original.velocity) <= bin_width
            assert match.end > match.start


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, TOK.vocab_size - 1), max_size=300))
def test_any_token_sequence_decodes_to_valid_notes(tokens):
    for n in TOK.decode(np.array(tokens, dtype=np.int64)):
        assert 0 <= n.pitch < 128 and 0 <= n.track < TOK.config.max_tracks
        assert n.end > n.start >= 0


def test_vocabulary_layout_is_contiguous_and_complete():
    ranges = TOK.kind_ranges()
    assert ranges["note_on"][0] == 2
    assert TOK.vocab_size == 2 + 128 + 128 + 100 + 32 + 8
    names = {TOK.describe(t).split("(")[0] for t in range(TOK.vocab_size)}
    assert names == {"PAD", "BOS", "NOTE_ON", "NOTE_OFF", "TIME_SHIFT", "VELOCITY", "TRACK"}


def test_chord_costs_one_track_token_per_voice_and_offs_come_before_ons():
    notes = [Note(0, 60, 0, 1, 80), Note(0, 64, 0, 1, 80), Note(1, 48, 0, 1, 80),
             Note(0, 62, 1, 2, 80), Note(1, 50, 1, 2, 80)]
    words = [TOK.describe(t) for t in TOK.encode(notes)]
    assert words[0] == "BOS"
    # three time steps (0 s, 1 s, 2 s), each with both voices: one TRACK token per voice per step
    assert words.count("TRACK(0)") == 3 and words.count("TRACK(1)") == 3
    at_one = words[words.index("TIME_SHIFT(100)") + 1 :]
    assert at_one[:3] == ["TRACK(0)", "NOTE_OFF(60)", "NOTE_OFF(64)"]
    assert at_one.index("NOTE_ON(62)") > at_one.index("NOTE_OFF(64)")


def test_long_gaps_are_split_into_shifts_of_at_most_one_second():
    tokens = TOK.encode([Note(0, 60, 2.505, 2.6, 80)], bos=False)
    shifts = [TOK.describe(t) for t in tokens if TOK.describe(t).startswith("TIME_SHIFT")]
    assert shifts[:3] == ["TIME_SHIFT(100)", "TIME_SHIFT(100)", "TIME_SHIFT(51)"] or \
        shifts[:3] == ["TIME_SHIFT(100)", "TIME_SHIFT(100)", "TIME_SHIFT(50)"]
    assert BOS not in tokens.tolist()


def test_bad_config_raises():
    import pytest

    with pytest.raises(ValueError):
        TokenizerConfig(time_step=0)
    with pytest.raises(ValueError):
        TokenizerConfig(max_tracks=0)
