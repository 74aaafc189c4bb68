"""normalize_text and CharVocab: a table of real cases plus properties over arbitrary text."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seqstudio.speech.text import CharVocab, cardinal, normalize_text, ordinal, year

VOCAB = CharVocab()
FAST = settings(max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

CASES = [
    ("Hello,   World!", "hello world"),
    ("I have 3 cats and 21 dogs.", "i have three cats and twenty one dogs"),
    ("It costs $5.20.", "it costs five dollars twenty cents"),
    (
        "$1 or $0.99 or $1.01 or $2,000",
        "one dollar or ninety nine cents or one dollar one cent or two thousand dollars",
    ),
    ("a $3.5 million deal", "a three point five million dollars deal"),
    ("£3.50 and €1", "three pounds fifty pence and one euro"),
    ("Pi is about 3.14159", "pi is about three point one four one five nine"),
    ("3.5", "three point five"),
    ("0.5 and .25", "zero point five and point two five"),
    ("-42 degrees", "minus forty two degrees"),
    ("COVID-19 and 5-3", "covid nineteen and five three"),
    ("1,000,000", "one million"),
    ("123456789", "one hundred twenty three million four hundred fifty six thousand seven hundred eighty nine"),
    ("in 1984", "in nineteen eighty four"),
    (
        "in 1905, 1900, 2005, 2010 and 2024",
        "in nineteen oh five nineteen hundred two thousand five twenty ten and twenty twenty four",
    ),
    ("the 1990s and the '80s", "the nineteen nineties and the eighties"),
    (
        "the 21st century, the 2nd time, 3rd, 4th, 11th, 12th, 100th",
        "the twenty first century the second time third fourth eleventh twelfth one hundredth",
    ),
    ("50% off, 3.5 %", "fifty percent off three point five percent"),
    ("Tom & Jerry", "tom and jerry"),
    ("Mr. Smith met Dr Jones and Mrs. Brown", "mister smith met doctor jones and missus brown"),
    ("St. Louis is on Main St.", "saint louis is on main street"),
    ("at 3:30 or 10:00 or 7:05", "at three thirty or ten o'clock or seven oh five"),
    ("Don't 'quote' me, rock'n'roll", "don't quote me rock'n'roll"),
    ("the dogs' bowls", "the dogs bowls"),
    ("It\u2019s the caf\u00e9 na\u00efve \u00c6sir Stra\u00dfe", "it's the cafe naive aesir strasse"),
    ("agent 007", "agent zero zero seven"),
    ("MP3 and 3D", "mp three and three d"),
    ("well-known e-mail", "well known e mail"),
    ("x\u00b2 \uff11\uff12", "x two twelve"),  # superscript and full-width digits
    ("", ""),
    ("?!...", ""),
]


@pytest.mark.parametrize("raw, spoken", CASES)
def test_examples(raw, spoken):
    assert normalize_text(raw) == spoken


@pytest.mark.parametrize(
    "n, words",
    [
        (0, "zero"),
        (13, "thirteen"),
        (40, "forty"),
        (101, "one hundred one"),
        (1000, "one thousand"),
        (1_000_001, "one million one"),
        (-7, "minus seven"),
        (10**12, "one trillion"),
        (999 * 10**33, "nine hundred ninety nine decillion"),
        (10**36, "one " + " ".join(["zero"] * 36)),  # past the named scales: digit by digit
    ],
)
def test_cardinals(n, words):
    assert cardinal(n) == words


def test_ordinals_and_years():
    assert [ordinal(n) for n in (1, 2, 3, 5, 8, 9, 12, 20, 101)] == [
        "first", "second", "third", "fifth", "eighth", "ninth", "twelfth", "twentieth", "one hundred first",
    ]  # fmt: skip
    assert year(1066) == "ten sixty six" and year(2000) == "two thousand" and year(1800) == "eighteen hundred"


def test_huge_numbers_do_not_hit_the_int_parsing_limit():
    text = normalize_text("9" * 4400 + " $" + "1" * 4400 + " " + "2" * 4400 + "th")
    assert set(text.split()) == {"nine", "one", "dollars", "two", "second"}


@FAST
@given(st.text(max_size=80))
def test_output_is_in_the_vocabulary_and_a_fixed_point(text):
    once = normalize_text(text)
    assert set(once) <= set(VOCAB.chars)
    assert normalize_text(once) == once
    assert once == once.strip() and "  " not in once
    assert VOCAB.decode(VOCAB.encode(once)) == once


@FAST
@given(st.text(alphabet="0123456789$%.,-:'&£€ abcMrSt", max_size=40))
def test_number_heavy_text_is_a_fixed_point(text):
    once = normalize_text(text)
    assert set(once) <= set(VOCAB.chars)
    assert normalize_text(once) == once


def test_char_vocab_order_and_round_trip():
    assert len(VOCAB) == 29
    assert VOCAB.labels[:4] == ("", " ", "'", "a") and VOCAB.labels[-1] == "z" and VOCAB.blank == 0
    assert VOCAB.encode("it's a") == [11, 22, 2, 21, 1, 3]
    assert VOCAB.decode([0, 11, 0, 22, 22, 2, 21]) == "itt's"  # blanks dropped, repeats kept
    assert CharVocab.from_dict(VOCAB.to_dict()) == VOCAB
    assert VOCAB.to_dict() == {"blank": 0, "chars": " 'abcdefghijklmnopqrstuvwxyz"}


def test_char_vocab_refuses_what_it_cannot_represent():
    with pytest.raises(ValueError, match="normalise"):
        VOCAB.encode("Hello")
    with pytest.raises(ValueError):
        VOCAB.decode([29])
    with pytest.raises(ValueError):
        CharVocab("aa")
    with pytest.raises(ValueError):
        CharVocab.from_dict({"blank": 5, "chars": "ab"})
