"""Decomposition: a claim that asserts several things becomes parts, each checked alone.

"Belarus, which hosts Russian troops, voted against the resolution" asserts two things, and a
passage that supports one says nothing about the other. :func:`split_claim` reads the claim as
:mod:`factcheck.engine.claim_analysis` does (tokens, the main verb, the entities) and splits it
into parts that each have a subject and a verb:

- a non-restrictive relative clause on the subject: "X, which did A, did B" -> "X did A",
  "X did B";
- coordinated predicates sharing the subject: "X did A and B", "X did A and did B",
  "X was A and will B" -> "X did A", "X did B" (an auxiliary of the first verb carries over
  to a bare participle: "X was signed in 2001 and extended in 2021" -> "X was extended in 2021");
- two clauses: "X did A and Y did B" -> "X did A", "Y did B".

It is conservative, because a wrong split changes a verdict that was right: an "and" before the
main verb ("Mali and Nicaragua voted against") or inside a name ("Bosnia and Herzegovina") never
splits; nor does one after "between" or "both", one that only joins two nouns, two verbs sharing
an object ("supported and enabled the invasion"), or one inside what a claim reports or a
clause that hangs on its verb ("said that …", "warned sanctions could spill over and hurt …",
"agreed to cut output and raise prices"). A part must have a subject and a verb.

:func:`combine` is the rule that turns the parts' verdicts into the whole claim's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from factcheck.engine.claim_analysis import analyse_claim, verb_strength
from factcheck.engine.verdict import (
    CONFLICTING,
    NOT_ENOUGH_EVIDENCE,
    REFUTED,
    SUPPORTED,
    VerdictLabel,
)
from factcheck.language import grammar, lexicon
from factcheck.language.text_analysis import Token, normalise
from factcheck.language.word_readings import readings

MAX_PARTS = 4  # a claim of more assertions than this is read as written
RELATIVE_PRONOUNS = frozenset({"which", "who"})
# Words that open a clause hanging on the verb before them: an "and" after one of these joins
# two things inside that clause, not two assertions of the claim.
SUBORDINATORS = frozenset(
    {"that", "which", "who", "whom", "whose", "whether", "if", "because", "while", "when",
     "after", "before", "as", "although", "though", "unless", "until", "saying", "including",
     "why", "how", "where"}
)  # fmt: skip
# Words right before an "and" that make it join two nouns: "between A and B", "both A and B",
# "besides Russia and Syria".
PAIRING_WORDS = frozenset(
    {"between", "both", "either", "neither", "among", "from", "besides", "including", "except",
     "like"}
)  # fmt: skip
# Words that open a phrase, not a subject: "In exchange for this support, which …, the Kremlin".
OPENING_PREPOSITIONS = frozenset(
    {"in", "on", "at", "for", "from", "with", "by", "after", "before", "during", "since", "among",
     "apart", "besides", "despite", "under", "as", "to", "of", "over", "against", "within"}
)  # fmt: skip
QUOTES = frozenset({'"', "“", "”"})
# Words that open a subordinate clause at the start of a claim: its verb is not the claim's.
OPENING_SUBORDINATORS = frozenset(
    {"if", "when", "while", "although", "though", "because", "instead", "unless", "whereas",
     "once", "as", "since", "after", "before"}
)  # fmt: skip
# Between the main verb and an "and", these start another clause: "…, but China and India".
CLAUSE_BREAKS = frozenset({"but", "yet", "or", "nor", ";", ":"})
MAX_CLAUSE_SUBJECT = 8  # tokens before the verb of a second clause: more is not a plain subject
PAIRING_WINDOW = 4  # tokens before an "and" searched for a pairing word
# Adverbs that may stand between "and" and its verb ("and later sent", "and also called").
LINKING_ADVERBS = frozenset({"also", "then", "later", "subsequently", "now", "since", "again"})
PAST_AUXILIARIES = frozenset({"was", "were", "had", "did", "would", "could", "might", "should"})


@dataclass(frozen=True)
class _Reading:
    """The claim's tokens and the index of its main verb, as the splitter reads them."""

    text: str
    tokens: tuple[Token, ...]
    verb_index: int | None
    in_names: frozenset[int]  # token indexes inside a multi-word name


