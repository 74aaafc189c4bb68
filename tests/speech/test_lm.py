"""The Kneser–Ney word n-gram LM: proper distributions, ARPA files that round-trip (and that KenLM reads
the same way), pruning, bad files, and the ``train lm`` command."""

from __future__ import annotations

import argparse
import math
import random

import pytest

from seqstudio.core.errors import SeqStudioError
from seqstudio.speech.lm import BOS, EOS, UNK, NgramLM, load_arpa

TEXTS = [
    "the cat sat on the mat",
    "the dog sat on the log",
    "a cat and a dog sat on a mat",
    "the cat ate the rat",
    "on the mat the cat sat",
    "the rat ran to the cat",
    "the dog ran to the mat",
    "a rat sat on the log",
    "The cat sat on the mat!",  # normalised like transcripts: the same sentence again
    "I had 2 cats",
]


def _histories(lm: NgramLM) -> list[tuple[int, ...]]:
    ids = lm.word_id
    return [(), (lm.bos,), (ids("the"),), (lm.bos, ids("the")), (ids("the"), ids("cat")), (ids("on"), ids("the")),
            (ids("sat"), ids("on"), ids("the")), (ids("zebra"), ids("the")), (ids("cat"), ids("zebra"))]


@pytest.mark.parametrize("order", [2, 3, 4, 5])
@pytest.mark.parametrize("min_count", [1, 2])
def test_every_history_gives_a_distribution(order, min_count):
    lm = NgramLM.train(TEXTS, order=order, min_count=min_count)
    predicted = [i for i, w in enumerate(lm.words) if w != BOS]
    for history in _histories(lm):
        total = sum(10 ** lm.log10_prob(history, w) for w in predicted)
        assert total == pytest.approx(1.0, abs=1e-9), (history, total)


def test_kneser_ney_prefers_what_was_seen_and_backs_off():
    lm = NgramLM.train(TEXTS, order=3)
    assert "cats" in lm and "two" in lm and "2" not in lm  # normalised text
    assert lm.sentence_log10_prob("the cat sat on the mat") > lm.sentence_log10_prob("mat the on sat cat the")
    # continuation counts: "mat" follows only "the"/"a", "the" follows many words, so "the" is the likelier
    # unigram continuation even though both are frequent after "on"
    the, on = lm.word_id("the"), lm.word_id("on")
    assert lm.log10_prob((on,), the) > lm.log10_prob((on,), lm.word_id("mat"))
    # an unknown word scores as <unk> and the model then backs off to what follows it
    assert lm.word_id("zebra") == lm.unk
    assert lm.score(lm.start(), "zebra")[0] == pytest.approx(lm.log10_prob((lm.bos,), lm.unk) * math.log(10))
    ln, state = lm.score(lm.start(), "the")
    assert ln == pytest.approx(lm.log10_prob((lm.bos,), the) * math.log(10)) and state == (lm.bos, the)
    assert lm.end_score((lm.word_id("mat"),)) > lm.end_score((the,))  # sentences end after "mat", never "the"


def test_arpa_round_trip_is_exact_and_deterministic(tmp_path):
    lm = NgramLM.train(TEXTS, order=3)
    path = lm.write_arpa(tmp_path / "lm.arpa")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("\n\\data\\\nngram 1=") and text.rstrip().endswith("\\end\\")
    again = load_arpa(path)
    assert again.order == 3 and again.to_arpa() == text
    for history in _histories(lm):
        for word in ("the", "cat", EOS, UNK):
            assert again.log10_prob(_remap(history, lm, again), again.word_id(word)) == pytest.approx(
                lm.log10_prob(history, lm.word_id(word)), abs=1e-6)
    shuffled = TEXTS[:]
    random.Random(1).shuffle(shuffled)
    assert NgramLM.train(shuffled, order=3).to_arpa() == text  # input order does not matter
    with pytest.raises(SeqStudioError, match="already exists"):
        lm.write_arpa(path)


def _remap(history, src: NgramLM, dst: NgramLM):
    return tuple(dst.word_id(src.words[i]) for i in history)


def test_kenlm_reads_our_files_the_same_way(tmp_path):
    kenlm = pytest.importorskip("flashlight.lib.text.decoder.kenlm")
    dictionary = pytest.importorskip("flashlight.lib.text.dictionary")
    lm = NgramLM.train(TEXTS, order=3, min_count=2)
    path = lm.write_arpa(tmp_path / "lm.arpa")
    words = dictionary.create_word_dict({w: [[w]] for w in lm.words})
    reference = kenlm.KenLM(str(path), words)
    for sentence in ("the cat sat on the mat", "a zebra ran to the log", "rat"):
        state, total = reference.start(False), 0.0
        for word in [*sentence.split(), EOS]:
            state, score = reference.score(state, words.get_index(word if word in lm.words else UNK))
            total += score
        assert total == pytest.approx(lm.sentence_log10_prob(sentence), abs=1e-4)


def test_pruning_shrinks_the_model_and_keeps_unigrams():
    full = NgramLM.train(TEXTS, order=3, min_count=1)
    pruned = NgramLM.train(TEXTS, order=3, min_count=2)
    assert len(pruned.probs) < len(full.probs)
    assert set(pruned.words) == set(full.words)
    assert all(len(g) == 1 or pruned.probs.get(g[:-1]) is not None for g in pruned.probs)  # prefixes stored
    assert all(len(g) == 1 or g[1:] in pruned.probs for g in pruned.probs)  # suffixes stored


def test_bad_options_and_empty_text():
    with pytest.raises(ValueError, match="order"):
        NgramLM.train(TEXTS, order=1)
    with pytest.raises(ValueError, match="order"):
        NgramLM.train(TEXTS, order=6)
    with pytest.raises(ValueError, match="min_count"):
        NgramLM.train(TEXTS, min_count=0)
    with pytest.raises(SeqStudioError, match="no text"):
        NgramLM.train(["", "  ", "!!!"])


