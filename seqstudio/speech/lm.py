"""A word n-gram language model built from text, stored as an ARPA file, scored by the beam decoder.

Estimation is interpolated modified Kneser–Ney (Chen & Goodman 1998, as KenLM's ``lmplz`` does it):
the highest order uses raw counts, lower orders use continuation counts (how many different words
precede an n-gram), except n-grams that start with ``<s>``, which nothing can precede; each order has
three discounts (for counts 1, 2 and 3+) from its counts of counts; the unigrams are interpolated with
a uniform distribution over the vocabulary plus ``<unk>``. Every conditional distribution sums to one.

Pruning (``min_count``) drops n-grams of order 2 and up seen fewer times than that in the text; their
discounted mass moves to the backoff, so the pruned model still sums to one. Pruning by raw count keeps
the ARPA invariants (every prefix and suffix of a stored n-gram is stored too).

The ARPA file stores log10 probabilities and backoff weights; it is plain text (no pickle), loadable by
KenLM and flashlight, and written deterministically (the same text and options give the same bytes).
Scores handed to the decoder are natural logs, the unit of the acoustic log-probs they are added to.
"""

from __future__ import annotations

import math
import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from seqstudio.core.atomic import atomic_write_text
from seqstudio.core.errors import SeqStudioError
from seqstudio.speech.text import normalize_text

BOS, EOS, UNK = "<s>", "</s>", "<unk>"
MIN_ORDER, MAX_ORDER, DEFAULT_ORDER = 2, 5, 3
LN10 = math.log(10.0)
_NEVER = -99.0  # ARPA's log10 "probability" of <s>, which is a context only, never predicted
_DEFAULT_DISCOUNTS = (0.5, 1.0, 1.5)  # used when an order has too few n-grams to estimate its own

State = tuple[int, ...]  # word ids of the context the model can use, oldest first


def _discounts(adjusted: Counter) -> tuple[float, float, float]:
    """Modified Kneser–Ney discounts D1, D2, D3+ from the counts of counts of one order."""
    n = Counter(c for c in adjusted.values() if c <= 4)
    n1, n2, n3, n4 = (n[k] for k in (1, 2, 3, 4))
    if min(n1, n2, n3, n4) == 0:
        return _DEFAULT_DISCOUNTS
    y = n1 / (n1 + 2 * n2)
    d = (1 - 2 * y * n2 / n1, 2 - 3 * y * n3 / n2, 3 - 4 * y * n4 / n3)
    if not all(0 < dk < k for k, dk in enumerate(d, start=1)):  # tiny or odd data: estimates out of range
        return _DEFAULT_DISCOUNTS
    return d


def _check_order(order: int) -> None:
    if not isinstance(order, int) or not MIN_ORDER <= order <= MAX_ORDER:
        raise ValueError(f"order must be an integer from {MIN_ORDER} to {MAX_ORDER}, got {order!r}")


