"""Transcribe end to end. The default speech model is still being trained, so the workspace must say so and
stay usable; the full flow (open -> transcribe -> export, inside the LSTM) runs on a tiny random model folder."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("PySide6")

import numpy as np  # noqa: E402
import soundfile as sf  # noqa: E402

TIMEOUT = 60_000


@pytest.fixture
def speech_model(tmp_path):
    import torch

    from seqstudio.speech.bundle import save_speech_model
    from seqstudio.speech.features import FeatureConfig
    from seqstudio.speech.model import SpeechLSTM, SpeechModelConfig
    from seqstudio.speech.text import CharVocab

    torch.manual_seed(0)
    vocab = CharVocab()
    model = SpeechLSTM(SpeechModelConfig(vocab_size=len(vocab), conv_channels=4, hidden_size=16, num_layers=2))
    return save_speech_model(tmp_path / "tiny-speech", model.eval(), FeatureConfig(), vocab, {"note": "random"})


@pytest.fixture
def recording(tmp_path):
    rate = 16000
    t = np.arange(int(2.5 * rate)) / rate
    rng = np.random.default_rng(0)
    voice = (np.sin(2 * np.pi * 180 * t) * (np.sin(2 * np.pi * 2 * t) > 0) + 0.05 * rng.standard_normal(len(t)))
    path = tmp_path / "hello.wav"
    sf.write(str(path), (0.3 * voice).astype(np.float32), rate)
    return path


def test_without_a_speech_model_the_workspace_says_so_and_still_opens_audio(window, qtbot, recording, dialogs,
                                                                             monkeypatch, tmp_path):
    monkeypatch.setenv("SEQSTUDIO_MODELS", str(tmp_path / "no-models-here"))
    window.ctx.model_changed.emit("speech")
    page = window.transcribe
    assert not page.banner.isHidden() and "not trained yet" in page.banner.text()
    assert "not trained yet" in window.speech_label.text()
    with qtbot.waitSignal(page.audio_loaded, timeout=TIMEOUT):
        page.add_files([str(recording)])
    assert not page.transcribe_button.isEnabled() and "speech model" in page.transcribe_button.toolTip()
    assert page.signal._audio.duration == pytest.approx(2.5, abs=0.01)
    page.seek(1.0)  # playback (or its silent clock, with no audio device) moves the cursor
    assert page.signal._cursor == pytest.approx(1.0)
    page.player.stop()
    assert not page.record_button.isEnabled() or page.recorder.problem() == ""
    assert not dialogs


def test_open_transcribe_edit_export_and_look_inside(window, qtbot, speech_model, recording, tmp_path, dialogs):
    page = window.transcribe
    window.load_model_folder("speech", str(speech_model))
    assert page.banner.isHidden()
    with qtbot.waitSignal(page.audio_loaded, timeout=TIMEOUT):
        page.add_files([str(recording)])
    with qtbot.waitSignal(page.transcribed, timeout=TIMEOUT) as blocker:
        qtbot.mouseClick(page.transcribe_button, left())
    entry = blocker.args[0]
    assert entry.status == "done" and entry.transcript.duration_s == pytest.approx(2.5, abs=0.01)
    assert "tiny-speech" in window.speech_label.text()

    # an edit is what gets exported
    from seqstudio.speech.formats import Segment

    entry.segments = [Segment(0.2, 1.1, "hello"), Segment(1.4, 2.2, "world")]
    page.transcript.set_segments(entry.segments)
    page.transcript.item(1, 2).setText("there")
    assert page.transcript.highlight_time(1.5) == 1
    srt = page.export(tmp_path / "out.srt", "srt")
    assert "there" in srt.read_text() and "00:00:01,400 --> 00:00:02,200" in srt.read_text()
    data = json.loads(page.export(tmp_path / "out.json", "json").read_text())
    assert [s["text"] for s in data["segments"]] == ["hello", "there"]

    with qtbot.waitSignal(window.ctx.inside_ready, timeout=TIMEOUT) as blocker:
        qtbot.mouseClick(page.inside_button, left())
    inside = blocker.args[0]
    assert inside.task == "speech" and inside.trace.directions == 2
    assert not window.inside.direction.isHidden() and window.inside.aligned.currentWidget() is window.inside.signal
    assert not dialogs


def test_a_bad_audio_file_fails_in_the_queue_with_a_dialog(window, qtbot, tmp_path, dialogs):
    bad = tmp_path / "noise.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot really")
    with qtbot.waitSignal(window.transcribe.job_failed, timeout=TIMEOUT):
        window.transcribe.add_files([str(bad)])
    entry = window.transcribe.queue.entries()[0]
    assert entry.status == "failed" and dialogs and "Traceback" not in dialogs[0][1]
    assert window.isVisible()


def left():
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton
