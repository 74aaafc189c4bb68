"""The app as a whole: start-up of the installed entry point, languages, settings, devices, the worker."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from seqstudio.core.errors import SeqStudioError  # noqa: E402
from seqstudio.gui.settings import Settings  # noqa: E402
from seqstudio.gui.worker import Job  # noqa: E402
from tests.conftest import REPO  # noqa: E402


def test_the_installed_entry_point_starts_without_torch_and_quits(tmp_path):
    exe = shutil.which("seqstudio-app", path=str(REPO / ".venv" / "bin")) or shutil.which("seqstudio-app")
    command = [exe] if exe else [sys.executable, "-m", "seqstudio.gui.app"]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([*command, "--quit-after-show", "--settings", str(tmp_path / "s.ini")], env=env,
                            capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "window shown in" in result.stdout and "torch imported before the window: no" in result.stdout


def test_seqstudio_app_subcommand_is_listed(capsys):
    from seqstudio.cli.main import main

    with pytest.raises(SystemExit):
        main(["--help"])
    assert "app" in capsys.readouterr().out


def test_chinese_ui_from_the_translation_files(make_window):
    window = make_window(start=False, language="zh_CN")
    assert [window.tabs.tabText(i) for i in range(3)] == ["作曲", "转写", "LSTM 内部"]
    assert window.compose.generate_button.text() == "生成(&G)"


def test_gpu_choice_is_disabled_with_a_reason_when_there_is_none(window, qtbot):
    import torch

    qtbot.waitUntil(lambda: window.ctx.device_info is not None, timeout=30_000)
    item = window.device_combo.model().item(2)
    if torch.cuda.is_available():
        assert item.isEnabled()
    else:
        assert not item.isEnabled() and "No GPU" in item.toolTip() and "no GPU" in window.device_label.text()


def test_settings_remember_choices_and_recent_files(tmp_path):
    settings = Settings(tmp_path / "s.ini")
    assert settings.device == "auto" and settings.language == "system" and settings.model("speech") == "default"
    settings.device, settings.theme, settings.language = "cpu", "dark", "zh_CN"
    for name in ("a.mid", "b.mid", "a.mid"):
        settings.add_recent_file("midi", tmp_path / name)
    settings.set_model("music", str(tmp_path))
    settings.sync()
    again = Settings(tmp_path / "s.ini")
    assert (again.device, again.theme, again.language) == ("cpu", "dark", "zh_CN")
    assert [p.rsplit("/", 1)[-1] for p in again.recent_files("midi")] == ["a.mid", "b.mid"]
    assert again.model("music") == str(tmp_path)
    again.device = "tpu"  # nonsense falls back to the default
    assert again.device == "auto"


def _boom(progress):
    raise ZeroDivisionError("a bug")


def _refuse(progress):
    raise SeqStudioError("a user's problem")


def _wait_forever(progress):
    while True:
        progress.check()


def test_a_worker_reports_bugs_errors_and_cancels(qtbot):
    job = Job("bug", _boom)
    with qtbot.waitSignal(job.failed) as blocker:
        job.start()
    message, details = blocker.args
    assert "ZeroDivisionError" in message and "Traceback" in details
    qtbot.waitUntil(lambda: not job.is_running)

    job = Job("user", _refuse)
    with qtbot.waitSignal(job.failed) as blocker:
        job.start()
    assert blocker.args == ["a user's problem", ""]
    qtbot.waitUntil(lambda: not job.is_running)

    job = Job("loop", _wait_forever)
    with qtbot.waitSignal(job.cancelled):
        job.start()
        job.cancel()
    assert job.wait(5000)
    qtbot.waitUntil(lambda: not Job.running_jobs())


def _blocked(release, progress):
    release.wait(60)  # reaches no cancellation point until released


def test_closing_waits_for_a_job_that_does_not_stop_in_time(make_window, qtbot):
    import threading

    window = make_window(start=False)
    window.SHUTDOWN_MS = 100
    release = threading.Event()
    window.host.run("stubborn", _blocked, release, quiet=True)
    try:
        window.close()
        assert window.isVisible()  # not closed over a running thread
        assert "stubborn" in window.statusBar().currentMessage()
    finally:
        release.set()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=30_000)
    assert not window.host.jobs and not Job.running_jobs()


def test_a_slow_model_load_does_not_block_another_task(monkeypatch):
    import threading

    from seqstudio.gui import jobs

    release, started = threading.Event(), threading.Event()

    def slow_music(model, device):
        started.set()
        release.wait(30)
        return jobs.LoadedModel("music", Path(model), device, "", None)

    monkeypatch.setattr(jobs, "_load_composer", slow_music)
    monkeypatch.setattr(jobs, "_load_transcriber", lambda model, device: jobs.LoadedModel("speech", Path(model),
                                                                                          device, "", None))
    cache = jobs.ModelCache()
    music = threading.Thread(target=cache.get, args=("music", "m", "cpu"))
    music.start()
    try:
        assert started.wait(10)
        got = []
        speech = threading.Thread(target=lambda: got.append(cache.get("speech", "s", "cpu")))
        speech.start()
        speech.join(5)
        assert got and got[0].name == "speech"
    finally:
        release.set()
        music.join(10)
    assert cache.current("music").name == "music"


def test_a_shared_progress_bar_stays_while_another_job_uses_it(window, qtbot):
    import threading

    bar = window.transcribe.progress
    first, second = threading.Event(), threading.Event()
    a = window.host.run("inside", _blocked, first, bar=bar)
    b = window.host.run("transcribe", _blocked, second, bar=bar)
    with qtbot.waitSignal(a.finished, timeout=30_000):
        first.set()
    assert not bar.isHidden()
    with qtbot.waitSignal(b.finished, timeout=30_000):
        second.set()
    assert bar.isHidden()
