from __future__ import annotations

import mido
import pretty_midi
import pytest

from seqstudio.core.errors import SeqStudioError
from seqstudio.music.midi_io import load_midi, to_score
from tests.conftest import make_midi


def _one_line_error(path, match):
    with pytest.raises(SeqStudioError, match=match) as info:
        to_score(load_midi(path), 8, str(path))
    assert "\n" not in str(info.value)


def test_not_a_midi_file(tmp_path):
    path = tmp_path / "song.mid"
    path.write_text("these are words, not notes")
    _one_line_error(path, "not a MIDI file")


def test_truncated_midi(tmp_path):
    good = make_midi(tmp_path / "good.mid", seconds=20)
    bad = tmp_path / "bad.mid"
    bad.write_bytes(good.read_bytes()[:60])
    _one_line_error(bad, "truncated or corrupt")


def test_missing_file_and_folder(tmp_path):
    _one_line_error(tmp_path / "nope.mid", "does not exist")
    _one_line_error(tmp_path, "not a file")


def test_midi_without_notes(tmp_path):
    midi = pretty_midi.PrettyMIDI()
    midi.instruments.append(pretty_midi.Instrument(program=0))
    midi.write(str(tmp_path / "empty.mid"))
    _one_line_error(tmp_path / "empty.mid", "has no notes")


def test_drums_only(tmp_path):
    path = make_midi(tmp_path / "d.mid", voices=1, drums=True)
    midi = pretty_midi.PrettyMIDI(str(path))
    midi.instruments = [i for i in midi.instruments if i.is_drum]
    midi.write(str(path))
    _one_line_error(path, "only drum tracks")


@pytest.mark.parametrize("bpm", [0.5, 5000])
def test_absurd_tempo(tmp_path, bpm):
    mid = mido.MidiFile(ticks_per_beat=480)
    track = mido.MidiTrack()
    track.append(mido.MetaMessage("set_tempo", tempo=min(int(60_000_000 / bpm), 0xFFFFFF)))
    track.append(mido.Message("note_on", note=60, velocity=90, time=0))
    track.append(mido.Message("note_off", note=60, velocity=0, time=480))
    mid.tracks.append(track)
    mid.save(str(tmp_path / "t.mid"))
    _one_line_error(tmp_path / "t.mid", "absurd tempo")


def test_voices_keep_their_instruments_and_drums_stay_aside(tmp_path):
    path = make_midi(tmp_path / "m.mid", voices=3, programs=[73, 40, 33], drums=True)
    score = to_score(load_midi(path), 8)
    assert [i.program for i in score.slots] == [73, 40, 33]
    assert len(score.drums) == 1
    assert {n.track for n in score.notes} == {0, 1, 2}


def test_voices_beyond_max_tracks_share_the_last_slot(tmp_path):
    path = make_midi(tmp_path / "m.mid", voices=4)
    score = to_score(load_midi(path), 2)
    assert len(score.slots) == 2
    assert {n.track for n in score.notes} == {0, 1}
    assert len(score.notes) == sum(len(i.notes) for i in load_midi(path).instruments)
