"""``seqstudio app`` (and ``seqstudio`` alone): open the desktop app. Qt is imported only when it runs."""

from __future__ import annotations

import argparse

from seqstudio.core.errors import SeqStudioError


def register(sub) -> None:
    from seqstudio.gui.app import add_arguments

    p = sub.add_parser("app", help="open the desktop app (also what `seqstudio` alone does)",
                       description="Open the SeqStudio desktop app: Compose, Transcribe and Inside the LSTM.")
    add_arguments(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from seqstudio.gui.app import qt_problem

    problem = qt_problem()
    if problem:
        raise SeqStudioError(problem)
    from seqstudio.gui.app import run as run_app

    return run_app(args)
