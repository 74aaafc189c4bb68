from __future__ import annotations

import shutil

import pytest

from seqstudio.core.errors import SeqStudioError
from seqstudio.music.corpus import SPLITS, CorpusSpec, build_corpus, load_corpus
from tests.conftest import make_midi


@pytest.fixture()
def folder(tmp_path):
    src = tmp_path / "midi"
    for i in range(12):
        make_midi(src / f"p{i:02d}.mid", voices=1 + i % 2, seconds=4, seed=100 + i)
    return src


def _ids(out, split):
    return [line for line in (out / f"{split}.pieces.txt").read_text().splitlines() if line]


def test_build_is_cached_and_invalidated_by_new_files(tmp_path, folder):
    spec = CorpusSpec(music21=(), midi_dirs=(str(folder),), stretches=(0.9, 1.0))
    first = build_corpus(spec, tmp_path / "c", jobs=1)
    assert not first["cached"]
    assert build_corpus(spec, tmp_path / "c", jobs=1)["cached"]
    make_midi(folder / "new.mid", seconds=3, seed=999)
    again = build_corpus(spec, tmp_path / "c", jobs=1)
    assert not again["cached"]
    added = [i for s in SPLITS for i in _ids(tmp_path / "c", s) if i.startswith("midi:midi/new.mid")]
    assert len(added) in (1, 2)  # one sequence in valid/test, one per stretch in train
    total = sum(again["splits"][s]["sequences"] for s in SPLITS)
    assert total == sum(first["splits"][s]["sequences"] for s in SPLITS) + len(added)


def test_stretches_only_in_train_and_splits_by_content(tmp_path, folder):
    shutil.copy(folder / "p03.mid", folder / "p03_copy.mid")  # the same tune twice
    out = tmp_path / "c"
    summary = build_corpus(CorpusSpec(music21=(), midi_dirs=(str(folder),), stretches=(0.9, 1.0)), out, jobs=1)
    train = _ids(out, "train")
    assert train and all(i.endswith(("@0.9", "@1")) for i in train)
    assert sum(i.endswith("@0.9") for i in train) == sum(i.endswith("@1") for i in train)
    for split in ("valid", "test"):
        assert all(i.endswith("@1") for i in _ids(out, split))
    where = {split: {i.split("#")[0] for i in _ids(out, split)} for split in SPLITS}
    homes = [s for s in SPLITS if "midi:midi/p03.mid" in where[s]]
    copies = [s for s in SPLITS if "midi:midi/p03_copy.mid" in where[s]]
    assert homes == copies  # duplicates share a split
    _, splits = load_corpus(out)
    for split in SPLITS:
        assert summary["splits"][split]["tokens"] == len(splits[split].tokens)
        assert all(seq[0] == 1 for seq in splits[split].sequences())  # every piece starts with BOS


def test_unreadable_files_are_skipped_and_listed(tmp_path, folder):
    (folder / "broken.mid").write_bytes(b"MThd garbage")
    summary = build_corpus(CorpusSpec(music21=(), midi_dirs=(str(folder),)), tmp_path / "c", jobs=2)
    assert summary["skipped_files"] == 1 and "broken.mid" in summary["skipped_examples"][0]


def test_music21_collection_builds(tmp_path):
    summary = build_corpus(CorpusSpec(music21=("bach",), limit=2, stretches=(1.0,)), tmp_path / "c", jobs=1)
    assert sum(summary["splits"][s]["tokens"] for s in SPLITS) > 500


def test_bad_sources_and_damaged_corpus_are_clear_errors(tmp_path):
    with pytest.raises(SeqStudioError, match="does not exist"):
        build_corpus(CorpusSpec(music21=(), midi_dirs=(str(tmp_path / "nope"),)), tmp_path / "c")
    with pytest.raises(SeqStudioError, match="no collection"):
        build_corpus(CorpusSpec(music21=("notacomposer",)), tmp_path / "c")
    with pytest.raises(SeqStudioError, match="not a built corpus"):
        load_corpus(tmp_path)
    (tmp_path / "corpus.json").write_text("{}")
    with pytest.raises(SeqStudioError, match="damaged"):
        load_corpus(tmp_path)
