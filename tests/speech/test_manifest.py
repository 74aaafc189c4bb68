"""Manifests: JSONL and TSV read alike, paths relative to the manifest, malformed lines named."""

from __future__ import annotations

import json

import pytest

from seqstudio.core.errors import SeqStudioError
from seqstudio.speech.manifest import Utterance, read_manifest, write_manifest


def test_jsonl_round_trip_keeps_relative_paths_and_extras(tmp_path):
    (tmp_path / "wav").mkdir()
    rows = [Utterance(tmp_path / "wav" / "a.wav", "Hello there.", 1.5, "kal", {"voice": "flite:kal"}),
            Utterance(tmp_path / "b.wav", "second")]
    path = write_manifest(tmp_path / "m.jsonl", rows)
    stored = [json.loads(line) for line in path.read_text().splitlines()]
    assert stored[0] == {"audio": "wav/a.wav", "text": "Hello there.", "duration": 1.5, "speaker": "kal",
                         "voice": "flite:kal"}
    assert read_manifest(path) == rows
    moved = tmp_path / "elsewhere"
    moved.mkdir()
    (moved / "m.jsonl").write_text(path.read_text())
    assert read_manifest(moved / "m.jsonl")[0].audio == moved / "wav" / "a.wav"


def test_paths_outside_the_folder_are_stored_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "m.jsonl").write_text('{"audio": "wav/a.wav", "text": "x"}\n')
    rows = read_manifest("corpus/m.jsonl")  # a relative manifest path still gives absolute audio paths
    assert rows[0].audio == tmp_path / "corpus" / "wav" / "a.wav"
    (tmp_path / "subset").mkdir()
    write_manifest("subset/m.jsonl", rows)
    assert read_manifest(tmp_path / "subset" / "m.jsonl")[0].audio == tmp_path / "corpus" / "wav" / "a.wav"


def test_texts_with_unicode_line_separators_survive_a_round_trip(tmp_path):
    rows = [Utterance(tmp_path / "a.wav", "one\u2028two\x85three\u2029four"), Utterance(tmp_path / "b.wav", "five")]
    assert read_manifest(write_manifest(tmp_path / "m.jsonl", rows)) == rows
    (tmp_path / "m.tsv").write_text("a.wav\tsix\u2028seven\r\nb.wav\teight\r\n", encoding="utf-8")
    assert [u.text for u in read_manifest(tmp_path / "m.tsv")] == ["six\u2028seven", "eight"]


def test_existing_manifest_is_not_overwritten(tmp_path):
    path = write_manifest(tmp_path / "m.jsonl", [Utterance(tmp_path / "a.wav", "x")])
    with pytest.raises(SeqStudioError, match="already exists"):
        write_manifest(path, [Utterance(tmp_path / "b.wav", "y")])
    assert read_manifest(path)[0].text == "x"


def test_tsv_with_and_without_header(tmp_path):
    (tmp_path / "h.tsv").write_text("path\tsentence\nclips/a.mp3\tGood morning\n")
    (tmp_path / "n.tsv").write_text("/abs/a.wav\tone two\n\n/abs/b.wav\tthree\n")
    assert read_manifest(tmp_path / "h.tsv") == [Utterance(tmp_path / "clips" / "a.mp3", "Good morning")]
    assert [u.text for u in read_manifest(tmp_path / "n.tsv")] == ["one two", "three"]


@pytest.mark.parametrize("content, message", [
    ('{"audio": "a.wav"}\n', "text"),
    ('{"text": "x"}\n', "audio"),
    ('{"audio": "a.wav", "text": "x", "duration": -1}\n', "duration"),
    ("not json at all\n", "audio<TAB>text"),
    ('{"audio": "a.wav", "text": "x"\n', "not valid JSON"),
    ("\n\n", "no utterances"),
])
def test_malformed_manifests_are_one_line_errors(tmp_path, content, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(content)
    with pytest.raises(SeqStudioError, match=message) as info:
        read_manifest(path)
    assert "\n" not in str(info.value)


def test_missing_and_binary_manifests(tmp_path):
    with pytest.raises(SeqStudioError, match="does not exist"):
        read_manifest(tmp_path / "nope.jsonl")
    (tmp_path / "bin.jsonl").write_bytes(b"\xff\xfe\x00\x81")
    with pytest.raises(SeqStudioError, match="UTF-8"):
        read_manifest(tmp_path / "bin.jsonl")
