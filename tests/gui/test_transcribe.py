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
    assert not page.record_button.isEnabled() or page.input_choice.problem == ""
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


def test_a_bad_audio_file_fails_in_the_view_with_a_dialog(window, qtbot, tmp_path, dialogs):
    bad = tmp_path / "noise.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot really")
    with qtbot.waitSignal(window.transcribe.job_failed, timeout=TIMEOUT):
        window.transcribe.add_files([str(bad)])
    entry = window.transcribe.queue.entries()[0]
    # the view's problem is its own; the transcription status stays as it was
    assert entry.status == "waiting" and entry.view_error and window.transcribe.signal._placeholder == entry.view_error
    assert dialogs and "Traceback" not in dialogs[0][1]
    assert window.isVisible()


def left():
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


def _fake_view(path, seconds=0.1):
    from seqstudio.gui import jobs

    rate = 16000
    return jobs.AudioView(path, np.zeros(int(seconds * rate), np.float32), rate, np.zeros((10, 80), np.float32), 0.01)


def test_a_view_problem_does_not_touch_a_finished_transcript(window, qtbot, recording, dialogs, monkeypatch):
    from types import SimpleNamespace

    from seqstudio.core.errors import SeqStudioError
    from seqstudio.gui import jobs

    def broken(path, progress):
        raise SeqStudioError("the view broke")

    monkeypatch.setattr(jobs, "open_audio", broken)
    page = window.transcribe
    entry = page.queue.add(recording)
    entry.status, entry.segments = "done", []
    entry.transcript = SimpleNamespace(duration_s=2.5, compute_s=0.1, segments=[])
    with qtbot.waitSignal(page.job_failed, timeout=TIMEOUT):
        page.queue.setCurrentRow(0)
    assert entry.status == "done" and entry.transcript is not None
    assert "the view broke" in entry.view_error and "the view broke" in page.signal._placeholder
    assert not dialogs  # no modal dialog for a view problem on a transcribed file
    page._update_buttons()
    assert not page.transcribe_button.isEnabled()  # nothing to transcribe again


def test_a_file_over_the_view_limit_gets_a_downsampled_view(window, qtbot, speech_model, recording, dialogs,
                                                            monkeypatch):
    from seqstudio.gui import jobs

    monkeypatch.setattr(jobs, "VIEW_MAX_SECONDS", 1.0)
    page = window.transcribe
    window.load_model_folder("speech", str(speech_model))
    with qtbot.waitSignal(page.audio_loaded, timeout=TIMEOUT) as blocker:
        page.add_files([str(recording)])
    entry = blocker.args[0]
    assert entry.status == "waiting" and not entry.view_error
    audio = entry.audio
    assert audio.downsampled and audio.duration == pytest.approx(2.5, abs=0.05)
    assert audio.mel.shape[0] * audio.hop_s == pytest.approx(2.5, abs=0.05)
    page.signal.grab()  # paints the envelope and the pooled mel
    with qtbot.waitSignal(window.ctx.inside_ready, timeout=TIMEOUT) as blocker:
        qtbot.mouseClick(page.inside_button, left())
    inside = blocker.args[0]
    assert not inside.source.downsampled and inside.source.duration == pytest.approx(2.5, abs=0.01)
    assert not dialogs


def test_switching_between_unloaded_entries_does_not_pile_up_loads(window, qtbot, tmp_path, dialogs, monkeypatch):
    import threading
    import time

    from seqstudio.gui import jobs

    release = threading.Event()
    calls, outcomes = [], []

    def slow_open(path, progress):
        calls.append(path.name)
        while not release.is_set():  # ignores cancelling until released, like a long decode
            time.sleep(0.005)
        outcomes.append((path.name, progress.cancelled))
        progress.check()
        return _fake_view(path)

    monkeypatch.setattr(jobs, "open_audio", slow_open)
    page = window.transcribe
    a, b = page.queue.add(tmp_path / "a.wav"), page.queue.add(tmp_path / "b.wav")
    try:
        for row in (1, 0, 1, 0, 1):
            page.queue.setCurrentRow(row)
        assert [job.name for job in window.host.jobs].count("open-audio") == 2 and a.loading and b.loading
    finally:
        with qtbot.waitSignal(page.audio_loaded, timeout=TIMEOUT) as blocker:
            release.set()
    assert blocker.args[0] is b and b.audio is not None and a.audio is None
    assert all(cancelled for name, cancelled in outcomes if name == "a.wav")  # the superseded read was cancelled
    qtbot.waitUntil(lambda: not window.host.busy("open-audio"), timeout=TIMEOUT)
    assert not a.loading and not b.loading and len(calls) <= 3


def test_only_the_last_views_keep_their_samples(window, qtbot, tmp_path, dialogs, monkeypatch):
    from seqstudio.gui import jobs
    from seqstudio.gui.transcribe.workspace import KEEP_VIEWS

    monkeypatch.setattr(jobs, "open_audio", lambda path, progress: _fake_view(path))
    page = window.transcribe
    entries = [page.queue.add(tmp_path / f"{i}.wav") for i in range(KEEP_VIEWS + 2)]
    for row in range(len(entries)):
        with qtbot.waitSignal(page.audio_loaded, timeout=TIMEOUT):
            page.queue.setCurrentRow(row)
    held = [e for e in entries if e.audio is not None]
    assert len(held) == KEEP_VIEWS and entries[-1] in held
    # the job reports its result before its thread winds down: wait for that, then no new read may start
    qtbot.waitUntil(lambda: not window.host.busy("open-audio"), timeout=TIMEOUT)
    page.queue.setCurrentRow(len(entries) - 2)  # still held: shown without reading again
    assert not window.host.busy("open-audio") and page.signal._audio is entries[-2].audio


def test_cancelling_during_the_model_load_clears_loading(window, qtbot, speech_model, recording, monkeypatch):
    from seqstudio.gui import jobs

    def stuck(*args, progress):
        progress.start(None, "loading model")
        while True:
            progress.check()

    window.ctx.settings.set_model("speech", str(speech_model))  # chosen, not loaded
    window.ctx.model_changed.emit("speech")
    monkeypatch.setattr(jobs, "transcribe", stuck)
    page = window.transcribe
    with qtbot.waitSignal(page.audio_loaded, timeout=TIMEOUT):
        page.add_files([str(recording)])
    page.transcribe_all()
    assert "loading" in window.speech_label.text()
    page.cancel()
    qtbot.waitUntil(lambda: page.queue.entries()[0].status == "cancelled", timeout=TIMEOUT)
    assert window.ctx.model_state["speech"] == "" and "loading" not in window.speech_label.text()