def split_claim(claim: str) -> tuple[str, ...]:
    """The assertions ``claim`` makes, each as a claim; ``(claim,)`` when it makes one."""
    parts = _split(normalise(claim.strip()))
    if len(parts) < 2 or len(parts) > MAX_PARTS:
        return (claim.strip(),)
    return parts


@lru_cache(maxsize=4096)
def _split(text: str) -> tuple[str, ...]:
    """``text`` split at its first relative clause or coordination, the parts split again."""
    reading = _read(text)
    split = _split_relative(reading) or _split_coordination(reading)
    if split is None:
        return (text,)
    first, second = split
    if not (_asserts(first) and _asserts(second)):
        return (text,)
    return _split(first) + _split(second)


def _read(text: str) -> _Reading:
    claim = analyse_claim(text)
    in_names = {i for entity in claim.analysis.entities for i in range(entity.start, entity.end)}
    return _Reading(text, claim.analysis.tokens, claim.verb_index, frozenset(in_names))


def _asserts(part: str) -> bool:
    """Whether a part has a subject and a verb after it."""
    claim = analyse_claim(part)
    verb = claim.verb_index
    if verb is None or verb == 0:
        return False
    # "a prolonged solar minimum": a participle after a determiner describes a noun.
    return claim.analysis.tokens[verb - 1].lower not in grammar.determiners()


def _span(reading: _Reading, start: int, end: int) -> str:
    """The text of tokens ``start`` to ``end`` (exclusive), as written."""
    tokens = reading.tokens
    if start >= end:
        return ""
    return reading.text[tokens[start].start : tokens[end - 1].end]


def _joined(*pieces: str) -> str:
    return " ".join(piece.strip(" ,") for piece in pieces if piece.strip(" ,"))


# "X, which did A, did B" ---------------------------------------------------------------------


def _split_relative(reading: _Reading) -> tuple[str, str] | None:
    """ "X, which did A, did B" -> ("X did A", "X did B"), when X is the subject."""
    tokens = reading.tokens
    lowers = [t.lower for t in tokens]
    for comma in range(1, len(tokens) - 3):
        if lowers[comma] != "," or lowers[comma + 1] not in RELATIVE_PRONOUNS:
            continue
        if "," in lowers[:comma] or any(verb_strength(t) == 2 for t in tokens[:comma]):
            return None  # the clause does not follow the subject
        if lowers[0] in OPENING_PREPOSITIONS:
            return None  # "In exchange for this support, which …": not a subject
        body = comma + 2
        if not _opens_predicate(tokens, body):
            return None  # "X, which Russia invaded, …": the pronoun is an object
        closing = next((i for i in range(body + 1, len(tokens)) if lowers[i] == ","), None)
        if closing is None or not _opens_predicate(tokens, closing + 1):
            return None  # the subject's own verb must follow the clause
        subject = _span(reading, 0, comma)
        relative = _span(reading, body, closing)
        rest = reading.text[tokens[closing + 1].start :]
        return _joined(subject, relative), _joined(subject, rest)
    return None


def _opens_predicate(tokens: Sequence[Token], index: int) -> bool:
    """Whether a verb (or an auxiliary) opens the words at ``index``, adverbs aside."""
    while index < len(tokens) and tokens[index].lower in LINKING_ADVERBS:
        index += 1
    if index >= len(tokens) or tokens[index].capitalised:
        return False
    return tokens[index].lower in grammar.auxiliaries() or verb_strength(tokens[index]) > 0


# "X did A and B", "X did A and Y did B" ------------------------------------------------------


