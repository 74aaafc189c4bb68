"""Transcriber on real files with a tiny real (random-weight) model: the same words as the pipeline run by
hand, chunk offsets, batching across files changes nothing, silence, odd formats, bad files, progress."""

from __future__ import annotations

import json
import pickle  # noqa: TID251 - only to plant the hostile weights file the loader must refuse
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

from seqstudio.core.errors import Cancelled, SeqStudioError
from seqstudio.core.progress import Progress
from seqstudio.speech.audio import iter_audio_chunks, load_audio
from seqstudio.speech.bundle import save_speech_model
from seqstudio.speech.decode import greedy_decode
from seqstudio.speech.features import FeatureConfig, LogMel
from seqstudio.speech.formats import from_json
from seqstudio.speech.model import SpeechLSTM, SpeechModelConfig
from seqstudio.speech.text import CharVocab
from seqstudio.speech.transcriber import Transcriber, find_audio
from tests.conftest import REPO

RATE = 16000


def make_model(folder: Path, seed: int = 0, blank_only: bool = False) -> Path:
    """A tiny real speech model saved the way shipped ones are. ``blank_only``: it only ever says nothing."""
    torch.manual_seed(seed)
    config = SpeechModelConfig(vocab_size=len(CharVocab()), hidden_size=16, num_layers=1, conv_channels=4,
                               dropout=0.0)
    model = SpeechLSTM(config)
    if blank_only:
        with torch.no_grad():
            model.head.weight.zero_()
            model.head.bias.zero_()
            model.head.bias[0] = 20.0
    return save_speech_model(folder, model, FeatureConfig(), CharVocab(), {"data": "random weights, for tests"})


def speech_signal(seconds: float, rate: int = RATE, seed: int = 0) -> np.ndarray:
    """Syllable-like harmonic bursts with pauses over faint noise: what speech looks like to a chunker."""
    rng = np.random.default_rng(seed)
    x = 1e-3 * rng.standard_normal(int(seconds * rate))
    t = 0.2
    while t < seconds - 0.6:
        length = rng.uniform(0.15, 0.5)
        n = np.arange(int(length * rate)) / rate
        f0 = rng.uniform(100, 220)
        burst = sum(np.sin(2 * np.pi * f0 * k * n) / k for k in range(1, 8)) * np.hanning(len(n))
        start = int(t * rate)
        x[start : start + len(n)] += 0.2 * burst
        t += length + rng.uniform(0.05, 0.6)
    return x


def write_audio(path: Path, seconds: float = 3.0, rate: int = RATE, channels: int = 1, subtype: str = "PCM_16",
                seed: int = 0, fmt: str | None = None) -> Path:
    x = speech_signal(seconds, rate, seed)
    data = np.stack([x * (1 - 0.1 * c) for c in range(channels)], axis=1) if channels > 1 else x
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(path), data, rate, subtype=subtype, format=fmt)
    return path


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    return make_model(tmp_path_factory.mktemp("speech") / "model")


@pytest.fixture(scope="module")
def transcriber(model_dir) -> Transcriber:
    return Transcriber.load(model_dir, "cpu")


def assert_same_words(got, expected) -> None:
    """Texts and times exactly; confidences to float32 rounding (batched sums differ in the last bits)."""
    assert [(w.text, w.start, w.end) for w in got] == [(w.text, w.start, w.end) for w in expected]
    assert [w.confidence for w in got] == pytest.approx([w.confidence for w in expected], abs=1e-5)


def by_hand(transcriber: Transcriber, samples: np.ndarray, offset: float = 0.0):
    """The pipeline without the Transcriber: features, model, greedy decoding of one piece of audio, word
    times capped at the audio's end (the last 40 ms output frame may reach past it)."""
    bundle = transcriber.bundle
    with torch.inference_mode():
        features, lengths = LogMel(bundle.features)(torch.from_numpy(samples)[None])
        log_probs, out_lengths = bundle.model(features, lengths)
    hyp = greedy_decode(log_probs, bundle.vocab, out_lengths, frame_shift_s=bundle.frame_shift_s, offset_s=offset)[0]
    end = offset + len(samples) / RATE
    words = tuple(w if w.end <= end else replace(w, start=min(w.start, end), end=end) for w in hyp.words)
    return replace(hyp, words=words)


