"""Many different English sentences from offline text on this machine, spelled the way they are said.

Sources (each a small Debian package; see :data:`SOURCES`): the fortune cookie files (quotations,
jokes, literature; ``fortunes``) and WordNet's usage examples (``wordnet-base``), ~50k sentences in
all, about everyday words, in several registers. Passages are split into sentences, normalised with
:func:`~seqstudio.speech.text.normalize_text` (numbers and symbols to words), kept when 3-30 words long
and free of code and ASCII art, deduplicated, and shuffled deterministically.

Each sentence's split (:func:`sentence_split`) is a function of its normalised text alone, so the same
sentence can never be in two splits whatever the sources or their order, and adding a source does not
move any sentence between splits.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from seqstudio.core.errors import SeqStudioError
from seqstudio.speech.corpus.voices import SPLITS, Split
from seqstudio.speech.text import CharVocab, normalize_text

MIN_WORDS, MAX_WORDS = 3, 30
_VOCAB = CharVocab()
_VALID_PERCENT, _TEST_PERCENT = 5, 5

# Characters that mark code, ASCII art, tables or markup rather than prose.
_NOT_PROSE = re.compile(r"[{}<>|=\\_#*~^\[\]@]|://|\.\.\.\.|\t")
# A sentence ends at . ! ? (and closing quotes/brackets) followed by space and a capital or quote.
_BOUNDARY = re.compile(r"(?<=[.!?])([\"')\]]*)\s+(?=[\"'(]?[A-Z0-9])")
# Capitals (acronyms, units like "MB", shouting) are spelled out by some voices and read as words by
# others, so their transcript is ambiguous: such sentences are left out.
_CAPITALS = re.compile(r"(?<![a-z])[A-Z]{2,}(?![a-z])")
_END = re.compile(r"[.!?][\"')\]]*$")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr st jr sr prof vs etc e.g i.e no vol fig gen col lt sgt capt rev hon u.s mt ft inc co ltd".split()
)
_FORTUNE_SKIP = frozenset({"art", "ascii-art"})  # pictures, not sentences


@dataclass(frozen=True)
class Source:
    """An offline text source: the Debian package that provides it, its default location, and a reader
    of its raw passages (each passage is split into sentences afterwards). ``punctuated`` sources keep
    only sentences that end in . ! or ?: in fortunes, the rest are list items and headings."""

    package: str
    root: Path
    read: Callable[[Path], Iterator[str]]
    punctuated: bool = False


def _fortunes(root: Path) -> Iterator[str]:
    """fortune files: entries separated by lines of "%"; attribution lines ("-- Mark Twain") dropped."""
    for path in sorted(root.iterdir()):
        if path.suffix or path.name in _FORTUNE_SKIP or not path.is_file() or path.is_symlink():
            continue  # .dat indexes, .u8 duplicates
        text = path.read_text(encoding="utf-8", errors="replace")
        for entry in re.split(r"^%\s*$", text, flags=re.MULTILINE):
            lines = [line for line in entry.splitlines() if not line.lstrip().startswith("--")]
            yield " ".join(" ".join(lines).split())


def _wordnet(root: Path) -> Iterator[str]:
    """WordNet data files: after a synset's "|", its gloss; quoted parts of the gloss are usage examples."""
    for part in ("noun", "verb", "adj", "adv"):
        path = root / f"data.{part}"
        with open(path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.startswith("  "):  # the licence header
                    continue
                gloss = line.partition(" | ")[2]
                yield from re.findall(r'"([^"]{8,})"', gloss)


SOURCES: dict[str, Source] = {
    "fortunes": Source("fortunes", Path("/usr/share/games/fortunes"), _fortunes, punctuated=True),
    "wordnet": Source("wordnet-base", Path("/usr/share/wordnet"), _wordnet),
}
DEFAULT_SOURCES = ("fortunes", "wordnet")


def split_passage(passage: str) -> list[str]:
    """Raw sentences of a passage, split at . ! ? except after common abbreviations ("Dr. Smith")."""
    pieces: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(passage):
        before = passage[start : match.start()].rstrip("\"')]").rsplit(None, 1)
        last_word = before[-1].rstrip(".!?").lower() if before else ""
        if last_word in _ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha()):
            continue  # "Dr. Who", "J. R. R. Tolkien"
        pieces.append(passage[start : match.start() + len(match.group(1))])
        start = match.end()
    pieces.append(passage[start:])
    return [p.strip() for p in pieces if p.strip()]