def _split_coordination(reading: _Reading) -> tuple[str, str] | None:
    """The claim split at the first "and" that joins two predicates or two clauses."""
    verb = reading.verb_index
    if verb is None or _reports(reading, verb) or not _sure_main_verb(reading, verb):
        return None
    tokens = reading.tokens
    for conjunction in range(verb + 1, len(tokens) - 1):
        if tokens[conjunction].lower != "and":
            continue
        if not _may_split_at(reading, verb, conjunction):
            continue
        first = _span(reading, 0, conjunction).rstrip(" ,")
        second = _second_part(reading, verb, conjunction)
        if second is not None:
            return first, second
    return None


def _reports(reading: _Reading, verb: int) -> bool:
    """Whether the claim reports what was said: what is reported is one assertion.

    A reporting verb before the main verb ("said Russia would …") or after it as the
    attribution ("…, the statement said"), or a quotation, reports; "…, saying …" adds a
    remark and does not.
    """
    reporting = grammar.reporting_verbs()
    return any(
        t.text in QUOTES or (t.lemma in reporting and (i < verb or not t.lower.endswith("ing")))
        for i, t in enumerate(reading.tokens)
    )


def _sure_main_verb(reading: _Reading, verb: int) -> bool:
    """Whether the main verb is surely the claim's own: not opened by a subordinate clause
    ("While there are …, CO2 is …"), not an -ing word without an auxiliary ("global warming
    ceased"), not a participle that may describe the noun before it ("water heated by …")."""
    tokens = reading.tokens
    if any(t.lower in OPENING_SUBORDINATORS for t in tokens[:verb]):
        return False
    word, before = tokens[verb], tokens[verb - 1] if verb else None
    if word.lower.endswith("ing") and (before is None or before.lower not in grammar.auxiliaries()):
        return False
    return not (
        word.lower.endswith(("ed", "en"))
        and before is not None
        and before.content
        and not before.capitalised
        and verb + 1 < len(tokens)
        and tokens[verb + 1].lower in grammar.prepositions()
    )


def _may_split_at(reading: _Reading, verb: int, conjunction: int) -> bool:
    """Whether the "and" at ``conjunction`` may join two assertions of the claim."""
    tokens = reading.tokens
    if conjunction in reading.in_names:
        return False  # "Bosnia and Herzegovina", "Trinidad and Tobago"
    between = tokens[verb + 1 : conjunction]
    if not any(t.text[:1].isalnum() for t in between) and not _passive_then_auxiliary(
        reading, verb, conjunction
    ):
        return False  # "supported and enabled the invasion": two verbs share one object
    if any(t.lower in SUBORDINATORS or t.lower in CLAUSE_BREAKS for t in between):
        return False
    if any(t.lower in grammar.auxiliaries() for t in between):
        return False  # "indicate the ice loss is accelerating and will …": an inner clause's "and"
    if any(
        t.lower == "to" and _is_verb_after_to(tokens, verb + 1 + k) for k, t in enumerate(between)
    ):
        return False  # "agreed to cut output and raise prices": the "and" is in the infinitive
    window = tokens[max(verb + 1, conjunction - PAIRING_WINDOW) : conjunction]
    return not any(t.lower in PAIRING_WORDS for t in window)


def _passive_then_auxiliary(reading: _Reading, verb: int, conjunction: int) -> bool:
    """ "was renewed and is now set to run": a passive verb has no object to share."""
    tokens = reading.tokens
    after = conjunction + 1
    passive = any(t.lemma == "be" for t in tokens[_verb_group_start(tokens, verb) : verb])
    return passive and after < len(tokens) and tokens[after].lower in grammar.auxiliaries()


def _is_verb_after_to(tokens: Sequence[Token], to_index: int) -> bool:
    """Whether "to" at ``to_index`` opens an infinitive ("to prop up") rather than a place."""
    following = to_index + 1
    if following >= len(tokens):
        return False
    token = tokens[following]
    return not token.capitalised and "VERB" in readings(token.lower)