def test_a_file_gives_the_words_of_the_pipeline_run_by_hand(transcriber, tmp_path):
    path = write_audio(tmp_path / "talk.wav", 4.0)
    transcript = transcriber.transcribe(path)
    expected = by_hand(transcriber, load_audio(path))
    assert expected.words, "a random model says something on speech-like audio"
    assert_same_words(transcript.words, expected.words)
    assert transcript.text == expected.text == " ".join(w.text for w in transcript.words)
    assert transcript.duration_s == pytest.approx(4.0)
    assert transcript.compute_s > 0 and transcript.path == path
    assert [w for s in transcript.segments for w in s.words] == transcript.words


def test_nbest_alternatives_are_written_as_they_are_rendered(transcriber, tmp_path):
    from seqstudio.speech.beam import DecodeOptions

    transcript = transcriber.transcribe(write_audio(tmp_path / "talk.wav", 2.0), DecodeOptions(beam_size=4, nbest=3))
    assert transcript.alternatives(), "n-best was asked for"
    written = transcript.write(tmp_path / "talk.json")
    assert written.read_text(encoding="utf-8") == transcript.render("json")
    assert "alternatives" in json.loads(written.read_text(encoding="utf-8"))


def test_long_files_are_chunked_in_pauses_with_times_offset(model_dir, tmp_path):
    path = write_audio(tmp_path / "long.wav", 14.0, seed=3)
    transcriber = Transcriber.load(model_dir, "cpu", chunk_s=4.0)
    transcript = transcriber.transcribe(path)
    chunks = list(iter_audio_chunks(path, RATE, 4.0, search_s=4.0 / 3))
    assert len(chunks) >= 4
    expected = [w for c in chunks for w in by_hand(transcriber, c.samples, c.start).words]
    assert_same_words(transcript.words, expected)
    starts = [w.start for w in transcript.words]
    assert starts == sorted(starts) and transcript.words[-1].end <= 14.0 + 1e-6
    # the last chunk's words really were moved by its offset: they lie past the chunk's start
    last = by_hand(transcriber, chunks[-1].samples, chunks[-1].start).words
    assert last and all(w.start >= chunks[-1].start > 8.0 for w in last)


def test_batching_across_files_changes_nothing(model_dir, tmp_path):
    paths = [write_audio(tmp_path / f"f{i}.wav", s, seed=i) for i, s in enumerate([2.5, 6.0, 1.0, 4.5])]
    one_by_one = Transcriber.load(model_dir, "cpu", chunk_s=3.0, batch_s=3.0)
    batched = Transcriber.load(model_dir, "cpu", chunk_s=3.0, batch_s=600.0)
    alone = [one_by_one.transcribe(p) for p in paths]
    together = batched.transcribe_many(paths)
    assert [t.path for t in together] == paths
    for a, b in zip(alone, together, strict=True):
        assert a.text == b.text
        assert_same_words(a.words, b.words)


def test_pure_silence_is_an_empty_transcript_in_every_format(transcriber, tmp_path):
    path = tmp_path / "silence.wav"
    sf.write(str(path), np.zeros(3 * RATE), RATE, subtype="PCM_16")
    transcript = transcriber.transcribe(path)
    assert (transcript.text, transcript.words, transcript.segments) == ("", [], [])
    assert transcript.duration_s == pytest.approx(3.0)
    assert transcript.render("txt") == "" and transcript.render("srt") == ""
    assert transcript.render("vtt").strip() == "WEBVTT"
    assert from_json(transcript.render("json")) == []
    # a 0-frame file is silence too, not an error
    empty = tmp_path / "empty.wav"
    sf.write(str(empty), np.zeros(0), RATE)
    assert transcriber.transcribe(empty).text == "" and transcriber.transcribe(empty).duration_s == 0.0


