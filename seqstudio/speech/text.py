"""English text -> what a speaker says, in the characters a CTC model emits; and that character vocabulary.

Training targets and language-model text must be spelled the way they sound: a model cannot learn
that "1984" is four sounds long, or when "St." is "saint". :func:`normalize_text` therefore spells
numbers out (American style, no "and": 123 -> "one hundred twenty three"), expands currency, percent,
times, ordinals, years and decades and a few title abbreviations, folds accents ("café" -> "cafe"),
lowercases, and keeps only ``a-z``, space and apostrophes inside words. Its output is a fixed point
(normalising twice changes nothing) and encodes with the default :class:`CharVocab`.

Years: a plain four-digit number from 1100 to 2099 is read as a year ("1984" -> "nineteen eighty four",
"2010" -> "twenty ten"), which is also how such quantities are usually said ("1500" -> "fifteen
hundred"); write "1,500" for the cardinal reading.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen"
).split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_SCALES = (
    "_ thousand million billion trillion quadrillion quintillion sextillion septillion octillion nonillion decillion"
).split()
_ORDINAL_WORDS = {
    "one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth", "nine": "ninth",
    "twelve": "twelfth",
}  # fmt: skip


# -- numbers to words ----------------------------------------------------------------------------


def _digits(text: str) -> str:
    return " ".join(_ONES[int(c)] for c in text)


def _below_thousand(n: int) -> list[str]:
    words = []
    if n >= 100:
        words += [_ONES[n // 100], "hundred"]
        n %= 100
    if n >= 20:
        words.append(_TENS[n // 10])
        n %= 10
        if n:
            words.append(_ONES[n])
    elif n or not words:
        words.append(_ONES[n])
    return words


def cardinal(n: int) -> str:
    """123456 -> "one hundred twenty three thousand four hundred fifty six"; -5 -> "minus five".

    Numbers of a thousand decillion (10^36) and more are read digit by digit: nobody says their names.
    """
    if n < 0:
        return "minus " + cardinal(-n)
    if n >= 1000 ** len(_SCALES):
        return _digits(str(n))
    if n == 0:
        return "zero"
    words: list[str] = []
    for power in range(len(_SCALES) - 1, -1, -1):
        group = (n // 1000**power) % 1000
        if group:
            words += _below_thousand(group)
            if power:
                words.append(_SCALES[power])
    return " ".join(words)


def ordinal(n: int) -> str:
    """21 -> "twenty first", 100 -> "one hundredth", 12 -> "twelfth"."""
    return _ordinalize(cardinal(n))


def _ordinalize(cardinal_words: str) -> str:
    words = cardinal_words.split()
    last = words[-1]
    if last in _ORDINAL_WORDS:
        words[-1] = _ORDINAL_WORDS[last]
    elif last.endswith("y"):
        words[-1] = last[:-1] + "ieth"
    elif last.isalpha():
        words[-1] = last + "th"
    return " ".join(words)


def year(n: int) -> str:
    """1984 -> "nineteen eighty four", 1905 -> "nineteen oh five", 1900 -> "nineteen hundred",
    2005 -> "two thousand five", 2024 -> "twenty twenty four". Outside 1000..9999: the cardinal."""
    if not 1000 <= n <= 9999 or 2000 <= n <= 2009:
        return cardinal(n)
    high, low = divmod(n, 100)
    if low == 0:
        return f"{cardinal(high)} hundred"
    if low < 10:
        return f"{cardinal(high)} oh {_ONES[low]}"
    return f"{cardinal(high)} {cardinal(low)}"


def _integer(text: str) -> str:
    """A digit string as said: leading zeros ("007", "0800") and more than 36 digits are read digit by
    digit (which also keeps ``int()`` away from strings of thousands of digits)."""
    if (len(text) > 1 and text[0] == "0") or len(text) > 36:
        return _digits(text)
    return cardinal(int(text))


def _decimal(whole: str | None, frac: str | None) -> str:
    words = _integer(whole) if whole else ""
    if frac:
        words = f"{words} point {_digits(frac)}".strip()
    return words


def _plural(words: str) -> str:
    head, _, last = words.rpartition(" ")
    last = last[:-1] + "ies" if last.endswith("y") else last + "s"
    return f"{head} {last}".strip()


# -- normalisation passes, in order: each turns digits into words, so later passes never see them --

_QUOTES = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'", "\u2212": "-", "\u2013": "-", "\u2014": "-"}
)
_LETTERS = str.maketrans({"æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"})

_TITLES = {
    "mr": "mister",
    "mrs": "missus",
    "ms": "miz",
    "dr": "doctor",
    "prof": "professor",
    "jr": "junior",
    "sr": "senior",
    "vs": "versus",
    "etc": "et cetera",
}
# Title case with or without a period ("Dr Smith", "Dr. Smith"); capitals only with one ("MS." but not "MS").
_ABBREV = re.compile(r"\b(?:(Mrs|Mr|Ms|Dr|Prof|Jr|Sr|St|Vs|Etc)\b\.?|(MRS|MR|MS|DR|PROF|JR|SR|ST|VS|ETC)\.)")

_AMOUNT = r"([0-9]{1,3}(?:,[0-9]{3})+(?![0-9])|[0-9]+)(?:\.([0-9]+))?"
_CURRENCIES = {
    "$": ("dollar", "dollars", "cent", "cents"),
    "£": ("pound", "pounds", "penny", "pence"),
    "€": ("euro", "euros", "cent", "cents"),
}
_MONEY = re.compile(r"([$£€])\s?" + _AMOUNT + r"(?:\s?(thousand|million|billion|trillion)\b)?", re.IGNORECASE)
# Amounts start at the start of a digit run: trying every position inside a long run is quadratic.
_PERCENT = re.compile(r"(?:(?<![\w-])(-))?(?<![0-9])" + _AMOUNT + r"\s?%")
_TIME = re.compile(r"(?<![0-9:])([0-9]{1,2}):([0-5][0-9])(?![0-9])")
_ORDINAL = re.compile(r"(?<![0-9])([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(st|nd|rd|th)\b", re.IGNORECASE)
_DECADE = re.compile(r"(?<![0-9])(1[1-9][0-9]0|20[0-9]0)'?s\b")
_SHORT_DECADE = re.compile(r"(?<![0-9])'?([1-9]0)'?s\b")
_POINT = re.compile(r"(?<!\w)\.([0-9]+)")
_NUMBER = re.compile(r"(?:(?<![\w-])(-))?(?<![0-9])" + _AMOUNT)  # "-5" is negative, "x-5" and "5-3" are not
_SYMBOLS = str.maketrans({"&": " and ", "+": " plus ", "@": " at ", "%": " percent "})
_NOT_VOCAB = re.compile(r"[^a-z' ]+")
_LOOSE_APOSTROPHE = re.compile(r"(?<![a-z])'|'(?![a-z])")


def _fold(text: str) -> str:
    """Compatibility-decompose (ligatures, superscripts, full-width forms) and drop accents."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