def _second_part(reading: _Reading, verb: int, conjunction: int) -> str | None:
    """The assertion after the "and", given the claim's subject where it shares it."""
    tokens = reading.tokens
    start = conjunction + 1
    while start < len(tokens) and tokens[start].lower in LINKING_ADVERBS:
        start += 1
    if start >= len(tokens):
        return None
    rest = reading.text[tokens[start].start :]
    group = _verb_group_start(tokens, verb)
    subject = _span(reading, 0, group)
    opener = tokens[start]
    if opener.lower in grammar.auxiliaries() and not opener.capitalised:
        return _joined(subject, rest)  # "… and will run until 2026"
    if verb_strength(opener) == 2 and _form(opener) == _form(tokens[verb]):
        auxiliaries = _span(reading, group, verb)  # "was signed … and extended": "was extended"
        return _joined(subject, auxiliaries, rest)
    if _is_clause(rest):
        return rest  # "… and China abstained"
    return None


def _verb_group_start(tokens: Sequence[Token], verb: int) -> int:
    """Where the main verb's group starts: its auxiliaries, negation and adverbs before it."""
    auxiliaries, negations = grammar.auxiliaries(), lexicon.negation_cues()
    start = verb
    while start > 1:
        before = tokens[start - 1]
        adverb = set(readings(before.lower)) == {"ADV"}
        if before.capitalised or not (
            before.lower in auxiliaries or before.lower in negations or adverb
        ):
            break
        start -= 1
    return start


def _form(token: Token) -> str:
    """A verb's form: "past", "present" (third person), "ing" or "base"."""
    lower = token.lower
    if lower in grammar.auxiliaries():
        return "past" if lower in PAST_AUXILIARIES else "present"
    if lower == token.lemma:
        return "base"
    if lower.endswith("ing"):
        return "ing"
    if lower.endswith("s"):
        return "present"
    return "past"


def _is_clause(text: str) -> bool:
    """Whether ``text`` is a clause of its own: a named or determined subject, then a sure verb."""
    claim = analyse_claim(text)
    verb = claim.verb_index
    if verb is None or verb == 0 or verb_strength(claim.analysis.tokens[verb]) < 2:
        return False
    tokens = claim.analysis.tokens
    before = tokens[:verb]
    if len(before) > MAX_CLAUSE_SUBJECT or tokens[verb - 1].lower == "to":
        return False  # "… besides Russia and Syria to recognise": no clause of its own
    if any(t.lower in (",", "and") or t.lower in SUBORDINATORS for t in before):
        return False  # "… and the four countries that had backed Putin"
    if before[0].lower in grammar.pronoun_openings():
        return False  # "… and its intervention helped": the part would lose its referent
    opens_determined = before[0].lower in grammar.determiners()
    return bool(claim.subject) or opens_determined


# Combining the parts' verdicts ---------------------------------------------------------------


def combine(verdicts: Sequence[tuple[VerdictLabel, float]]) -> tuple[VerdictLabel, float, int]:
    """The whole claim's verdict and confidence from its parts', and the deciding part's index.

    A claim is true only if every part is, so:

    - a refuted part refutes the whole; the deciding part is the most confident refuted one,
      and its confidence is the whole's (one sure refutation is enough);
    - else a part without enough evidence makes the whole not_enough_evidence, decided by the
      most confident such part, with its confidence;
    - else a conflicting part makes the whole conflicting, decided likewise;
    - else every part is supported, and the whole is as sure as its least sure part: the
      minimum confidence, decided by that part.
    """
    if not verdicts:
        raise ValueError("a claim has at least one part")
    for label in (REFUTED, NOT_ENOUGH_EVIDENCE, CONFLICTING):
        matching = [i for i, (found, _) in enumerate(verdicts) if found == label]
        if matching:
            deciding = max(matching, key=lambda i: verdicts[i][1])
            return label, verdicts[deciding][1], deciding
    weakest = min(range(len(verdicts)), key=lambda i: verdicts[i][1])
    return SUPPORTED, verdicts[weakest][1], weakest
