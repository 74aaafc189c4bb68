"""The composition root: ``seqstudio`` with no arguments, ``seqstudio app`` and ``seqstudio-app`` end here.

It builds the settings, the translators, the theme and the window, shows the window, and only then starts
the jobs that import torch and load models (on workers), so the window is up within a second or so.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="seqstudio app", description="Open the SeqStudio desktop app.")
    add_arguments(parser)
    return parser


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="*", help="MIDI seeds to open in Compose, audio files to queue in Transcribe")
    parser.add_argument("--settings", metavar="FILE", help="keep settings in this INI file (default: the user's)")
    parser.add_argument("--lang", choices=("system", "en", "zh_CN"), help="the UI language for this session")
    parser.add_argument("--theme", choices=("system", "light", "dark"), help="the theme for this session")
    parser.add_argument("--quit-after-show", action="store_true",
                        help="start, report how long the window took, and quit (a smoke test)")


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    from PySide6.QtCore import QLoggingCategory, QTimer
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from seqstudio.gui import i18n, theme
    from seqstudio.gui.settings import Settings

    QLoggingCategory.setFilterRules("qt.multimedia.*=false\nqt.multimedia.ffmpeg*=false")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName("SeqStudio")
    app.setApplicationName("SeqStudio")
    app.setApplicationDisplayName("SeqStudio")
    app.setWindowIcon(QIcon.fromTheme("audio-x-generic"))
    settings = Settings(args.settings)
    i18n.install(app, args.lang or settings.language)
    theme.apply(app, args.theme or settings.theme)

    from seqstudio.gui.main_window import MainWindow

    window = MainWindow(settings)
    window.show()
    app.processEvents()
    shown = time.perf_counter() - started
    torch_at_show = "torch" in sys.modules
    if args.quit_after_show:
        print(f"seqstudio app: window shown in {shown:.2f} s; torch imported before the window: "
              f"{'yes' if torch_at_show else 'no'}", flush=True)
        QTimer.singleShot(0, window.close)
        return app.exec()
    window.start_background()
    for name in args.files:
        path = Path(name)
        if path.suffix.lower() in (".mid", ".midi"):
            window.compose.open_seed(path)
        else:
            window.tabs.setCurrentWidget(window.transcribe)
            window.transcribe.add_files([str(path)])
    return app.exec()


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``seqstudio-app`` (a gui-script: no console window on Windows)."""
    from seqstudio.core.threads import tame_openmp_spinning

    tame_openmp_spinning()  # before anything loads torch
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    return run(args)


def qt_problem() -> str | None:
    """Why the app cannot start here (None when it can): no PySide6, or no display to show it on."""
    import importlib.util

    if importlib.util.find_spec("PySide6") is None:  # looked up, not imported: the CLI stays Qt-free
        return "the desktop app needs PySide6: pip install 'seqstudio[gui]'"
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
                                                 or os.environ.get("QT_QPA_PLATFORM")):
        return "no display to open a window on (set DISPLAY, or run under xvfb-run)"
    return None


if __name__ == "__main__":
    raise SystemExit(main())