def _title(match: re.Match) -> str:
    word = (match.group(1) or match.group(2)).lower()
    if word == "st":  # "St. Louis" but "Main St." / "Main St. is closed"
        after = match.string[match.end() :].lstrip()
        return " saint " if after[:1].isupper() else " street "
    return f" {_TITLES[word]} "


def _money(match: re.Match) -> str:
    symbol, whole, frac, scale = match.groups()
    unit, units, sub, subs = _CURRENCIES[symbol]
    if scale:  # "$1.5 million" -> "one point five million dollars"
        return f" {_decimal(whole, frac)} {scale.lower()} {units} "
    whole = whole.replace(",", "")
    amount = int(whole) if len(whole) <= 36 else 2  # only its being 0 or 1 matters
    if frac is not None and len(frac) > 2:  # "$0.125" has no cents to speak of
        return f" {_decimal(whole, frac)} {units} "
    cents = int(frac.ljust(2, "0")) if frac else 0
    parts = []
    if amount or not cents:
        parts.append(f"{_integer(whole)} {unit if amount == 1 else units}")
    if cents:
        parts.append(f"{cardinal(cents)} {sub if cents == 1 else subs}")
    return f" {' '.join(parts)} "


def _percent(match: re.Match) -> str:
    sign, whole, frac = match.groups()
    return f" {'minus ' if sign else ''}{_decimal(whole.replace(',', ''), frac)} percent "


