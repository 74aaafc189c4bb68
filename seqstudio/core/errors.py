"""User-facing errors: one class the CLI turns into a one-line message and a non-zero exit."""

from __future__ import annotations


class SeqStudioError(Exception):
    """A problem the user can fix (bad file, bad option, missing model). Its message is one line."""

    exit_code = 2


class Cancelled(SeqStudioError):
    """A long job stopped because its caller asked it to."""

    exit_code = 130
