"""``seqstudio`` command line: one module per subcommand family, errors as one line and a non-zero exit."""

from __future__ import annotations

import argparse
import os
import sys

from seqstudio import __version__
from seqstudio.core.errors import SeqStudioError
from seqstudio.core.threads import tame_openmp_spinning


class Parser(argparse.ArgumentParser):
    """Bad options are one line on stderr and exit status 2, like every other user error."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    from seqstudio.cli import app, bench, data, evaluate, generate, listen, train, transcribe

    parser = Parser(
        prog="seqstudio",
        description="Stacked LSTMs that compose music and transcribe speech, offline.",
        epilog="Run `seqstudio COMMAND --help` for the options of each command.",
    )
    parser.add_argument("--version", action="version", version=f"seqstudio {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    generate.register(sub)
    transcribe.register(sub)
    listen.register(sub)
    data.register(sub)
    train.register(sub)
    evaluate.register(sub)
    bench.register(sub)
    app.register(sub)
    return parser


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so that flushing it at exit raises no second broken pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):  # no stdout, or not a real file: nothing will be flushed to it
        pass


def main(argv: list[str] | None = None) -> int:
    tame_openmp_spinning()  # before anything loads torch
    if argv is None and len(sys.argv) == 1:  # `seqstudio` typed alone opens the app where it can
        from seqstudio.gui.app import qt_problem

        problem = qt_problem()
        if problem is None:
            argv = ["app"]
        else:
            build_parser().print_help()
            print(f"\nseqstudio: the desktop app cannot start: {problem}", file=sys.stderr)
            return 0
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 0 if args.command is None else 2
    try:
        return int(args.run(args) or 0)
    except SeqStudioError as exc:
        print(f"seqstudio: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("seqstudio: interrupted", file=sys.stderr)
        return 130
    except MemoryError:
        print("seqstudio: error: out of memory", file=sys.stderr)
        return 1
    except BrokenPipeError:  # whoever read the output stopped (`seqstudio listen | head`): stop quietly, as Unix
        _silence_stdout()   # tools do, with the status of a process ended by SIGPIPE
        return 141
    except OSError as exc:  # a disk that is full, a folder that cannot be written, ...
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"seqstudio: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
