from __future__ import annotations

import pytest
import torch

from seqstudio.core.atomic import atomic_write, atomic_write_text
from seqstudio.core.device import resolve_device
from seqstudio.core.errors import SeqStudioError


def test_cpu_and_auto_resolve():
    assert resolve_device("cpu") == torch.device("cpu")
    assert resolve_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    assert resolve_device(" CPU ") == torch.device("cpu")


@pytest.mark.parametrize("spec", ["gpu", "cuda:x", "tpu", "cuda:-1", ""])
def test_nonsense_devices_are_refused(spec):
    if spec == "":
        assert resolve_device(spec).type in ("cpu", "cuda")  # empty means auto
        return
    with pytest.raises(SeqStudioError, match="unknown device"):
        resolve_device(spec)


def test_cuda_that_is_not_there_is_a_clear_error():
    if torch.cuda.is_available():
        with pytest.raises(SeqStudioError, match="not available"):
            resolve_device(f"cuda:{torch.cuda.device_count()}")
    else:
        for spec in ("cuda", "cuda:0", "cuda:3"):
            with pytest.raises(SeqStudioError, match="not available"):
                resolve_device(spec)


def test_atomic_write_never_clobbers_and_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "out.txt"
    atomic_write_text(target, "first")
    with pytest.raises(SeqStudioError, match="already exists"):
        atomic_write_text(target, "second")
    assert target.read_text() == "first"
    atomic_write_text(target, "third", overwrite=True)
    assert target.read_text() == "third"

    def broken(path):
        path.write_text("half")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        atomic_write(tmp_path / "new.txt", broken)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]
