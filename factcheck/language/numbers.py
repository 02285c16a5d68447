"""Numbers: quantities and years in digits or words, with the noun they count.

"$76.8 billion" is 76.8e9 dollars, "7,200 civilians" is 7200 civilians, "seven countries" is
7 countries, "a 12-point plan" is 12 points, and "2011" after "in" is a year, not a count.
The unit is the lemma of the noun that follows the number, so that a claim's "34 countries"
can meet a passage's "32 countries abstained" and be found to differ.
The words numbers are written in (number words, scales, currencies, months) live in
``language/data/numbers.toml``, read once on first use.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from factcheck.language.data_files import read_data
from factcheck.language.word_readings import readings

_DIGITS = re.compile(r"^\d+(?:,\d{3})*(?:\.\d+)?%?$|^\d+(?:\.\d+)?%?$")
_ORDINAL = re.compile(r"^(\d+)(?:st|nd|rd|th)$")


def _data() -> dict[str, Any]:
    return read_data("numbers")


@cache
def number_words() -> dict[str, int]:
    """Number word -> its value ("seven" -> 7); "one" is left out, as mostly "one of"."""
    return dict(_data()["number_words"])


@cache
def ordinal_words() -> dict[str, int]:
    """Ordinal -> its value ("third" -> 3)."""
    return dict(_data()["ordinal_words"])


@cache
def scale_words() -> dict[str, float]:
    """Word that multiplies the number before it -> the factor ("billion" -> 1e9)."""
    return dict(_data()["scale_words"])


@cache
def currency_words() -> dict[str, str]:
    """Currency sign or name -> the unit a quantity of it counts ("$" -> "dollar")."""
    return dict(_data()["currency_words"])


@cache
def time_units() -> dict[str, str]:
    """Word for a unit of time -> the unit ("years" -> "year")."""
    return dict(_data()["time_units"])


@cache
def months() -> dict[str, int]:
    """Month name or abbreviation -> its number (1-12)."""
    return dict(_data()["months"])


@cache
def fillers() -> frozenset[str]:
    """Words after a number that are not its unit but a comparison or filler."""
    return frozenset(_data()["fillers"])


@cache
def year_context() -> frozenset[str]:
    """Words before a four-digit number that make it a year ("in 2011")."""
    return frozenset(_data()["year_context"])


@dataclass(frozen=True)
class Quantity:
    """A number as stated: its value, the noun it counts (or None), and where it stands."""

    value: float
    unit: str | None
    index: int  # token index of the number itself
    definite: bool = False  # "the seven", "both": a known group named, not a count stated

    def same_value(self, other: Quantity) -> bool:
        """True when the two values agree to within rounding (1%)."""
        if self.value == other.value:
            return True
        larger = max(abs(self.value), abs(other.value))
        return larger > 0 and abs(self.value - other.value) / larger <= 0.01


@lru_cache(maxsize=65536)
def parse_number(word: str) -> float | None:
    """The value of one token written in digits ("7,200", "76.8", "3.5%") or words ("seven")."""
    lowered = word.lower()
    words, ordinals = number_words(), ordinal_words()
    if lowered in words:
        return float(words[lowered])
    if lowered in ordinals:  # "the third joint drill"
        return float(ordinals[lowered])
    if "-" in lowered:  # "thirty-five"
        tens, _, units = lowered.partition("-")
        if tens in words and units in words and words[units] < 10:
            return float(words[tens] + words[units])
    ordinal = _ORDINAL.match(lowered)
    if ordinal:  # "the 70th anniversary"
        return float(ordinal.group(1))
    if _DIGITS.match(word):
        try:
            return float(word.rstrip("%").replace(",", ""))
        except ValueError:
            return None
    return None


def is_year(value: float, word: str, previous: str | None, following: str | None) -> bool:
    """A four-digit number between 1900 and 2100 used as a date, not a count."""
    if not (1900 <= value <= 2100 and word.isdigit() and len(word) == 4):
        return False
    if previous is not None and (previous in months() or previous in year_context()):
        return True
    # "2,000 troops" is written with a comma; a bare 2022 followed by a noun is still a year
    # in news prose ("the 2022 invasion"), so only currency makes it a count.
    return previous not in currency_words()


def _can_be_noun(word: str) -> bool:
    """A unit is a noun: "seven voted against" counts nothing called "vote"."""
    forms = readings(word)
    return not forms or "NOUN" in forms


def _describes(word: str) -> bool:
    """ "third joint naval drill": "joint" and "naval" describe; "drill" is what is counted."""
    return "ADJ" in readings(word)


def find_numbers(
    lowers: Sequence[str], lemmas: Sequence[str], content: Sequence[bool]
) -> tuple[list[Quantity], set[int]]:
    """Quantities and years in a token sequence.

    ``lowers`` are lower-cased tokens, ``lemmas`` their lemmas, ``content[i]`` whether token
    ``i`` is a content word (a candidate unit). Returns the quantities and the set of years.
    """
    currencies, scales, units_of_time, filler_words = (
        currency_words(),
        scale_words(),
        time_units(),
        fillers(),
    )
    quantities: list[Quantity] = []
    years: set[int] = set()
    n = len(lowers)
    i = 0
    while i < n:
        word = lowers[i]
        value = parse_number(word)
        if value is None:
            i += 1
            continue
        previous = lowers[i - 1] if i > 0 else None
        following = lowers[i + 1] if i + 1 < n else None
        if is_year(value, word, previous, following):
            years.add(int(value))
            i += 1
            continue
        start = i
        unit: str | None = None
        if previous in currencies:
            unit = currencies[previous]
        j = i + 1
        # Scale words multiply: "76.8 billion", "67,000 million".
        while j < n and lowers[j] in scales:
            value *= scales[lowers[j]]
            j += 1
        if j < n and lowers[j] == "-":  # "12-point plan"
            j += 1
        if unit is None:
            # The counted noun: the first content word within three tokens that is no filler.
            for k in range(j, min(j + 4, n)):
                if lowers[k] in currencies:
                    unit = currencies[lowers[k]]
                    break
                if lowers[k] in units_of_time:  # "five more years": a unit, though a stop word
                    unit = units_of_time[lowers[k]]
                    break
                if lowers[k] in filler_words or not content[k] or _describes(lowers[k]):
                    continue
                if parse_number(lowers[k]) is None and _can_be_noun(lowers[k]):
                    unit = lemmas[k]
                break
        definite = previous in ("the", "these", "those", "both", "all")
        quantities.append(Quantity(value, unit, start, definite))
        i = j
    return quantities, years