def _time(match: re.Match) -> str:
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 24:
        return match.group(0).replace(":", " ")
    if minute == 0:
        return f" {cardinal(hour)} o'clock "
    return f" {cardinal(hour)} {'oh ' + _ONES[minute] if minute < 10 else cardinal(minute)} "


def _number(match: re.Match) -> str:
    sign, whole, frac = match.groups()
    if "," in whole:
        words = _decimal(whole.replace(",", ""), frac)
    elif not sign and frac is None and len(whole) == 4 and 1100 <= int(whole) <= 2099:
        words = year(int(whole))
    else:
        words = _decimal(whole, frac)
    return f" {'minus ' if sign else ''}{words} "


def normalize_text(text: str) -> str:
    """Spoken-form, lowercase ``a-z ' `` text with single spaces; see the module docstring."""
    text = _fold(text.translate(_QUOTES))
    text = _ABBREV.sub(_title, text)
    text = _MONEY.sub(_money, text)
    text = _PERCENT.sub(_percent, text)
    text = _TIME.sub(_time, text)
    text = _ORDINAL.sub(lambda m: f" {_ordinalize(_integer(m.group(1).replace(',', '')))} ", text)
    text = _DECADE.sub(lambda m: f" {_plural(year(int(m.group(1))))} ", text)
    text = _SHORT_DECADE.sub(lambda m: f" {_plural(cardinal(int(m.group(1))))} ", text)
    text = _POINT.sub(lambda m: f" point {_digits(m.group(1))} ", text)
    text = _NUMBER.sub(_number, text)
    text = _fold(text.translate(_SYMBOLS).casefold()).translate(_LETTERS)
    text = _NOT_VOCAB.sub(" ", text)
    text = _LOOSE_APOSTROPHE.sub(" ", text)
    return " ".join(text.split())


# -- the character vocabulary ---------------------------------------------------------------------

BLANK = 0
DEFAULT_CHARS = " '" + string.ascii_lowercase


@dataclass(frozen=True)
class CharVocab:
    """CTC output symbols: index 0 is the blank, then ``chars`` in order.

    The default order is blank, space, apostrophe, a..z (29 symbols). It is part of a trained model:
    changing it scrambles the output layer, so it is saved with the model via :meth:`to_dict`.
    """

    chars: str = DEFAULT_CHARS
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.chars or len(set(self.chars)) != len(self.chars):
            raise ValueError("chars must be non-empty and without repeats")
        object.__setattr__(self, "_index", {c: i + 1 for i, c in enumerate(self.chars)})

    def __len__(self) -> int:
        return len(self.chars) + 1

    @property
    def blank(self) -> int:
        return BLANK

    @property
    def labels(self) -> tuple[str, ...]:
        """One string per output index, "" for the blank (the form CTC decoders take)."""
        return ("", *self.chars)

    def encode(self, text: str) -> list[int]:
        """Character ids (never the blank); text should come from :func:`normalize_text`."""
        try:
            return [self._index[c] for c in text]
        except KeyError as exc:
            raise ValueError(f"character {exc.args[0]!r} is not in the vocabulary; normalise the text first") from None

    def decode(self, ids: Iterable[int]) -> str:
        """The characters of ``ids``, blanks dropped. Repeats are kept: CTC collapsing is the decoder's job."""
        out = []
        for i in ids:
            i = int(i)
            if not 0 <= i < len(self):
                raise ValueError(f"id {i} is outside 0..{len(self) - 1}")
            if i != BLANK:
                out.append(self.chars[i - 1])
        return "".join(out)

    def to_dict(self) -> dict:
        return {"blank": BLANK, "chars": self.chars}

    @classmethod
    def from_dict(cls, data: dict) -> CharVocab:
        if data.get("blank", BLANK) != BLANK:
            raise ValueError("only vocabularies with the blank at index 0 are supported")
        return cls(chars=data["chars"])
