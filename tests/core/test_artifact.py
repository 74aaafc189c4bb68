from __future__ import annotations

import json
import pickle  # noqa: TID251 - only to make the hostile file the loader must refuse

import pytest
import torch

from seqstudio.core.artifact import load_artifact, read_config, save_artifact
from seqstudio.core.errors import SeqStudioError


def _save(folder, **extra):
    tensors = {"w": torch.arange(6.0).reshape(2, 3), "b": torch.zeros(2)}
    return save_artifact(folder, tensors, {"task": "music", "architecture": {"name": "x"}, **extra})


def test_round_trip_keeps_tensors_and_config(tmp_path):
    folder = _save(tmp_path / "m", provenance={"steps": 3})
    art = load_artifact(folder, task="music")
    assert torch.equal(art.tensors["w"], torch.arange(6.0).reshape(2, 3))
    assert art.config["provenance"] == {"steps": 3}
    assert art.config["format"] == "seqstudio-model" and art.config["format_version"] == 1


def test_weights_file_is_readable_like_any_file_the_user_writes(tmp_path):
    import os

    old = os.umask(0o022)
    try:
        folder = _save(tmp_path / "m")
    finally:
        os.umask(old)
    assert (folder / "model.safetensors").stat().st_mode & 0o777 == 0o644  # safetensors alone writes 0600


def test_existing_folder_is_not_replaced_unless_asked(tmp_path):
    folder = _save(tmp_path / "m")
    (folder / "README.md").write_text("card")
    with pytest.raises(SeqStudioError, match="already exists"):
        _save(folder)
    save_artifact(folder, {"w": torch.ones(1)}, {"task": "music", "architecture": {}}, overwrite=True)
    assert set(load_artifact(folder).tensors) == {"w"}
    assert (folder / "README.md").read_text() == "card"  # the model card survives a re-export


@pytest.mark.parametrize("case", ["missing", "file", "no_config", "bad_json", "not_ours", "future", "no_weights"])
def test_folders_that_are_not_models_get_one_line_errors(tmp_path, case):
    folder = tmp_path / "m"
    if case != "missing":
        folder.mkdir()
    if case == "file":
        folder.rmdir()
        folder.write_text("x")
    elif case == "bad_json":
        (folder / "config.json").write_text("{nope")
    elif case == "not_ours":
        (folder / "config.json").write_text(json.dumps({"format": "other"}))
    elif case == "future":
        (folder / "config.json").write_text(json.dumps({"format": "seqstudio-model", "format_version": 99,
                                                         "task": "music", "architecture": {}}))
    elif case == "no_weights":
        (folder / "config.json").write_text(json.dumps({"format": "seqstudio-model", "format_version": 1,
                                                         "task": "music", "architecture": {}}))
    with pytest.raises(SeqStudioError) as info:
        load_artifact(folder)
    assert "\n" not in str(info.value)


def test_a_pickle_in_place_of_weights_is_refused_without_unpickling(tmp_path):
    folder = _save(tmp_path / "m")
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    (folder / "model.safetensors").write_bytes(pickle.dumps(Evil(), protocol=4))
    with pytest.raises(SeqStudioError, match="pickle"):
        load_artifact(folder)
    torch.save({"w": torch.ones(1)}, folder / "model.safetensors")
    with pytest.raises(SeqStudioError, match="pickle"):
        load_artifact(folder)
    assert not marker.exists()


def test_corrupt_safetensors_is_a_clear_error(tmp_path):
    folder = _save(tmp_path / "m")
    data = (folder / "model.safetensors").read_bytes()
    (folder / "model.safetensors").write_bytes(data[: len(data) // 2])
    with pytest.raises(SeqStudioError, match="not a readable safetensors"):
        load_artifact(folder)


def test_wrong_task_is_refused(tmp_path):
    folder = _save(tmp_path / "m")
    with pytest.raises(SeqStudioError, match="music model, not a speech model"):
        load_artifact(folder, task="speech")
    assert read_config(folder)["task"] == "music"
