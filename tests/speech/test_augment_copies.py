"""`seqstudio data augment-speech`: augmented copies of recordings, on the tiny corpus' real (synthesised) audio."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from seqstudio.cli.main import main
from seqstudio.core.errors import SeqStudioError
from seqstudio.speech.audio import load_audio
from seqstudio.speech.corpus.augment import AugmentConfig
from seqstudio.speech.corpus.copies import CopiesSpec, augment_manifest
from seqstudio.speech.manifest import read_manifest
from seqstudio.speech.text import CharVocab
from seqstudio.speech.train import _load_split

QUIET = {"log": lambda *_: None}
# every transform on, so each copy differs from its original
LOUD = AugmentConfig(p_speed=1.0, p_reverb=1.0, p_noise=1.0, p_telephone=0.5, p_gain=1.0)


@pytest.fixture
def recordings(tiny_speech_corpus, tmp_path) -> Path:
    """Four clean utterances of the tiny corpus, at 22.05 kHz stereo like a user's own files might be."""
    rows = []
    for i, utt in enumerate(read_manifest(tiny_speech_corpus / "test.jsonl")[:4]):
        audio = load_audio(utt.audio, 22050)
        path = tmp_path / "mine" / f"{i}.wav"
        path.parent.mkdir(exist_ok=True)
        sf.write(str(path), np.stack([audio, audio], axis=1), 22050, subtype="PCM_16")
        rows.append({"audio": str(path), "text": utt.text, "speaker": f"s{i % 2}"})
    manifest = tmp_path / "mine.jsonl"
    manifest.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return manifest


def test_copies_are_written_listed_and_trainable(recordings, tmp_path):
    out = tmp_path / "copies"
    summary = augment_manifest(recordings, out, CopiesSpec(copies=2, augment=LOUD, seed=3), workers=1, **QUIET)
    rows = [json.loads(line) for line in (out / "train.jsonl").read_text().splitlines()]
    sources = read_manifest(recordings)
    assert len(rows) == 4 * 3 and summary["splits"]["train"]["utterances"] == 12
    assert summary["source_utterances"] == 4 and summary["splits"]["train"]["speakers"] == ["s0", "s1"]
    for row in rows:
        source = sources[row["source"]]
        assert row["text"] == source.text
        audio, rate = sf.read(str(out / row["audio"]), dtype="float32")
        assert rate == 16000 and audio.ndim == 1 and abs(len(audio) / rate - row["duration"]) < 1e-3
        clean = load_audio(source.audio, 16000)
        if row["copy"] == 0:  # the original, only resampled and downmixed
            assert row["augment"] == {} and len(audio) == len(clean)
            assert np.abs(audio - clean).max() < 2e-4
        else:
            assert set(row["augment"]) >= {"speed", "rt60", "noise", "gain_db"}
            assert len(audio) != len(clean) or np.abs(audio - clean).max() > 0.01
    copies = [(r["source"], r["copy"]) for r in rows]
    assert len(set(copies)) == len(copies)
    # `seqstudio train speech --extra-train` reads the folder
    examples = _load_split(out, "train", CharVocab(), 25.0, 16.0, lambda *_: None, training=True)
    assert len(examples) == 12


def test_same_seed_same_bytes_and_resume(recordings, tmp_path):
    spec = CopiesSpec(copies=2, augment=LOUD, seed=5)
    first, second = tmp_path / "a", tmp_path / "b"
    augment_manifest(recordings, first, spec, workers=1, unit_size=4, **QUIET)  # one unit, in this process's order
    augment_manifest(recordings, second, spec, workers=2, unit_size=1, **QUIET)  # four, two processes at a time

    def made(folder):  # each copy's bytes by its name (the unit folders differ), and the rows without paths
        audio = {p.name: p.read_bytes() for p in (folder / "wav").rglob("*.wav")}
        rows = [{k: v for k, v in json.loads(line).items() if k != "audio"} for line in (folder / "train.jsonl").open()]
        return audio, rows

    assert len(made(first)[0]) == 12 and made(first) == made(second)
    other = tmp_path / "c"
    augment_manifest(recordings, other, CopiesSpec(copies=2, augment=LOUD, seed=6), workers=1, **QUIET)
    assert made(other)[0]["000003-02.wav"] != made(first)[0]["000003-02.wav"]
    assert made(other)[0]["000003-00.wav"] == made(first)[0]["000003-00.wav"]  # the original is the original

    # an interrupted build (no summary, a unit's part and audio missing) resumes to the same corpus
    (second / "summary.json").unlink()
    (second / "train.jsonl").unlink()
    (second / "parts" / "00002.json").unlink()
    shutil.rmtree(second / "wav" / "00002")
    said: list[str] = []
    augment_manifest(recordings, second, spec, workers=1, unit_size=1, log=said.append)
    assert made(first) == made(second)
    augment_manifest(recordings, second, spec, workers=1, log=said.append)
    assert "already holds" in said[-1]
    with pytest.raises(SeqStudioError, match="other copies"):
        augment_manifest(recordings, second, CopiesSpec(copies=3, augment=LOUD, seed=5), workers=1, **QUIET)
    # the speakers are part of what was made: new ones are other copies
    renamed = tmp_path / "renamed.jsonl"
    renamed.write_text(recordings.read_text().replace('"s0"', '"s9"'))
    with pytest.raises(SeqStudioError, match="other copies"):
        augment_manifest(renamed, second, spec, workers=1, **QUIET)
    # a partial build (no summary yet) is resumed only with its own settings; an unreadable spec.json is not its own
    (second / "summary.json").unlink()
    with pytest.raises(SeqStudioError, match="partial build with other settings"):
        augment_manifest(recordings, second, CopiesSpec(copies=3, augment=LOUD, seed=5), workers=1, **QUIET)
    (second / "spec.json").write_text("{not json")
    with pytest.raises(SeqStudioError, match="partial build with other settings"):
        augment_manifest(recordings, second, spec, workers=1, **QUIET)


