"""``seqstudio transcribe`` as a user meets it: real audio files and a tiny real model in tmp folders; outputs
named like Buzz/whisper, never clobbered, never partial; every bad input one line on stderr."""

from __future__ import annotations

import json
import pickle  # noqa: TID251 - only to plant the hostile weights file the CLI must refuse
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from seqstudio.cli.main import main
from seqstudio.speech.formats import from_json
from seqstudio.speech.transcriber import Transcriber
from tests.conftest import REPO
from tests.speech.test_transcriber import RATE, bad_files, make_model, write_audio


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    return make_model(tmp_path_factory.mktemp("speech-cli") / "model")


def run(argv, capsys):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code, err, message=""):
    assert code != 0
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("seqstudio") and "error" in lines[0] and message in lines[0], lines[0]
    assert "Traceback" not in err


def no_stray_files(folder: Path) -> bool:
    return not [p for p in folder.rglob("*") if p.name.startswith(".") or p.suffix == ".part"]


def test_default_output_is_a_txt_next_to_the_input(model_dir, tmp_path, capsys):
    audio = write_audio(tmp_path / "talk.wav", 3.0)
    code, out, _ = run(["transcribe", audio, "--model", model_dir, "--device", "cpu"], capsys)
    assert code == 0 and str(tmp_path / "talk.txt") in out
    expected = Transcriber.load(model_dir, "cpu").transcribe(audio)
    assert expected.text
    assert (tmp_path / "talk.txt").read_text() == expected.render("txt")


def test_all_four_formats_carry_the_word_timings(model_dir, tmp_path, capsys):
    audio = write_audio(tmp_path / "talk.flac", 3.0, fmt="FLAC")
    assert run(["transcribe", audio, "--model", model_dir, "--format", "all"], capsys)[0] == 0
    expected = Transcriber.load(model_dir, "cpu").transcribe(audio)
    segments = from_json((tmp_path / "talk.json").read_text())
    words = [w for s in segments for w in s.words]
    assert [(w.text, w.start, w.end) for w in words] == [(w.text, round(w.start, 3), round(w.end, 3))
                                                         for w in expected.words]
    srt = (tmp_path / "talk.srt").read_text()
    assert srt.startswith("1\n00:00:0") and " --> " in srt
    vtt = (tmp_path / "talk.vtt").read_text()
    assert vtt.startswith("WEBVTT\n") and vtt.count(" --> ") == len(segments)
    assert (tmp_path / "talk.txt").read_text().split() == expected.text.split()


def test_folders_and_many_files_in_one_run(model_dir, tmp_path, capsys):
    src = tmp_path / "in"
    write_audio(src / "a.wav", 1.5, seed=1)
    write_audio(src / "a.flac", 1.5, seed=2, fmt="FLAC")  # same stem: both keep their extension
    write_audio(src / "sub" / "b.ogg", 1.5, seed=3, subtype="VORBIS", fmt="OGG")
    (src / "notes.txt").write_text("not audio, not picked up")
    single = write_audio(tmp_path / "c.wav", 1.0, seed=4)
    out = tmp_path / "out"
    code, stdout, err = run(["transcribe", src, single, "--model", model_dir, "--out", out, "--format", "srt,vtt"],
                            capsys)
    assert code == 0, err
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert written == ["a.flac.srt", "a.flac.vtt", "a.wav.srt", "a.wav.vtt", "c.srt", "c.vtt", "sub/b.srt", "sub/b.vtt"]
    assert "transcribed 4 of 4 file(s)" in stdout


def test_two_inputs_that_would_share_an_output_are_refused_before_any_work(model_dir, tmp_path, capsys):
    first = write_audio(tmp_path / "day1" / "talk.wav", 1.0, seed=1)
    second = write_audio(tmp_path / "day2" / "talk.wav", 1.0, seed=2)
    out = tmp_path / "out"
    for inputs in ([first, second], [tmp_path / "day1", tmp_path / "day2"]):
        for extra in ([], ["--overwrite"]):  # --overwrite must not let one of this run's transcripts replace another
            code, _, err = run(["transcribe", *inputs, "--model", model_dir, "--out", out, *extra], capsys)
            assert_one_line_error(code, err, "would both be written to")
            assert not out.exists()


