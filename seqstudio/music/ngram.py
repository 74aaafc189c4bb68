"""N-gram language model over integer token sequences: the count-based baseline for the music LSTM.

Smoothing: interpolated *modified* Kneser-Ney (Chen & Goodman, 1998), the strongest classic n-gram
estimator, so an LSTM that beats it has beaten a fair opponent. For an order-``N`` model and a history
``h`` (the last ``n - 1`` tokens), the probability at order ``n`` is::

    P_n(w | h) = max(a(hw) - D_n(a(hw)), 0) / sum_v a(hv)  +  gamma_n(h) * P_{n-1}(w | h[1:])
    gamma_n(h) = (D_n1 * N1(h.) + D_n2 * N2(h.) + D_n3+ * N3+(h.)) / sum_v a(hv)
    P_0(w)     = 1 / vocab_size

``N_k(h.)`` counts the tokens ``v`` with ``a(hv) == k`` (``N3+``: ``>= 3``), so ``gamma_n(h)`` is exactly the
mass the discounts removed and every ``P_n(. | h)`` sums to 1 over the whole vocabulary. A history never
seen at order ``n`` leaves ``P_n = P_{n-1}``. The uniform ``P_0`` at the bottom gives every token, even one
never seen in training, a nonzero probability.

``a`` is the *adjusted* count: the raw count at the top order ``N``; below it, the continuation count
``N1+(. g)`` (how many distinct tokens precede ``g``), which is what Kneser-Ney is about: a lower order is
only consulted when the longer history was rare, so it should model how freely ``g`` follows new
contexts, not how often it occurs. An occurrence of ``g`` at the very start of a sequence has no
preceding token and would otherwise be lost, so it adds its raw count instead (KenLM does the same for
n-grams that begin with ``<s>``).

Discounts, three per order, come from that order's count-of-counts ``n_k`` (how many n-grams have
``a == k``)::

    Y = n1 / (n1 + 2 n2),   D1 = 1 - 2Y n2/n1,   D2 = 2 - 3Y n3/n2,   D3+ = 3 - 4Y n4/n3

An estimate that is undefined or falls outside the open interval ``(0, k)`` is replaced by a fixed
fallback (0.5, 1.0, 1.5), as KenLM lets users do. That only happens on tiny or degenerate corpora: ``D_k = k``
needs ``n_{k+1} = 0`` or ``n1 = 0`` (no evidence at all) and would throw away everything the count-k n-grams
say; ``D_k <= 0`` would leave no mass for unseen tokens.

Sequences: ``seq[0]`` is a start token (BOS) that is context only; every later token is predicted from
its history *within its own sequence*. Near the start fewer than ``N - 1`` tokens precede a position and
the model then uses the true, shorter history (the order-``t + 1`` estimate at position ``t``), rather
than padding with start tokens. Histories never cross sequence boundaries.

Encoding: an n-gram ``(w_1, ..., w_n)`` is one int64, ``sum_i w_i * V ** (n - i)`` with ``V = vocab_size``:
a base-``V`` number whose last digit is the predicted token. Its history is then ``key // V``, its
lower-order suffix ``key % V ** (n - 1)``, and the n-grams of one history sit next to each other in a sorted
table. Counting is ``np.sort`` plus run lengths and lookup is ``np.searchsorted``, one vectorised pass per
order with no Python loop per token. ``V ** N`` must fit in int64 (``400 ** 7 ~ 1.6e18 < 2 ** 63``).

Memory: one sorted table per order, 16 bytes per distinct n-gram (int64 key, float32 discounted
probability, float32 back-off weight of its history). float32 is plenty for a baseline NLL and halves the
tables on 20M-token corpora where the high orders have nearly one distinct n-gram per token.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

# Used where the count-of-counts cannot give a discount in (0, k) (see the module docstring).
_FALLBACK_DISCOUNTS = (0.5, 1.0, 1.5)
_INT64_LIMIT = 2**63
_BATCH_TOKENS = 1 << 20  # tokens per nll batch (see nll)


@dataclass(frozen=True)
class _Level:
    """The tables of one order ``n``, all aligned with ``keys`` (sorted, distinct n-gram codes)."""

    keys: np.ndarray  # int64
    alpha: np.ndarray  # float32: max(a - D(a), 0) / sum_v a(hv), the discounted share of the n-gram
    gamma: np.ndarray  # float32: gamma_n(h) of the n-gram's history, repeated along the history's run
    discounts: tuple[float, float, float]  # (D1, D2, D3+), kept for inspection


@dataclass(frozen=True)
class _Corpus:
    """Sequences concatenated into one array, with each token's position inside its own sequence."""

    tokens: np.ndarray  # int64, all sequences back to back
    pos: np.ndarray  # int64, index of each token within its sequence (0 = the start token)
    starts: np.ndarray  # int64, flat index of each sequence's first token
    lengths: np.ndarray  # int64


