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
    augment_manifest(recordings, first, spec, workers=1, **QUIET)
    augment_manifest(recordings, second, spec, workers=2, **QUIET)
    files = sorted(p.relative_to(first) for p in (first / "wav").rglob("*.wav"))
    assert files and files == sorted(p.relative_to(second) for p in (second / "wav").rglob("*.wav"))
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)
    assert (first / "train.jsonl").read_text() == (second / "train.jsonl").read_text()
    other = tmp_path / "c"
    augment_manifest(recordings, other, CopiesSpec(copies=2, augment=LOUD, seed=6), workers=1, **QUIET)
    assert (first / files[-1]).read_bytes() != (other / files[-1]).read_bytes()

    # an interrupted build (no summary, a unit's part and audio missing) resumes to the same corpus
    (second / "summary.json").unlink()
    (second / "train.jsonl").unlink()
    (second / "parts" / "00000.jsonl").unlink()
    shutil.rmtree(second / "wav" / "00000")
    said: list[str] = []
    augment_manifest(recordings, second, spec, workers=1, log=said.append)
    assert (first / "train.jsonl").read_text() == (second / "train.jsonl").read_text()
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)
    augment_manifest(recordings, second, spec, workers=1, log=said.append)
    assert "already holds" in said[-1]
    with pytest.raises(SeqStudioError, match="other copies"):
        augment_manifest(recordings, second, CopiesSpec(copies=3, augment=LOUD, seed=5), workers=1, **QUIET)


def test_no_original_and_length_limit(recordings, tmp_path):
    out = tmp_path / "copies"
    augment_manifest(recordings, out, CopiesSpec(copies=1, keep_original=False, seed=1), workers=1, **QUIET)
    rows = [json.loads(line) for line in (out / "train.jsonl").read_text().splitlines()]
    assert [r["copy"] for r in rows] == [1] * 4
    short = tmp_path / "short"
    augment_manifest(recordings, short, CopiesSpec(copies=1, max_seconds=0.5, seed=1), workers=1, **QUIET)
    assert (short / "train.jsonl").read_text() == ""
    with pytest.raises(SeqStudioError, match="nothing to write"):
        CopiesSpec(copies=0, keep_original=False)
    with pytest.raises(SeqStudioError, match="voice shift"):
        CopiesSpec(augment=AugmentConfig(p_shift=0.5))


def test_the_command(recordings, tmp_path, capsys):
    out = tmp_path / "cli"
    code = main(["data", "augment-speech", str(recordings), "--out", str(out), "--copies", "1", "--speed", "0.85",
                 "1.2", "--p-speed", "1", "--jobs", "1"])
    assert code == 0 and len(read_manifest(out / "train.jsonl")) == 8
    speeds = [json.loads(line)["augment"].get("speed") for line in (out / "train.jsonl").read_text().splitlines()]
    assert all(0.85 <= s <= 1.2 for s in speeds if s is not None) and sum(s is not None for s in speeds) == 4
    capsys.readouterr()
    for bad in (["--speed", "0.3", "1.0"], ["--p-speed", "2"], ["--copies", "-1"]):
        code = main(["data", "augment-speech", str(recordings), "--out", str(tmp_path / "bad"), *bad])
        _, err = capsys.readouterr()
        assert code == 2 and len(err.strip().splitlines()) == 1 and not (tmp_path / "bad").exists(), (bad, err)
    broken = tmp_path / "broken.jsonl"
    broken.write_text(json.dumps({"audio": str(tmp_path / "nope.wav"), "text": "hello"}) + "\n")
    code = main(["data", "augment-speech", str(broken), "--out", str(tmp_path / "bad")])
    _, err = capsys.readouterr()
    assert code == 2 and len(err.strip().splitlines()) == 1 and not (tmp_path / "bad" / "train.jsonl").exists()