class NgramLM:
    """A backoff word n-gram model: ``probs[n-gram] = log10 p`` and ``backoffs[context] = log10 weight``.

    N-grams are tuples of word ids; ``words[i]`` is the word of id ``i``. Build one with :meth:`train`
    or :meth:`read_arpa`; write it with :meth:`write_arpa`.
    """

    def __init__(self, order: int, words: Sequence[str], probs: dict[State, float], backoffs: dict[State, float]):
        _check_order(order)
        self.order = order
        self.words = tuple(words)
        self._ids = {w: i for i, w in enumerate(self.words)}
        for special in (BOS, EOS, UNK):
            if special not in self._ids:
                raise ValueError(f"the vocabulary lacks {special}")
        self.bos, self.eos, self.unk = self._ids[BOS], self._ids[EOS], self._ids[UNK]
        self.probs = probs
        self.backoffs = backoffs
        self._cache: dict[tuple[State, int], tuple[float, State]] = {}
        self._prefixes: frozenset[str] | None = None
        # the ARPA file it was read from, with its st_mtime_ns and st_size then: decoding processes read it
        # there, and only while it is still that file
        self.source: tuple[str, int, int] | None = None

    # -- scoring ------------------------------------------------------------------------------

    def __contains__(self, word: str) -> bool:
        """Whether ``word`` is in the vocabulary (the special symbols are not words)."""
        return word in self._ids and word not in (BOS, EOS, UNK)

    def word_prefixes(self) -> frozenset[str]:
        """Every prefix of every word of the vocabulary, words included (computed once)."""
        if self._prefixes is None:
            self._prefixes = frozenset(
                w[:k] for w in self.words if w not in (BOS, EOS, UNK) for k in range(1, len(w) + 1)
            )
        return self._prefixes

    def word_id(self, word: str) -> int:
        """The id of ``word``, or of ``<unk>`` when the model never saw it."""
        return self._ids.get(word, self.unk)

    def start(self, sentence_start: bool = True) -> State:
        """The state before the first word: after ``<s>``, or with no context at all."""
        return (self.bos,) if sentence_start else ()

    def log10_prob(self, context: Sequence[int], word: int) -> float:
        """log10 p(word | context) by ARPA backoff; ``context`` is word ids, oldest first."""
        context = tuple(context[len(context) - self.order + 1 :]) if len(context) >= self.order else tuple(context)
        backoff = 0.0
        for start in range(len(context) + 1):
            history = context[start:]
            p = self.probs.get((*history, word))
            if p is not None:
                return backoff + p
            backoff += self.backoffs.get(history, 0.0)
        return backoff + self.probs[(self.unk,)]  # a word id the model does not have: as <unk>

    def _state_after(self, context: State, word: int) -> State:
        """The longest suffix of ``context + word`` that is a context of the model (its state).

        A shorter state loses nothing: a context that is not stored has no extensions and backoff 1.
        """
        history = (*context, word)[-(self.order - 1) :]
        for start in range(len(history)):
            if history[start:] in self.probs:
                return history[start:]
        return ()

    def score(self, state: State, word: str | int) -> tuple[float, State]:
        """(ln p(word | state), the state after it). Unknown words score as ``<unk>``."""
        wid = self.word_id(word) if isinstance(word, str) else word
        key = (state, wid)
        hit = self._cache.get(key)
        if hit is None:
            hit = (self.log10_prob(state, wid) * LN10, self._state_after(state, wid))
            if len(self._cache) < 1_000_000:  # bounded: a long session must not grow without limit
                self._cache[key] = hit
        return hit

    def end_score(self, state: State) -> float:
        """ln p(</s> | state): the cost of ending the sentence here."""
        return self.score(state, self.eos)[0]

    def sentence_log10_prob(self, text: str) -> float:
        """log10 p of a whole sentence (normalised first), ``</s>`` included."""
        state, total = self.start(), 0.0
        for word in [*normalize_text(text).split(), self.eos]:
            wid = self.word_id(word) if isinstance(word, str) else word
            total += self.log10_prob(state, wid)
            state = self._state_after(state, wid)
        return total

    def perplexity(self, texts: Iterable[str]) -> float:
        """Per-token perplexity (words plus one ``</s>`` per sentence) over ``texts``."""
        total = tokens = 0
        for text in texts:
            total += self.sentence_log10_prob(text)
            tokens += len(normalize_text(text).split()) + 1
        if tokens == 0:
            raise ValueError("no text to measure perplexity on")
        return 10 ** (-total / tokens)

    # -- estimation ---------------------------------------------------------------------------

    @classmethod
    def train(cls, texts: Iterable[str], order: int = DEFAULT_ORDER, min_count: int = 1) -> NgramLM:
        """Estimate an interpolated modified Kneser–Ney model from sentences (one per item, normalised
        here). ``min_count`` prunes n-grams of order 2 and up seen fewer times (1 keeps all)."""
        _check_order(order)
        if not isinstance(min_count, int) or min_count < 1:
            raise ValueError(f"min_count must be a positive integer, got {min_count!r}")
        # Raw counts over word ids; <s> pads each sentence once, as KenLM does.
        ids: dict[str, int] = {}
        raw: list[Counter] = [Counter() for _ in range(order + 1)]  # raw[n][n-gram]
        sentences = 0
        for text in texts:
            words = normalize_text(text).split()
            if not words:
                continue
            sentences += 1
            tokens = [BOS, *words, EOS]
            seq = [ids.setdefault(w, len(ids)) for w in tokens]
            for n in range(1, order + 1):
                counter = raw[n]
                for i in range(1 if n == 1 else 0, len(seq) - n + 1):  # <s> is never a unigram event
                    counter[tuple(seq[i : i + n])] += 1
        if sentences == 0:
            raise SeqStudioError("no text to build a language model from")
        for special in (BOS, EOS, UNK):
            ids.setdefault(special, len(ids))
        # Give ids in sorted word order, so the model (and its file) does not depend on the input order.
        words = sorted(ids)
        remap = {ids[w]: i for i, w in enumerate(words)}
        raw = [Counter({tuple(remap[x] for x in g): c for g, c in counter.items()}) for counter in raw]
        bos = remap[ids[BOS]]

        # Adjusted counts: raw at the top order and for n-grams that start with <s>, continuation below.
        adjusted: list[Counter] = [Counter() for _ in range(order + 1)]
        adjusted[order] = raw[order]
        for n in range(order - 1, 0, -1):
            counter = adjusted[n]
            for gram in raw[n + 1]:
                counter[gram[1:]] += 1
            for gram, c in raw[n].items():
                if gram[0] == bos:
                    counter[gram] = c
        discounts = [(0.0, 0.0, 0.0), *(_discounts(adjusted[n]) for n in range(1, order + 1))]

        def kept(n: int, gram: State) -> bool:
            return n == 1 or raw[n][gram] >= min_count

        probs: dict[State, float] = {}  # natural probabilities while estimating, log10 at the end
        gammas: dict[State, float] = {}
        # Unigrams: every word but <s>, plus <unk>; interpolated with the uniform distribution.
        vocab_size = len(words) - 1
        total = sum(adjusted[1].values())
        d1 = discounts[1]
        mass = sum(d1[min(c, 3) - 1] for c in adjusted[1].values())
        gamma = mass / total
        for wid, _ in enumerate(words):
            if wid == bos:
                continue
            c = adjusted[1].get((wid,), 0)
            probs[(wid,)] = (c - d1[min(c, 3) - 1] if c else 0.0) / total + gamma / vocab_size
        # Higher orders, each interpolated with the order below (already in probs: suffix closure).
        for n in range(2, order + 1):
            d = discounts[n]
            by_context: dict[State, list[tuple[State, int]]] = defaultdict(list)
            for gram, c in adjusted[n].items():
                by_context[gram[:-1]].append((gram, c))
            for context, grams in by_context.items():
                denominator = sum(c for _, c in grams)
                kept_mass = 0.0
                survivors = []
                for gram, c in grams:
                    if kept(n, gram):
                        alpha = (c - d[min(c, 3) - 1]) / denominator
                        kept_mass += alpha
                        survivors.append((gram, alpha))
                if not survivors:
                    continue  # backoff weight 1: the context adds nothing to its suffix
                g = 1.0 - kept_mass
                gammas[context] = g
                for gram, alpha in survivors:
                    probs[gram] = alpha + g * probs[gram[1:]]
        log_probs = {gram: math.log10(p) for gram, p in probs.items()}
        log_probs[(bos,)] = _NEVER
        backoffs = {ctx: math.log10(g) for ctx, g in gammas.items()}
        return cls(order, words, log_probs, backoffs)

    # -- ARPA files ---------------------------------------------------------------------------

    def to_arpa(self) -> str:
        """The model as ARPA text: n-grams sorted by order, then by their words."""
        by_order: list[list[tuple[tuple[str, ...], float, float | None]]] = [[] for _ in range(self.order + 1)]
        for gram, p in self.probs.items():
            bow = self.backoffs.get(gram) if len(gram) < self.order else None
            by_order[len(gram)].append((tuple(self.words[i] for i in gram), p, bow))
        lines = ["", "\\data\\"]
        lines += [f"ngram {n}={len(by_order[n])}" for n in range(1, self.order + 1)]
        for n in range(1, self.order + 1):
            lines += ["", f"\\{n}-grams:"]
            for words, p, bow in sorted(by_order[n]):
                text = f"{p:.6f}\t{' '.join(words)}"
                lines.append(text if bow is None else f"{text}\t{bow:.6f}")
        lines += ["", "\\end\\", ""]
        return "\n".join(lines)

    def write_arpa(self, path: str | os.PathLike, overwrite: bool = False) -> Path:
        """Write :meth:`to_arpa` atomically; an existing file is kept unless ``overwrite``."""
        return atomic_write_text(path, self.to_arpa(), overwrite=overwrite)

    @classmethod
    def read_arpa(cls, path: str | os.PathLike) -> NgramLM:
        """Read an ARPA file (any that KenLM writes, or :meth:`write_arpa`). A missing, unreadable or
        malformed file is a one-line :class:`SeqStudioError` naming it and the problem."""
        path = Path(path)
        try:
            with open(path, encoding="utf-8") as handle:
                stat = os.fstat(handle.fileno())
                lm = cls._parse(handle, path)
            lm.source = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
            return lm
        except FileNotFoundError:
            raise SeqStudioError(f"language model {path} does not exist") from None
        except IsADirectoryError:
            raise SeqStudioError(f"language model {path} is a folder, not an ARPA file") from None
        except UnicodeDecodeError:
            raise SeqStudioError(f"language model {path} is not an ARPA text file (binary data)") from None
        except OSError as exc:
            raise SeqStudioError(f"cannot read language model {path}: {exc.strerror or exc}") from None

    @classmethod
    def _parse(cls, lines: Iterable[str], path: Path) -> NgramLM:
        def bad(why: str, number: int | None = None) -> SeqStudioError:
            where = f" line {number}" if number else ""
            return SeqStudioError(f"language model {path} is not a valid ARPA file:{where} {why}")

        expected: dict[int, int] = {}
        section = "preamble"  # preamble -> data -> n (in an n-grams section) -> end
        n = 0
        ids: dict[str, int] = {}
        probs: dict[State, float] = {}
        backoffs: dict[State, float] = {}
        counts: Counter = Counter()
        for number, line in enumerate(lines, start=1):
            line = line.strip()
            if not line:
                continue
            if section == "preamble":
                if line == "\\data\\":
                    section = "data"
                elif number > 1000:
                    raise bad("no \\data\\ header")
                continue
            if line == "\\end\\":
                section = "end"
                break
            header = re.fullmatch(r"\\(\d+)-grams:", line)
            if header:
                n = int(header.group(1))
                if n not in expected:
                    raise bad(f"section \\{n}-grams: is not announced in \\data\\", number)
                section = "grams"
                continue
            if section == "data":
                match = re.fullmatch(r"ngram\s+(\d+)\s*=\s*(\d+)", line)
                if not match:
                    raise bad(f"expected 'ngram N=COUNT', got {line[:40]!r}", number)
                expected[int(match.group(1))] = int(match.group(2))
                continue
            fields = line.split()
            if len(fields) not in (n + 1, n + 2):
                raise bad(f"a {n}-gram line needs a probability, {n} words and maybe a backoff", number)
            try:
                p = float(fields[0])
                bow = float(fields[n + 1]) if len(fields) == n + 2 else None
            except ValueError:
                raise bad(f"not a number in {line[:40]!r}", number) from None
            if not (math.isfinite(p) and p <= 0) or (bow is not None and not math.isfinite(bow)):
                raise bad(f"log10 probabilities must be finite and <= 0, got {line[:40]!r}", number)
            gram = tuple(ids.setdefault(w, len(ids)) for w in fields[1 : n + 1])
            if n > 1 and any((w,) not in probs for w in gram):
                raise bad(f"{' '.join(fields[1:n + 1])!r} uses a word with no unigram", number)
            probs[gram] = p
            if bow is not None:
                backoffs[gram] = bow
            counts[n] += 1
        if section == "preamble":
            raise bad("no \\data\\ header (is this an ARPA language model?)")
        if section != "end":
            raise bad("it ends before \\end\\ (truncated?)")
        if not expected or sorted(expected) != list(range(1, len(expected) + 1)):
            raise bad("the \\data\\ header must announce orders 1..N")
        for order, count in expected.items():
            if counts[order] != count:
                raise bad(f"\\data\\ announces {count} {order}-grams but the file has {counts[order]}")
        order = max(expected)
        if not MIN_ORDER <= order <= MAX_ORDER:
            raise bad(f"order {order} is outside {MIN_ORDER}..{MAX_ORDER}")
        for special in (BOS, EOS):
            if special not in ids:
                raise bad(f"it has no {special}")
        if UNK not in ids:  # KenLM's convention when a file lacks it: <unk> gets the worst unigram score
            ids[UNK] = len(ids)
            probs[(ids[UNK],)] = min(p for g, p in probs.items() if len(g) == 1 and g != (ids[BOS],))
        words = [""] * len(ids)
        for w, i in ids.items():
            words[i] = w
        return cls(order, words, probs, backoffs)


def load_arpa(path: str | os.PathLike) -> NgramLM:
    """:meth:`NgramLM.read_arpa`."""
    return NgramLM.read_arpa(path)
