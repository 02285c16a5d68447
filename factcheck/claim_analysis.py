"""Claim analysis: what a claim asserts, about whom, in the terms stance rules compare.

A claim is analysed like any text (:func:`factcheck.text_analysis.analyse`), then read for
its *subject*: the entities named before its main verb ("Iran" in "Iran supplied drones to
Russia"). Evidence must speak of the subject before it can support or refute anything; a
passage about Iran's drones says nothing about Vietnam's.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from lemminflect import getAllLemmas

from factcheck.numbers import Quantity
from factcheck.text_analysis import TextAnalysis, Token, analyse

_AUXILIARIES = frozenset(
    [
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "has",
        "have",
        "had",
        "do",
        "does",
        "did",
        "will",
        "would",
        "can",
        "could",
        "may",
        "might",
        "must",
        "shall",
        "should",
    ]
)


@dataclass(frozen=True)
class Claim:
    """A claim's analysis plus its subject and the quantities it states."""

    analysis: TextAnalysis
    subject: frozenset[str]  # entity keys named before the main verb
    verb_index: int | None  # token index of the main verb, if one was found
    quantities: tuple[Quantity, ...]  # with units read from "the number of X … was N"

    @property
    def text(self) -> str:
        return self.analysis.text

    @property
    def content_tokens(self) -> list[tuple[int, Token]]:
        """The content words the evidence must cover, with their indexes."""
        return [(i, t) for i, t in enumerate(self.analysis.tokens) if t.content]


def _is_verb(token: Token) -> bool:
    if token.lower in _AUXILIARIES:
        return True
    if token.capitalised or not token.text[:1].isalpha():
        return False
    readings = getAllLemmas(token.lower)
    return "VERB" in readings or token.lower.endswith("ed")


@lru_cache(maxsize=4096)
def analyse_claim(text: str) -> Claim:
    """Analyse a claim: its words, entities, numbers, negation and subject."""
    analysis = analyse(text.strip())
    verb_index = next((i for i, token in enumerate(analysis.tokens) if _is_verb(token)), None)
    limit = verb_index if verb_index is not None else 0
    subject = frozenset(e.key for e in analysis.entities if e.start < limit)
    return Claim(
        analysis=analysis,
        subject=subject,
        verb_index=verb_index,
        quantities=_with_counted_units(analysis),
    )


def _with_counted_units(analysis: TextAnalysis) -> tuple[Quantity, ...]:
    """Give a bare number the unit of "the number of X" ("the number of countries … was 34")."""
    lowers = [t.lower for t in analysis.tokens]
    counted = None
    for i in range(len(lowers) - 2):
        if lowers[i] in ("number", "total", "count") and lowers[i + 1] == "of":
            counted = analysis.tokens[i + 2].lemma
            break
    return tuple(
        Quantity(q.value, counted, q.index) if q.unit is None and counted else q
        for q in analysis.quantities
    )