class NGramModel:
    """Interpolated modified Kneser-Ney n-gram model; see the module docstring for the estimator."""

    def __init__(self, order: int, vocab_size: int) -> None:
        if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or order < 1:
            raise ValueError(f"order must be an integer >= 1, got {order!r}")
        if isinstance(vocab_size, bool) or not isinstance(vocab_size, (int, np.integer)) or vocab_size < 1:
            raise ValueError(f"vocab_size must be an integer >= 1, got {vocab_size!r}")
        if int(vocab_size) ** int(order) > _INT64_LIMIT:
            raise ValueError(f"vocab_size ** order = {vocab_size}**{order} overflows the int64 n-gram code")
        self.order = int(order)
        self.vocab_size = int(vocab_size)
        self._levels: list[_Level] | None = None

    @property
    def discounts(self) -> list[tuple[float, float, float]]:
        """(D1, D2, D3+) of each order, lowest order first, as estimated by the last :meth:`fit`."""
        return [level.discounts for level in self._fitted_levels()]

    # ------------------------------------------------------------------ training

    def fit(self, sequences: Sequence[np.ndarray]) -> NGramModel:
        """Count the n-grams of ``sequences`` (``seq[0]`` is context only) and build the smoothed tables.

        Refitting replaces the previous tables. Returns ``self`` for chaining.
        """
        corpus = self._prepare(sequences)
        n_top, base = self.order, self.vocab_size
        levels: list[_Level | None] = [None] * n_top

        # Top order: raw counts of every n-gram that ends on a predicted token and stays inside its sequence.
        codes = _rolling_codes(corpus.tokens, n_top, base)
        grams, counts = _sorted_unique_counts(codes[corpus.pos >= max(n_top - 1, 1)])
        del codes  # the biggest temporary; lower orders only need the distinct grams above them
        levels[n_top - 1] = self._build_level(grams, counts)

        for n in range(n_top - 1, 0, -1):
            # Each distinct (n+1)-gram contributes one left extension to its suffix: continuation counts.
            grams, counts = _sorted_unique_counts(grams % base**n)
            if n >= 2:
                # n-grams at a sequence start have no left neighbour: they add their raw count (docstring).
                # (For n == 1 the only such "gram" is the start token itself, which is never predicted.)
                start_grams, start_counts = _sorted_unique_counts(self._start_codes(corpus, n))
                grams, counts = _merge_counts(grams, counts, start_grams, start_counts)
            levels[n - 1] = self._build_level(grams, counts)

        self._levels = [level for level in levels if level is not None]
        return self

    def _start_codes(self, corpus: _Corpus, n: int) -> np.ndarray:
        """Codes of the first ``n`` tokens of each sequence at least ``n`` long (loops over n, not tokens)."""
        first = corpus.starts[corpus.lengths >= n]
        codes = np.zeros(first.size, dtype=np.int64)
        for j in range(n):
            codes = codes * self.vocab_size + corpus.tokens[first + j]
        return codes

    def _build_level(self, grams: np.ndarray, counts: np.ndarray) -> _Level:
        """Turn sorted distinct n-grams and their adjusted counts into the interpolation tables."""
        discounts = _modified_kn_discounts(counts)
        if grams.size == 0:
            empty = np.empty(0, dtype=np.float32)
            return _Level(grams, empty, empty, discounts)
        # Index 0 is unused (no n-gram has count 0); index 3 serves every count >= 3.
        discount_of = np.array((0.0, *discounts))[np.minimum(counts, 3)]
        # grams are sorted, so the n-grams sharing a history (key // V) form contiguous runs.
        history = grams // self.vocab_size
        run_start = np.flatnonzero(np.concatenate(([True], history[1:] != history[:-1])))
        run_length = np.diff(np.append(run_start, grams.size))
        denominator = np.repeat(np.add.reduceat(counts, run_start).astype(np.float64), run_length)
        # The back-off weight is exactly the discounted mass, so the distribution sums to 1 by construction.
        removed = np.repeat(np.add.reduceat(discount_of, run_start), run_length)
        alpha = np.maximum(counts - discount_of, 0.0) / denominator
        gamma = removed / denominator
        return _Level(grams, alpha.astype(np.float32), gamma.astype(np.float32), discounts)

    # ------------------------------------------------------------------ evaluation

    def nll(self, sequences: Sequence[np.ndarray]) -> tuple[float, int]:
        """Total negative log-likelihood in nats of every ``seq[1:]`` token, and how many tokens that is."""
        levels = self._fitted_levels()
        arrays = [self._validate(seq, f"sequence {i}") for i, seq in enumerate(sequences)]
        total, count = 0.0, 0
        # Whole sequences are scored in batches of about _BATCH_TOKENS: a dozen elementwise temporaries per
        # order on whole-corpus arrays cost ~1.6x the time on 5M tokens (fresh memory, cache misses).
        batch: list[np.ndarray] = []
        batch_tokens = 0
        for i, arr in enumerate(arrays):
            batch.append(arr)
            batch_tokens += arr.size
            if batch_tokens >= _BATCH_TOKENS or i == len(arrays) - 1:
                batch_total, batch_count = self._batch_nll(levels, self._prepare(batch))
                total, count = total + batch_total, count + batch_count
                batch, batch_tokens = [], 0
        return total, count

    def _batch_nll(self, levels: list[_Level], corpus: _Corpus) -> tuple[float, int]:
        """:meth:`nll` of one batch of whole sequences, climbing the orders for all positions at once."""
        tokens, pos = corpus.tokens, corpus.pos
        prob = np.full(tokens.size, 1.0 / self.vocab_size)
        predicted = pos >= 1
        # ``live``: positions still climbing the orders, with ``codes`` their n-gram codes at order n.
        live = np.flatnonzero(predicted)
        codes = tokens[live]
        for n, level in enumerate(levels, start=1):
            if n >= 2:
                # Only positions with n - 1 tokens of history inside their own sequence reach order n.
                keep = pos[live] >= n - 1
                live, codes = live[keep], codes[keep]
                codes += tokens[live - (n - 1)] * self.vocab_size ** (n - 1)
            if live.size == 0:
                break
            # Sorted queries make searchsorted cache-friendly: ~10x faster than random order on big tables.
            order = np.argsort(codes)
            live, codes = live[order], codes[order]
            prob[live], seen = self._interpolate(prob[live], codes, level)
            # A history unseen at order n is unseen at every higher order (its extensions contain it),
            # so those positions are done: rare histories skip the work of the high orders.
            live, codes = live[seen], codes[seen]
        return float(-np.log(prob[predicted]).sum()), int(np.count_nonzero(predicted))

    def prob_dist(self, context: np.ndarray | Sequence[int]) -> np.ndarray:
        """P(. | context) over the whole vocabulary; ``context`` is the history, oldest first (may be empty).

        Only the last ``order - 1`` tokens matter; a shorter context is used as is, exactly like the
        history of a position near the start of a sequence in :meth:`nll`.
        """
        levels = self._fitted_levels()
        history = self._validate(context, "context")
        used = min(history.size, self.order - 1)
        history = history[history.size - used :]
        candidates = np.arange(self.vocab_size, dtype=np.int64)
        prob = np.full(self.vocab_size, 1.0 / self.vocab_size)
        for n in range(1, used + 2):
            code = 0
            for token in history[history.size - (n - 1) :]:  # at most order - 1 steps, not per corpus token
                code = code * self.vocab_size + int(token)
            queries = code * self.vocab_size + candidates  # already sorted, as _interpolate prefers
            prob, seen = self._interpolate(prob, queries, levels[n - 1])
            if not seen.any():
                break  # the history is unseen here, hence at every higher order too (see nll)
        return prob

    def _interpolate(
        self, prob: np.ndarray, queries: np.ndarray, level: _Level
    ) -> tuple[np.ndarray, np.ndarray]:
        """One step ``P_n = alpha + gamma * P_{n-1}`` for the queries whose history exists at this order.

        Returns the updated probabilities and which queries' histories were seen (the others keep
        ``P_{n-1}``). Works for any query order but is much faster on sorted queries.
        """
        table = level.keys
        if table.size == 0:
            return prob, np.zeros(queries.size, dtype=bool)
        base = self.vocab_size
        idx = np.searchsorted(table, queries)
        clipped = np.minimum(idx, table.size - 1)
        found = table[clipped]
        exact = found == queries
        history = queries // base
        # The history's run, if it exists, contains the insertion point or ends just before it.
        in_run_here = found // base == history
        previous = np.maximum(idx - 1, 0)
        in_run_before = (idx > 0) & (table[previous] // base == history)
        seen = in_run_here | in_run_before
        gamma = level.gamma[np.where(in_run_here, clipped, previous)]
        alpha = np.where(exact, level.alpha[clipped], np.float32(0.0))
        return np.where(seen, alpha + gamma * prob, prob), seen

    # ------------------------------------------------------------------ helpers

    def _fitted_levels(self) -> list[_Level]:
        if self._levels is None:
            raise RuntimeError("NGramModel is not fitted; call fit() first")
        return self._levels

    def _validate(self, seq: np.ndarray | Sequence[int], what: str) -> np.ndarray:
        arr = np.asarray(seq)
        if arr.ndim != 1:
            raise ValueError(f"{what} must be 1-D, got shape {arr.shape}")
        if arr.size == 0:
            return np.empty(0, dtype=np.int64)  # np.asarray([]) is float64; an empty sequence is still fine
        if not np.issubdtype(arr.dtype, np.integer):
            raise ValueError(f"{what} must hold integer tokens, got dtype {arr.dtype}")
        arr = arr.astype(np.int64, copy=False)
        lo, hi = int(arr.min()), int(arr.max())
        if lo < 0 or hi >= self.vocab_size:
            raise ValueError(f"{what} has tokens in [{lo}, {hi}], outside [0, {self.vocab_size})")
        return arr

    def _prepare(self, sequences: Iterable[np.ndarray]) -> _Corpus:
        # One Python step per *sequence* (validation); everything per token below is vectorised.
        arrays = [self._validate(seq, f"sequence {i}") for i, seq in enumerate(sequences)]
        lengths = np.array([a.size for a in arrays], dtype=np.int64)
        tokens = np.concatenate(arrays) if arrays else np.empty(0, dtype=np.int64)
        starts = np.cumsum(lengths) - lengths
        pos = np.arange(tokens.size, dtype=np.int64) - np.repeat(starts, lengths)
        return _Corpus(tokens, pos, starts, lengths)


def _rolling_codes(tokens: np.ndarray, n: int, base: int) -> np.ndarray:
    """``codes[i]``: base-``base`` code of ``tokens[i-n+1 .. i]``; garbage (< base**n) where ``i < n-1``."""
    codes = tokens.copy()
    for j in range(1, n):
        codes[j:] += tokens[: tokens.size - j] * base**j
    return codes


def _sorted_unique_counts(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct codes (sorted) and how often each occurs. Sorts ``codes`` in place: pass a temporary."""
    codes.sort()
    if codes.size == 0:
        return codes, np.empty(0, dtype=np.int64)
    first = np.flatnonzero(np.concatenate(([True], codes[1:] != codes[:-1])))
    return codes[first], np.diff(np.append(first, codes.size))


def _merge_counts(
    keys: np.ndarray, counts: np.ndarray, extra_keys: np.ndarray, extra_counts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Union of two sorted distinct key sets, adding the counts of keys in both."""
    idx = np.searchsorted(keys, extra_keys)
    hit = idx < keys.size
    hit[hit] = keys[idx[hit]] == extra_keys[hit]
    counts = counts.copy()
    counts[idx[hit]] += extra_counts[hit]  # extra_keys are distinct, so no index repeats
    # Inserting at the searchsorted positions (extra_keys ascending) keeps the result sorted.
    new = ~hit
    return np.insert(keys, idx[new], extra_keys[new]), np.insert(counts, idx[new], extra_counts[new])


def _modified_kn_discounts(counts: np.ndarray) -> tuple[float, float, float]:
    """(D1, D2, D3+) from the count-of-counts of one order (Chen & Goodman), with per-discount fallbacks."""
    n = np.bincount(np.minimum(counts, 5), minlength=6)[:5].astype(np.float64)  # n[k], k = 0..4
    y = n[1] / (n[1] + 2 * n[2]) if n[1] + 2 * n[2] > 0 else float("nan")
    discounts = []
    for k in (1, 2, 3):
        estimate = k - (k + 1) * y * n[k + 1] / n[k] if n[k] > 0 else float("nan")
        # Outside (0, k) a discount would either remove nothing (no mass left for unseen tokens) or the
        # whole count; both only come from count-of-counts too few to trust (see the module docstring).
        ok = np.isfinite(estimate) and 0.0 < estimate < k
        discounts.append(float(estimate) if ok else _FALLBACK_DISCOUNTS[k - 1])
    return discounts[0], discounts[1], discounts[2]


def best_order(
    train: Sequence[np.ndarray],
    valid: Sequence[np.ndarray],
    vocab_size: int,
    orders: Iterable[int] = range(3, 8),
) -> tuple[int, dict[int, float]]:
    """Fit one model per order on ``train``; return the order with the lowest validation NLL per token
    (ties go to the smaller order) and every order's validation NLL per token in nats."""
    train, valid = list(train), list(valid)  # may be iterated once per order
    results: dict[int, float] = {}
    for order in orders:
        total, count = NGramModel(order, vocab_size).fit(train).nll(valid)
        if count == 0:
            raise ValueError("valid has no predicted tokens (every sequence is shorter than 2)")
        results[int(order)] = total / count
    if not results:
        raise ValueError("orders is empty")
    best = min(results, key=lambda order: (results[order], order))
    return best, results