def test_out_file_and_stdout(model_dir, tmp_path, capsys):
    audio = write_audio(tmp_path / "talk.wav", 2.0)
    assert run(["transcribe", audio, "--model", model_dir, "--out", tmp_path / "x" / "mine.vtt"], capsys)[0] == 0
    assert (tmp_path / "x" / "mine.vtt").read_text().startswith("WEBVTT")
    code, out, _ = run(["transcribe", audio, "--model", model_dir, "--out", "-", "--format", "json"], capsys)
    assert code == 0 and json.loads(out)["format"] == "seqstudio-transcript"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["talk.wav", "x"]
    code, _, err = run(["transcribe", audio, audio, "--model", model_dir, "--out", tmp_path / "one.txt",
                        "--format", "txt"], capsys)
    assert code == 0  # the same file twice is one input
    code, _, err = run(["transcribe", audio, tmp_path / "x", "--model", model_dir, "--out", tmp_path / "y.txt"], capsys)
    assert_one_line_error(code, err, "several inputs")


def test_existing_outputs_are_kept_without_overwrite(model_dir, tmp_path, capsys):
    first = write_audio(tmp_path / "first.wav", 1.5, seed=1)
    second = write_audio(tmp_path / "second.wav", 1.5, seed=2)
    (tmp_path / "second.txt").write_text("precious")
    code, _, err = run(["transcribe", first, second, "--model", model_dir], capsys)
    assert_one_line_error(code, err, "second.txt already exist")
    assert (tmp_path / "second.txt").read_text() == "precious"
    assert not (tmp_path / "first.txt").exists()  # checked before any work: nothing half done
    code, out, _ = run(["transcribe", first, second, "--model", model_dir, "--skip-existing"], capsys)
    assert code == 0 and (tmp_path / "first.txt").exists() and (tmp_path / "second.txt").read_text() == "precious"
    assert run(["transcribe", second, "--model", model_dir, "--overwrite"], capsys)[0] == 0
    assert (tmp_path / "second.txt").read_text() != "precious"
    assert no_stray_files(tmp_path)


@pytest.mark.parametrize("kind", ["not audio", "truncated", "zero bytes", "missing"])
def test_a_bad_file_is_one_line_and_writes_nothing(model_dir, tmp_path, capsys, kind):
    path, message = bad_files(tmp_path)[kind]
    code, _, err = run(["transcribe", path, "--model", model_dir], capsys)
    assert_one_line_error(code, err, message)
    assert code == 2
    assert not path.with_suffix(".txt").exists() and no_stray_files(tmp_path)


def test_a_bad_file_among_many_does_not_stop_the_others(model_dir, tmp_path, capsys):
    bad = bad_files(tmp_path)
    good = [write_audio(tmp_path / f"ok{i}.wav", 1.5, seed=i) for i in range(2)]
    path, message = bad["truncated"]
    code, out, err = run(["transcribe", good[0], path, good[1], "--model", model_dir, "--format", "srt"], capsys)
    assert_one_line_error(code, err, message)
    assert code == 2
    assert (tmp_path / "ok0.srt").exists() and (tmp_path / "ok1.srt").exists()
    assert not path.with_suffix(".srt").exists() and no_stray_files(tmp_path)
    assert "transcribed 2 of 3 file(s)" in out