def test_silent_stretches_of_a_long_file_are_not_decoded(model_dir, tmp_path):
    x = np.concatenate([speech_signal(2.0, seed=1), np.zeros(12 * RATE), speech_signal(2.0, seed=2)])
    path = tmp_path / "gap.wav"
    sf.write(str(path), x, RATE, subtype="FLOAT")
    transcript = Transcriber.load(model_dir, "cpu", chunk_s=3.0).transcribe(path)
    # chunks lying wholly inside the 12 s of digital silence give no words
    assert not [w for w in transcript.words if 4.0 <= w.start and w.end <= 12.0]
    assert transcript.words and transcript.words[-1].start >= 12.0


@pytest.mark.parametrize("rate, channels, subtype", [
    (8000, 1, "PCM_16"), (96000, 1, "PCM_24"), (16000, 6, "PCM_16"), (22050, 1, "PCM_U8"), (44100, 2, "FLOAT"),
    (48000, 1, "DOUBLE"),
])
def test_any_rate_depth_and_channel_count(transcriber, tmp_path, rate, channels, subtype):
    path = write_audio(tmp_path / "odd.wav", 2.0, rate, channels, subtype)
    transcript = transcriber.transcribe(path)
    assert transcript.duration_s == pytest.approx(2.0, abs=1e-3)
    assert_same_words(transcript.words, by_hand(transcriber, load_audio(path)).words)


def test_mp3_flac_and_ogg(transcriber, tmp_path):
    for name, fmt, subtype in [("a.flac", "FLAC", "PCM_16"), ("a.ogg", "OGG", "VORBIS"),
                               ("a.mp3", "MP3", "MPEG_LAYER_III")]:
        transcript = transcriber.transcribe(write_audio(tmp_path / name, 2.0, 44100, 1, subtype, fmt=fmt))
        assert transcript.duration_s == pytest.approx(2.0, abs=0.06), name


