"""Importers of real corpora on tiny fake copies of their layouts, with real audio files, in tmp folders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seqstudio.cli.main import main
from seqstudio.core.errors import SeqStudioError
from seqstudio.speech.importers import import_speech, write_import
from seqstudio.speech.manifest import read_manifest
from tests.speech.test_transcriber import write_audio


def librispeech(root: Path) -> Path:
    split = root / "LibriSpeech" / "dev-clean"
    lines = {("84", "121123"): ["84-121123-0000 GO DO YOU HEAR", "84-121123-0001 BUT IN LESS THAN FIVE MINUTES"],
             ("174", "50561"): ["174-50561-0000 FORGOTTEN TOO THE NAME OF GILLIAN"]}
    for (speaker, chapter), rows in lines.items():
        folder = split / speaker / chapter
        for i, row in enumerate(rows):
            write_audio(folder / f"{row.split()[0]}.flac", 1.0 + 0.5 * i, fmt="FLAC", seed=i)
        (folder / f"{speaker}-{chapter}.trans.txt").write_text("\n".join(rows) + "\n")
    return split


def test_librispeech(tmp_path):
    split = librispeech(tmp_path)
    result = import_speech("librispeech", tmp_path / "LibriSpeech")
    assert [u.text for u in result.utterances] == ["FORGOTTEN TOO THE NAME OF GILLIAN", "GO DO YOU HEAR",
                                                   "BUT IN LESS THAN FIVE MINUTES"]
    assert [u.speaker for u in result.utterances] == ["174", "84", "84"]
    assert [u.duration for u in result.utterances] == pytest.approx([1.0, 1.0, 1.5])
    assert result.utterances[1].audio == split / "84" / "121123" / "84-121123-0000.flac"
    # a transcript line whose audio is gone is left out and counted, not fatal
    (split / "84" / "121123" / "84-121123-0001.flac").unlink()
    result = import_speech("librispeech", split)
    assert len(result.utterances) == 2 and len(result.skipped) == 1 and "no such file" in result.skipped[0]


def test_commonvoice_folder_and_tsv(tmp_path):
    folder = tmp_path / "cv-corpus" / "en"
    header = "client_id\tpath\tsentence\tup_votes\tdown_votes\tage\tgender\taccents\tlocale\tsegment"
    rows = {"train": [("abc", "common_voice_en_1.mp3", 'He said "hello" to me.'),
                      ("def", "common_voice_en_2.mp3", "It's 5 o'clock.")],
            "dev": [("abc", "common_voice_en_3.mp3", "A third one.")]}
    for split, items in rows.items():
        lines = [header] + [f"{c}\t{p}\t{s}\t2\t0\tthirties\tfemale\t\ten\t" for c, p, s in items]
        (folder / f"{split}.tsv").parent.mkdir(parents=True, exist_ok=True)
        (folder / f"{split}.tsv").write_text("\n".join(lines) + "\n")
        for i, (_, name, _) in enumerate(items):
            write_audio(folder / "clips" / name, 1.0 + i, 44100, fmt="MP3", subtype="MPEG_LAYER_III", seed=i)
    result = import_speech("commonvoice", folder)
    assert [u.text for u in result.utterances] == ['He said "hello" to me.', "It's 5 o'clock."]
    assert [u.speaker for u in result.utterances] == ["abc", "def"]
    assert result.utterances[0].extra == {"gender": "female", "age": "thirties", "locale": "en"}
    assert [u.duration for u in result.utterances] == pytest.approx([1.0, 2.0], abs=0.06)
    dev = import_speech("commonvoice", folder, split="dev")
    assert [u.audio.name for u in dev.utterances] == ["common_voice_en_3.mp3"]
    # clip_durations.tsv (newer releases) is used instead of opening each clip
    (folder / "clip_durations.tsv").write_text("clip\tduration[ms]\ncommon_voice_en_3.mp3\t1234\n")
    assert import_speech("commonvoice", folder / "dev.tsv").utterances[0].duration == pytest.approx(1.234)
    with pytest.raises(SeqStudioError, match="no test.tsv .*dev, train"):
        import_speech("commonvoice", folder, split="test")


def test_ljspeech_prefers_the_normalised_text(tmp_path):
    folder = tmp_path / "LJSpeech-1.1"
    (folder / "metadata.csv").parent.mkdir(parents=True)
    (folder / "metadata.csv").write_text("LJ001-0001|Printing, in 1450|Printing, in fourteen fifty\n"
                                         "LJ001-0002|in being comparatively modern.\n")
    for i, uid in enumerate(["LJ001-0001", "LJ001-0002"]):
        write_audio(folder / "wavs" / f"{uid}.wav", 1.0, 22050, seed=i)
    result = import_speech("ljspeech", folder)
    assert [u.text for u in result.utterances] == ["Printing, in fourteen fifty", "in being comparatively modern."]
    assert {u.speaker for u in result.utterances} == {"ljspeech"}
    assert import_speech("ljspeech", folder / "metadata.csv", limit=1).utterances[0].extra == {"id": "LJ001-0001"}


def test_manifest_pass_through_rewrites_paths_relative_to_the_new_manifest(tmp_path):
    audio = [write_audio(tmp_path / "rec" / f"r{i}.wav", 1.0, seed=i) for i in range(2)]
    tsv = tmp_path / "rec" / "mine.tsv"
    tsv.write_text("audio\ttext\nr0.wav\tfirst one\nr1.wav\tsecond one\n")
    result = import_speech("manifest", tsv)
    out = write_import(result, tmp_path / "manifests" / "mine.jsonl")
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["audio"] for r in rows] == [a.as_posix() for a in audio]  # outside its folder: absolute
    inside = write_import(result, tmp_path / "all.jsonl")
    assert [json.loads(line)["audio"] for line in inside.read_text().splitlines()] == ["rec/r0.wav", "rec/r1.wav"]
    assert [u.audio for u in read_manifest(inside)] == audio
    assert [u.duration for u in read_manifest(inside)] == pytest.approx([1.0, 1.0])


def test_what_cannot_be_imported_is_one_line(tmp_path):
    (tmp_path / "empty").mkdir()
    cases = [("librispeech", tmp_path / "absent", "does not exist"),
             ("librispeech", tmp_path / "empty", "no LibriSpeech"),
             ("commonvoice", tmp_path / "empty", "has no train.tsv"),
             ("ljspeech", tmp_path / "empty", "no metadata.csv"),
             ("manifest", tmp_path / "absent.jsonl", "does not exist"),
             ("kaldi", tmp_path, "unknown corpus kind")]
    for kind, source, message in cases:
        with pytest.raises(SeqStudioError, match=message) as info:
            import_speech(kind, source)
        assert "\n" not in str(info.value)
    broken = tmp_path / "lj"
    broken.mkdir()
    (broken / "metadata.csv").write_text("LJ1|text|text\n")
    (broken / "wavs").mkdir()
    (broken / "wavs" / "LJ1.wav").write_bytes(b"not a wav")
    with pytest.raises(SeqStudioError, match="no usable utterances .*1 left out"):
        import_speech("ljspeech", broken)


def test_the_command(tmp_path, capsys):
    librispeech(tmp_path)
    out = tmp_path / "libri.jsonl"
    code = main(["data", "import-speech", "librispeech", str(tmp_path / "LibriSpeech"), "--out", str(out)])
    stdout, _ = capsys.readouterr()
    assert code == 0 and "3 utterances" in stdout and "2 speakers" in stdout
    assert len(read_manifest(out)) == 3
    before = out.read_text()
    code = main(["data", "import-speech", "librispeech", str(tmp_path / "LibriSpeech"), "--out", str(out)])
    _, err = capsys.readouterr()
    assert code == 2 and len(err.strip().splitlines()) == 1 and "already exists" in err
    assert out.read_text() == before
    code = main(["data", "import-speech", "ljspeech", str(tmp_path / "nothing"), "--out", str(tmp_path / "x.jsonl")])
    _, err = capsys.readouterr()
    assert code == 2 and len(err.strip().splitlines()) == 1 and not (tmp_path / "x.jsonl").exists()