def clean_sentence(raw: str, min_words: int = MIN_WORDS, max_words: int = MAX_WORDS,
                   vocab: CharVocab = _VOCAB) -> str | None:  # fmt: skip
    """The normalised sentence, or None when it is not prose a person would read aloud, or too short or
    long to be a useful training utterance."""
    if _NOT_PROSE.search(raw) or _CAPITALS.search(raw):
        return None
    if sum(c.isalnum() or c.isspace() for c in raw) < 0.8 * len(raw):  # mostly punctuation: art, emoticons
        return None
    text = normalize_text(raw)
    if not min_words <= len(text.split()) <= max_words:
        return None
    try:
        vocab.encode(text)
    except ValueError:
        return None
    return text


def read_source(name: str, root: str | Path | None = None) -> Iterator[str]:
    """Raw passages of source ``name``; a missing source is a SeqStudioError naming its package."""
    if name not in SOURCES:
        raise SeqStudioError(f"unknown text source {name!r} (known: {', '.join(SOURCES)})")
    source = SOURCES[name]
    folder = Path(root) if root is not None else source.root
    if not folder.is_dir():
        raise SeqStudioError(f"text source {name} is not installed: no {folder} (apt-get install {source.package})")
    try:
        yield from source.read(folder)
    except OSError as exc:
        raise SeqStudioError(f"cannot read text source {name} in {folder} ({exc.strerror or exc})") from None


def extract_sentences(passages: Iterable[str], min_words: int = MIN_WORDS, max_words: int = MAX_WORDS,
                      punctuated: bool = False) -> list[str]:  # fmt: skip
    """Normalised, filtered, deduplicated sentences of ``passages``, in first-seen order; ``punctuated``
    keeps only sentences that end in . ! or ?."""
    seen: dict[str, None] = {}
    for passage in passages:
        for raw in split_passage(passage):
            if punctuated and not _END.search(raw):
                continue
            text = clean_sentence(raw, min_words, max_words)
            if text is not None:
                seen.setdefault(text)
    return list(seen)


def collect_sentences(
    sources: Sequence[str] = DEFAULT_SOURCES,
    *,
    min_words: int = MIN_WORDS,
    max_words: int = MAX_WORDS,
    seed: int = 0,
    roots: dict[str, str | Path] | None = None,
) -> list[str]:
    """All distinct normalised sentences of ``sources``, shuffled by ``seed`` (same inputs, same list).

    ``roots`` overrides where a source's files are (for tests and unusual installs).
    """
    roots = roots or {}
    sentences: set[str] = set()
    for name in sources:
        passages = read_source(name, roots.get(name))
        sentences.update(extract_sentences(passages, min_words, max_words, SOURCES[name].punctuated))
    ordered = sorted(sentences)
    random.Random(seed).shuffle(ordered)
    return ordered


def sentence_split(sentence: str) -> Split:
    """``train`` (90 %), ``valid`` (5 %) or ``test`` (5 %), from a hash of the normalised sentence."""
    bucket = int.from_bytes(hashlib.sha1(sentence.encode("utf-8")).digest()[:8], "big") % 100
    if bucket < _VALID_PERCENT:
        return "valid"
    if bucket < _VALID_PERCENT + _TEST_PERCENT:
        return "test"
    return "train"


def split_sentences(sentences: Iterable[str]) -> dict[Split, list[str]]:
    """``sentences`` grouped by :func:`sentence_split`, each group in the input order."""
    groups: dict[Split, list[str]] = {split: [] for split in SPLITS}
    for sentence in sentences:
        groups[sentence_split(sentence)].append(sentence)
    return groups