def bad_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    good = write_audio(tmp_path / "good-source.wav", 2.0).read_bytes()
    files = {
        "not audio": (b"this is a text file, not a recording\n" * 10, "not an audio file"),
        "truncated": (good[: len(good) // 2], "truncated"),
        "zero bytes": (b"", "empty"),
    }
    out = {}
    for name, (data, message) in files.items():
        path = tmp_path / f"{name.replace(' ', '-')}.wav"
        path.write_bytes(data)
        out[name] = (path, message)
    out["missing"] = (tmp_path / "nowhere.wav", "no such file")
    return out


def test_bad_files_are_one_line_errors_and_the_others_carry_on(transcriber, tmp_path):
    bad = bad_files(tmp_path)
    for path, message in bad.values():
        with pytest.raises(SeqStudioError, match=message) as info:
            transcriber.transcribe(path)
        assert "\n" not in str(info.value)
    good = [write_audio(tmp_path / f"ok{i}.wav", 1.5, seed=i) for i in range(2)]
    paths = [good[0], *[p for p, _ in bad.values()], good[1]]
    results = list(transcriber.iter_transcribe(paths))
    assert [r.index for r in results] == list(range(len(paths)))
    assert [r.error is None for r in results] == [True] + [False] * len(bad) + [True]
    assert_same_words(results[-1].transcript.words, transcriber.transcribe(good[1]).words)


class Recorder(Progress):
    def __init__(self, cancel_at: int | None = None) -> None:
        super().__init__()
        self.calls: list[tuple] = []
        self.cancel_at = cancel_at

    def start(self, total, description=""):
        self.calls.append(("start", total))

    def update(self, done, info=""):
        self.calls.append(("update", done))
        if self.cancel_at is not None and len(self.calls) >= self.cancel_at:
            self.cancel()

    def finish(self):
        self.calls.append(("finish",))


def test_progress_counts_audio_seconds_and_cancels(model_dir, tmp_path):
    paths = [write_audio(tmp_path / f"p{i}.wav", 2.0, seed=i) for i in range(3)]
    transcriber = Transcriber.load(model_dir, "cpu", chunk_s=1.0, batch_s=1.0)
    progress = Recorder()
    transcriber.transcribe_many(paths, progress=progress)
    assert progress.calls[0] == ("start", 6) and progress.calls[-1] == ("finish",)
    done = [c[1] for c in progress.calls if c[0] == "update"]
    assert done == sorted(done) and done[-1] == 6 and len(done) >= 3
    with pytest.raises(Cancelled):
        transcriber.transcribe_many(paths, progress=Recorder(cancel_at=2))


def test_model_folder_errors(tmp_path, monkeypatch):
    monkeypatch.setenv("SEQSTUDIO_MODELS", str(tmp_path / "no-models"))
    with pytest.raises(SeqStudioError, match="default speech model is not installed"):
        Transcriber.load("default", "cpu")
    with pytest.raises(SeqStudioError, match="does not exist"):
        Transcriber.load(tmp_path / "absent", "cpu")
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "notes.txt").write_text("hello")
    with pytest.raises(SeqStudioError, match="config.json is missing"):
        Transcriber.load(junk, "cpu")
    hostile = make_model(tmp_path / "hostile")
    (hostile / "model.safetensors").write_bytes(pickle.dumps({"head.weight": [0.0]}))
    with pytest.raises(SeqStudioError, match="never unpickles"):
        Transcriber.load(hostile, "cpu")
    music = make_model(tmp_path / "music")
    config = json.loads((music / "config.json").read_text())
    (music / "config.json").write_text(json.dumps({**config, "task": "music"}))
    with pytest.raises(SeqStudioError, match="not a speech model"):
        Transcriber.load(music, "cpu")
    with pytest.raises(SeqStudioError, match="unknown device"):
        Transcriber.load(tmp_path / "hostile", "gpu-please")


def test_find_audio_is_recursive_sorted_and_skips_other_files(tmp_path):
    for name in ["b.wav", "a.FLAC", "sub/c.mp3", ".hidden.wav", "notes.txt", ".git/d.wav", "talk.srt"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    assert [p.relative_to(tmp_path).as_posix() for p in find_audio(tmp_path)] == ["a.FLAC", "b.wav", "sub/c.mp3"]


def test_the_public_api_is_lazy_and_the_core_never_imports_qt():
    code = ("import sys, seqstudio; assert 'torch' not in sys.modules; "
            "from seqstudio import Transcriber; import seqstudio.cli.transcribe, seqstudio.speech.evaluate, "
            "seqstudio.speech.bench, seqstudio.speech.importers, seqstudio.cli.data_import; "
            "assert Transcriber.__name__ == 'Transcriber'; assert 'PySide6' not in sys.modules")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_the_language_model_in_the_model_folder_is_used_by_default(tmp_path, capsys):
    from seqstudio.cli.main import main
    from seqstudio.speech.beam import DecodeOptions
    from seqstudio.speech.lm import NgramLM

    folder = make_model(tmp_path / "model", seed=3)
    audio = write_audio(tmp_path / "talk.wav", 4.0, seed=5)
    plain = Transcriber.load(folder, "cpu")
    assert plain.lm is None  # no lm.arpa: greedy
    NgramLM.train(["the cat sat on the mat", "a dog ran"], order=2).write_arpa(folder / "lm.arpa")
    auto = Transcriber.load(folder, "cpu")
    assert auto.lm is not None and Transcriber.load(folder, "cpu", lm=None).lm is None
    expected = Transcriber.load(folder, "cpu", lm=None).transcribe(audio, DecodeOptions(lm=folder / "lm.arpa"))
    assert auto.transcribe(audio).text == expected.text
    greedy = auto.transcribe(audio, DecodeOptions(beam_size=1))
    assert greedy.text == plain.transcribe(audio).text
    # the command line: the folder's LM by default, --lm none for greedy
    assert main(["transcribe", str(audio), "--model", str(folder), "--out", "-"]) == 0
    assert capsys.readouterr().out.strip() == expected.text
    assert main(["transcribe", str(audio), "--model", str(folder), "--out", "-", "--lm", "none"]) == 0
    assert capsys.readouterr().out.strip() == greedy.text
