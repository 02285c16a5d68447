"""Claim analysis: what a claim asserts, about whom, in the terms stance rules compare.

A claim is analysed like any text (:func:`factcheck.language.text_analysis.analyse`), then read for
its *subject*: the entities named before its main verb ("Iran" in "Iran supplied drones to
Russia"). Evidence must speak of the subject before it can support or refute anything; a
passage about Iran's drones says nothing about Vietnam's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from factcheck.language import grammar, lexicon
from factcheck.language.numbers import Quantity, parse_number
from factcheck.language.text_analysis import TextAnalysis, Token, analyse
from factcheck.language.word_readings import readings


@dataclass(frozen=True)
class Claim:
    """A claim's analysis plus its subject and the quantities it states."""

    analysis: TextAnalysis
    subject: frozenset[str]  # entity keys named before the main verb
    verb_index: int | None  # token index of the main verb, if one was found
    quantities: tuple[Quantity, ...]  # with units read from "the number of X … was N"
    # The claim's sentence vector when dense retrieval computed one (a float32 array), so the
    # ``meaning`` analyzer need not encode the claim again; not part of the claim's identity.
    vector: Any = field(default=None, compare=False, repr=False)

    @property
    def text(self) -> str:
        return self.analysis.text

    @property
    def content_tokens(self) -> list[tuple[int, Token]]:
        """The content words the evidence must cover, with their indexes."""
        return [(i, t) for i, t in enumerate(self.analysis.tokens) if t.content]

    @property
    def may_lean(self) -> bool:
        """Whether partial coverage may tip this claim towards "supported".

        Only a general claim may: one about a named actor (a country, a leader, a body) or one
        that states a figure is either said by the sources or not. "Arctic sea ice…" names a
        place, not an actor.
        """
        actors = {
            e.key for e in self.analysis.entities if e.kind != "name" and e.key in self.subject
        }
        return not actors and not self.quantities


def verb_strength(token: Token) -> int:
    """2: surely a verb ("supplied", "met", "were"); 1: could be one ("minister"); 0: not."""
    if token.lower in grammar.auxiliaries():
        # "in May" is a month, not a modal.
        return 0 if token.capitalised and token.lower == "may" and token.start > 0 else 2
    if token.capitalised or not token.text[:1].isalpha():
        return 0
    forms = readings(token.lower)
    if "VERB" not in forms:
        return 0
    if "NOUN" not in forms:
        return 2  # "supplied", "sold", "met"
    # "troops" and "lies" are plurals as often as verbs; "backed" or "taken" are not.
    if token.lower.endswith(("ed", "en")) and token.lower != forms["NOUN"][0]:
        return 2
    return 1


def _main_verb(tokens: tuple[Token, ...]) -> int | None:
    """The claim's main verb.

    The first sure verb wins over an earlier word that is only possibly one ("the foreign
    minister welcomed"); an auxiliary hands over to the verb it introduces ("were withdrawn");
    a participle that only modifies a noun ("troops sent to Belarus … were withdrawn") gives
    way to a later auxiliary's verb; a reporting verb ("said Russia would stay") hands over to
    the verb of what was reported.
    """
    auxiliaries, determiners = grammar.auxiliaries(), grammar.determiners()
    strengths = [verb_strength(t) for t in tokens]
    for i in range(1, len(tokens)):
        if tokens[i].lower.endswith("ing") and tokens[i - 1].lower in determiners:
            strengths[i] = 0  # "the fishing pact", "the ruling party": describes a noun
    sure = [i for i, s in enumerate(strengths) if s == 2]
    candidates = sure or [i for i, s in enumerate(strengths) if s == 1]
    if not candidates:
        return None
    first = candidates[0]
    later_auxiliary = next(
        (
            i
            for i in candidates[1:]
            if tokens[i].lower in auxiliaries
            and any(strengths[k] for k in range(i + 1, min(i + 3, len(tokens))))
        ),
        None,
    )
    if (
        later_auxiliary is not None
        and tokens[first].lower.endswith(("ed", "en", "t"))
        and first > 0
        and tokens[first - 1].content
        and first + 1 < len(tokens)
        and tokens[first + 1].lower in grammar.prepositions()
    ):
        # A participle right after a noun and before a preposition modifies the noun.
        first = later_auxiliary
    first = _past_auxiliary(tokens, strengths, first)
    if tokens[first].lemma in grammar.reporting_verbs():
        after = [i for i in candidates if i > first]
        if after:
            first = _past_auxiliary(tokens, strengths, after[0])
    return first


def _past_auxiliary(tokens: tuple[Token, ...], strengths: list[int], index: int) -> int:
    """The verb an auxiliary at ``index`` introduces, or ``index`` itself.

    "was ready to give up" is about giving up: readiness words hand over to their verb.
    """
    if tokens[index].lower not in grammar.auxiliaries():
        return index
    readiness_words = grammar.readiness_words()
    for i in range(index + 1, min(index + 4, len(tokens))):
        if (
            tokens[i].lower in readiness_words
            and i + 2 < len(tokens)
            and tokens[i + 1].lower == "to"
        ):
            return i + 2
        if tokens[i].content and strengths[i]:
            return i
    return index


@lru_cache(maxsize=4096)
def analyse_claim(text: str) -> Claim:
    """Analyse a claim: its words, entities, numbers, negation and subject."""
    analysis = analyse(text.strip())
    verb_index = _main_verb(analysis.tokens)
    limit = verb_index if verb_index is not None else 0
    attribution = _attribution_span(analysis)
    subject = frozenset(
        e.key for e in analysis.entities if e.start < limit and e.start not in attribution
    )
    if _opens_with_count(analysis):
        subject = frozenset()  # "Thirty-two UN members abstained": the subject is a count
    return Claim(
        analysis=analysis,
        subject=subject,
        verb_index=verb_index,
        quantities=_with_counted_units(analysis),
    )


def _attribution_span(analysis: TextAnalysis) -> range:
    """Token indexes of an opening "According to X," or "X says" is not the subject."""
    lowers = [t.lower for t in analysis.tokens]
    if len(lowers) > 2 and lowers[0] == "according" and lowers[1] == "to":
        end = lowers.index(",") if "," in lowers else 2
        return range(0, end + 1)
    return range(0)


def _opens_with_count(analysis: TextAnalysis) -> bool:
    """Whether the claim opens with a count or quantifier ("Seven countries", "Several …")."""
    opening = [t for t in analysis.tokens[:3] if t.lower not in ("the", "only", "about", "some")]
    if not opening:
        return False
    first = opening[0]
    index = analysis.tokens.index(first)
    if index + 1 < len(analysis.tokens) and analysis.tokens[index + 1].text == "-":
        return False  # "The 20-year treaty": a compound adjective, not a count
    return parse_number(first.lower) is not None or first.lower in lexicon.quantifiers()


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