@pytest.mark.parametrize("rate, channels, subtype", [
    (8000, 1, "PCM_16"), (96000, 1, "PCM_24"), (16000, 6, "PCM_16"), (22050, 1, "PCM_U8"), (44100, 2, "FLOAT"),
])
def test_odd_rates_depths_and_channels_transcribe(model_dir, tmp_path, capsys, rate, channels, subtype):
    audio = write_audio(tmp_path / "odd.wav", 1.5, rate, channels, subtype)
    code, _, err = run(["transcribe", audio, "--model", model_dir, "--format", "json"], capsys)
    assert code == 0, err
    assert json.loads((tmp_path / "odd.json").read_text())["segments"] is not None


def test_pure_silence_gives_an_empty_transcript(model_dir, tmp_path, capsys):
    audio = tmp_path / "quiet.wav"
    sf.write(str(audio), np.zeros(2 * RATE), RATE, subtype="PCM_16")
    code, out, _ = run(["transcribe", audio, "--model", model_dir, "--format", "txt,json"], capsys)
    assert code == 0 and "0 words" in out
    assert (tmp_path / "quiet.txt").read_text() == ""
    assert json.loads((tmp_path / "quiet.json").read_text())["segments"] == []


def test_model_problems_are_one_line(model_dir, tmp_path, capsys, monkeypatch):
    audio = write_audio(tmp_path / "talk.wav", 1.0)
    monkeypatch.setenv("SEQSTUDIO_MODELS", str(tmp_path / "models"))
    code, _, err = run(["transcribe", audio], capsys)
    assert_one_line_error(code, err, "default speech model is not installed")
    code, _, err = run(["transcribe", audio, "--model", tmp_path / "nowhere"], capsys)
    assert_one_line_error(code, err, "does not exist")
    wrong = tmp_path / "wrong"
    wrong.mkdir()
    (wrong / "config.json").write_text("{not json")
    code, _, err = run(["transcribe", audio, "--model", wrong], capsys)
    assert_one_line_error(code, err, "not valid JSON")
    hostile = make_model(tmp_path / "hostile")
    (hostile / "model.safetensors").write_bytes(pickle.dumps({"weights": [1.0, 2.0]}))
    code, _, err = run(["transcribe", audio, "--model", hostile], capsys)
    assert_one_line_error(code, err, "never unpickles")
    assert not (tmp_path / "talk.txt").exists()


def test_bad_options_are_one_line(model_dir, tmp_path, capsys):
    audio = write_audio(tmp_path / "talk.wav", 1.0)
    for extra, message in [(["--format", "docx"], "unknown --format docx"), (["--beam", "0"], "beam_size"),
                           (["--lm", tmp_path / "no.arpa"], "does not exist"),
                           (["--overwrite", "--skip-existing"], "contradict"),
                           (["--out", tmp_path / "t.mp3"], "not a transcript format"),
                           (["--device", "tpu"], "unknown device")]:
        code, _, err = run(["transcribe", audio, "--model", model_dir, *extra], capsys)
        assert_one_line_error(code, err, message)
    empty = tmp_path / "empty-folder"
    empty.mkdir()
    code, _, err = run(["transcribe", empty, "--model", model_dir], capsys)
    assert_one_line_error(code, err, "holds no audio files")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty-folder", "talk.wav"]


def test_beam_search_with_a_language_model_and_hotwords(model_dir, tmp_path, capsys):
    from seqstudio.speech.beam import DecodeOptions
    from seqstudio.speech.lm import NgramLM

    lm = NgramLM.train(["front center", "front left", "rear right"], order=2).write_arpa(tmp_path / "lm.arpa")
    audio = write_audio(tmp_path / "talk.wav", 2.0)
    code, out, err = run(["transcribe", audio, "--model", model_dir, "--out", "-", "--beam", "4", "--lm", lm,
                          "--hotwords", "front, center", "--format", "json"], capsys)
    assert code == 0, err
    options = DecodeOptions(beam_size=4, lm=lm, hotwords=("front", "center"))
    expected = Transcriber.load(model_dir, "cpu").transcribe(audio, options)
    assert expected.text and out == expected.render("json")
    assert expected.text != Transcriber.load(model_dir, "cpu").transcribe(audio).text  # the LM did its part


