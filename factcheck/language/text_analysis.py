"""Text analysis: one pass over a claim or a passage that the stance rules read from.

A text becomes tokens (with character offsets, for highlighting), each with a lemma and the
*concepts* it expresses (its lemma and any synonym class of :mod:`factcheck.language.lexicon`), plus
the entities, quantities and years it names and the cues that change what it asserts:
negation (with its scope), hedging, attribution, accusation and denial. Negation is read
from the raw words, never from index tokens, because "not" is a stop word to Whoosh.

The analysis is pure and cached: the same passage text is analysed once per process.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from typing import NamedTuple

from lemminflect import getLemma

from factcheck.language import grammar, lexicon, numbers
from factcheck.language.entities import Entity, find_entities
from factcheck.language.numbers import Quantity, find_numbers, parse_number
from factcheck.language.word_readings import readings

_TOKEN = re.compile(
    r"""
    (?P<currency>US\$|[$€£])
    |(?P<number>\d+(?:st|nd|rd|th)\b|\d+(?:,\d{3})+(?:\.\d+)?%?|\d+(?:\.\d+)?%?)
    |(?P<abbreviation>(?:[A-Za-z]\.){2,})
    |(?P<word>[^\W\d_]+(?:[-'’][^\W\d_]+)*)
    |(?P<punct>[^\s\w])
    """,
    re.VERBOSE,
)
_POSSESSIVE = re.compile(r"['’]s$", re.IGNORECASE)
NEGATION_SCOPE = 6  # tokens after a cue that it can negate


@cache
def _not_names() -> frozenset[str]:
    """Capitalised words that are never names: months, weekdays and "I"."""
    return frozenset([*numbers.months(), *grammar.never_names()])


class Token(NamedTuple):
    """One token: as written, its offsets in the text, its lemma and its concepts.

    A named tuple rather than a dataclass: a passage makes dozens and a check analyses
    dozens of passages, and a tuple is built several times faster.
    """

    text: str
    start: int
    end: int
    lower: str
    lemma: str
    concepts: frozenset[str]
    content: bool  # a content word (not a stop word, not punctuation)
    capitalised: bool


@dataclass(frozen=True)
class TextAnalysis:
    """What a claim or passage says, in the terms the stance rules compare."""

    text: str
    tokens: tuple[Token, ...]
    entities: tuple[Entity, ...]
    quantities: tuple[Quantity, ...]
    years: frozenset[int]
    months: frozenset[int]  # months named (1-12), for dates such as "24 February"
    negated: frozenset[int]  # indexes of tokens inside a negation's scope
    hedged: frozenset[int]  # indexes of tokens inside a hedge's scope
    attributed: bool  # "according to", "reportedly", "accused": not the writer's assertion
    accusation: bool
    denial: bool
    denial_of_previous: bool  # "denied the accusation": the denied content came before
    anaphoric_start: bool  # names its subject by pointing back ("Both…", "the two countries")
    group_reference: bool  # names countries by pointing back: "the countries", "both nations"

    @cached_property
    def entity_keys(self) -> frozenset[str]:
        """Canonical keys of every entity named, leaders' countries included."""
        keys = {e.key for e in self.entities}
        keys.update(e.country for e in self.entities if e.country)
        return frozenset(keys)

    @cached_property
    def concept_positions(self) -> dict[str, tuple[int, ...]]:
        """Concept -> indexes of the content tokens that express it, in order."""
        positions: dict[str, list[int]] = {}
        for index, token in enumerate(self.tokens):
            if token.content:
                for concept in token.concepts:
                    positions.setdefault(concept, []).append(index)
        return {concept: tuple(found) for concept, found in positions.items()}

    @cached_property
    def concepts(self) -> frozenset[str]:
        """Every concept any content token expresses."""
        found: set[str] = set()
        for token in self.tokens:
            if token.content:
                found |= token.concepts
        return frozenset(found)


def normalise(text: str) -> str:
    """Unicode NFC with typographic quotes and dashes made plain."""
    text = unicodedata.normalize("NFC", text)
    return (
        text.replace("’", "'")
        .replace("‘", "'")
        .replace("“", '"')
        .replace("”", '"')
        .replace("–", "-")
        .replace("—", "-")
    )


@lru_cache(maxsize=65536)
def lemma_of(word: str) -> str:
    """The lemma of a lower-case word: verb reading first, then noun, adjective, itself.

    British -ise spellings are read as -ize when the -ize form is a known word, so that
    "organised" and "organizing" meet; hyphenated prefixes are joined ("co-operation").
    """
    for prefix in grammar.joined_prefixes():
        if word.startswith(prefix):
            word = prefix[:-1] + word[len(prefix) :]
            break
    if "is" in word:
        american = re.sub(r"is(e|ed|es|ing|ation|ations)$", r"iz\1", word)
        if american != word and readings(american):
            word = american
    lemmas = readings(word)
    if not lemmas and word.isalpha():
        # An unknown word still has a regular plural or past ("airstrikes", "offshored").
        return getLemma(word, upos="NOUN" if word.endswith("s") else "VERB")[0]
    if word.endswith("ly") and set(lemmas) <= {"ADV"}:
        # "fully" meets "full", "openly" meets "open".
        for stem in (word[:-2], word[:-1], word[:-3] + "y", word[:-1] + "e"):
            if "ADJ" in readings(stem):
                return stem
    for pos in ("VERB", "NOUN", "ADJ", "ADV", "PROPN"):
        if pos in lemmas:
            return lemmas[pos][0]
    return word


@lru_cache(maxsize=1)
def _concept_index() -> dict[str, frozenset[str]]:
    """Lemma -> synonym classes it belongs to, from the lexicon, built once."""
    index: dict[str, set[str]] = {}
    for name, words in lexicon.synonym_classes().items():
        for word in words:
            index.setdefault(lemma_of(word.lower()), set()).add(name)
    return {k: frozenset(v) for k, v in index.items()}


@lru_cache(maxsize=1)
def antonyms() -> dict[str, frozenset[str]]:
    """Concept -> the concepts that contradict it (symmetric)."""
    pairs: dict[str, set[str]] = {}
    classes = lexicon.synonym_classes()
    for left, right in lexicon.antonym_pairs():
        left_key = left if left in classes else lemma_of(left)
        right_key = right if right in classes else lemma_of(right)
        pairs.setdefault(left_key, set()).add(right_key)
        pairs.setdefault(right_key, set()).add(left_key)
    return {k: frozenset(v) for k, v in pairs.items()}


@lru_cache(maxsize=1)
def _stop_lemmas() -> frozenset[str]:
    stop_words = lexicon.stop_words()
    return frozenset(stop_words | {lemma_of(w) for w in stop_words})


def _is_dictionary_word(lower: str) -> bool:
    return bool(readings(lower)) and lower not in ("will",)


def _tokenise(text: str) -> list[tuple[str, int, int]]:
    pieces: list[tuple[str, int, int]] = []
    for match in _TOKEN.finditer(text):
        word, start, end = match.group(), match.start(), match.end()
        if match.lastgroup == "word":
            possessive = _POSSESSIVE.search(word)
            if possessive and len(word) > 2:
                pieces.append((word[: possessive.start()], start, start + possessive.start()))
                pieces.append(("'s", start + possessive.start(), end))
                continue
        pieces.append((word, start, end))
    return pieces


NOT = "not:"  # prefix of a concept negated by its word's own prefix ("unjustified")


@lru_cache(maxsize=65536)
def _concepts_for(lower: str, lemma: str) -> frozenset[str]:
    classes = _concept_index().get(lemma, frozenset())
    negated = _negated_adjective(lower)
    extra = {NOT + negated} if negated else set()
    if "-" in lower:
        extra.add(lower.replace("-", ""))  # "full-scale" meets "full scale" and "fullscale"
    return frozenset({lemma, *classes, *extra})


@lru_cache(maxsize=65536)
def _negated_adjective(lower: str) -> str | None:
    """The lemma an adjective negates by prefix: "unjustified" -> "justify", "illegal" -> "legal".

    Only adjectives whose remainder is itself an adjective count, so "impose" or "display"
    are never read as negations.
    """
    if "ADJ" not in readings(lower) and not lower.startswith("non-"):
        return None
    for prefix in lexicon.negating_prefixes():
        rest = lower[len(prefix) :].lstrip("-")
        if lower.startswith(prefix) and len(rest) > 3 and "ADJ" in readings(rest):
            return lemma_of(rest)
    return None


def opposites(concept: str) -> frozenset[str]:
    """The concepts that contradict ``concept``: lexicon antonyms and prefix negations."""
    if concept.startswith(NOT):
        return frozenset({concept[len(NOT) :]})
    return antonyms().get(concept, frozenset()) | {NOT + concept}


def _merge_phrasal_verbs(lowers: list[str], concepts: list[frozenset[str]]) -> None:
    """A verb and its particle assert something else: "backed down" is not support.

    "call for" is a demand, not a naming: "called for an end" never means "called it".
    """
    phrasal_verbs = lexicon.phrasal_verbs()
    for i, lower in enumerate(lowers[:-1]):
        if lower.startswith("call") and lowers[i + 1] == "for":
            concepts[i] = frozenset({"call_for"})
            continue
        verb = phrasal_verbs.get(lemma_of(lower))
        if verb is not None and lowers[i + 1] in verb.particles:
            concepts[i] = verb.concepts


def _merge_votes(lowers: list[str], concepts: list[frozenset[str]]) -> None:
    """Give "voted against" / "voted for" / "in favour" the concept of the vote's direction."""
    against_words = lexicon.vote_against_words()
    for i, lower in enumerate(lowers):
        if lemma_of(lower) != "vote":
            continue
        window = " ".join(lowers[i + 1 : i + 4])
        direction = None
        for phrase, concept in lexicon.vote_prepositions().items():
            if window.startswith(phrase) or window.startswith(f"{phrase} "):
                direction = concept
                break
        if direction is None and any(w in against_words for w in lowers[max(0, i - 3) : i + 6]):
            direction = "vote_against"
        if direction:
            concepts[i] = concepts[i] | {direction}


def _negation_scope(lowers: list[str], lemmas: list[str]) -> set[int]:
    negation_cues, scope_breaks = lexicon.negation_cues(), grammar.scope_breaks()
    negated: set[int] = set()
    for i, lower in enumerate(lowers):
        lemma = lemmas[i]
        cue = lower in negation_cues or lower.endswith("n't")
        if lower == "yet":
            cue = i + 1 < len(lowers) and lowers[i + 1] == "to"
        elif lemma in ("refuse", "decline", "fail"):
            # "refused to call", "failed to stop"; but "the war was failing" negates nothing.
            cue = i + 1 < len(lowers) and lowers[i + 1] == "to"
        elif lower == "no" and i + 1 < len(lowers) and lowers[i + 1] == "longer":
            cue = True
        elif lower == "not" and i + 1 < len(lowers) and lowers[i + 1] in ("only", "just"):
            cue = False  # "not only … but also" affirms
        if not cue:
            continue
        for j in range(i + 1, min(i + 1 + NEGATION_SCOPE, len(lowers))):
            if lowers[j] in scope_breaks and lowers[j] != "and":
                break
            negated.add(j)
    # "neither X nor Y": both X and Y are negated.
    return negated


def _hedge_scope(lowers: list[str], lemmas: list[str]) -> set[int]:
    hedge_cues = lexicon.hedge_cues()
    hedged: set[int] = set()
    for i, lower in enumerate(lowers):
        if lower in hedge_cues or lemmas[i] in hedge_cues:
            for j in range(i + 1, min(i + 10, len(lowers))):
                if lowers[j] in (";", ".", "but", "although", "however"):
                    break
                hedged.add(j)
    return hedged


def _refers_back(lowers: list[str]) -> bool:
    """Whether the text names its subject only by pointing back ("Both…", "the two countries")."""
    if lowers and lowers[0] in grammar.pronoun_openings():
        return True
    referring_nouns = grammar.referring_nouns()
    for i in range(len(lowers) - 2):
        first, second, third = lowers[i], lowers[i + 1], lowers[i + 2]
        # "both countries", "two nations", "the regime" (but not "the regime of X")
        if (
            first in ("both", "the", "two")
            and second in referring_nouns
            and (first != "the" or third != "of")
        ):
            return True
        # "the two leaders", "the former Soviet nation"
        if (
            first == "the"
            and second in ("two", "former")
            and (third in referring_nouns or third == "soviet")
        ):
            return True
    return False


def _refers_to_group(lowers: list[str]) -> bool:
    """Whether the text names countries by pointing back: "the countries", "both nations"."""
    return any(
        lowers[i] in ("the", "both", "two") and lowers[i + 1] in ("countries", "nations")
        for i in range(len(lowers) - 1)
    )


class _Words(NamedTuple):
    """A text's tokens as parallel lists: the form each step of :func:`analyse` reads."""

    pieces: list[tuple[str, int, int]]  # (as written, start, end)
    words: list[str]
    lowers: list[str]
    lemmas: list[str]
    capitalised: list[bool]
    sentence_start: list[bool]


@lru_cache(maxsize=32768)
def analyse(text: str) -> TextAnalysis:
    """Analyse one claim or passage. Pure and cached by text."""
    clean = normalise(text)
    words = _read_words(clean)
    lowers, lemmas = words.lowers, words.lemmas
    entities = _find_entities(words)
    content = _content_flags(words, entities)
    concepts = _token_concepts(words, content)
    content = _without_count_nouns(lowers, content)
    quantities, years = find_numbers(lowers, lemmas, content)
    lemma_set = set(lemmas)
    denial = bool(lemma_set & lexicon.denial_cues())
    return TextAnalysis(
        text=clean,
        months=_months_named(words),
        tokens=_tokens(words, concepts, content, _number_positions(lowers, quantities, years)),
        entities=tuple(entities),
        quantities=tuple(quantities),
        years=frozenset(years),
        negated=frozenset(_negation_scope(lowers, lemmas)),
        hedged=frozenset(_hedge_scope(lowers, lemmas)),
        attributed=_is_attributed(lowers, lemma_set),
        accusation=bool(lemma_set & _accusation_lemmas()),
        denial=denial,
        denial_of_previous=denial and _denies_what_came_before(lowers, lemmas),
        anaphoric_start=_refers_back(lowers),
        group_reference=_refers_to_group(lowers),
    )


def _read_words(clean: str) -> _Words:
    """Tokens of normalised text, with their lower case, lemmas and capitals."""
    pieces = _tokenise(clean)
    words = [p[0] for p in pieces]
    lowers = [w.lower() for w in words]
    return _Words(
        pieces=pieces,
        words=words,
        lowers=lowers,
        lemmas=[lemma_of(w) if w[0].isalpha() else w for w in lowers],
        capitalised=[w[:1].isupper() for w in words],
        sentence_start=[
            i == 0 or words[i - 1] in (".", "?", "!", '"', ":") for i in range(len(words))
        ],
    )


def _find_entities(words: _Words) -> list[Entity]:
    """The entities named, telling the finder which capitals say nothing about names."""
    lowers, capitalised, sentence_start = words.lowers, words.capitalised, words.sentence_start
    stop, not_names = _stop_lemmas(), _not_names()
    # A sentence-initial capital says nothing about names: judge that word by the dictionary.
    dictionary = [
        lowers[i] in not_names
        or lowers[i] in stop
        or parse_number(lowers[i]) is not None
        or (capitalised[i] and sentence_start[i] and _is_dictionary_word(lowers[i]))
        for i in range(len(lowers))
    ]
    common = [bool(readings(lower)) for lower in lowers]
    return find_entities(words.words, capitalised, dictionary, common)


def _content_flags(words: _Words, entities: list[Entity]) -> list[bool]:
    """Whether each token is a content word: no stop word, cue, scale word or part of a name."""
    lowers, lemmas = words.lowers, words.lemmas
    stop, not_names = _stop_lemmas(), _not_names()
    negation_cues, scale_words = lexicon.negation_cues(), numbers.scale_words()
    in_entity: set[int] = set()
    for entity in entities:
        in_entity.update(range(entity.start, entity.end))
    return [
        (
            w[0].isalnum()
            and lemmas[i] not in stop
            and lowers[i] not in stop
            and lowers[i] not in negation_cues
            and lowers[i] not in not_names
            and lowers[i] not in scale_words
            and not lowers[i].endswith("n't")
            and i not in in_entity
        )
        for i, w in enumerate(words.words)
    ]


def _token_concepts(words: _Words, content: list[bool]) -> list[frozenset[str]]:
    """Each token's concepts, with compounds, vote directions and phrasal verbs read in."""
    lowers, lemmas, text = words.lowers, words.lemmas, words.words
    concepts = [_concepts_for(lowers[i], lemmas[i]) for i in range(len(lowers))]
    for i in range(1, len(lowers)):
        if content[i] and text[i - 1].isalpha() and text[i].isalpha():
            # "air strikes" meets "airstrikes", "cease fire" meets "ceasefire".
            concepts[i] = concepts[i] | {lowers[i - 1] + lemmas[i]}
    _merge_votes(lowers, concepts)
    _merge_phrasal_verbs(lowers, concepts)
    return concepts


def _without_count_nouns(lowers: list[str], content: list[bool]) -> list[bool]:
    """``content`` with "number of" / "total of" left out: a quantifier, not a topic.

    Applied after the concepts are read, which still see those words as content.
    """
    content = list(content)
    for i in range(len(lowers) - 1):
        if lowers[i] in ("number", "total") and lowers[i + 1] == "of":
            content[i] = False  # "a number of officials"
    return content


def _number_positions(lowers: list[str], quantities: list[Quantity], years: set[int]) -> set[int]:
    """Indexes of the tokens that state a quantity or a year (not content words)."""
    positions = {q.index for q in quantities}
    for i, w in enumerate(lowers):
        if w.isdigit() and len(w) == 4 and int(w) in years:
            positions.add(i)
    return positions


def _tokens(
    words: _Words,
    concepts: list[frozenset[str]],
    content: list[bool],
    number_positions: set[int],
) -> tuple[Token, ...]:
    """The analysed tokens."""
    pieces, lowers, lemmas, capitalised = (
        words.pieces,
        words.lowers,
        words.lemmas,
        words.capitalised,
    )
    return tuple(
        Token(
            text=words.words[i],
            start=pieces[i][1],
            end=pieces[i][2],
            lower=lowers[i],
            lemma=lemmas[i],
            concepts=concepts[i],
            content=content[i] and i not in number_positions,
            capitalised=capitalised[i],
        )
        for i in range(len(lowers))
    )


def _is_attributed(lowers: list[str], lemma_set: set[str]) -> bool:
    """Whether the text puts what it says in someone else's mouth ("according to", "reportedly")."""
    if "according" in lowers and "to" in lowers:
        return True
    return bool(lemma_set & lexicon.attribution_cues())


@cache
def _accusation_lemmas() -> frozenset[str]:
    return frozenset(lemma_of(w) for w in lexicon.accusation_cues())


def _denies_what_came_before(lowers: list[str], lemmas: list[str]) -> bool:
    """Whether a denial points back at what was said before it ("denied the accusation")."""
    denial_cues, anaphoric_objects = lexicon.denial_cues(), lexicon.anaphoric_objects()
    for i, lemma in enumerate(lemmas):
        if lemma not in denial_cues:
            continue
        if i + 1 >= len(lowers) or any(w in anaphoric_objects for w in lowers[i + 1 : i + 4]):
            return True
        if any(w in anaphoric_objects for w in lowers[max(0, i - 4) : i]):
            return True
    return False


def _months_named(words: _Words) -> frozenset[int]:
    """Months named (1-12) by a capitalised, unambiguous month word."""
    lowers, capitalised, sentence_start = words.lowers, words.capitalised, words.sentence_start
    month_numbers = numbers.months()
    return frozenset(
        month_numbers[lowers[i]]
        for i in range(len(lowers))
        if lowers[i] in month_numbers
        and len(lowers[i]) > 3  # "Mar", "May" (the verb) and "Dec" are too ambiguous
        and capitalised[i]
        and not (sentence_start[i] and lowers[i] in ("march", "may"))
    )
