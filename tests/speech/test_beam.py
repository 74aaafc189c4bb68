"""CTC prefix beam search on hand-built log-probs: agreement with greedy decoding, the LM correcting a
non-word, hot-words, n-best lists, word timings, batches, options and LM files."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from seqstudio.core.errors import SeqStudioError
from seqstudio.speech.beam import DecodeOptions, beam_decode, load_lm
from seqstudio.speech.decode import greedy_decode
from seqstudio.speech.lm import NgramLM
from seqstudio.speech.text import CharVocab

VOCAB = CharVocab()
SHIFT = 0.04
LM_TEXTS = ["the cat sat on the mat", "a cat sat on a mat", "the dog sat on the mat", "my cat is on the mat",
            "the mat is red", "the cat ate", "a dog ran to the mat"]


@pytest.fixture(scope="module")
def lm() -> NgramLM:
    return NgramLM.train(LM_TEXTS, order=3)


def frames(*spec, floor: float = 0.002) -> torch.Tensor:
    """(T, V) log-probs; each frame is a symbol ('_' = blank) with probability 0.9, or a dict of
    symbol -> probability; every other symbol gets ``floor``, and the frame is renormalised."""
    rows = []
    for frame in spec:
        weights = frame if isinstance(frame, dict) else {frame: 0.9}
        row = np.full(len(VOCAB), floor)
        for symbol, p in weights.items():
            row[VOCAB.blank if symbol == "_" else VOCAB.encode(symbol)[0]] = p
        rows.append(row / row.sum())
    return torch.tensor(np.log(np.array(rows)), dtype=torch.float32)


def spell(text: str, confusions: dict[int, dict[str, float]] | None = None) -> torch.Tensor:
    """A clean CTC path of ``text`` (each character one frame, blanks between), some characters (by index)
    replaced by ambiguous frames."""
    confusions = confusions or {}
    spec: list = ["_"]
    for i, c in enumerate(text):
        spec += [confusions.get(i, c), "_"]
    return frames(*spec)


def decode(log_probs, lm=None, **options) -> list:
    options.setdefault("beam_size", 8)
    return beam_decode(log_probs, VOCAB, frame_shift_s=SHIFT, options=DecodeOptions(**options), lm=lm)[0]


# -- agreement with greedy decoding ---------------------------------------------------------------------

PATHS = ["", "____", "ab", "a_a", "aa", "hello_world", " _hi  there_ ", "__c_a_t__ s_a_t__", "x  y", "'tis"]


@pytest.mark.parametrize("path", PATHS)
def test_beam_of_one_without_lm_is_greedy(path):
    log_probs = frames(*path) if path else torch.zeros(0, len(VOCAB))
    [greedy] = greedy_decode(log_probs, VOCAB, frame_shift_s=SHIFT, offset_s=1.5)
    [[beam]] = beam_decode(log_probs, VOCAB, frame_shift_s=SHIFT, offset_s=1.5,
                         options=DecodeOptions(beam_size=1, lm_weight=0, word_bonus=0))
    assert beam.text == greedy.text and beam.spans == greedy.spans
    assert [(w.text, w.start, w.end) for w in beam.words] == [(w.text, w.start, w.end) for w in greedy.words]
    assert [w.confidence for w in beam.words] == pytest.approx([w.confidence for w in greedy.words])


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet="_ abc", max_size=25))
def test_any_clear_path_decodes_like_greedy(path):
    log_probs = frames(*path) if path else torch.zeros(0, len(VOCAB))
    [greedy] = greedy_decode(log_probs, VOCAB, frame_shift_s=SHIFT)
    for beam_size in (1, 4):
        [[beam]] = beam_decode(log_probs, VOCAB, frame_shift_s=SHIFT,
                             options=DecodeOptions(beam_size=beam_size, lm_weight=0, word_bonus=0))
        assert beam.text == greedy.text and beam.spans == greedy.spans


@pytest.mark.parametrize("path", ["__c_a_t_s__", "__c_a_t__ _s_a_t__", "h_e_l_l_o"])
def test_default_options_without_an_lm_do_not_split_words(path):
    # the word bonus offsets an LM's per-word cost; with no LM it must not reward extra spaces
    log_probs = frames(*path)
    [greedy] = greedy_decode(log_probs, VOCAB, frame_shift_s=SHIFT)
    [best] = decode(log_probs)
    assert best.text == greedy.text


def test_the_beam_sums_over_alignments():
    # "a" is never the best symbol of a frame, but its alignments together outweigh the blank path
    log_probs = frames({"_": 0.4, "a": 0.35, "b": 0.25}, {"_": 0.4, "a": 0.35, "b": 0.25}, floor=1e-6)
    assert greedy_decode(log_probs, VOCAB, frame_shift_s=SHIFT)[0].text == ""
    [best] = decode(log_probs, beam_size=4, lm_weight=0, word_bonus=0)
    assert best.text == "a"
    assert best.score == pytest.approx(math.log(0.35 * 0.35 + 2 * 0.35 * 0.4), abs=1e-4)


# -- the language model -----------------------------------------------------------------------------------


def test_the_lm_turns_a_non_word_into_the_word(lm):
    # the middle of the last word is a near tie that greedy resolves as "q": "mqt" is not a word
    log_probs = spell("the cat sat on the mat", {20: {"q": 0.5, "a": 0.4}})
    assert greedy_decode(log_probs, VOCAB, frame_shift_s=SHIFT)[0].text == "the cat sat on the mqt"
    assert decode(log_probs, lm_weight=0)[0].text == "the cat sat on the mqt"
    [best] = decode(log_probs, lm)
    assert best.text == "the cat sat on the mat"


def test_the_lm_keeps_words_apart_and_allows_unknown_words(lm):
    # a clear path with a word the LM never saw is kept as it is, not glued to its neighbours or replaced
    log_probs = spell("the zebra sat on the mat")
    assert decode(log_probs, lm)[0].text == "the zebra sat on the mat"


def test_lm_from_options_path(tmp_path, lm):
    path = lm.write_arpa(tmp_path / "lm.arpa")
    log_probs = spell("the cat sat on the mat", {20: {"q": 0.5, "a": 0.4}})
    [best] = beam_decode(log_probs, VOCAB, frame_shift_s=SHIFT, options=DecodeOptions(lm=path))[0][:1]
    assert best.text == "the cat sat on the mat"
    assert load_lm(path) is load_lm(str(path))  # read once


# -- hot-words ------------------------------------------------------------------------------------------------


def test_a_hot_word_wins_a_near_tie():
    log_probs = spell("kat", {0: {"k": 0.5, "c": 0.4}})
    assert decode(log_probs, word_bonus=0)[0].text == "kat"
    assert decode(log_probs, word_bonus=0, hotwords=("Cat",))[0].text == "cat"
    assert decode(log_probs, word_bonus=0, hotwords=("Cat",), hotword_boost=0)[0].text == "kat"


def test_a_hot_word_beats_the_lm(lm):
    # an out-of-vocabulary name that the LM alone would "correct" into a word it knows
    log_probs = spell("the cat sat on the mqt", {20: {"q": 0.5, "a": 0.4}})
    assert decode(log_probs, lm)[0].text == "the cat sat on the mat"
    assert decode(log_probs, lm, hotwords=("mqt",), hotword_boost=8.0)[0].text == "the cat sat on the mqt"


def test_a_partly_spelled_hot_word_survives_a_narrow_beam():
    # the first letters favour "b...", a narrow beam would drop "x..." before the word is complete
    log_probs = spell("xyz", {0: {"b": 0.6, "x": 0.3}, 1: {"c": 0.6, "y": 0.3}, 2: {"z": 0.5, "d": 0.4}})
    assert decode(log_probs, beam_size=2, word_bonus=0)[0].text == "bcz"
    assert decode(log_probs, beam_size=2, word_bonus=0, hotwords=("xyz",), hotword_boost=5.0)[0].text == "xyz"


def test_a_phrase_is_favoured_in_order_and_its_words_alone_are_not():
    heard = {5: {"u": 0.5, "o": 0.4}}  # "york" or "yurk": the acoustics lean to "yurk"
    assert decode(spell("new yurk", heard), word_bonus=0)[0].text == "new yurk"
    assert decode(spell("new yurk", heard), word_bonus=0, hotwords=("New York",))[0].text == "new york"
    # the phrase's second word after another first word earns nothing (a word-by-word boost would take it)
    assert decode(spell("old yurk", heard), word_bonus=0, hotwords=("New York",))[0].text == "old yurk"
    assert decode(spell("old yurk", heard), word_bonus=0, hotwords=("York",))[0].text == "old york"


def test_a_phrase_in_progress_survives_a_narrow_beam_and_a_broken_one_earns_nothing():
    # "ada" and the first letters of "lovelace" are acoustically behind "adu ra...": in a beam of 2 only the
    # share the phrase holds after its first word keeps "ada lo..." alive until "lovelace" completes it
    heard = {2: {"u": 0.5, "o": 0.3, "a": 0.15}, 4: {"r": 0.6, "l": 0.3}, 5: {"a": 0.6, "o": 0.3}}
    log_probs = spell("adu lovelace", heard)
    assert decode(log_probs, beam_size=2, word_bonus=0)[0].text == "adu ravelace"
    assert decode(log_probs, beam_size=2, word_bonus=0, hotwords=("Ada Lovelace",))[0].text == "ada lovelace"
    alone = spell("adu smith", {2: {"u": 0.5, "o": 0.3, "a": 0.15}})  # the phrase breaks off: no credit for "ada"
    assert decode(alone, beam_size=2, word_bonus=0, hotwords=("Ada Lovelace",))[0].text == "adu smith"


def test_a_phrase_completed_by_the_last_word_of_the_audio_counts():
    log_probs = spell("new yurk", {5: {"u": 0.5, "o": 0.4}})
    [best] = decode(log_probs, word_bonus=0, hotwords=("New York",), nbest=1)
    assert best.text == "new york" and best.score > decode(log_probs, word_bonus=0)[0].score


# -- n-best, timings, batches -------------------------------------------------------------------------------


def test_nbest_is_distinct_and_ordered(lm):
    log_probs = spell("the cat sat", {4: {"c": 0.45, "k": 0.35, "b": 0.15}, 9: {"a": 0.5, "e": 0.4}})
    hyps = decode(log_probs, beam_size=16, nbest=5, lm_weight=0, word_bonus=0)
    assert len(hyps) == 5
    texts = [h.text for h in hyps]
    assert len(set(texts)) == 5 and texts[0] == "the cat sat"
    assert set(texts[1:3]) == {"the kat sat", "the cat set"}
    scores = [h.score for h in hyps]
    assert scores == sorted(scores, reverse=True)
    assert decode(log_probs, beam_size=16, nbest=1, lm_weight=0, word_bonus=0)[0] == hyps[0]
    assert decode(log_probs, lm, beam_size=16, nbest=3)[0].text == "the cat sat"


def test_word_times_follow_the_alignment():
    log_probs = frames(*"___hh_e_ll_lo__ _ww_or_l_d____")
    [hyp] = decode(log_probs, beam_size=8, lm_weight=0)
    assert hyp.text == "hello world"
    assert [(w.text, round(w.start / SHIFT), round(w.end / SHIFT)) for w in hyp.words] == [
        ("hello", 3, 13), ("world", 17, 26)]
    assert all(0 < w.confidence <= 1 for w in hyp.words)


def test_word_times_are_ordered_and_inside_the_audio(lm):
    rng = np.random.default_rng(0)
    log_probs = spell("the dog ran to the mat").numpy()
    log_probs = torch.log_softmax(torch.tensor(log_probs + rng.normal(0, 0.5, log_probs.shape)), dim=-1)
    offset = 12.0
    for hyp in beam_decode(log_probs, VOCAB, frame_shift_s=SHIFT, offset_s=offset,
                           options=DecodeOptions(beam_size=8, nbest=3), lm=lm)[0]:
        assert [w.text for w in hyp.words] == hyp.text.split()
        assert len(hyp.spans) == len(hyp.text)
        ends = offset + log_probs.shape[0] * SHIFT
        for word, following in zip(hyp.words, hyp.words[1:], strict=False):
            assert word.end <= following.start
        assert all(offset <= w.start < w.end <= ends for w in hyp.words)


def test_a_padded_batch_decodes_like_its_items(lm):
    one, two = spell("the cat sat", {4: {"c": 0.5, "k": 0.4}}), spell("a dog")
    batch = torch.full((2, one.shape[0], len(VOCAB)), -30.0)
    batch[0] = one
    batch[1, : two.shape[0]] = two
    options = DecodeOptions(beam_size=8, nbest=2)
    together = beam_decode(batch, VOCAB, [one.shape[0], two.shape[0]], frame_shift_s=SHIFT, offset_s=[0.0, 5.0],
                           options=options, lm=lm)
    alone = [beam_decode(x, VOCAB, frame_shift_s=SHIFT, offset_s=o, options=options, lm=lm)[0]
             for x, o in ((one, 0.0), (two, 5.0))]
    assert together == alone
    assert together[1][0].words[0].start >= 5.0


def test_silence_and_empty_input():
    assert decode(frames(*"______"))[0].text == ""
    assert decode(frames(*"______"))[0].words == ()
    [hyp] = decode(torch.zeros(0, len(VOCAB)))
    assert hyp.text == "" and hyp.spans == ()


# -- options and inputs -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"beam_size": 0}, "beam_size"),
        ({"beam_size": 2.5}, "beam_size"),
        ({"beam_size": True}, "beam_size"),
        ({"beam_size": 4, "nbest": 5}, "nbest"),
        ({"nbest": 0}, "nbest"),
        ({"lm_weight": -1}, "lm_weight"),
        ({"lm_weight": float("nan")}, "lm_weight"),
        ({"word_bonus": float("inf")}, "word_bonus"),
        ({"hotword_boost": -2}, "hotword_boost"),
        ({"beam_threshold": 0}, "beam_threshold"),
        ({"hotwords": "cat"}, "not one string"),
        ({"hotwords": ("cat", "!!")}, "no letters"),
        ({"hotwords": (3,)}, "strings"),
        ({"lm": 42}, "file path"),
    ],
)
def test_bad_options(options, message):
    with pytest.raises(ValueError, match=message):
        DecodeOptions(**options)


def test_options_normalise_hot_words():
    options = DecodeOptions(hotwords=["Dr. Who", "R2"])
    assert options.hotwords == ("Dr. Who", "R2")
    assert options.hotword_set == {"doctor", "who", "r", "two"}
    assert options.hotword_phrases == (("doctor", "who"), ("r", "two"))
    hash(options)


def test_bad_inputs(tmp_path):
    with pytest.raises(ValueError, match="symbols"):
        beam_decode(torch.zeros(5, 10), VOCAB, frame_shift_s=SHIFT)
    with pytest.raises(ValueError, match="lengths"):
        beam_decode(torch.zeros(2, 5, len(VOCAB)), VOCAB, [3, 9], frame_shift_s=SHIFT)
    with pytest.raises(ValueError, match="frame_shift_s"):
        beam_decode(torch.zeros(5, len(VOCAB)), VOCAB, frame_shift_s=0)
    with pytest.raises(ValueError, match="no space"):
        beam_decode(torch.zeros(5, 3), CharVocab("ab"), frame_shift_s=SHIFT)
    with pytest.raises(SeqStudioError, match="does not exist"):
        beam_decode(torch.zeros(5, len(VOCAB)), VOCAB, frame_shift_s=SHIFT,
                    options=DecodeOptions(lm=tmp_path / "missing.arpa"))
    garbage = tmp_path / "garbage.arpa"
    garbage.write_text("not a model\n", encoding="utf-8")
    with pytest.raises(SeqStudioError, match="not a valid ARPA file"):
        load_lm(garbage)
