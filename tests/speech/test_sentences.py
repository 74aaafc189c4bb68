"""Sentences for the synthetic speech corpus: split, cleaned, normalised, deduplicated, split stably.

The real-source test reads the Debian packages fortunes and wordnet-base (the set-up installs them) and
fails, naming the package, when one is missing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from seqstudio.core.errors import SeqStudioError
from seqstudio.speech.corpus.sentences import (
    DEFAULT_SOURCES,
    MAX_WORDS,
    MIN_WORDS,
    SOURCES,
    clean_sentence,
    collect_sentences,
    read_source,
    sentence_split,
    split_passage,
    split_sentences,
)
from seqstudio.speech.text import CharVocab, normalize_text

FORTUNES = """The early bird gets the worm.  But the second mouse gets the cheese.
\t\t-- Steven Wright
%
THE EARLY BIRD GETS THE WORM. The early bird gets the worm!
%
int main() { return 0; }
%
Dr. Smith paid $5.50 for 3 apples in 1984. Why?
%
List item without an ending
%
"""
WORDNET = """  1 This software and database is provided "as is" and Princeton makes no warranty
00001740 29 v 01 choke 0 002 | breathe with difficulty; "She choked with emotion when she spoke"; "he choked"
00001741 29 v 01 gasp 0 000 | breathe hard; "the early bird gets the worm"
"""


@pytest.fixture()
def roots(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "fortunes").mkdir()
    (tmp_path / "fortunes" / "tiny").write_text(FORTUNES)
    (tmp_path / "fortunes" / "tiny.dat").write_bytes(b"\x00\x01binary index")
    (tmp_path / "wordnet").mkdir()
    (tmp_path / "wordnet" / "data.verb").write_text(WORDNET)
    for part in ("noun", "adj", "adv"):
        (tmp_path / "wordnet" / f"data.{part}").write_text("")
    return {"fortunes": tmp_path / "fortunes", "wordnet": tmp_path / "wordnet"}


def test_split_passage_keeps_abbreviations_and_closing_quotes():
    passage = 'Dr. Smith went to Washington. He said "Hi!" Then J. R. R. Tolkien left. OK?'
    assert split_passage(passage) == ["Dr. Smith went to Washington.", 'He said "Hi!"',
                                      "Then J. R. R. Tolkien left.", "OK?"]  # fmt: skip


def test_clean_sentence():
    assert clean_sentence("It cost $5.50 in 1984.") == "it cost five dollars fifty cents in nineteen eighty four"
    assert clean_sentence("Too short.") is None
    assert clean_sentence(" ".join(["word"] * (MAX_WORDS + 1))) is None
    assert clean_sentence("if (x == 1) { y = 2; }") is None  # code
    assert clean_sentence("Copy 575MB to the NFS server now.") is None  # acronyms: spelled or said?


def test_collect_from_small_sources(roots):
    sentences = collect_sentences(roots=roots)
    assert sorted(sentences) == sorted([
        "the early bird gets the worm",  # from both sources and in capitals: once
        "but the second mouse gets the cheese",
        "doctor smith paid five dollars fifty cents for three apples in nineteen eighty four",
        "she choked with emotion when she spoke",
    ])  # fmt: skip
    assert collect_sentences(roots=roots) == sentences  # deterministic
    assert sorted(collect_sentences(roots=roots, seed=1)) == sorted(sentences)


def test_missing_source_names_the_package(tmp_path):
    with pytest.raises(SeqStudioError, match="apt-get install fortunes"):
        list(read_source("fortunes", tmp_path / "nowhere"))
    with pytest.raises(SeqStudioError, match="unknown text source"):
        list(read_source("gutenberg"))


def test_split_is_a_stable_function_of_the_sentence():
    # Pinned: changing the hash would move sentences between splits of existing corpora.
    pinned = {"the early bird gets the worm": "train", "five is prime": "test", "sentence number 30": "valid"}
    assert {s: sentence_split(s) for s in pinned} == pinned
    groups = split_sentences([f"sentence number {i}" for i in range(2000)])
    assert 0.85 < len(groups["train"]) / 2000 < 0.95
    assert 0.025 < len(groups["valid"]) / 2000 < 0.075 and 0.025 < len(groups["test"]) / 2000 < 0.075


@pytest.fixture(scope="module")
def real_sentences() -> list[str]:
    for name in DEFAULT_SOURCES:
        assert SOURCES[name].root.is_dir(), f"text source missing: apt-get install {SOURCES[name].package}"
    return collect_sentences()


def test_real_sources_give_many_clean_distinct_sentences(real_sentences):
    vocab = CharVocab()
    assert len(real_sentences) > 40_000
    assert len(set(real_sentences)) == len(real_sentences)
    for sentence in real_sentences:
        assert normalize_text(sentence) == sentence
        vocab.encode(sentence)
        assert MIN_WORDS <= len(sentence.split()) <= MAX_WORDS
    groups = split_sentences(real_sentences)
    assert all(len(groups[s]) > 1000 for s in ("valid", "test"))
    assert not (set(groups["train"]) & set(groups["test"]))
