"""run_in_processes: every item's result comes back once, to the caller; a failure stops the rest."""

from __future__ import annotations

import os

import pytest

from seqstudio.core.pool import run_in_processes


def _square_and_pid(x: int) -> tuple[int, int]:
    return x * x, os.getpid()


def _fail_on_three(x: int) -> int:
    if x == 3:
        raise ValueError("three")
    return x


def test_every_result_comes_back_from_worker_processes():
    got: dict[int, int] = {}
    pids: set[int] = set()

    def finished(key, result):
        assert key not in got
        got[key], pid = result
        pids.add(pid)

    run_in_processes(_square_and_pid, {f"k{i}": (i,) for i in range(6)}, 2, finished)
    assert got == {f"k{i}": i * i for i in range(6)}
    assert os.getpid() not in pids


def test_a_failure_in_the_work_or_the_caller_propagates():
    with pytest.raises(ValueError, match="three"):
        run_in_processes(_fail_on_three, {i: (i,) for i in range(5)}, 2, lambda key, result: None)

    class Cancelled(Exception):
        pass

    def cancel(key, result):
        raise Cancelled

    with pytest.raises(Cancelled):
        run_in_processes(_fail_on_three, {i: (i,) for i in (0, 1, 2)}, 1, cancel)
