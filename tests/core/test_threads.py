"""The CLI lets torch's OpenMP threads stop spinning soon (two busy processes on few cores otherwise
stall each other at every barrier), unless the user chose a policy or torch was loaded first."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO

PROBE = """
import os, sys
{before}
from {entry} import main
try:
    main(["--version"])
except SystemExit:
    pass
import torch
print(os.environ.get("GOMP_SPINCOUNT"), os.environ.get("OMP_WAIT_POLICY"))
"""


def _run(before: str = "", entry: str = "seqstudio.cli.main", **env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in ("GOMP_SPINCOUNT", "OMP_WAIT_POLICY")}
    done = subprocess.run([sys.executable, "-c", PROBE.format(before=before, entry=entry)], capture_output=True,
                          text=True, cwd=REPO, env={**clean, **env}, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.split("\n")[-2]


@pytest.mark.parametrize("entry", ["seqstudio.cli.main", "seqstudio.gui.app"])  # `seqstudio`, `seqstudio-app`
def test_entry_points_set_a_short_spin_before_torch_loads(entry):
    assert _run(entry=entry) == "1000 None"


def test_a_users_choice_is_left_alone():
    assert _run(GOMP_SPINCOUNT="50000") == "50000 None"
    assert _run(OMP_WAIT_POLICY="PASSIVE") == "None PASSIVE"


def test_nothing_is_set_once_torch_is_loaded():
    assert _run(before="import torch") == "None None"
