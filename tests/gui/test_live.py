"""Live captions in the Transcribe workspace, with the shipped streaming model and a real voice.

There is no microphone here, so a real recording stands in for it: ``FileSource``, with the microphone's
interface, plays a WAV file in 100-ms pieces on a timer, faster than real time. Everything after the source is what
the app runs: the feed, the worker job, the recogniser, the recording written as it arrives, the captions, and
the session joining the queue.
"""

from __future__ import annotations

import tempfile
import weakref
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

import numpy as np  # noqa: E402
import soundfile as sf  # noqa: E402

from seqstudio.gui.jobs import streaming_model_missing  # noqa: E402
from seqstudio.gui.transcribe.live import FileSource, to_mono  # noqa: E402

TIMEOUT = 60_000
VOICE = Path(__file__).resolve().parents[2] / "data" / "human" / "lj_LJ001-0001.wav"  # LJ Speech, unheard
needs_model = pytest.mark.skipif(bool(streaming_model_missing()), reason="the shipped streaming model is not here")


@pytest.fixture
def recordings(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    return tmp_path / "seqstudio-recordings"


@needs_model
def test_live_captions_of_a_voice_then_the_session_joins_the_queue(window, qtbot, recordings, dialogs, tmp_path):
    from seqstudio.speech.streaming import StreamingRecognizer

    page = window.transcribe
    source = FileSource(VOICE, interval_ms=5)
    assert page.start_live(source)
    assert not page.caption.isHidden() and page.transcript.isHidden() and not page.record_button.isEnabled()
    assert page.top.currentWidget() is page.live_inside
    assert "Stop" in page.live_button.text() and page.live_button.isEnabled()  # even with no microphone here
    assert not page.export_button.isEnabled() and not page.inside_button.isEnabled()
    qtbot.waitUntil(lambda: source.done, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: len(page.caption.words()) >= 5, timeout=TIMEOUT)  # words arrive while it listens
    assert page.caption.words()[0].text in page.caption.toPlainText()
    with qtbot.waitSignal(page.live_finished, timeout=TIMEOUT) as blocker:
        page.stop_live()
    entry = blocker.args[0]

    # what it heard is what the recogniser hears in the same pieces, word for word and time for time
    alone = StreamingRecognizer.load("default", "cpu", sample_rate=source.sample_rate)
    for start in range(0, len(source.audio), source.piece):
        alone.accept(source.audio[start:start + source.piece])
    alone.finish()
    assert [(w.text, w.start, w.end) for w in entry.transcript.words] == [(w.text, w.start, w.end)
                                                                          for w in alone.words]
    assert [(w.text, w.start) for w in page.caption.words()] == [(w.text, w.start) for w in alone.words]
    assert len(alone.words) >= 10  # ~10 s of read speech

    # the recording, kept whole, joins the queue as done, with its transcript shown and exportable
    assert entry.status == "done" and entry.path.parent == recordings
    assert sorted(p.name for p in recordings.iterdir()) == [entry.path.name]  # no .part left
    recorded, rate = sf.read(str(entry.path), dtype="float32")
    assert rate == source.sample_rate and np.array_equal(recorded, source.audio)  # 16-bit in, 16-bit out
    assert entry.transcript.duration_s == pytest.approx(len(source.audio) / rate)
    assert page.queue.current_entry() is entry
    assert not page.transcript.isHidden() and page.transcript.rowCount() == len(entry.segments) > 0
    assert page.caption.isHidden() and page.record_button.isEnabled() == (not page._mic_problem)
    srt = page.export(tmp_path / "live.srt", "srt").read_text()
    assert entry.transcript.words[0].text in srt

    # inside the LSTM: the streaming model's own run over the recording, the one the captions came from: its
    # last layer's hidden states, through the model's output layer, spell the same words
    qtbot.waitUntil(lambda: entry.audio is not None and page.inside_button.isEnabled(), timeout=TIMEOUT)
    with qtbot.waitSignal(window.ctx.inside_ready, timeout=TIMEOUT) as inside:
        page.look_inside()
    trace = inside.args[0].trace
    assert trace.directions == 1 and "speech-streaming" in inside.args[0].title
    import torch

    from seqstudio.speech.decode import greedy_decode

    with torch.no_grad():
        hidden = torch.from_numpy(trace.layers[-1].hidden[0])
        log_probs = torch.log_softmax(alone.model.head(hidden.to(alone.model.head.weight.dtype)).float(), -1)
    [spelled] = greedy_decode(log_probs[None], alone.bundle.vocab, torch.tensor([len(hidden)]),
                              frame_shift_s=alone.bundle.frame_shift_s)
    assert spelled.text == " ".join(w.text for w in alone.words)

    # and what the live view showed while it listened (its last 8 s, still held) is that run's gates and cells
    assert page.top.currentWidget() is page.signal
    # its units: the 64 whose cell state varied most over the whole session
    spread = trace.layers[-1].cell[0].std(axis=0)
    assert np.array_equal(page.live_inside.units(), np.sort(np.argsort(-spread)[:64]))
    for name in ("forget", "cell"):
        times, units, shown = page.live_inside.values(name)
        assert times[-1] - times[0] >= 7.5 and shown.shape == (64, len(times))
        at = np.searchsorted(trace.times, times)
        np.testing.assert_allclose(trace.times[at], times, atol=1e-9)
        np.testing.assert_allclose(shown, trace.layers[-1].get(name)[0][at][:, units].T, rtol=1e-4, atol=1e-4)
    page.live_inside.order.setCurrentIndex(1)  # or the first 64, in order
    assert np.array_equal(page.live_inside.values("cell")[1], np.arange(64))
    assert not dialogs


@needs_model
def test_closing_the_window_while_live_keeps_the_recording(make_window, qtbot, recordings, dialogs):
    window = make_window()
    page = window.transcribe
    source = FileSource(VOICE, interval_ms=20)
    assert page.start_live(source)
    qtbot.waitUntil(lambda: source.sent >= 10 * source.piece, timeout=TIMEOUT)
    window.close()  # stops listening and waits for the worker: no thread or timer outlives it (the fixture)
    qtbot.waitUntil(lambda: recordings.exists() and any(p.suffix == ".wav" for p in recordings.iterdir()),
                    timeout=TIMEOUT)
    [kept] = list(recordings.iterdir())
    assert kept.suffix == ".wav" and sf.info(str(kept)).frames >= 10 * source.piece
    assert not source.timer.isActive() and not dialogs


def test_live_captions_say_why_they_are_unavailable(window, qtbot, dialogs, monkeypatch, tmp_path):
    monkeypatch.setenv("SEQSTUDIO_MODELS", str(tmp_path / "no-models-here"))
    page = window.transcribe
    page._update_buttons()
    assert not page.live_button.isEnabled()
    assert "unavailable" in page.live_button.toolTip()
    assert not page.start_live(FileSource(VOICE))
    assert len(dialogs) == 1 and "streaming speech model is missing" in dialogs[0][1]
    assert page.caption.isHidden() and page._live is None


def test_microphone_pcm_of_any_device_format_becomes_mono_floats():
    stereo = np.array([[1000, -1000], [32767, 32767], [-32768, 0]], dtype="<i2")
    assert np.allclose(to_mono(stereo.tobytes() + b"\x01", "Int16", 2), [0.0, 32767 / 32768, -0.5])
    assert np.allclose(to_mono(np.array([0, 128, 255], dtype="u1").tobytes(), "UInt8", 1), [-1.0, 0.0, 127 / 128])
    assert np.allclose(to_mono(np.array([0.5, -0.25], dtype="<f4").tobytes(), "Float", 1), [0.5, -0.25])
    assert np.allclose(to_mono(np.array([2**30], dtype="<i4").tobytes(), "Int32", 1), [0.5])
    assert to_mono(b"", "Int16", 1).dtype == np.float32
    from seqstudio.core.errors import SeqStudioError

    with pytest.raises(SeqStudioError, match="cannot read"):
        to_mono(b"\x00\x00", "Unknown", 1)


@needs_model
def test_a_new_session_can_start_as_soon_as_one_ends(window, qtbot, recordings, dialogs):
    page = window.transcribe
    first = FileSource(VOICE, interval_ms=2)
    assert page.start_live(first)
    assert not page.start_live(FileSource(VOICE))  # one at a time
    qtbot.waitUntil(lambda: first.done, timeout=TIMEOUT)
    second = FileSource(VOICE, interval_ms=2)
    started = []

    def restart(_entry) -> None:  # at once, from the signal that says the first one is in the queue
        page.live_finished.disconnect(restart)
        started.append(page.start_live(second))

    page.live_finished.connect(restart)
    with qtbot.waitSignal(page.live_finished, timeout=TIMEOUT) as one:
        page.stop_live()
    assert started == [True] and page._live is not None and page.top.currentWidget() is page.live_inside
    qtbot.waitUntil(lambda: second.done, timeout=TIMEOUT)
    with qtbot.waitSignal(page.live_finished, timeout=TIMEOUT) as two:
        page.stop_live()
    assert one.args[0] is not two.args[0] and one.args[0].path != two.args[0].path
    assert [e.status for e in page.queue.entries()] == ["done", "done"] and started == [True]
    assert page._live is None and not dialogs


@needs_model
def test_a_session_that_fails_keeps_its_recording_in_the_queue(window, qtbot, recordings, dialogs, monkeypatch):
    from seqstudio.speech.streaming import StreamingRecognizer

    heard = []
    accept = StreamingRecognizer.accept

    def breaks_after_twenty(self, samples):
        heard.append(len(samples))
        if len(heard) > 20:
            raise OSError("No space left on device")
        return accept(self, samples)

    monkeypatch.setattr(StreamingRecognizer, "accept", breaks_after_twenty)
    page = window.transcribe
    source = FileSource(VOICE, interval_ms=2)
    assert page.start_live(source)
    qtbot.waitUntil(lambda: page._live is None, timeout=TIMEOUT)
    assert dialogs == [("Live captions failed", "No space left on device")]
    [entry] = page.queue.entries()
    assert entry.status == "waiting" and "kept" in entry.detail and not entry.live  # Transcribe can take it
    assert sf.info(str(entry.path)).frames == 21 * source.piece  # every piece that arrived was written first
    assert sorted(p.name for p in recordings.iterdir()) == [entry.path.name]
    assert not source.timer.isActive() and not page.transcript.isHidden() and page.top.currentWidget() is page.signal


@needs_model
def test_a_microphone_error_stops_the_session_and_keeps_it(window, qtbot, recordings, dialogs):
    page = window.transcribe
    source = FileSource(VOICE, interval_ms=5)
    messages = []
    window.ctx.jobs.message.connect(messages.append)
    assert page.start_live(source)
    qtbot.waitUntil(lambda: source.sent >= 30 * source.piece, timeout=TIMEOUT)
    with qtbot.waitSignal(page.live_finished, timeout=TIMEOUT) as blocker:
        source.error.emit("the microphone stopped (IOError)")
        source.error.emit("the microphone stopped (IOError)")  # said once, stopped once
    entry = blocker.args[0]
    assert entry.status == "done" and entry.transcript.duration_s == pytest.approx(source.sent / source.sample_rate)
    assert messages.count("Live captions stopped: the microphone stopped (IOError)") == 1 and not dialogs
    # nothing of the ended session holds its source in a reference cycle: the garbage collector, which breaks
    # cycles on whatever thread it runs on, would delete the source's timer off its thread, a crash
    gone = weakref.ref(source)
    source = None
    assert gone() is None


class _Device:
    """What the input list reads of a QAudioDevice: a description and an id (no device exists here)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def description(self) -> str:
        return self.name

    def id(self):
        from PySide6.QtCore import QByteArray

        return QByteArray(self.name.encode())


def test_the_microphone_list_follows_devices_and_keeps_the_choice(window, qtbot, monkeypatch, dialogs):
    from seqstudio.gui.transcribe import inputs

    page = window.transcribe
    plugged: list = []
    monkeypatch.setattr(inputs, "input_devices", lambda: list(plugged))
    page.input_choice.refresh()  # what the system's "inputs changed" calls
    assert page.input_choice.isHidden() and not page.record_button.isEnabled()
    assert not page.mic_hint.isHidden() and "no microphone" in page.mic_hint.text()

    plugged += [_Device("Built-in"), _Device("USB mic")]  # a microphone plugged in while the app runs
    page.input_choice.refresh()
    assert [page.input_choice.itemText(i) for i in range(page.input_choice.count())] == [
        "System default", "Built-in", "USB mic"]
    assert page.record_button.isEnabled() and page.mic_hint.isHidden() and page.input_choice.device() is None
    page.input_choice.setCurrentIndex(2)
    page.input_choice.activated.emit(2)
    assert page.input_choice.device() is plugged[1]
    assert window.ctx.settings.audio_input == b"USB mic".hex()  # remembered

    plugged.pop()  # unplugged: back to the default, the choice kept for when it returns
    page.input_choice.refresh()
    assert page.input_choice.device() is None and page.input_choice.currentIndex() == 0
    plugged.append(_Device("USB mic"))
    page.input_choice.refresh()
    assert page.input_choice.device() is plugged[1] and not dialogs
