"""Compose end to end with the real bundled model on small inputs: open a seed, generate, look inside the
LSTM, export MIDI and WAV; cancel mid-job; a bad file gives a dialog and the app carries on."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

import numpy as np  # noqa: E402
import pretty_midi  # noqa: E402
import soundfile as sf  # noqa: E402

from seqstudio.gui.worker import Job  # noqa: E402
from tests.conftest import SEEDS  # noqa: E402

TIMEOUT = 60_000


def _open(qtbot, window, path):
    with qtbot.waitSignal(window.compose.seed_loaded, timeout=TIMEOUT):
        window.compose.open_seed(path)


def _small_options(window, seconds=2.0, variations=2, rng_seed=7):
    form = window.compose.options
    form.seconds.setValue(seconds)
    form.variations.setValue(variations)
    form.random_seed.setChecked(False)
    form.rng_seed.setValue(rng_seed)


def test_open_seed_generate_look_inside_and_export(window, qtbot, tmp_path, dialogs):
    compose = window.compose
    _open(qtbot, window, SEEDS / "folk_reel.mid")
    seed_notes = compose.roll.note_count
    assert seed_notes > 0 and compose.generate_button.isEnabled()
    _small_options(window)
    with qtbot.waitSignal(compose.generated, timeout=TIMEOUT) as blocker:
        qtbot.mouseClick(compose.generate_button, qtbot_left())
    result = blocker.args[0]
    assert [t.rng_seed for t in result.takes] == [7, 7] and compose.variations.count() == 2
    assert compose.history.count() == 2 and compose.current_take is not None
    assert compose.roll.note_count > seed_notes  # the continuation is drawn beside the seed
    assert "music-default" in window.music_label.text()

    # the LSTM view shows the real model's replayed gates over seed + continuation
    with qtbot.waitSignal(window.ctx.inside_ready, timeout=TIMEOUT) as blocker:
        qtbot.mouseClick(compose.inside_button, qtbot_left())
    inside = blocker.args[0]
    assert window.tabs.currentWidget() is window.inside
    assert inside.trace.steps == inside.boundary + len(result.takes[0].tokens)
    heat = window.inside.heatmaps["forget"]
    plot = heat._plot()
    unit, step, value = heat.value_at(plot.center().x(), plot.top() + 1)
    layer = inside.trace.layers[window.inside.layer.currentIndex()]
    assert value == pytest.approx(float(layer.forget[0, step, unit]))

    # the take can be dragged out as a .mid file
    mime = compose.variations.mimeData([compose.variations.item(0)])
    dragged = mime.urls()[0].toLocalFile()
    assert dragged.endswith(".mid") and pretty_midi.PrettyMIDI(dragged).instruments

    out = tmp_path / "take.mid"
    with qtbot.waitSignal(compose.exported, timeout=TIMEOUT):
        compose.export_midi(out)
    midi = pretty_midi.PrettyMIDI(str(out))
    assert midi.get_end_time() > result.seed.end_time
    wav = tmp_path / "take.wav"
    with qtbot.waitSignal(compose.exported, timeout=TIMEOUT):
        compose.export_wav(wav)
    audio, rate = sf.read(str(wav))
    assert len(audio) / rate >= result.seed.end_time and np.abs(audio).max() > 0
    assert not dialogs


def test_cancel_mid_generation(window, qtbot, dialogs):
    compose = window.compose
    _open(qtbot, window, SEEDS / "chorale_quartet.mid")
    _small_options(window, seconds=120, variations=4)
    compose.generate()
    job = next(j for j in window.host.jobs if j.name == "compose")
    assert compose.cancel_button.isEnabled() and not compose.generate_button.isEnabled()
    qtbot.waitSignal(job.progress, timeout=TIMEOUT).wait()  # it is generating now
    with qtbot.waitSignal(job.cancelled, timeout=TIMEOUT):
        qtbot.mouseClick(compose.cancel_button, qtbot_left())
    qtbot.waitUntil(lambda: not window.host.jobs, timeout=TIMEOUT)
    assert compose.variations.count() == 0 and compose.generate_button.isEnabled()
    assert not dialogs  # a cancel is not an error


def test_a_bad_midi_file_shows_a_dialog_and_the_app_lives_on(window, qtbot, tmp_path, dialogs):
    bad = tmp_path / "broken.mid"
    bad.write_bytes(b"MThd\x00\x00\x00\x06garbage that is not a MIDI file")
    with qtbot.waitSignal(window.compose.job_failed, timeout=TIMEOUT):
        window.compose.open_seed(bad)
    assert len(dialogs) == 1 and "MIDI" in dialogs[0][1] and "Traceback" not in dialogs[0][1]
    _open(qtbot, window, SEEDS / "groove_trio.mid")  # still works afterwards
    assert window.compose.roll.note_count > 0 and window.isVisible()


def test_closing_during_a_generation_cancels_it(make_window, qtbot):
    window = make_window()
    _open(qtbot, window, SEEDS / "chorale_quartet.mid")
    _small_options(window, seconds=300, variations=8)
    window.compose.generate()
    job = next(j for j in window.host.jobs if j.name == "compose")
    qtbot.waitSignal(job.progress, timeout=TIMEOUT).wait()
    window.close()  # cancels and waits; a thread is never terminated
    assert not job.is_running and not Job.running_jobs()


def qtbot_left():
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


def test_cancelling_generation_during_the_model_load_clears_loading(make_window, qtbot, monkeypatch):
    from seqstudio.gui import jobs

    def stuck(*args, progress):
        progress.start(None, "loading model")
        while True:
            progress.check()

    window = make_window(start=False)  # no preload: the music model is not loaded
    _open(qtbot, window, SEEDS / "folk_reel.mid")
    monkeypatch.setattr(jobs, "compose", stuck)
    window.compose.generate()
    assert "loading" in window.music_label.text()
    with qtbot.waitSignal(window.host.busy_changed, check_params_cb=lambda busy: not busy, timeout=TIMEOUT):
        window.compose.cancel()
    assert window.ctx.model_state["music"] == "" and "loading" not in window.music_label.text()
