"""CTC prefix beam search with an optional word n-gram language model, hot-words and n-best lists.

The search (Hannun et al. 2014, "first-pass large vocabulary continuous speech recognition using
bi-directional recurrent DNNs") keeps, per output-text prefix, the probability of all CTC paths that
spell it, split into paths ending in a blank and paths ending in its last character, so that every
alignment of a text counts, not just the best one. A prefix's score is

    ln P_ctc(prefix) + lm_weight * ln P_lm(its complete words) + word_bonus * words + hot-word boosts

The LM is applied when a word ends (a space, or the end of the audio, where ``</s>`` is scored too);
it is a word model, so spelling is free between spaces. Words the LM never saw are allowed at the
price of its ``<unk>`` probability times a letter-by-letter spelling probability (without that, gluing
words into one unknown word would be cheap), charged as soon as no word of the LM starts with the letters
spelled so far, so such prefixes are pruned early. A word being spelled that is a prefix of a hot-word gets the share
of the boost it has spelled so far, so a rare hot-word survives pruning until it is complete.

Times come from the best CTC path of each final text (a Viterbi alignment), with the same convention
as :func:`~seqstudio.speech.decode.greedy_decode`: a character occupies the frames of its run, a word
runs from its first character's first frame to its last character's last frame.

The decoder is pure Python over per-frame candidate lists: characters far below the best symbol of a
frame (``token_threshold``) are not expanded, which leaves a few per frame. Measured against torchaudio's
flashlight ``ctc_decoder`` (flashlight-text 0.0.7) on noisy one-hot paths of 200 held-out sentences at
25 frames/s, 3-gram LM from the train split (3.6 % of test words unknown to it), 2 busy CPU cores:

    decoder (beam 16 / 32)                         WER            ms per second of audio
    greedy                                         45.1 %
    this one, LM                                   4.8 / 4.2 %    6.5 / 13
    flashlight lexicon-free, this LM as callback   5.6 / 5.5 %    26 / 69
    flashlight lexicon + KenLM (C++)               6.2 / 6.2 %    1.3 / 2.5

The lexicon decoder is faster but can only write words of its lexicon; a word LM in the lexicon-free
decoder needs a Python callback per character (flashlight tries all 28 characters each frame; this one,
with ``token_threshold=10`` instead of 5, takes 23 ms at beam 16 for 5.4 % WER). Neither beat this one
on WER, so SeqStudio does not depend on flashlight.
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from seqstudio.core.errors import SeqStudioError
from seqstudio.speech.decode import Hypothesis, check_batch
from seqstudio.speech.formats import Word
from seqstudio.speech.lm import NgramLM
from seqstudio.speech.text import CharVocab, normalize_text

if TYPE_CHECKING:  # the search itself needs no torch: decode_pool's processes never import it
    import torch

_NEG = -math.inf
MAX_BEAM = 1024


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class DecodeOptions:
    """How :func:`beam_decode` searches. Scores are natural logs, like the acoustic log-probs.

    beam_size: prefixes kept per frame (8-32 is usual; 1 without LM gives greedy decoding's text on clear frames).
    lm: an ARPA word LM file (``seqstudio train lm``), or None for none.
    lm_weight: multiplies ln P_lm of each word; 0 turns the LM off.
    word_bonus: added per word, against the LM's preference for fewer, shorter words.
    (The defaults were tuned on the validation voices of an early models/speech-default with its lm.arpa,
    `python benchmarks/tune_lm.py`: WER 58.9 % at lm_weight 0.5 / word_bonus 1.0, against 59.8 % at 0.5 / 0.5
    and 78.6 % greedy. Checked again for the shipped four-stage model: 46.94 % WER / 23.65 % CER, against the
    grid's best 46.76 % / 24.14 % at 0.5 / 0.5, so they were kept. Tune them again for another model or LM.)
    unk_penalty: added per word the LM does not know, on top of the LM's own ``<unk>`` probability.
    hotwords: words or phrases to favour (each normalised like the transcripts). A phrase ("Ada Lovelace") earns
        its boost only for its words in order: each word in sequence holds a share until the phrase is complete
        (so a narrow beam keeps it), and a sequence that breaks off earns nothing; its words alone are not favoured.
    hotword_boost: added per hot-word (per word of a phrase); a partly spelled one gets its spelled share.
    nbest: hypotheses returned per utterance (distinct texts, best first), at most ``beam_size``.
    beam_threshold: prefixes scoring this far below the frame's best are dropped.
    token_threshold: characters whose log-prob is this far below the frame's best symbol are not tried.
    """

    beam_size: int = 16
    lm: str | os.PathLike | None = None
    lm_weight: float = 0.5
    word_bonus: float = 1.0
    unk_penalty: float = 0.0
    hotwords: tuple[str, ...] = ()
    hotword_boost: float = 4.0
    nbest: int = 1
    beam_threshold: float = 25.0
    token_threshold: float = 5.0
    hotword_set: frozenset[str] = field(init=False, repr=False, compare=False)  # every word of every hot-word
    hotword_phrases: tuple[tuple[str, ...], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not _is_int(self.beam_size) or not 1 <= self.beam_size <= MAX_BEAM:
            raise ValueError(f"beam_size must be an integer from 1 to {MAX_BEAM}, got {self.beam_size!r}")
        if not _is_int(self.nbest) or not 1 <= self.nbest <= self.beam_size:
            raise ValueError(f"nbest must be an integer from 1 to beam_size ({self.beam_size}), got {self.nbest!r}")
        for name in ("lm_weight", "word_bonus", "unk_penalty", "hotword_boost", "beam_threshold", "token_threshold"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise ValueError(f"{name} must be a finite number, got {value!r}")
        if self.lm_weight < 0:
            raise ValueError(f"lm_weight must be >= 0, got {self.lm_weight}")
        if self.hotword_boost < 0:
            raise ValueError(f"hotword_boost must be >= 0, got {self.hotword_boost}")
        if self.beam_threshold <= 0 or self.token_threshold <= 0:
            raise ValueError("beam_threshold and token_threshold must be positive")
        if self.lm is not None and not isinstance(self.lm, str | os.PathLike):
            raise ValueError(f"lm must be a file path or None, got {type(self.lm).__name__}")
        if isinstance(self.hotwords, str):
            raise ValueError("hotwords must be a sequence of words, not one string")
        hotwords = tuple(self.hotwords)
        words: set[str] = set()
        phrases: list[tuple[str, ...]] = []
        for hotword in hotwords:
            if not isinstance(hotword, str):
                raise ValueError(f"hot-words must be strings, got {hotword!r}")
            spoken = normalize_text(hotword).split()
            if not spoken:
                raise ValueError(f"hot-word {hotword!r} has no letters to spell")
            words.update(spoken)
            if tuple(spoken) not in phrases:
                phrases.append(tuple(spoken))
        object.__setattr__(self, "hotwords", hotwords)
        object.__setattr__(self, "hotword_set", frozenset(words))
        object.__setattr__(self, "hotword_phrases", tuple(phrases))


@functools.lru_cache(maxsize=4)
def _load_cached(path: str, mtime_ns: int, size: int) -> NgramLM:
    return NgramLM.read_arpa(path)


def load_lm(path: str | os.PathLike) -> NgramLM:
    """An ARPA word LM; the last few loaded stay in memory until their file changes. A missing, corrupt or
    non-ARPA file is a one-line :class:`SeqStudioError`."""
    resolved = Path(path).expanduser()
    try:
        stat = resolved.stat()
    except FileNotFoundError:
        raise SeqStudioError(f"language model {resolved} does not exist") from None
    except OSError as exc:
        raise SeqStudioError(f"cannot read language model {resolved}: {exc.strerror or exc}") from None
    return _load_cached(str(resolved.resolve()), stat.st_mtime_ns, stat.st_size)


def beam_decode(
    log_probs: torch.Tensor | np.ndarray,
    vocab: CharVocab,
    lengths: torch.Tensor | Sequence[int] | None = None,
    *,
    frame_shift_s: float,
    offset_s: float | Sequence[float] = 0.0,
    options: DecodeOptions | None = None,
    lm: NgramLM | None = None,
    pool=None,
) -> list[list[Hypothesis]]:
    """CTC prefix beam search: up to ``options.nbest`` hypotheses per utterance, best first.

    log_probs: (T, V) or (B, T, V) log-softmax outputs, V = ``len(vocab)``, with optional ``lengths`` (B,)
    in frames; ``frame_shift_s`` and ``offset_s`` as in :func:`~seqstudio.speech.decode.greedy_decode`.
    ``lm`` overrides ``options.lm`` (a loaded model, to avoid reading the file in a library loop).
    ``pool``: a :class:`~seqstudio.speech.decode_pool.DecodePool` to search the utterances on (the same result).
    Each :class:`Hypothesis` has the text, one frame span per character, the search score (module
    docstring) and timed words. The vocabulary must contain a space (the word separator).
    """
    options, rows, offsets, lm = _prepare(log_probs, vocab, lengths, frame_shift_s, offset_s, options, lm)
    if pool is not None:
        return pool.decode(rows, offsets, vocab, options, lm, frame_shift_s)
    search = make_search(vocab, options, lm)
    return [search_one(search, row, frame_shift_s, offset) for row, offset in zip(rows, offsets, strict=True)]


def beam_submit(
    log_probs: torch.Tensor | np.ndarray,
    vocab: CharVocab,
    lengths: torch.Tensor | Sequence[int] | None = None,
    *,
    frame_shift_s: float,
    offset_s: float | Sequence[float] = 0.0,
    options: DecodeOptions | None = None,
    lm: NgramLM | None = None,
    pool,
):
    """:func:`beam_decode` on ``pool``'s worker processes, not waited for: returns a
    :class:`~seqstudio.speech.decode_pool.PendingDecode` whose ``result()`` is what :func:`beam_decode` returns."""
    options, rows, offsets, lm = _prepare(log_probs, vocab, lengths, frame_shift_s, offset_s, options, lm)
    return pool.submit(rows, offsets, vocab, options, lm, frame_shift_s)


def _prepare(log_probs, vocab: CharVocab, lengths, frame_shift_s: float, offset_s, options: DecodeOptions | None,
             lm: NgramLM | None) -> tuple[DecodeOptions, list[np.ndarray], list[float], NgramLM | None]:
    """The checked options, one float64 (T, V) array and offset per utterance, and the LM to search with."""
    options = options or DecodeOptions()
    log_probs, lengths_list, offsets = check_batch(log_probs, vocab, lengths, frame_shift_s, offset_s)
    if " " not in vocab.chars:
        raise ValueError("the vocabulary has no space, so words cannot be told apart")
    if lm is None and options.lm is not None:
        lm = load_lm(options.lm)
    array = log_probs.detach().cpu().double().numpy()
    return options, [array[b, :n] for b, n in enumerate(lengths_list)], offsets, lm


def make_search(vocab: CharVocab, options: DecodeOptions, lm: NgramLM | None) -> _Search:
    """The search for these options; reuse it for every utterance (it caches LM look-ups)."""
    return _Search(vocab, options, lm if options.lm_weight != 0 else None)


def search_one(search: _Search, lp: np.ndarray, frame_shift_s: float, offset_s: float) -> list[Hypothesis]:
    """The n-best list of one utterance: ``lp`` (T, V) float64 log-probs of its frames."""
    return [_timed(text, score, lp, search.vocab, frame_shift_s, offset_s) for text, score in search.run(lp)]


def _lse(a: float, b: float) -> float:
    """ln(e^a + e^b) for a, b possibly -inf."""
    if a < b:
        a, b = b, a
    if b == _NEG:
        return a
    return a + math.log1p(math.exp(b - a))


class _Search:
    """The prefix tree and its scores for one vocabulary, options and LM (reused across utterances)."""

    def __init__(self, vocab: CharVocab, options: DecodeOptions, lm: NgramLM | None):
        self.vocab, self.options, self.lm = vocab, options, lm
        self.space = vocab.chars.index(" ") + 1
        self.hot = options.hotword_set  # the LM scores these as words even when it lacks them
        self.single = frozenset(p[0] for p in options.hotword_phrases if len(p) == 1)
        self.phrases = [p for p in options.hotword_phrases if len(p) > 1]
        # Share of the boost earned by a word spelled so far: len(prefix) / len(shortest hot-word it starts),
        # for single hot-words and the first words of phrases (later words of a phrase: _partial_score).
        self.hot_prefix: dict[str, float] = {}
        for word in list(self.single) + [p[0] for p in self.phrases]:
            for k in range(1, len(word) + 1):
                self.hot_prefix[word[:k]] = max(self.hot_prefix.get(word[:k], 0.0), k / len(word))
        self.lm_prefixes = lm.word_prefixes() if lm is not None else frozenset()
        self.letter_cost = -math.log(len(vocab.chars) - 1)  # ln 1/(symbols a word can be spelled with)

    def _oov_cost(self, state, spelled: str) -> float:
        """What an out-of-vocabulary word (or the part of it spelled so far) costs: its share of the LM's
        ``<unk>`` probability, as if spelled letter by letter with every letter equally likely, and the
        ``unk_penalty``. Without the spelling term, gluing words into one unknown word would be cheap."""
        lm_score = self.lm.score(state, self.lm.unk)[0] + len(spelled) * self.letter_cost
        return self.options.lm_weight * lm_score + self.options.unk_penalty

    def _word_score(self, state, word: str):
        """(score of completing ``word`` after LM ``state``, the state after it)."""
        o = self.options
        # the bonus balances the LM's per-word cost; without an LM it would only reward splitting words
        score = o.word_bonus if self.lm is not None else 0.0
        if word in self.single:
            score += o.hotword_boost
        if self.lm is None:
            return score, state
        if word in self.lm or word in self.hot:
            lm_score, state = self.lm.score(state, word)  # a hot-word the LM lacks scores as <unk>
            return score + o.lm_weight * lm_score, state
        return score + self._oov_cost(state, word), self.lm.score(state, self.lm.unk)[1]

    def _partial_score(self, state, spelled: str, progress: tuple[tuple[int, int], ...]) -> float:
        """The part of a word's score known before it ends: its hot-word share (as the next word of a phrase
        in progress, too), and the out-of-vocabulary cost as soon as no word of the LM or hot-word starts
        like this."""
        share = self.hot_prefix.get(spelled, 0.0)
        for i, k in progress:  # a phrase holds its words so far while the next one is spelled, else it is lost
            nxt = self.phrases[i][k]
            if nxt.startswith(spelled):
                share = max(share, k + len(spelled) / len(nxt))
        score = self.options.hotword_boost * share
        if self.lm is not None and spelled not in self.lm_prefixes and not (share or spelled in self.hot_prefix):
            score += self._oov_cost(state, spelled)
        return score

    def _phrases_after(self, progress: tuple[tuple[int, int], ...], word: str):
        """Phrase hot-words after ``word`` ends: (the boost of phrases it completes, the phrases in progress as
        (phrase, words matched), the boost those hold until they complete)."""
        boost = self.options.hotword_boost
        done, going = 0.0, []
        for i, k in (*progress, *((i, 0) for i in range(len(self.phrases)))):
            phrase = self.phrases[i]
            if phrase[k] == word:
                if k + 1 == len(phrase):
                    done = max(done, boost * len(phrase))
                elif (i, k + 1) not in going:
                    going.append((i, k + 1))
        held = max((boost * k for _, k in going), default=0.0)
        return done, tuple(going), held

    def run(self, lp: np.ndarray) -> list[tuple[str, float]]:
        """(text, score) of the best ``nbest`` distinct texts for (T, V) log-probs ``lp``."""
        o, space, chars = self.options, self.space, self.vocab.chars
        # The prefix tree: parallel lists indexed by node id; node 0 is the empty prefix.
        parent, last, word = [-1], [0], [""]  # last: the final character id (0: none)
        state = [self.lm.start() if self.lm is not None else ()]
        base = [0.0]  # scores of the completed words
        static = [0.0]  # base plus the hot-word share held by phrases in progress and the word being spelled
        progress: list[tuple[tuple[int, int], ...]] = [()]  # phrase hot-words in progress: (phrase, words matched)
        children: dict[tuple[int, int], int] = {}

        def child(node: int, c: int) -> int:
            key = (node, c)
            found = children.get(key)
            if found is not None:
                return found
            new = len(parent)
            parent.append(node)
            last.append(c)
            if c == space:  # the word being spelled ends here
                score, after = self._word_score(state[node], word[node])
                done, going, hold = self._phrases_after(progress[node], word[node])
                word.append("")
                state.append(after)
                base.append(base[node] + score + done)
                progress.append(going)
                static.append(base[-1] + hold)
            else:
                spelled = word[node] + chars[c - 1]
                word.append(spelled)
                state.append(state[node])
                base.append(base[node])
                progress.append(progress[node])
                static.append(base[node] + self._partial_score(state[node], spelled, progress[node]))
            children[key] = new
            return new

        frames = lp.shape[0]
        if frames:
            best = lp.max(axis=1, keepdims=True)
            tried = lp >= best - o.token_threshold
            tried[:, 0] = False  # the blank is handled on its own
            candidates = [np.flatnonzero(row).tolist() for row in tried]
        rows = lp.tolist()
        beam: dict[int, list[float]] = {0: [0.0, _NEG]}  # node -> [ln P(ends in blank), ln P(ends in its char)]
        # The hot loop: log-sum-exp is written out (the same arithmetic as _lse, without a call per use), and
        # the prefix tree's cache is read here before calling child(); with sorted() for the beam cut, 13 % less
        # time per utterance at beam 16.
        log1p, exp, get_child = math.log1p, math.exp, children.get
        for t in range(frames):
            row = rows[t]
            blank = row[0]
            nxt: dict[int, list[float]] = {}
            for node, (pb, pnb) in beam.items():
                total = _lse(pb, pnb)
                here = nxt.get(node)
                if here is None:
                    here = nxt[node] = [total + blank, _NEG]
                else:
                    here[0] = _lse(here[0], total + blank)
                end = last[node]
                if end:
                    here[1] = _lse(here[1], pnb + row[end])  # the last character again: the same prefix
                for c in candidates[t]:
                    if c == space and (end == 0 or end == space):
                        # a leading or doubled space adds nothing to the text (greedy_decode drops them too)
                        if end == 0:
                            here[1] = _lse(here[1], total + row[c])
                        else:
                            here[1] = _lse(here[1], pb + row[c])
                        continue
                    target = get_child((node, c))
                    if target is None:
                        target = child(node, c)
                    x = (pb if c == end else total) + row[c]
                    entry = nxt.get(target)
                    if entry is None:
                        nxt[target] = [_NEG, x]
                    else:
                        y = entry[1]
                        if y == _NEG:
                            entry[1] = x
                        elif x >= y:
                            entry[1] = x + log1p(exp(y - x))
                        else:
                            entry[1] = y + log1p(exp(x - y))
            # = heapq.nlargest(beam_size, ...) (same order, ties included); sorting a few dozen in C is faster
            ranked = sorted([(_lse(v[0], v[1]) + static[n], n) for n, v in nxt.items()], reverse=True)[: o.beam_size]
            floor = ranked[0][0] - o.beam_threshold
            beam = {n: nxt[n] for s, n in ranked if s >= floor}

        # Finish: the word being spelled ends, then the sentence; texts that differ only by a final space merge.
        finals: dict[str, list[float]] = {}
        for node, (pb, pnb) in beam.items():
            score, after = base[node], state[node]
            if word[node]:
                extra, after = self._word_score(after, word[node])
                score += extra + self._phrases_after(progress[node], word[node])[0]
            if self.lm is not None:
                score += o.lm_weight * self.lm.end_score(after)
            text = self._text(node, parent, last)
            acoustic = _lse(pb, pnb)
            if text in finals:
                finals[text][0] = _lse(finals[text][0], acoustic)
            else:
                finals[text] = [acoustic, score]
        ranked_texts = sorted(((a + s, text) for text, (a, s) in finals.items()), key=lambda x: (-x[0], x[1]))
        return [(text, score) for score, text in ranked_texts[: o.nbest]]

    def _text(self, node: int, parent: list[int], last: list[int]) -> str:
        out = []
        while node > 0:
            out.append(self.vocab.chars[last[node] - 1])
            node = parent[node]
        return "".join(reversed(out)).rstrip(" ")


# -- timings: the best path of a chosen text -------------------------------------------------------


def _align(text: str, lp: np.ndarray, vocab: CharVocab) -> tuple[list[tuple[int, int]], np.ndarray]:
    """Viterbi CTC alignment of ``text`` to (T, V) ``lp``: one [start, end) frame span per character and
    the log-prob of the path's symbol per frame. As in greedy decoding, stray spaces (before the text, after
    it, or repeating one of its spaces after a blank) may take frames without being part of the text."""
    labels = vocab.encode(text)
    n, frames = len(labels), lp.shape[0]
    space = vocab.chars.index(" ") + 1
    states = 2 * n + 1  # blank slot i (even 2i) before label i (odd 2i + 1)
    slot_space = np.zeros(n + 1, dtype=bool)  # slots that may also hold a stray space
    slot_space[0] = slot_space[n] = True
    for i, c in enumerate(labels):
        if c == space:  # as greedy decoding reads it, a space run's first frame is the text's space
            slot_space[i + 1] = True
    # A stray space costs a hair more than the same frame in a space's own run, so runs stay whole, as in greedy.
    stray = np.maximum(lp[:, [0]], lp[:, [space]] - 1e-6)
    slot_emit = np.where(slot_space[None, :], stray, lp[:, [0]])  # (T, n+1)
    emit = np.empty((frames, states))
    emit[:, 0::2] = slot_emit
    emit[:, 1::2] = lp[:, labels]
    skip = np.zeros(states, dtype=bool)  # label i may follow label i-1 directly when they differ
    for i in range(1, n):
        skip[2 * i + 1] = labels[i] != labels[i - 1]
    delta = np.full(states, _NEG)
    delta[0] = emit[0, 0]
    if states > 1:
        delta[1] = emit[0, 1]
    back = np.zeros((frames, states), dtype=np.int8)
    moves = np.full((3, states), _NEG)
    for t in range(1, frames):
        moves[0] = delta
        moves[1, 1:] = delta[:-1]
        moves[2, 2:] = np.where(skip[2:], delta[:-2], _NEG)
        choice = moves.argmax(axis=0)
        back[t] = choice
        delta = moves[choice, np.arange(states)] + emit[t]
    finals = [states - 1] if n == 0 else [states - 1, states - 2]
    s = max(finals, key=lambda k: delta[k])
    path = np.empty(frames, dtype=np.int64)
    for t in range(frames - 1, -1, -1):
        path[t] = s
        s -= int(back[t, s])
    spans = []
    for i in range(n):
        where = np.flatnonzero(path == 2 * i + 1)
        spans.append((int(where[0]), int(where[-1]) + 1) if where.size else (0, 0))
    return spans, emit[np.arange(frames), path]


def _timed(text: str, score: float, lp: np.ndarray, vocab: CharVocab, shift: float, offset: float) -> Hypothesis:
    if not text or lp.shape[0] == 0:
        return Hypothesis(text, (), score)
    spans, path_lp = _align(text, lp, vocab)
    cumulative = np.r_[0.0, np.cumsum(np.exp(path_lp))]
    words = []
    first = 0
    for i in range(len(text) + 1):
        if i == len(text) or text[i] == " ":
            if i > first:
                start, end = spans[first][0], spans[i - 1][1]
                confidence = (cumulative[end] - cumulative[start]) / max(end - start, 1)
                words.append(Word(text[first:i], offset + start * shift, offset + end * shift,
                                  min(1.0, float(confidence))))
            first = i + 1
    return Hypothesis(text, tuple(spans), score, tuple(words))
