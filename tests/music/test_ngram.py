"""Tests for the interpolated modified Kneser-Ney n-gram baseline (seqstudio.music.ngram)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seqstudio.music import ngram
from seqstudio.music.ngram import NGramModel, best_order

BOS = 0


# ---------------------------------------------------------------------------- helpers


def markov2_corpus(
    rng: np.random.Generator, vocab: int, n_seqs: int, length: int, noise: float
) -> list[np.ndarray]:
    """Sequences from a 2nd-order chain: the next token is a fixed function of the previous two, except
    with probability ``noise`` a uniform token. Tokens are 1..vocab-1; 0 is the BOS."""
    table = rng.integers(1, vocab, size=(vocab, vocab))
    seqs = []
    for _ in range(n_seqs):
        seq = [BOS, int(rng.integers(1, vocab))]
        for _ in range(length - 2):
            nxt = int(rng.integers(1, vocab)) if rng.random() < noise else int(table[seq[-2], seq[-1]])
            seq.append(nxt)
        seqs.append(np.array(seq, dtype=np.int64))
    return seqs


def per_token(model: NGramModel, seqs: list[np.ndarray]) -> float:
    total, count = model.nll(seqs)
    return total / count


class ReferenceKN:
    """Interpolated modified Kneser-Ney written straight from its definition with dicts and tuples.

    Deliberately naive and independent of the int64 encoding, searchsorted and the sequence masks of the
    real implementation, so that agreement checks those (boundaries, short histories, continuation counts).
    """

    def __init__(self, seqs: list[np.ndarray], order: int, vocab: int) -> None:
        self.order, self.vocab = order, vocab
        raw: list[Counter] = [Counter() for _ in range(order + 2)]
        at_start: list[Counter] = [Counter() for _ in range(order + 2)]
        for seq in seqs:
            s = [int(x) for x in seq]
            for t in range(1, len(s)):  # s[0] is never predicted
                for n in range(1, min(t + 1, order) + 1):  # histories stay inside the sequence
                    gram = tuple(s[t - n + 1 : t + 1])
                    raw[n][gram] += 1
                    if t - n + 1 == 0:
                        at_start[n][gram] += 1
        self.adjusted: dict[int, dict[tuple, int]] = {order: dict(raw[order])}
        for n in range(order - 1, 0, -1):
            left: dict[tuple, set] = defaultdict(set)
            for gram in raw[n + 1]:
                left[gram[1:]].add(gram[0])
            self.adjusted[n] = {g: len(left[g]) + at_start[n][g] for g in raw[n]}
        self.discounts = {n: self._discounts(self.adjusted[n]) for n in self.adjusted}

    @staticmethod
    def _discounts(adjusted: dict[tuple, int]) -> tuple[float, float, float]:
        coc = Counter(adjusted.values())
        n1, n2 = coc[1], coc[2]
        y = n1 / (n1 + 2 * n2) if n1 + 2 * n2 else math.nan
        out = []
        for k, fallback in zip((1, 2, 3), (0.5, 1.0, 1.5), strict=True):
            d = k - (k + 1) * y * coc[k + 1] / coc[k] if coc[k] else math.nan
            out.append(d if math.isfinite(d) and 0 < d < k else fallback)
        return out[0], out[1], out[2]

    def prob(self, context: list[int], token: int) -> float:
        used = min(len(context), self.order - 1)
        history = tuple(context[len(context) - used :])
        p = 1.0 / self.vocab
        for n in range(1, used + 2):
            h = history[len(history) - (n - 1) :]
            followers = {g: a for g, a in self.adjusted[n].items() if g[:-1] == h}
            if not followers:
                continue
            d1, d2, d3 = self.discounts[n]

            def disc(a: int, d1=d1, d2=d2, d3=d3) -> float:
                return d1 if a == 1 else d2 if a == 2 else d3

            denom = sum(followers.values())
            gamma = sum(disc(a) for a in followers.values()) / denom
            a = followers.get(h + (token,), 0)
            p = (max(a - disc(a), 0.0) if a else 0.0) / denom + gamma * p
        return p


SMALL = [
    np.array([0, 1, 2, 3, 1, 2, 3, 1, 2]),
    np.array([0, 2, 2, 1]),
    np.array([0, 3]),
    np.array([0]),
    np.array([0, 1, 1, 1, 1, 4, 1, 2, 3]),
]


# ---------------------------------------------------------------------------- properness


@pytest.mark.parametrize("order", [1, 2, 3, 4, 5])
def test_prob_dist_sums_to_one_and_is_positive(order: int) -> None:
    vocab = 7  # token 5 and 6 never occur in training
    model = NGramModel(order, vocab).fit(SMALL)
    contexts = [[], [0], [0, 1], [1, 2, 3], [2, 2], [6], [5, 6, 5, 6, 5, 6], [0, 1, 2, 3, 1, 2, 3, 1]]
    for context in contexts:
        dist = model.prob_dist(context)
        assert dist.shape == (vocab,)
        assert dist.sum() == pytest.approx(1.0, abs=1e-6)
        assert np.all(dist > 0)


@settings(max_examples=40, deadline=None)
@given(
    seqs=st.lists(
        st.lists(st.integers(0, 4), min_size=0, max_size=12).map(lambda s: np.array(s, dtype=np.int64)),
        min_size=1,
        max_size=6,
    ),
    order=st.integers(1, 4),
)
def test_matches_reference_implementation(seqs: list[np.ndarray], order: int) -> None:
    vocab = 6  # token 5 never occurs in training
    model = NGramModel(order, vocab).fit(seqs)
    reference = ReferenceKN(seqs, order, vocab)
    expected_discounts = [reference.discounts[n] for n in range(1, order + 1)]
    np.testing.assert_allclose(model.discounts, expected_discounts, rtol=1e-12)
    contexts = [list(map(int, s[:t])) for s in seqs for t in range(len(s) + 1)] + [[5], [5, 0, 5], []]
    for context in contexts:
        dist = model.prob_dist(context)
        assert dist.sum() == pytest.approx(1.0, abs=1e-6)
        expected = [reference.prob(context, w) for w in range(vocab)]
        np.testing.assert_allclose(dist, expected, rtol=2e-6, atol=0)
    # Token 0 also occurs inside sequences here, so a history leaking across a boundary would be "seen".
    total, count = model.nll(seqs)
    expected_nll = [
        -math.log(reference.prob(list(map(int, s[:t])), int(s[t]))) for s in seqs for t in range(1, len(s))
    ]
    assert count == len(expected_nll)
    assert total == pytest.approx(sum(expected_nll), rel=1e-6, abs=1e-9)


# ---------------------------------------------------------------------------- nll


@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_nll_equals_brute_force_over_prob_dist(order: int) -> None:
    rng = np.random.default_rng(order)
    train = [np.r_[0, rng.integers(1, 6, size=rng.integers(0, 30))] for _ in range(20)]
    evaluate = [*SMALL, np.array([0, 5, 5, 1, 6]), np.array([], dtype=np.int64)]
    model = NGramModel(order, 7).fit(train)

    total, count = model.nll(evaluate)

    expected_total, expected_count = 0.0, 0
    for seq in evaluate:
        for t in range(1, len(seq)):
            expected_total -= math.log(model.prob_dist(seq[:t])[seq[t]])
            expected_count += 1
    assert count == expected_count
    assert total == pytest.approx(expected_total, rel=1e-9)


def test_nll_is_the_same_in_small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(5)
    seqs = [np.r_[0, rng.integers(1, 6, size=rng.integers(0, 40))] for _ in range(30)]
    model = NGramModel(4, 6).fit(seqs)
    whole = model.nll(seqs)
    monkeypatch.setattr(ngram, "_BATCH_TOKENS", 17)  # many batches, some splitting nothing but long sequences
    batched = model.nll(seqs)
    assert batched[1] == whole[1]
    assert batched[0] == pytest.approx(whole[0], rel=1e-12)


def test_histories_do_not_cross_sequence_boundaries() -> None:
    # Token 2 only ever ends a sequence, so within sequences it is never a history at order 2.
    split = [np.array([0, 1, 2]), np.array([0, 3, 4])]
    model = NGramModel(2, 5).fit(split)
    np.testing.assert_array_equal(model.prob_dist([2]), model.prob_dist([]))
    # Joined into one sequence, (2, 0) becomes a real bigram and the history 2 is known: the check above
    # would fail for a model that counted across the boundary.
    joined = NGramModel(2, 5).fit([np.concatenate(split)])
    assert not np.allclose(joined.prob_dist([2]), joined.prob_dist([]))

    # Evaluation is per sequence too: the NLL of a batch is the sum over its sequences in any order.
    # Training on the joined pairs makes every boundary-crossing history a seen one, so leaking
    # history from one evaluated sequence into the next would change the numbers.
    a, b = np.array([0, 4, 3, 2, 1, 2]), np.array([0, 2, 1, 4])
    model = NGramModel(3, 5).fit([*SMALL[:2], np.concatenate([a, b]), np.concatenate([b, a])])
    total_ab, count_ab = model.nll([a, b])
    total_ba, _ = model.nll([b, a])
    assert count_ab == model.nll([a])[1] + model.nll([b])[1]
    assert total_ab == pytest.approx(model.nll([a])[0] + model.nll([b])[0], rel=1e-12)
    assert total_ab == pytest.approx(total_ba, rel=1e-12)


def test_repeating_sequence_is_learned_by_order_3_not_order_1() -> None:
    pattern = [1, 2, 3, 1, 3, 2]  # each token follows each other one: only 2 tokens of history decide
    train = [np.array([BOS] + pattern * 30) for _ in range(3)]
    valid = [np.array([BOS] + pattern * 10)]
    unigram = per_token(NGramModel(1, 5).fit(train), valid)
    trigram = per_token(NGramModel(3, 5).fit(train), valid)
    assert unigram > 0.9  # about log 3: three equally frequent tokens
    assert trigram < 0.1 * unigram


def test_higher_order_helps_on_second_order_markov_data() -> None:
    rng = np.random.default_rng(0)
    data = markov2_corpus(rng, vocab=8, n_seqs=60, length=300, noise=0.2)
    train, valid = data[:50], data[50:]
    scores = {order: per_token(NGramModel(order, 8).fit(train), valid) for order in (1, 2, 3)}
    assert scores[2] < scores[1]
    assert scores[3] < scores[2] - 0.5  # the chain is deterministic given two tokens, up to the noise


def test_unseen_token_gets_finite_nll_and_positive_probability() -> None:
    train = [np.array([0, 1, 2, 1, 2, 1, 2])]
    for order in (1, 2, 3):
        model = NGramModel(order, 10).fit(train)
        total, count = model.nll([np.array([0, 1, 9, 2])])  # 9 never occurs in training
        assert count == 3
        assert math.isfinite(total) and total > 0
        assert model.prob_dist([1, 2, 1])[9] > 0
        assert model.prob_dist([9])[9] > 0


def test_fit_without_predicted_tokens_gives_uniform() -> None:
    model = NGramModel(3, 4).fit([np.array([0]), np.array([], dtype=np.int64)])
    np.testing.assert_allclose(model.prob_dist([0, 1]), np.full(4, 0.25))
    total, count = model.nll([np.array([0, 1, 2])])
    assert count == 2
    assert total == pytest.approx(2 * math.log(4))
    assert model.nll([np.array([0])]) == (0.0, 0)


# ---------------------------------------------------------------------------- validation


@pytest.mark.parametrize("order", [0, -1, -7])
def test_order_below_one_is_rejected(order: int) -> None:
    with pytest.raises(ValueError):
        NGramModel(order, 10)


def test_bad_vocab_is_rejected() -> None:
    with pytest.raises(ValueError):
        NGramModel(3, 0)
    NGramModel(7, 400)  # 400**7 < 2**63: the documented working point fits
    with pytest.raises(ValueError):
        NGramModel(8, 400)  # 400**8 > 2**63: codes would overflow int64


@pytest.mark.parametrize(
    "bad",
    [np.array([0, 1, 10]), np.array([0, -1, 2]), np.array([0.0, 1.0]), np.array([[0, 1], [1, 2]])],
    ids=["too-big", "negative", "float", "2-D"],
)
def test_bad_tokens_are_rejected(bad: np.ndarray) -> None:
    with pytest.raises(ValueError):
        NGramModel(2, 10).fit([np.array([0, 1, 2]), bad])
    model = NGramModel(2, 10).fit([np.array([0, 1, 2])])
    with pytest.raises(ValueError):
        model.nll([bad])
    with pytest.raises(ValueError):
        model.prob_dist(bad)


def test_unfitted_model_refuses_to_score() -> None:
    with pytest.raises(RuntimeError):
        NGramModel(2, 5).nll([np.array([0, 1])])


# ---------------------------------------------------------------------------- best_order


def test_best_order_picks_the_chain_order() -> None:
    rng = np.random.default_rng(1)
    data = markov2_corpus(rng, vocab=8, n_seqs=60, length=300, noise=0.3)
    train, valid = data[:50], data[50:]
    orders = range(1, 7)

    best, scores = best_order(train, valid, vocab_size=8, orders=orders)

    assert sorted(scores) == list(orders)
    assert scores[best] == min(scores.values())
    assert best == 3  # the true order of the chain; more history only adds sparsity
    assert scores[3] == pytest.approx(per_token(NGramModel(3, 8).fit(train), valid))


def test_best_order_rejects_empty_inputs() -> None:
    with pytest.raises(ValueError):
        best_order([np.array([0, 1, 2])], [np.array([0])], vocab_size=3, orders=[1, 2])
    with pytest.raises(ValueError):
        best_order([np.array([0, 1, 2])], [np.array([0, 1])], vocab_size=3, orders=[])
