"""GUI fixtures: an offscreen main window per test with its own settings file, dialogs recorded instead of
shown, and a check after each test that no job thread and no timer was left running."""

from __future__ import annotations

import os

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QLoggingCategory, QTimer  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402

from seqstudio.gui import i18n, theme  # noqa: E402
from seqstudio.gui.worker import Job  # noqa: E402

QLoggingCategory.setFilterRules("qt.multimedia.*=false")


@pytest.fixture
def dialogs(monkeypatch) -> list[tuple[str, str]]:
    """Every message box the app opens, as (title, text), answered at once instead of blocking the test."""
    shown: list[tuple[str, str]] = []

    def record(box: QMessageBox) -> int:
        shown.append((box.windowTitle(), box.text()))
        return int(QMessageBox.StandardButton.Ok.value)

    monkeypatch.setattr(QMessageBox, "exec", record)
    return shown


@pytest.fixture
def make_window(qtbot, tmp_path, dialogs):
    """Build main windows (usually one); each is closed after the test and checked for leftovers."""
    from seqstudio.gui.main_window import MainWindow
    from seqstudio.gui.settings import Settings

    windows = []

    def make(start: bool = True, language: str = "en"):
        app = qtbot_app()
        i18n.install(app, language)
        theme.apply(app, "light")
        window = MainWindow(Settings(tmp_path / "settings.ini"))
        qtbot.addWidget(window)
        window.show()
        if start:
            window.start_background()
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()
        qtbot.waitUntil(lambda: not Job.running_jobs(), timeout=30_000)
        active = [t for t in window.findChildren(QTimer) if t.isActive()]
        assert not active, f"timers left running: {[(t.parent(), t.objectName(), t.interval()) for t in active]}"
    assert not Job.running_jobs(), "a job thread outlived its test"
    i18n.install(qtbot_app(), "en")


def qtbot_app():
    from PySide6.QtWidgets import QApplication

    return QApplication.instance()


@pytest.fixture
def window(make_window):
    return make_window()
