"""Take the user guide's screenshots of the real app: `xvfb-run -s "-screen 0 1600x1000x24" .venv/bin/python
docs/screenshots/make_screenshots.py` (needs flite for the speech sample). Runs the bundled models: the speech
sample is read by flite's SLT, a voice held out of the speech model's training; the live captions hear a recording
of an LJ Speech reader, another voice it never trained on, played in real time as if into a microphone."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from seqstudio.gui import i18n, jobs, theme
from seqstudio.gui.main_window import MainWindow
from seqstudio.gui.settings import Settings
from seqstudio.gui.transcribe.live import FileSource

HERE = Path(__file__).resolve().parent
SEEDS = HERE.parents[1] / "data" / "seeds"
VOICE = HERE.parents[1] / "data" / "human" / "lj_LJ001-0001.wav"
SPEECH = ("SeqStudio transcribes speech and composes music with stacked LSTMs. "
          "Everything runs offline, on your own computer.")


def wait(signal, seconds: float = 120) -> None:
    loop = QEventLoop()
    signal.connect(loop.quit)
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def idle(ms: int = 400) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def shot(window: MainWindow, name: str) -> None:
    idle()
    window.grab().save(str(HERE / f"{name}.png"))
    print("wrote", HERE / f"{name}.png")


def main() -> int:
    app = QApplication(sys.argv[:1])
    tmp = Path(tempfile.mkdtemp(prefix="seqstudio-shots-"))
    i18n.install(app, "en")
    theme.apply(app, "light")
    window = MainWindow(Settings(tmp / "settings.ini"))
    window.resize(1440, 900)
    window.show()
    window.start_background()

    compose = window.compose
    compose.open_seed(SEEDS / "chorale_quartet.mid")
    wait(compose.seed_loaded)
    form = compose.options
    form.seconds.setValue(12)
    form.variations.setValue(4)
    form.random_seed.setChecked(False)
    form.rng_seed.setValue(7)
    form.key_lock.setChecked(True)
    compose.generate()
    wait(compose.generated)
    compose.variations.setCurrentRow(1)
    compose.roll.set_cursor(27.3, follow=False)
    shot(window, "compose")

    compose.look_inside()
    wait(window.ctx.inside_ready)
    window.inside.order.setCurrentIndex(1)  # most active units first
    window.inside.unit_count.setValue(40)
    shot(window, "inside-lstm")

    wav = tmp / "welcome.wav"
    subprocess.run(["flite", "-voice", "slt", "-t", SPEECH, "-o", str(wav)], check=True)
    window.tabs.setCurrentWidget(window.transcribe)
    window.transcribe.add_files([str(wav)])
    wait(window.transcribe.audio_loaded)
    if window.transcribe.model_problem() is None:
        window.transcribe.transcribe_all()
        wait(window.transcribe.transcribed)
    window.transcribe.signal.set_cursor(2.4)
    shot(window, "transcribe")
    if window.transcribe.model_problem() is None:
        window.transcribe.look_inside()
        wait(window.ctx.inside_ready)
        window.inside.order.setCurrentIndex(1)
        window.inside.unit_count.setValue(40)
        shot(window, "inside-lstm-speech")

    page = window.transcribe
    if not jobs.streaming_model_missing():  # no microphone needed: a recording plays
        source = FileSource(VOICE)  # in real time, as if spoken: an unheard human voice (LJ Speech)
        window.tabs.setCurrentWidget(page)
        page.start_live(source)
        idle(6500)
        shot(window, "live-captions")
        page.stop_live()
        wait(page.live_finished)

    theme.apply(app, "dark")
    window.tabs.setCurrentWidget(compose)
    compose._current = None  # redraw the take's thumbnails and roll in the dark palette
    compose.variations.setCurrentRow(0)
    shot(window, "compose-dark")
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