def test_nbest_lists_go_into_the_json_transcript(model_dir, tmp_path, capsys):
    audio = write_audio(tmp_path / "talk.wav", 2.0)
    code, _, err = run(["transcribe", audio, "--model", model_dir, "--nbest", "3", "--beam", "8"], capsys)
    assert_one_line_error(code, err, "--format json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["talk.wav"]

    code, _, err = run(["transcribe", audio, "--model", model_dir, "--nbest", "3", "--beam", "8",
                        "--format", "json,txt"], capsys)
    assert code == 0, err
    data = json.loads((tmp_path / "talk.json").read_text())
    assert (tmp_path / "talk.txt").read_text().strip() == data["text"]  # txt has the best one only
    (stretch,) = data["alternatives"]
    texts = [h["text"] for h in stretch["hypotheses"]]
    scores = [h["score"] for h in stretch["hypotheses"]]
    assert 1 < len(texts) <= 3 and len(set(texts)) == len(texts) and scores == sorted(scores, reverse=True)
    assert texts[0] == data["text"]  # the first alternative is the transcript itself
    assert 0.0 <= stretch["start"] < stretch["end"] <= 2.0
    assert from_json((tmp_path / "talk.json").read_text())[0].text == data["text"]  # still reads back

    # asked for, the alternatives are there even when the beam found only one distinct text
    code, _, err = run(["transcribe", audio, "--model", model_dir, "--nbest", "2", "--beam", "2", "--format", "json",
                        "--hotwords", "zzz", "--overwrite"], capsys)
    assert code == 0, err
    assert "alternatives" in json.loads((tmp_path / "talk.json").read_text())
    code, _, err = run(["transcribe", audio, "--model", model_dir, "--format", "json", "--overwrite"], capsys)
    assert "alternatives" not in json.loads((tmp_path / "talk.json").read_text())  # and only then

    code, _, err = run(["transcribe", audio, "--model", model_dir, "--nbest", "0", "--format", "json",
                        "--overwrite"], capsys)
    assert_one_line_error(code, err, "nbest")


def test_the_installed_command_never_shows_a_traceback(model_dir, tmp_path):
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    result = subprocess.run([sys.executable, "-m", "seqstudio", "transcribe", str(bad), "--model", str(model_dir)],
                            cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr and "bad.wav" in result.stderr
    assert not (tmp_path / "bad.txt").exists()


def test_bench_transcribe_reports_real_time_factors(model_dir, capsys):
    code, out, _ = run(["bench", "transcribe", "--model", model_dir, "--seconds", 2, "--files", 3,
                        "--file-seconds", 2, "--long-minutes", 0, "--device", "cpu"], capsys)
    assert code == 0
    lines = out.splitlines()
    assert "13,689 parameters" in lines[0] and "RTF" in lines[1]
    one, batch = lines[2].split(), lines[3].split()
    assert one[:4] == ["cpu", "one", "file", "(2"] and float(one[5]) == 2.0 and float(one[7]) > 0
    assert batch[:4] == ["cpu", "batch", "3", "x"] and float(batch[6]) == 6.0
    code, _, err = run(["bench", "transcribe", "--model", model_dir, "--files", 0], capsys)
    assert_one_line_error(code, err, "--files")


def test_bench_audio_is_the_repositorys_human_recordings():
    from seqstudio.speech.bench import HUMAN_DIR, SpeechSource

    assert HUMAN_DIR == REPO / "data" / "human"
    source = SpeechSource(seed=0)
    assert source.kind == f"human recordings from {HUMAN_DIR}"
    assert len(source.clips) == len(list(HUMAN_DIR.glob("*.wav")))  # every clip is longer than 0.25 s
    audio = source.take(16000 * 20)
    assert audio.shape == (16000 * 20,) and 0.05 < float(abs(audio).max()) <= 1.0