GOOD = NgramLM.train(TEXTS, order=2).to_arpa()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("hello world\nthis is not a language model\n", "no \\\\data\\\\ header"),
        (GOOD.replace("\\end\\", ""), "truncated"),
        (GOOD.replace("ngram 1=", "ngram 1=9", 1), "announces"),
        (GOOD.replace("\t<unk>", "\t<unk> <unk> <unk>", 1), "needs a probability"),
        (GOOD.replace("\\2-grams:", "\\2-grams:\nabc\tthe cat", 1), "not a number"),
        (GOOD.replace("\\2-grams:", "\\2-grams:\n0.5\tthe cat", 1), "<= 0"),
        (GOOD.replace("\\2-grams:", "\\3-grams:", 1), "not announced"),
        (GOOD.replace("\t</s>\n", "\tnothing\n", 1), "no unigram"),
    ],
)
def test_corrupt_files_are_one_line_errors(tmp_path, content, message):
    path = tmp_path / "bad.arpa"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SeqStudioError, match=message) as info:
        load_arpa(path)
    assert "\n" not in str(info.value) and str(path) in str(info.value)


def test_unreadable_files_are_one_line_errors(tmp_path):
    with pytest.raises(SeqStudioError, match="does not exist"):
        load_arpa(tmp_path / "missing.arpa")
    with pytest.raises(SeqStudioError, match="folder"):
        load_arpa(tmp_path)
    binary = tmp_path / "lm.bin"
    binary.write_bytes(b"\x80\x81\xff\x00" * 100)
    with pytest.raises(SeqStudioError, match="binary"):
        load_arpa(binary)


# -- the command -----------------------------------------------------------------------------------


def _cli(argv: list[str]) -> argparse.Namespace:
    from seqstudio.cli.lm import register_lm

    parser = argparse.ArgumentParser()
    register_lm(parser.add_subparsers(dest="kind"))
    return parser.parse_args(["lm", *argv])


def test_train_lm_from_text_files(tmp_path, capsys):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n".join(TEXTS) + "\n\n", encoding="utf-8")
    out = tmp_path / "models" / "lm.arpa"
    args = _cli(["--text", str(corpus), "--out", str(out), "--order", "3", "--min-count", "1"])
    assert args.run(args) == 0
    assert load_arpa(out).to_arpa() == NgramLM.train(TEXTS, order=3).to_arpa()
    assert "wrote" in capsys.readouterr().out
    with pytest.raises(SeqStudioError, match="already exists"):
        args.run(args)
    args = _cli(["--text", str(corpus), "--out", str(out), "--order", "2", "--overwrite"])
    assert args.run(args) == 0 and load_arpa(out).order == 2
    assert [p.name for p in out.parent.iterdir()] == ["lm.arpa"]  # no temporary files left


def test_train_lm_from_the_transcripts_of_manifests(tmp_path, capsys):
    from seqstudio.speech.manifest import Utterance, write_manifest

    half = len(TEXTS) // 2
    write_manifest(tmp_path / "a" / "train.jsonl", [Utterance(tmp_path / f"{i}.wav", t) for i, t in
                                                     enumerate(TEXTS[:half])])
    (tmp_path / "b.tsv").write_text("".join(f"clip{i}.flac\t{t}\n" for i, t in enumerate(TEXTS[half:])),
                                    encoding="utf-8")  # audio that is not there: only the texts are read
    out = tmp_path / "lm.arpa"
    args = _cli(["--manifest", str(tmp_path / "a" / "train.jsonl"), "--manifest", str(tmp_path / "b.tsv"),
                 "--out", str(out), "--order", "3", "--min-count", "1"])
    assert args.run(args) == 0
    assert load_arpa(out).to_arpa() == NgramLM.train(TEXTS, order=3).to_arpa()
    assert f"{half} transcripts" in capsys.readouterr().out
    args = _cli(["--manifest", str(tmp_path / "missing.jsonl"), "--out", str(tmp_path / "x.arpa")])
    with pytest.raises(SeqStudioError, match="does not exist"):
        args.run(args)


def test_train_lm_uses_only_the_train_split(tmp_path, monkeypatch):
    from seqstudio.speech.corpus import sentences

    def name(i: int) -> str:  # a made-up word per sentence: "qa", "qb", ...
        return "q" + "".join(chr(97 + int(d)) for d in str(i))

    pool = [f"the cat saw {name(i)} today" for i in range(300)]
    monkeypatch.setattr(sentences, "collect_sentences", lambda *a, **k: pool)
    split = {name(i): sentences.sentence_split(s) for i, s in enumerate(pool)}
    assert set(split.values()) == {"train", "valid", "test"}
    out = tmp_path / "lm.arpa"
    args = _cli(["--sentences", "default", "--out", str(out), "--min-count", "1"])
    assert args.run(args) == 0
    lm = load_arpa(out)
    assert all((word in lm) == (where == "train") for word, where in split.items())


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--sentences", "none"], "no text"),
        (["--text", "missing.txt"], "does not exist"),
        (["--text", "x.txt", "--order", "7"], "--order"),
        (["--text", "x.txt", "--min-count", "0"], "--min-count"),
    ],
)
def test_train_lm_bad_input(tmp_path, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.txt").write_text("a b c\n", encoding="utf-8")
    args = _cli([*argv, "--out", str(tmp_path / "lm.arpa")])
    with pytest.raises(SeqStudioError, match=message):
        args.run(args)
    assert not (tmp_path / "lm.arpa").exists()
