"""Grammar: the function words text and claim analysis read a sentence's structure from.

Not meanings (the lexicon holds those) but the words that end a clause, introduce a verb or
point back to a subject named before. They live in ``language/data/grammar.toml``, a comment
per group; this module reads them once, on first use.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from factcheck.language.data_files import read_data


def _data() -> dict[str, Any]:
    return read_data("grammar")


@cache
def joined_prefixes() -> tuple[str, ...]:
    """Hyphenated prefixes joined to their word ("co-operation"), in the order they are tried."""
    return tuple(_data()["joined_prefixes"])


@cache
def clause_breaks() -> frozenset[str]:
    """Punctuation and conjunctions that end the scope of a negation or a hedge."""
    return frozenset(_data()["clause_breaks"])


@cache
def scope_breaks() -> frozenset[str]:
    """What ends a negation's scope: a clause break, or a preposition after the verb's object."""
    return clause_breaks() | frozenset(_data()["scope_prepositions"])


@cache
def never_names() -> frozenset[str]:
    """Capitalised words that are never names: weekdays and "I" (months are in numbers)."""
    return frozenset(_data()["never_names"])


@cache
def pronoun_openings() -> frozenset[str]:
    """Opening words that name a text's subject by pointing back ("Both…", "They…")."""
    return frozenset(_data()["pronoun_openings"])


@cache
def referring_nouns() -> frozenset[str]:
    """Nouns that point back to a subject named before ("both countries", "the regime")."""
    return frozenset(_data()["referring_nouns"])


@cache
def reporting_verbs() -> frozenset[str]:
    """Verbs that report what someone said; the reported verb is the claim's main verb."""
    return frozenset(_data()["reporting_verbs"])


@cache
def auxiliaries() -> frozenset[str]:
    """Auxiliary and modal verbs, which hand over to the verb they introduce."""
    return frozenset(_data()["auxiliaries"])


@cache
def prepositions() -> frozenset[str]:
    """Prepositions that, right after a participle, show it modifies the noun before it."""
    return frozenset(_data()["prepositions"])


@cache
def determiners() -> frozenset[str]:
    """Determiners before an -ing word that make it describe a noun ("the ruling party")."""
    return frozenset(_data()["determiners"])


@cache
def readiness_words() -> frozenset[str]:
    """Words between an auxiliary and "to" that hand over to the verb ("was ready to give")."""
    return frozenset(_data()["readiness_words"])