def test_no_original_and_length_limit(recordings, tmp_path):
    out = tmp_path / "copies"
    augment_manifest(recordings, out, CopiesSpec(copies=1, keep_original=False, seed=1), workers=1, **QUIET)
    rows = [json.loads(line) for line in (out / "train.jsonl").read_text().splitlines()]
    assert [r["copy"] for r in rows] == [1] * 4
    with pytest.raises(SeqStudioError, match="no copy of"):
        augment_manifest(recordings, tmp_path / "short", CopiesSpec(copies=1, max_seconds=0.5, seed=1), workers=1,
                         **QUIET)
    assert not (tmp_path / "short" / "train.jsonl").exists()
    # a recording too short to augment and copies too long are left out, counted and said
    rows = [json.loads(line) for line in recordings.read_text().splitlines()]
    sf.write(str(tmp_path / "click.wav"), np.zeros(800, np.float32), 16000)
    rows.append({"audio": str(tmp_path / "click.wav"), "text": "click", "speaker": "s0"})
    with_click = tmp_path / "with_click.jsonl"
    with_click.write_text("".join(json.dumps(r) + "\n" for r in rows))
    longest = max(len(load_audio(r["audio"], 16000)) for r in rows) / 16000
    said: list[str] = []
    summary = augment_manifest(with_click, tmp_path / "mixed", CopiesSpec(copies=1, max_seconds=longest - 0.01, seed=1),
                               workers=1, log=said.append)
    assert summary["left_out"]["too_short"] == 1 and summary["left_out"]["too_long"] >= 1
    assert summary["source_utterances"] == 5
    assert summary["source_hours"] * 3600 == pytest.approx(sum(len(load_audio(r["audio"], 16000)) for r in rows)
                                                           / 16000, abs=2)
    assert any(line.startswith("left out 1 recording(s) under 0.3 s") for line in said), said
    assert all(json.loads(line)["text"] != "click" for line in (tmp_path / "mixed" / "train.jsonl").open())
    with pytest.raises(SeqStudioError, match="nothing to write"):
        CopiesSpec(copies=0, keep_original=False)
    with pytest.raises(SeqStudioError, match="voice shift"):
        CopiesSpec(augment=AugmentConfig(p_shift=0.5))
    with pytest.raises(SeqStudioError, match="--seed"):
        CopiesSpec(seed=-1)


def test_out_must_be_new_empty_or_its_own(recordings, tmp_path):
    (tmp_path / "afile").write_text("keep me")
    with pytest.raises(SeqStudioError, match="is a file"):
        augment_manifest(recordings, tmp_path / "afile", CopiesSpec(copies=1), workers=1, **QUIET)
    mine = recordings.parent / "mine"  # the folder of the recordings themselves
    before = sorted(p.name for p in mine.iterdir())
    with pytest.raises(SeqStudioError, match="other files"):
        augment_manifest(recordings, mine, CopiesSpec(copies=1), workers=1, **QUIET)
    assert sorted(p.name for p in mine.iterdir()) == before and (tmp_path / "afile").read_text() == "keep me"
    (tmp_path / "empty").mkdir()
    augment_manifest(recordings, tmp_path / "empty", CopiesSpec(copies=1), workers=1, **QUIET)
    assert len(read_manifest(tmp_path / "empty" / "train.jsonl")) == 8


def test_the_command(recordings, tmp_path, capsys):
    out = tmp_path / "cli"
    code = main(["data", "augment-speech", str(recordings), "--out", str(out), "--copies", "1", "--speed", "0.85",
                 "1.2", "--p-speed", "1", "--jobs", "1"])
    assert code == 0 and len(read_manifest(out / "train.jsonl")) == 8
    speeds = [json.loads(line)["augment"].get("speed") for line in (out / "train.jsonl").read_text().splitlines()]
    assert all(0.85 <= s <= 1.2 for s in speeds if s is not None) and sum(s is not None for s in speeds) == 4
    capsys.readouterr()
    for bad in (["--speed", "0.3", "1.0"], ["--p-speed", "2"], ["--copies", "-1"], ["--jobs", "0"], ["--seed", "-1"]):
        code = main(["data", "augment-speech", str(recordings), "--out", str(tmp_path / "bad"), *bad])
        _, err = capsys.readouterr()
        assert code == 2 and len(err.strip().splitlines()) == 1 and not (tmp_path / "bad").exists(), (bad, err)
    broken = tmp_path / "broken.jsonl"
    broken.write_text(json.dumps({"audio": str(tmp_path / "nope.wav"), "text": "hello"}) + "\n")
    code = main(["data", "augment-speech", str(broken), "--out", str(tmp_path / "bad")])
    _, err = capsys.readouterr()
    assert code == 2 and len(err.strip().splitlines()) == 1 and not (tmp_path / "bad" / "train.jsonl").exists()
    (tmp_path / "noise.wav").write_bytes(b"RIFF not really a wav file at all" * 10)  # readable, not decodable
    broken.write_text(json.dumps({"audio": str(tmp_path / "noise.wav"), "text": "hello"}) + "\n")
    code = main(["data", "augment-speech", str(broken), "--out", str(tmp_path / "bad2"), "--jobs", "1"])
    _, err = capsys.readouterr()
    assert code == 2 and len(err.strip().splitlines()) == 1 and "utterance 1" in err, err
    assert not (tmp_path / "bad2" / "train.jsonl").exists()
