"""Lexicon: the word knowledge the rule-based stance analyzer reasons with.

Everything here is general English of news reporting, never a sentence from a known claim:
synonym classes for the predicates news claims turn on (supplying, voting, condemning…), the
antonym pairs between those classes, and the cue words for negation, hedging, attribution
and denial. The words live in ``language/data/lexicon.toml`` (a comment per group says what
each is for); this module reads them once, on first use, into the frozensets, tuples and dicts
the analysis looks words up in. Words are written in their ordinary form:
:mod:`factcheck.language.text_analysis` passes them through the same lemmatiser as claims and
passages, so a class matches any inflection.
"""

from __future__ import annotations

from functools import cache
from typing import Any, NamedTuple

from factcheck.language.data_files import read_data


def _data() -> dict[str, Any]:
    return read_data("lexicon")


@cache
def stop_words() -> frozenset[str]:
    """Function words that carry no content for alignment (negation words are not among them)."""
    return frozenset(_data()["stop_words"])


@cache
def negation_cues() -> frozenset[str]:
    """Words that negate the predicate they precede, within a short window."""
    return frozenset(_data()["negation_cues"])


@cache
def hedge_cues() -> frozenset[str]:
    """Words that make what follows reported or possible rather than asserted."""
    return frozenset(_data()["hedge_cues"])


@cache
def accusation_cues() -> frozenset[str]:
    """Words that put an assertion in someone else's mouth as a charge."""
    return frozenset(_data()["accusation_cues"])


@cache
def attribution_cues() -> frozenset[str]:
    """Lemmas that attribute what is said to someone other than the writer."""
    return frozenset(_data()["attribution_cues"])


@cache
def denial_cues() -> frozenset[str]:
    """Words that deny or dismiss what was said."""
    return frozenset(_data()["denial_cues"])


@cache
def anaphoric_objects() -> frozenset[str]:
    """What a denial points back at ("denied the accusation")."""
    return frozenset(_data()["anaphoric_objects"])


@cache
def quantifiers() -> frozenset[str]:
    """Words that make a subject a group of unnamed members ("several countries")."""
    return frozenset(_data()["quantifiers"])


@cache
def recurring_acts() -> frozenset[str]:
    """Acts that recur: another date is another occasion, not a contradiction."""
    return frozenset(_data()["recurring_acts"])


@cache
def negating_prefixes() -> tuple[str, ...]:
    """Prefixes that turn an adjective into its opposite, in the order they are tried."""
    return tuple(_data()["negating_prefixes"])


@cache
def antonym_pairs() -> tuple[tuple[str, str], ...]:
    """Pairs of classes (or single lemmas) that cannot both be true of one subject and object."""
    return tuple((left, right) for left, right in _data()["antonym_pairs"])


@cache
def vote_prepositions() -> dict[str, str]:
    """Phrase after "vote" -> the concept of the vote's direction, in the order they are tried."""
    return dict(_data()["vote_prepositions"])


@cache
def vote_against_words() -> frozenset[str]:
    """Words near "vote" that make it a vote against without a preposition ("in opposition")."""
    return frozenset(_data()["vote_against_words"])


class PhrasalVerb(NamedTuple):
    """A verb whose particle changes what it asserts ("back down", "give up")."""

    particles: frozenset[str]  # the words after the verb that make it phrasal
    concepts: frozenset[str]  # what it then expresses, instead of its own concepts


@cache
def phrasal_verbs() -> dict[str, PhrasalVerb]:
    """Verb lemma -> its particles and the concepts it expresses with one of them."""
    return {
        verb: PhrasalVerb(frozenset(entry["particles"]), frozenset(entry["concepts"]))
        for verb, entry in _data()["phrasal_verbs"].items()
    }


@cache
def synonym_classes() -> dict[str, tuple[str, ...]]:
    """Class name -> the words that assert that predicate."""
    return {name: tuple(words) for name, words in _data()["synonym_classes"].items()}
