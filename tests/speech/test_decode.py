"""Greedy CTC decoding on hand-built log-prob matrices, word timings, and WER/CER/edit distance."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from seqstudio.speech.decode import Hypothesis, cer, edit_distance, greedy_decode, wer
from seqstudio.speech.text import CharVocab

VOCAB = CharVocab()  # blank, space, apostrophe, a..z
SHIFT = 0.04


def path_log_probs(path: str, peak: float = 0.9) -> torch.Tensor:
    """(T, V) log-probs whose best path is ``path``, one symbol per frame, '_' for the blank.

    Each frame puts ``peak`` on its symbol and spreads the rest evenly, so the per-frame maximum
    probability is ``peak`` and the best path's log-prob is ``T * log(peak)``.
    """
    v = len(VOCAB)
    probs = torch.full((len(path), v), (1 - peak) / (v - 1))
    for t, c in enumerate(path):
        probs[t, VOCAB.blank if c == "_" else VOCAB.encode(c)[0]] = peak
    return probs.log()


def decode_one(path: str, **kwargs) -> Hypothesis:
    kwargs.setdefault("frame_shift_s", SHIFT)
    [hyp] = greedy_decode(path_log_probs(path), VOCAB, **kwargs)
    return hyp


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("hhh_eee_ll_l_ooo", "hello"),  # a blank between the l's keeps both
        ("h_e_llll_o", "helo"),  # a run of one symbol is one character
        ("hel_lo", "hello"),
        ("aab_bb_a", "abba"),
        ("__a__", "a"),
        ("hi_  __there", "hi there"),  # repeated spaces collapse
        ("_ _hi_ _ _there_ _", "hi there"),  # spaces with blanks between: no doubled, leading or trailing space
        ("don't", "don't"),
    ],
)
def test_greedy_path_collapses_repeats_and_drops_blanks(path, text):
    hyp = decode_one(path)
    assert hyp.text == text
    assert len(hyp.spans) == len(hyp.text)
    assert hyp.text == " ".join(w.text for w in hyp.words)
    assert hyp.score == pytest.approx(len(path) * math.log(0.9), rel=1e-5)


def test_spans_are_the_runs_of_each_character():
    hyp = decode_one("hhh_eee_ll_l_ooo")
    assert hyp.spans == ((0, 3), (4, 7), (8, 10), (11, 12), (13, 16))


def test_word_times_follow_the_alignment():
    #      frame: 0123456789012345
    hyp = decode_one("_hh_i__  _yyoo_u")
    assert hyp.text == "hi you"
    first, second = hyp.words
    assert first.text == "hi" and second.text == "you"
    # "hi": 'h' starts at frame 1, 'i' ends after frame 4 (frames [1, 5)).
    assert (first.start, first.end) == pytest.approx((1 * SHIFT, 5 * SHIFT))
    # "you": 'y' starts at frame 10, 'u' is frame 15 (frames [10, 16)).
    assert (second.start, second.end) == pytest.approx((10 * SHIFT, 16 * SHIFT))
    # Every frame's best probability is 0.9, blanks inside a word included.
    assert first.confidence == pytest.approx(0.9) and second.confidence == pytest.approx(0.9)


def test_confidence_is_the_mean_best_probability_over_the_words_frames():
    log_probs = path_log_probs("ab_ c")
    probs = log_probs.exp()
    probs[1] = (1 - 0.5) / (len(VOCAB) - 1)
    probs[1, VOCAB.encode("b")[0]] = 0.5
    [hyp] = greedy_decode(probs.log(), VOCAB, frame_shift_s=SHIFT)
    assert [w.text for w in hyp.words] == ["ab", "c"]
    assert hyp.words[0].confidence == pytest.approx((0.9 + 0.5) / 2)
    assert hyp.words[1].confidence == pytest.approx(0.9)


def test_offsets_are_added_to_every_time():
    hyp = decode_one("_a_ b", offset_s=12.5)
    times = [t for w in hyp.words for t in (w.start, w.end)]
    assert times == pytest.approx([12.5 + SHIFT, 12.5 + 2 * SHIFT, 12.5 + 4 * SHIFT, 12.5 + 5 * SHIFT])


def test_a_batch_with_lengths_and_per_utterance_offsets():
    a, b = path_log_probs("_hi_"), path_log_probs("_ok yes")
    batch = torch.stack([torch.cat([a, path_log_probs("zzz")]), b])  # frames past a's length must be ignored
    hyps = greedy_decode(batch, VOCAB, torch.tensor([4, 7]), frame_shift_s=0.02, offset_s=[0.0, 30.0])
    assert [h.text for h in hyps] == ["hi", "ok yes"]
    assert hyps[1].words[1].start == pytest.approx(30.0 + 4 * 0.02)  # 'y' is frame 4
    assert hyps[0].score == pytest.approx(4 * math.log(0.9), rel=1e-5)


@pytest.mark.parametrize("path", ["", "____", "_ _  _"])
def test_empty_or_all_blank_input_gives_no_text_and_no_words(path):
    log_probs = path_log_probs(path) if path else torch.zeros(0, len(VOCAB))
    [hyp] = greedy_decode(log_probs, VOCAB, frame_shift_s=SHIFT)
    assert (hyp.text, hyp.spans, hyp.words) == ("", (), ())


def test_zero_length_item_in_a_batch():
    hyps = greedy_decode(torch.stack([path_log_probs("ab")] * 2), VOCAB, torch.tensor([0, 2]), frame_shift_s=SHIFT)
    assert [h.text for h in hyps] == ["", "ab"] and hyps[0].score == 0.0


def test_bad_decoder_inputs_raise_value_error():
    with pytest.raises(ValueError):
        greedy_decode(torch.zeros(5, len(VOCAB) + 1), VOCAB, frame_shift_s=SHIFT)  # wrong vocabulary size
    with pytest.raises(ValueError):
        greedy_decode(torch.zeros(2, 5, len(VOCAB)), VOCAB, torch.tensor([6, 1]), frame_shift_s=SHIFT)
    with pytest.raises(ValueError):
        greedy_decode(torch.zeros(5, len(VOCAB)), VOCAB, frame_shift_s=0.0)
    with pytest.raises(ValueError):
        greedy_decode(torch.zeros(2, 5, len(VOCAB)), VOCAB, frame_shift_s=SHIFT, offset_s=[0.0])


# -- error rates ---------------------------------------------------------------------------------


def test_edit_distance_by_hand():
    assert edit_distance("kitten", "sitting") == 3  # two substitutions and an insertion
    assert edit_distance("", "abc") == 3 and edit_distance("abc", "") == 3
    assert edit_distance("flaw", "lawn") == 2
    assert edit_distance("the cat sat".split(), "the cat sat down".split()) == 1


def test_wer_counts_substitutions_insertions_and_deletions():
    assert wer("the cat sat on the mat", "the cat sat on the mat") == 0.0
    assert wer("the cat sat on the mat", "the hat sat on the mat") == pytest.approx(1 / 6)  # substitution
    assert wer("the cat sat", "the big cat sat") == pytest.approx(1 / 3)  # insertion
    assert wer("the cat sat", "the sat") == pytest.approx(1 / 3)  # deletion
    assert wer("a b", "c d e f") == pytest.approx(4 / 2)  # can exceed 1


def test_wer_is_corpus_level():
    # 1 edit in 1 word + 0 edits in 9 words: 1/10 over the corpus, not the 0.5 mean of the two rates.
    assert wer(
        ["hello", "one two three four five six seven eight nine"],
        ["yellow", "one two three four five six seven eight nine"],
    ) == pytest.approx(0.1)


def test_empty_references():
    assert wer(["", "a b"], ["x", "a b"]) == pytest.approx(1 / 2)  # the silence's word is an insertion
    assert wer([""], [""]) == 0.0 and cer("", "  ") == 0.0
    assert wer([""], ["hello"]) == math.inf
    assert wer([], []) == 0.0
    with pytest.raises(ValueError):
        wer(["a"], ["a", "b"])


def test_cer_by_hand():
    assert cer("hello", "hallo") == pytest.approx(1 / 5)
    assert cer("hello world", "hello  world ") == 0.0  # whitespace runs count as one space
    assert cer("hello world", "helloworld") == pytest.approx(1 / 11)  # a missing space is a deletion
    assert cer(["ab", "cd"], ["abc", ""]) == pytest.approx(3 / 4)


short = st.text(alphabet="abc", max_size=6)


@given(short, short)
def test_edit_distance_is_symmetric_and_bounded(a, b):
    d = edit_distance(a, b)
    assert d == edit_distance(b, a)
    assert abs(len(a) - len(b)) <= d <= max(len(a), len(b))


@given(short, short)
def test_edit_distance_is_zero_iff_equal(a, b):
    assert (edit_distance(a, b) == 0) == (a == b)


@given(short, short, short)
def test_edit_distance_triangle_inequality(a, b, c):
    assert edit_distance(a, c) <= edit_distance(a, b) + edit_distance(b, c)
