"""Entities: find the countries, organisations and people a text names, under any alias.

Matching works on tokens (see :mod:`factcheck.language.text_analysis`): the longest known alias wins
("North Korean" before "Korean"), every alias maps to one canonical key, and a capitalised run
that no alias explains becomes a *name* keyed by its last word ("Daniel Ortega" and "Ortega"
meet on "ortega"). A leader also stands, weakly, for the country they speak for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import pycountry

from factcheck.language import gazetteer

MAX_ALIAS_TOKENS = 5


@dataclass(frozen=True)
class Entity:
    """One mention: ``key`` is canonical; ``country`` is the country a leader stands for."""

    key: str
    kind: str  # "country", "organisation", "leader" or "name"
    start: int  # first token index
    end: int  # one past the last token index
    country: str | None = None


def alias_key(words: Sequence[str]) -> str:
    """The lookup form of an alias: lower case, apostrophes and dots dropped."""
    return " ".join(w.lower().replace(".", "").replace("’", "'") for w in words if w)


@lru_cache(maxsize=1)
def alias_table() -> dict[str, tuple[str, str, str | None]]:
    """Map every alias (lookup form) to ``(canonical key, kind, country)``, built once."""
    table: dict[str, tuple[str, str, str | None]] = {}
    country_aliases = gazetteer.country_aliases()
    leaders = gazetteer.leaders()

    def add(alias: str, key: str, kind: str, country: str | None = None) -> None:
        form = alias_key(alias.split())
        table.setdefault(form, (key, kind, country))

    for country in pycountry.countries:
        canonical = gazetteer.pycountry_names().get(country.alpha_2)
        names = [country.name, getattr(country, "common_name", None)]
        names.append(getattr(country, "official_name", None))
        if canonical is None:
            canonical = next((n for n in names if n in country_aliases), None)
        canonical = canonical or getattr(country, "common_name", None) or country.name
        for name in names:
            if name and "," not in name:
                add(name, canonical, "country")
        add(canonical, canonical, "country")
    for canonical, aliases in country_aliases.items():
        add(canonical, canonical, "country")
        for alias in aliases:
            add(alias, canonical, "country")
    for canonical, aliases in gazetteer.organisation_aliases().items():
        add(canonical, canonical, "organisation")
        for alias in aliases:
            add(alias, canonical, "organisation")
    surnames: dict[str, list[str]] = {}
    for leader, leader_country in leaders.items():
        add(leader, leader, "leader", leader_country)
        surnames.setdefault(leader.split()[-1], []).append(leader)
    for surname, namesakes in surnames.items():
        # A surname alone names a leader only when no other leader shares it.
        if len(namesakes) == 1 and len(surname) >= 4:
            add(surname, namesakes[0], "leader", leaders[namesakes[0]])
    for spelling, leader in gazetteer.leader_spellings().items():
        add(spelling, leader, "leader", leaders[leader])
    return table


@lru_cache(maxsize=1)
def alias_lengths() -> dict[str, int]:
    """Map the first word of every alias (lookup form) to the most words an alias starting
    with it has, so that a capitalised word is only tried at lengths an alias could have."""
    longest: dict[str, int] = {}
    for form in alias_table():
        words = form.split(" ")
        longest[words[0]] = max(longest.get(words[0], 0), len(words))
    return longest


def find_entities(
    words: Sequence[str],
    capitalised: Sequence[bool],
    dictionary_word: Sequence[bool],
    common_word: Sequence[bool] | None = None,
) -> list[Entity]:
    """Find entity mentions in a token sequence.

    ``words`` are the tokens as written; ``capitalised[i]`` says whether token ``i`` starts
    with a capital; ``dictionary_word[i]`` whether a capital there says nothing about names
    (a sentence-initial "However", a weekday or a month); ``common_word[i]`` whether it is an
    ordinary English word anywhere, so that a run of them ("Ministry of Defence") is read as
    words rather than a name.
    """
    table = alias_table()
    common_word = common_word if common_word is not None else [False] * len(words)
    found: list[Entity] = []
    i = 0
    while i < len(words):
        if not capitalised[i]:
            i += 1
            continue
        parts = _hyphenated_mentions(words[i], i, table)
        if parts:
            found += parts
            i += 1
            continue
        alias = _alias_mention(words, i, table)
        if alias:
            found.append(alias)
            i = alias.end
            continue
        last = _name_run_end(words, i, capitalised, dictionary_word, table)
        if last is None:
            i += 1
            continue
        # "Anniversary of Diplomatic Relations" is a title-case phrase: its words are
        # ordinary words and count as such. A name has a word no dictionary knows.
        if any(capitalised[k] and not common_word[k] for k in range(i, last + 1)):
            found.append(
                Entity(name_key(words[i : last + 1], common_word[last]), "name", i, last + 1)
            )
        i = last + 1
    return found


def _hyphenated_mentions(word: str, index: int, table: dict) -> list[Entity]:
    """ "China-Russia relations", "Sino-Russian treaty": each part a mention, if all are aliases."""
    parts = word.split("-")
    if len(parts) < 2 or not all(alias_key([part]) in table for part in parts):
        return []
    mentions = []
    for part in parts:
        key, kind, country = table[alias_key([part])]
        mentions.append(Entity(key, kind, index, index + 1, country))
    return mentions


def _alias_mention(words: Sequence[str], start: int, table: dict) -> Entity | None:
    """The longest known alias that begins at ``start``, as a mention."""
    longest = min(alias_lengths().get(alias_key(words[start : start + 1]), 0), MAX_ALIAS_TOKENS)
    for length in range(min(longest, len(words) - start), 0, -1):
        form = alias_key(words[start : start + length])
        if form in table:
            key, kind, country = table[form]
            return Entity(key, kind, start, start + length, country)
    return None


def _name_run_end(
    words: Sequence[str],
    start: int,
    capitalised: Sequence[bool],
    dictionary_word: Sequence[bool],
    table: dict,
) -> int | None:
    """The last token of the capitalised run from ``start`` that no alias explains, or None.

    Titles and dictionary capitals are not part of it; connectors ("bin", "von") join two of
    its words; a known alias after its first word ends it.
    """
    title_words, name_connectors = gazetteer.title_words(), gazetteer.name_connectors()
    last = None
    for j in range(start, len(words)):
        word = words[j].lower()
        if capitalised[j] and not dictionary_word[j] and word not in title_words:
            if j > start and _alias_at(words, j, table):
                break
            last = j
        elif not (
            word in name_connectors
            and last is not None
            and j + 1 < len(words)
            and capitalised[j + 1]
        ):
            break
    return last


def name_key(words: Sequence[str], last_is_common: bool) -> str:
    """The key of an unknown name: a person's surname ("Daniel Ortega" and "Ortega" meet), or
    the whole name when it ends in an ordinary word ("Pacific Ocean" is not "Indian Ocean")."""
    if last_is_common and len(words) > 1:
        return " ".join(w.lower().replace("’", "'") for w in words if w[:1].isupper())
    return words[-1].lower().replace("’", "'")


def _alias_at(words: Sequence[str], start: int, table: dict) -> bool:
    """True when a known alias begins at ``start``."""
    longest = min(alias_lengths().get(alias_key(words[start : start + 1]), 0), MAX_ALIAS_TOKENS)
    return any(
        alias_key(words[start : start + length]) in table
        for length in range(1, min(longest, len(words) - start) + 1)
    )


@lru_cache(maxsize=2)
def _forms_by_key(with_leaders: bool) -> dict[str, tuple[str, ...]]:
    """Key -> every lookup form that names it; with ``with_leaders``, a country's leaders too."""
    grouped: dict[str, set[str]] = {}
    for alias, (key, _kind, country) in alias_table().items():
        grouped.setdefault(key, set()).add(alias)
        if with_leaders and country:
            grouped.setdefault(country, set()).add(alias)
    return {key: tuple(sorted(forms)) for key, forms in grouped.items()}


def aliases_of(key: str) -> tuple[str, ...]:
    """Every lookup form that names ``key`` (for a name entity, the key itself)."""
    return _forms_by_key(False).get(key, (key,))


def mention_forms(key: str) -> tuple[str, ...]:
    """The forms (as :func:`alias_key` writes them) any mention of ``key`` takes, a country's
    leaders included."""
    return _forms_by_key(True).get(key, (key,))


def lookup_text(text: str) -> str:
    """Text in the form aliases are looked up in: lower case, no dots, plain apostrophes."""
    return " ".join(text.lower().replace(".", "").replace("’", "'").split())
