"""The core, the task packages and the CLI never import Qt: they must work where PySide6 is not installed."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO

MODULES = [
    "seqstudio", "seqstudio.cli.main", "seqstudio.cli.app", "seqstudio.core.progress", "seqstudio.core.models",
    "seqstudio.music.composer", "seqstudio.music.generate", "seqstudio.speech.transcriber", "seqstudio.speech.formats",
    "seqstudio.nn.inspect", "seqstudio.gui", "seqstudio.gui.app", "seqstudio.gui.jobs", "seqstudio.gui.synth",
]


def test_core_and_cli_import_no_qt():
    code = ("import sys\n"
            f"for name in {MODULES!r}: __import__(name)\n"
            "from seqstudio.cli.main import build_parser\n"
            "build_parser()\n"
            "qt = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'PyQt')))\n"
            "assert not qt, qt\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
