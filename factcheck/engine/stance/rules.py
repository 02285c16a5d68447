"""Stance: does a passage support the claim, refute it, or neither, and why.

Stance sits behind one small interface, :class:`StanceAnalyzer`, so that a learned model can
later replace or join the rule-based analyzer without touching retrieval, aggregation or the
API. :class:`RuleStanceAnalyzer` reads both texts through
:mod:`factcheck.language.text_analysis` and decides in three steps:

1. **Alignment.** The passage must name the claim's subject (in its sentence, its paragraph,
   or, for a sentence that opens with "Both" or "He", the sentence before), and cover most of
   the claim's other entities and content words, synonyms and antonyms counted ("sold drones
   to Moscow" covers "supplied drones to Russia"). A passage that only shares words is neither.
2. **Contradiction.** An aligned passage refutes when it negates what the claim asserts (or
   asserts what the claim negates), uses an antonym (voted against / for, blamed / praised),
   gives another number for the same counted thing, another year for the same event, or
   denies the claim's content. A denial next to an accusation makes the passage *disputed*.
3. **Strength.** Coverage sets the score; hedged or attributed statements ("reportedly",
   "according to", "is considering") weigh less than plain assertions.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

from factcheck.engine.calibration import Calibration, load_calibration
from factcheck.engine.claim_analysis import Claim
from factcheck.engine.evidence import Evidence
from factcheck.engine.stance.base import (
    NEUTRAL,
    REFUTES,
    SUPPORTS,
    OneAtATime,
    Reason,
    ReasonCode,
    Stance,
)
from factcheck.language import lexicon
from factcheck.language.entities import Entity, lookup_text, mention_forms
from factcheck.language.numbers import Quantity
from factcheck.language.text_analysis import NOT, TextAnalysis, Token, analyse, antonyms, opposites
from factcheck.language.word_readings import readings

# Alignment: how much each item of the claim weighs in the coverage a passage must reach.
# Names, the main verb and figures say what the claim asserts; other words add detail.
ENTITY_WEIGHT = 1.5  # a named entity other than the subject
VERB_WEIGHT = 1.5  # the claim's main verb: what it asserts of its subject
QUANTITY_WEIGHT = 1.5
YEAR_WEIGHT = 1.0
CONTEXT_FACTOR = 0.6  # a match in the paragraph or previous sentence, not the passage itself
NEARBY_WORD_CREDIT = 0.5  # a claim word found only nearby counts half a nearby match
NEARBY_OBJECT_CREDIT = 0.5  # an item of what the claim says, found only nearby
UNDATED_YEAR_CREDIT = 0.5  # an undated passage is silent on the year: half covered
MIN_CONTENT_COVERAGE = 0.55
MIN_OWN_COVERAGE = 0.4  # a passage must carry some of the claim itself, not only its neighbours
DATE_COVERAGE = 0.55  # how much of the claim a passage must carry for its date to contradict
# Relevance weighs coverage of the claim's content over where its subject was named.
COVERAGE_EXPONENT = 0.7
SUBJECT_EXPONENT = 0.3

# Support: a plain assertion supports at its relevance; each of these weakens it.
HEDGE_FACTOR = 0.75  # "reportedly", "is considering"
ATTRIBUTION_FACTOR = 0.85  # "according to": someone else's word
UNMATCHED_VERB_FACTOR = 0.85  # support whose verb the passage words otherwise ("said" for "called")
NEAR_SUBJECT_FACTOR = 0.85  # support whose subject is named only in a neighbouring sentence

# Refutation: how strongly each kind of contradiction refutes, times the passage's relevance.
# The plainer the contradiction, the stronger; one that rests on reading a second thing right
# (whose date, which list, whose word) is weaker.
NEGATION_STRENGTH = 1.0  # "did not supply" against "supplied": the plainest contradiction
ANTONYM_STRENGTH = 0.9  # "voted against" against "voted for"
NUMBER_STRENGTH = 0.9  # another figure for the same counted act
RIVAL_NAME_STRENGTH = 0.85  # "the Indian Ocean" against "the Pacific Ocean"
DENIAL_STRENGTH = 0.8  # a denial is the denier's word, not a finding
DISPUTED_STRENGTH = 0.8  # an accusation reported with its denial: on both sides
DATE_STRENGTH = 0.7  # another date is often another event, not a correction
# A complete list without the subject, or a unique role held by another: an inference from
# what the passage leaves out, so it refutes (and aligns) at a set, moderate strength.
EXCLUSION_STRENGTH = 0.75

NUMBER_WINDOW = 4  # tokens between a number and the verb it quantifies


@dataclass(frozen=True)
class RuleWords:
    """The word lists of ``rules.toml`` (see the comment on each group there)."""

    exclusive_cues: frozenset[str]
    group_nouns: frozenset[str]
    partial_list_cues: frozenset[str]
    vote_concepts: frozenset[str]


@cache
def rule_words() -> RuleWords:
    """The rules' word lists, read once from the package's ``rules.toml``."""
    with Path(__file__).with_name("rules.toml").open("rb") as data:
        lists = tomllib.load(data)
    return RuleWords(**{name: frozenset(words) for name, words in lists.items()})


@dataclass
class _Alignment:
    entity_coverage: float  # 1.0 when the subject is in the passage, less when only nearby
    content_coverage: float  # share of the claim's items covered, nearby matches counted
    own_coverage: float  # the same, counting only the passage's own words
    object_covered: bool  # enough of what the claim says *about* its subject is here
    matched_positions: dict[int, list[int]]  # claim token index -> passage token indexes
    antonym_hits: list[tuple[int, int]]  # (claim token index, passage token index)
    spans: list[tuple[int, int]]
    missing: list[str]


@dataclass
class _Reading:
    """A passage read for one claim: its analysis, what surrounds it, where it names the subject."""

    evidence: Evidence
    passage: TextAnalysis
    context: TextAnalysis | None  # its paragraph
    previous: TextAnalysis | None  # the sentence before, when it can matter
    alone: _Alignment | None  # the alignment with the passage and paragraph only, if computed
    subject_here: bool = False  # every subject named in the passage itself
    subject_near: bool = False  # some subject named only in the paragraph or sentence before
    missing_subject: list[str] = field(default_factory=list)  # subjects named nowhere
    points_back: bool = False  # "He …", "The pact …": names its subject by pointing back

    @property
    def surroundings(self) -> list[TextAnalysis]:
        return [a for a in (self.context, self.previous) if a is not None]

    @property
    def speaks_of_subject(self) -> bool:
        """Only a passage that itself speaks of the subject (or refers back to it, as in
        "Both abstained") can contradict the claim; a neighbour's subject supports at most."""
        return self.subject_here or self.points_back


class RuleStanceAnalyzer(OneAtATime):
    """The rule-based stance analyzer described in the module docstring."""

    name = "rules"

    def __init__(self) -> None:
        # Read the data files now (the app creates its analyzer at start, before a server
        # forks its workers), not during the first check.
        rule_words()
        self._calibration = load_calibration(self.name)

    @property
    def calibration(self) -> Calibration:
        """The shipped calibration of the rules (``engine/calibration/rules.json``)."""
        return self._calibration

    def assess(self, claim: Claim, evidence: Evidence) -> Stance:
        """Judge ``evidence`` against ``claim``: read it, find the subject, align, look for
        contradictions, weigh how plainly it speaks; each step may settle the answer."""
        if not _may_name_subject(claim, evidence):
            # Most candidates of a large corpus never name the subject: say so without
            # analysing them (the full analysis would reach the same answer).
            return _neutral(_subject_missing(sorted(claim.subject)))
        reading = _read(claim, evidence)
        if reading.missing_subject:
            outsider = _closed_list(claim, reading.passage) or _unique_role(claim, reading.passage)
            return outsider or _neutral(_subject_missing(reading.missing_subject))
        alignment, denial_target = _align_reading(claim, reading)
        relevance = _relevance(alignment)
        spans = tuple(alignment.spans)
        if not _aligned(alignment) and denial_target is None:
            little = "shares too little with the claim"
            if alignment.missing:
                little += f" (missing: {', '.join(alignment.missing[:4])})"
            return _neutral(Reason("too_little_in_common", little), relevance, spans)
        if _recurring(claim) and _other_date(claim, reading.passage):
            why = Reason("another_occasion", "speaks of another occasion (another date)")
            return _neutral(why, relevance, spans)
        reasons: list[Reason] = []
        contradictions = _contradictions(claim, reading.passage, alignment, reasons, evidence)
        if contradictions and not reading.speaks_of_subject:
            # Said of whoever the neighbouring sentence names: it neither confirms nor refutes.
            why = Reason(
                "contradicts_subject_nearby", "contradicts, but of a subject named only nearby"
            )
            return _neutral(why, relevance, spans)
        certainty, polar_verb_unsaid = _certainty(claim, reading.passage, alignment, reasons)
        if denial_target is not None:
            return _denial(
                reading.passage, denial_target, reasons, contradictions, relevance, spans
            )
        if contradictions:
            score = round(relevance * max(contradictions), 3)
            return Stance(REFUTES, score, tuple(reasons), relevance=relevance, matched_spans=spans)
        return _support(claim, reading, reasons, certainty, polar_verb_unsaid, relevance, spans)


def _neutral(
    reason: Reason, relevance: float = 0.0, spans: tuple[tuple[int, int], ...] = ()
) -> Stance:
    """A passage that takes no stance, and why."""
    return Stance(NEUTRAL, 0.0, (reason,), relevance=relevance, matched_spans=spans)


def _subject_missing(keys: list[str]) -> Reason:
    return Reason("subject_missing", f"does not mention {', '.join(keys)}")


def _read(claim: Claim, evidence: Evidence) -> _Reading:
    """Analyse the passage, its paragraph and, when it can matter, the sentence before; find
    where the claim's subject is named."""
    passage = analyse(evidence.text)
    context = analyse(evidence.context) if evidence.context else None
    previous, alone = _previous_sentence(claim, evidence, passage, context)
    here, near, missing = _find_subject(claim, passage, context, previous)
    points_back = passage.anaphoric_start or _describes_subject(claim, passage)
    if points_back and not missing:
        near = False  # "He blamed Ukraine…" names its subject by pointing back
    return _Reading(evidence, passage, context, previous, alone, here, near, missing, points_back)


def _previous_sentence(
    claim: Claim, evidence: Evidence, passage: TextAnalysis, context: TextAnalysis | None
) -> tuple[TextAnalysis | None, _Alignment | None]:
    """The sentence before, analysed when it can matter; else the alignment computed without it.

    The sentence before lends its words and its subject: news prose goes on about the subject
    it last named. Only a passage that names the subject itself or points back to it ("Both
    abstained…", "the two countries") may contradict the claim. It is read only when it can
    matter: for a passage that points back or denies, or that carries enough of the claim in
    its own words to be aligned and still lacks something (a word, a name, the subject) the
    sentence before could supply. The rest are judged the same without it, and in a large
    corpus they are most candidates.
    """
    if not evidence.previous:
        return None, None
    if passage.anaphoric_start or passage.group_reference or passage.denial:
        return analyse(evidence.previous), None
    alone = _align(claim, passage, [context] if context is not None else [])
    named = passage.entity_keys | (context.entity_keys if context else frozenset())
    lacking = alone.missing or not claim.subject <= named
    if alone.own_coverage >= MIN_OWN_COVERAGE and lacking:
        return analyse(evidence.previous), None
    return None, alone


def _align_reading(claim: Claim, reading: _Reading) -> tuple[_Alignment, TextAnalysis | None]:
    """The passage's alignment with the claim, and what a denial in it denies (or None).

    What a denial denies: the accusation in the same sentence ("accused X of …, although X
    denied the accusation"), else the sentence before when it points back ("denied the
    report"), else its own words ("denied sending troops"). It counts only when its author
    speaks of the claim's subject. A denial of the sentence before is aligned with that
    sentence, its own words lending what it lacks.
    """
    passage = reading.passage
    alignment = reading.alone
    if alignment is None:
        alignment = _align(claim, passage, reading.surroundings)
    alignment.entity_coverage = 1.0 if not reading.subject_near else CONTEXT_FACTOR
    if not passage.denial or not (reading.speaks_of_subject or passage.denial_of_previous):
        return alignment, None
    if passage.accusation or not passage.denial_of_previous:
        if _aligned(alignment) and _says_verb(claim, alignment):
            return alignment, passage
        return alignment, None
    if reading.previous is not None:
        borrowed = _align(claim, reading.previous, [passage])
        if _aligned(borrowed) and _says_verb(claim, borrowed):
            return borrowed, reading.previous
    return alignment, None


def _certainty(
    claim: Claim, passage: TextAnalysis, alignment: _Alignment, reasons: list[Reason]
) -> tuple[float, str | None]:
    """How plainly the passage says it (1.0 for a plain assertion), and the claim's polar verb
    when the passage does not say it ("blocked" where it only mentions imports)."""
    # A claim that is itself hedged or attributed ("was weighing", "according to") is matched,
    # not weakened, by a passage that reports it the same way.
    certainty = 1.0
    if _hedged(passage, alignment) and not claim.analysis.hedged:
        certainty *= HEDGE_FACTOR
        reasons.append(Reason("hedged", "hedged"))
    if passage.attributed and not claim.analysis.attributed:
        certainty *= ATTRIBUTION_FACTOR
        reasons.append(Reason("attributed", "attributed to others"))
    polar_verb_unsaid = None
    if not _verb_bound(claim, passage, alignment):
        # "could help reduce the impact … approved imports" does not say imports were cut.
        alignment.matched_positions.pop(claim.verb_index or -1, None)
    if claim.verb_index is not None and claim.verb_index not in alignment.matched_positions:
        verb = claim.analysis.tokens[claim.verb_index]
        if verb.content and any(c in antonyms() for c in verb.concepts):
            polar_verb_unsaid = verb.text
        certainty *= UNMATCHED_VERB_FACTOR
    return certainty, polar_verb_unsaid


def _denial(
    passage: TextAnalysis,
    target: TextAnalysis,
    reasons: list[Reason],
    contradictions: list[float],
    relevance: float,
    spans: tuple[tuple[int, int], ...],
) -> Stance:
    """A passage that denies the claim's content refutes it; reported with the accusation, it
    stands on both sides (disputed)."""
    reasons.append(Reason("explicit_denial", "denies the claim's content"))
    if passage.accusation or passage.attributed or target is not passage:
        met = Reason("accusation_denied", "an accusation met by a denial")
        return Stance(
            REFUTES,
            round(relevance * DISPUTED_STRENGTH, 3),
            (*reasons, met),
            disputed=target is passage,
            relevance=relevance,
            matched_spans=spans,
        )
    strongest = max([*contradictions, DENIAL_STRENGTH])
    score = round(relevance * strongest, 3)
    return Stance(REFUTES, score, tuple(reasons), relevance=relevance, matched_spans=spans)


def _support(
    claim: Claim,
    reading: _Reading,
    reasons: list[Reason],
    certainty: float,
    polar_verb_unsaid: str | None,
    relevance: float,
    spans: tuple[tuple[int, int], ...],
) -> Stance:
    """An aligned passage that contradicts nothing supports, unless it leaves unsaid what the
    claim hinges on (its figure, its date, its polar verb) or speaks of another actor."""
    passage = reading.passage
    unconfirmed = [
        q for q in claim.quantities if not any(p.same_value(q) for p in passage.quantities)
    ]
    if unconfirmed:
        # A passage that does not state the claim's figure cannot confirm it.
        figure = _format_number(unconfirmed[0].value)
        return _neutral(Reason("figure_unstated", f"does not state {figure}"), relevance, spans)
    if _other_date(claim, passage):
        why = Reason(
            "date_differs_weakly",
            "dates it differently, and says too little else to contradict it",
        )
        return _neutral(why, relevance, spans)
    if polar_verb_unsaid:
        # "blocked imports" is not confirmed by a passage that only mentions imports.
        why = Reason("verb_unsaid", f"does not say whether it {polar_verb_unsaid}")
        return _neutral(why, relevance, spans)
    if reading.subject_near:
        other = _other_actor(claim, passage)
        if other:
            # "Iran … Pyongyang is providing military support": the sentence is about
            # another actor, whoever the sentence before named.
            subject = ", ".join(sorted(claim.subject))
            why = Reason("other_actor", f"speaks of {other}, not of {subject}")
            return _neutral(why, relevance, spans)
        certainty *= NEAR_SUBJECT_FACTOR
        reasons.append(
            Reason("subject_in_previous_sentence", "its subject is named in the sentence before")
        )
    reasons.insert(0, Reason("says_the_same", "asserts what the claim asserts"))
    score = round(relevance * certainty, 3)
    return Stance(SUPPORTS, score, tuple(reasons), relevance=relevance, matched_spans=spans)


def _closed_list(claim: Claim, passage: TextAnalysis) -> Stance | None:
    """A passage naming *the only* members of a group refutes a claim about an outsider.

    "Belarus, Syria, North Korea and Eritrea, the only countries … that voted against the
    resolution … on March 2, 2022" refutes "Cuba voted against the resolution of March 2022".
    A dated list (a vote of March 2022) refutes only a claim of the same year: without it, the
    claim may be about another vote.
    """
    kinds = {e.kind for e in claim.analysis.entities if e.key in claim.subject}
    if not claim.subject or not (kinds <= {"country"}):
        return None
    if passage.years and not (claim.analysis.years and claim.analysis.years <= passage.years):
        return None
    cue = _exclusive_group(passage)
    if cue is None:
        return None
    if any(t.lower in rule_words().partial_list_cues for t in passage.tokens):
        return None  # "only five nations, including Russia": the list named is not complete
    members = [e for e in passage.entities if e.kind == "country"]
    if len({e.key for e in members}) < 2:
        return None
    words = [t for _, t in claim.content_tokens]
    said = [t for t in words if _token_matches(t.concepts, passage)]
    named = {e.key for e in claim.analysis.entities} - claim.subject
    said_names = named & passage.entity_keys
    if not words or (len(said) + len(said_names)) * 2 < len(words) + len(named):
        return None
    verb = claim.analysis.tokens[claim.verb_index] if claim.verb_index is not None else None
    if (
        verb is not None
        and verb.content
        and not any(
            0 < hit - cue <= LIST_VERB_WINDOW for hit in _token_matches(verb.concepts, passage)
        )
    ):
        return None  # what the listed members did must be what the claim says was done
    listed = ", ".join(dict.fromkeys(e.key for e in members))
    return Stance(
        REFUTES,
        EXCLUSION_STRENGTH,
        (Reason("complete_list", f"names the only ones: {listed}"),),
        relevance=EXCLUSION_STRENGTH,
        matched_spans=tuple(
            (passage.tokens[e.start].start, passage.tokens[e.end - 1].end) for e in members
        ),
    )


LIST_VERB_WINDOW = 8  # tokens from "the only countries" to what they did


def _unique_role(claim: Claim, passage: TextAnalysis) -> Stance | None:
    """ "Imran Khan is the first world leader to meet Putin" refutes "Modi was the first world
    leader to meet Putin": a role only one can hold, held by another actor."""
    role = _first_role(claim.analysis)
    if role is None or not claim.subject:
        return None
    held = _first_role(passage)
    if held != role:
        return None
    holders = [
        e
        for e in passage.entities
        if e.kind in ("country", "leader", "name") and e.key not in claim.analysis.entity_keys
    ]
    if not holders:
        return None
    return Stance(
        REFUTES,
        EXCLUSION_STRENGTH,
        (Reason("role_held_by_other", f"says {holders[0].key} was the first {role}"),),
        relevance=EXCLUSION_STRENGTH,
        matched_spans=(
            (passage.tokens[holders[0].start].start, passage.tokens[holders[0].end - 1].end),
        ),
    )


def _first_role(analysis: TextAnalysis) -> str | None:
    """The role in "the first <role> to …" ("world leader"), or None."""
    tokens = analysis.tokens
    for i, token in enumerate(tokens[:-1]):
        if token.lower != "first" or i == 0 or tokens[i - 1].lower != "the":
            continue
        if i > 1 and tokens[i - 2].lower == "of":
            continue  # "one of the first leaders": not a role only one can hold
        words: list[str] = []
        for following in tokens[i + 1 : i + 4]:
            if following.lower == "to":
                return " ".join(words) if words else None
            words.append(following.lemma)
    return None


def _exclusive_group(passage: TextAnalysis) -> int | None:
    """Where "the only countries", "only four nations", "the sole member" stands (a complete
    list), or None if the passage has none."""
    tokens = passage.tokens
    for i, token in enumerate(tokens):
        if token.lower not in rule_words().exclusive_cues:
            continue
        for following in tokens[i + 1 : i + 3]:
            if following.lemma in rule_words().group_nouns:
                return i
    return None


def _other_actor(claim: Claim, passage: TextAnalysis) -> str | None:
    """The actor the passage leads with, when it is a country or leader the claim does not
    name ("Pyongyang is providing …"); adjectives ("Russian allies") are not actors."""
    claim_keys = claim.analysis.entity_keys
    tokens = passage.tokens
    for entity in passage.entities:
        if entity.kind not in ("country", "leader"):
            continue
        following = tokens[entity.end] if entity.end < len(tokens) else None
        if following is not None and _describes(following):
            continue  # "Russian allies", "Chinese companies": describes, does not act
        if entity.key in claim_keys or (entity.country or "") in claim_keys:
            return None
        return entity.key
    return None


def _describes(following: Token) -> bool:
    """Whether a name is used as an adjective: followed by a noun, not by a verb."""
    if not following.content or following.capitalised:
        return False
    return bool({"NOUN", "ADJ"} & set(readings(following.lower)))


def _describes_subject(claim: Claim, passage: TextAnalysis) -> bool:
    """A passage opening with "The <noun>" where the noun is one the claim's subject phrase
    uses ("The 20-year pact was renewed…" for "The China-Russia treaty was extended…")."""
    if claim.verb_index is None or not passage.tokens or passage.tokens[0].lower != "the":
        return False
    subject_words = [t for t in claim.analysis.tokens[: claim.verb_index] if t.content]
    opening = [t for t in passage.tokens[1:6] if t.content]
    return any(a.concepts & b.concepts for a in subject_words for b in opening)


def _says_verb(claim: Claim, alignment: _Alignment) -> bool:
    """Whether the passage says what the claim's verb says (always true of a verb like "is")."""
    verb = claim.analysis.tokens[claim.verb_index] if claim.verb_index is not None else None
    if verb is None or not verb.content:
        return True
    return claim.verb_index in alignment.matched_positions or any(
        index == claim.verb_index for index, _ in alignment.antonym_hits
    )


def _may_name_subject(claim: Claim, evidence: Evidence) -> bool:
    """False only when no form of some subject's name appears in the passage or around it,
    and the passage has no complete list ("the only countries") that could speak of it."""
    if not claim.subject:
        return True
    text = lookup_text(" ".join((evidence.text, evidence.context, evidence.previous)))
    if any(cue in text for cue in rule_words().exclusive_cues):
        return True
    if "first" in text and _first_role(claim.analysis) is not None:
        return True  # "the first leader to …" held by another: see _unique_role
    return all(any(form in text for form in mention_forms(key)) for key in claim.subject)


def _find_subject(
    claim: Claim,
    passage: TextAnalysis,
    context: TextAnalysis | None,
    previous: TextAnalysis | None,
) -> tuple[bool, bool, list[str]]:
    """Where the claim's subject is named: (all in the passage, some only near it, missing)."""
    near: set[str] = set()
    for around in (context, previous):
        if around is not None:
            near |= around.entity_keys
    here = [k for k in claim.subject if k in passage.entity_keys]
    missing = [k for k in claim.subject if k not in passage.entity_keys and k not in near]
    return len(here) == len(claim.subject), len(here) < len(claim.subject), missing


VERB_OBJECT_WINDOW = 8  # tokens between the claim's verb, as matched, and its other words


def _verb_bound(claim: Claim, passage: TextAnalysis, alignment: _Alignment) -> bool:
    """Whether the passage's match for the claim's verb stands near the claim's other words."""
    hits = alignment.matched_positions.get(claim.verb_index or -1)
    if not hits:
        return True
    others = [
        h
        for i, found in alignment.matched_positions.items()
        if i != claim.verb_index
        for h in found
    ]
    others += [e.start for e in passage_entities_of(claim, passage)]
    if not others:
        return True
    return any(abs(h - o) <= VERB_OBJECT_WINDOW for h in hits for o in others)


def _first_of_compound(claim: Claim, index: int, passage: TextAnalysis) -> bool:
    """Whether this claim word and the next are written as one word in the passage."""
    tokens = claim.analysis.tokens
    if index + 1 >= len(tokens):
        return False
    joined = tokens[index].lower + tokens[index + 1].lemma
    return bool(_token_matches(frozenset({joined}), passage))


def _aligned(alignment: _Alignment) -> bool:
    return (
        alignment.content_coverage >= MIN_CONTENT_COVERAGE
        and alignment.own_coverage >= MIN_OWN_COVERAGE
        and alignment.object_covered
    )


def _relevance(alignment: _Alignment) -> float:
    content = alignment.content_coverage**COVERAGE_EXPONENT
    return round(content * (alignment.entity_coverage**SUBJECT_EXPONENT), 3)


@lru_cache(maxsize=8192)
def _polar_and_opposed(concepts: frozenset[str]) -> tuple[frozenset[str], frozenset[str]]:
    """A claim word's polar concepts, and the concepts that oppose it (its polar ones' or,
    without any, all of its concepts' opposites): the same for every passage it meets."""
    polar = frozenset(c for c in concepts if c in antonyms())
    opposed = frozenset().union(*(opposites(c) for c in (polar or concepts)))
    return polar, opposed


def _token_matches(concepts: frozenset[str], passage: TextAnalysis) -> list[int]:
    """Indexes of the passage's content tokens expressing any of ``concepts``, in order."""
    index = passage.concept_positions
    found = [index[c] for c in concepts if c in index]
    if len(found) == 1:
        return list(found[0])
    return sorted({position for positions in found for position in positions})


@dataclass
class _Tally:
    """What an alignment adds up as it goes through the claim's items."""

    total: float = 0.0  # weight of every item
    found: float = 0.0  # weight covered, nearby matches counted at less
    own: float = 0.0  # weight covered by the passage's own words
    object_total: float = 0.0  # items the claim says about its subject (not subject nor verb)
    object_found: float = 0.0
    spans: list[tuple[int, int]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def cover(self, weight: float, *, own: bool = True) -> None:
        self.found += weight
        if own:
            self.own += weight


def _align(claim: Claim, passage: TextAnalysis, surroundings: list[TextAnalysis]) -> _Alignment:
    """How much of the claim the passage covers, and where.

    The claim's subject is checked apart (:func:`_find_subject`); its other entities, content
    words, quantities and years are the items to cover. A word counts when the passage has it
    or a synonym, or an antonym (which aligns the passage with the claim *and* contradicts it).
    """
    claim_keys = {e.key for e in claim.analysis.entities}
    tally = _Tally()
    tally.object_total = len(claim_keys - claim.subject)
    tally.object_total += sum(1 for index, _ in claim.content_tokens if index != claim.verb_index)
    _cover_entities(claim, passage, surroundings, claim_keys, tally)
    matched, antonym_hits, torn = _cover_words(claim, passage, surroundings, tally)
    antonym_hits += _settle_torn(claim, passage, matched, torn, claim_keys)
    # An opposite that is itself one of the claim's words is a match, not a contradiction
    # ("backing Moscow's opposition" for "supporting Moscow's opposition").
    antonym_hits = [
        (i, h)
        for i, h in antonym_hits
        if not any(h in hits for other, hits in matched.items() if other != i)
    ]
    _cover_quantities(claim, passage, tally)
    _cover_years(claim, passage, tally)
    return _Alignment(
        entity_coverage=1.0,
        content_coverage=tally.found / tally.total if tally.total else 1.0,
        own_coverage=tally.own / tally.total if tally.total else 1.0,
        # Half of what the claim says besides its subject and verb (at least one item) must be
        # in the passage's own words: sharing the subject and a verb is not saying the same.
        object_covered=tally.object_found >= (tally.object_total + 1) // 2,
        matched_positions=matched,
        antonym_hits=antonym_hits,
        spans=sorted(set(tally.spans)),
        missing=tally.missing,
    )


def _cover_entities(
    claim: Claim,
    passage: TextAnalysis,
    surroundings: list[TextAnalysis],
    claim_keys: set[str],
    tally: _Tally,
) -> None:
    """The claim's named entities other than its subject, in the passage or near it."""
    around_keys = set().union(*(a.entity_keys for a in surroundings)) if surroundings else set()
    organisations = {e.key for e in claim.analysis.entities if e.kind == "organisation"}
    passage_words = {t.lower for t in passage.tokens if t.content}
    for key in claim_keys - claim.subject:
        tally.total += ENTITY_WEIGHT
        if key in passage.entity_keys or (key in around_keys and passage.group_reference):
            # The second: "either of the countries" after Russia and Ukraine were named.
            tally.cover(ENTITY_WEIGHT)
            tally.object_found += 1
        elif key in around_keys or (
            # "the union" after the Eurasian Economic Union was named
            key in organisations and key.split()[-1].lower() in passage_words
        ):
            tally.cover(ENTITY_WEIGHT * CONTEXT_FACTOR, own=False)
            tally.object_found += NEARBY_OBJECT_CREDIT
        else:
            tally.missing.append(key)
    for entity in passage.entities:
        if entity.key in claim_keys or (entity.country and entity.country in claim_keys):
            tally.spans.append(
                (passage.tokens[entity.start].start, passage.tokens[entity.end - 1].end)
            )


def _cover_words(
    claim: Claim, passage: TextAnalysis, surroundings: list[TextAnalysis], tally: _Tally
) -> tuple[dict[int, list[int]], list[tuple[int, int]], list[tuple[int, list[int], list[int]]]]:
    """The claim's content words in the passage: where each is matched, where an opposite
    contradicts it, and the words whose polar form and opposite both stand in the passage."""
    matched: dict[int, list[int]] = {}
    antonym_hits: list[tuple[int, int]] = []
    torn: list[tuple[int, list[int], list[int]]] = []  # a polar word and its opposite both here
    for index, token in claim.content_tokens:
        is_verb = index == claim.verb_index
        weight = VERB_WEIGHT if is_verb else 1.0
        tally.total += weight
        hits = _token_matches(token.concepts, passage)
        # A polar concept (a vote's direction, praise or blame) decides the contradiction:
        # "voted for" is contradicted by "voted against" although both share "vote".
        polar, opposed = _polar_and_opposed(token.concepts)
        polar_hits = _token_matches(polar, passage) if polar else hits
        opposite_hits = _token_matches(opposed, passage)
        if hits or opposite_hits:
            tally.cover(weight)
            if hits:
                matched[index] = hits
        elif any(token.concepts & a.concepts for a in surroundings):
            tally.cover(weight * CONTEXT_FACTOR * NEARBY_WORD_CREDIT, own=False)
            tally.object_found += NEARBY_OBJECT_CREDIT if not is_verb else 0
        elif _first_of_compound(claim, index, passage):
            tally.cover(weight)  # "air" of "air strikes", met by "airstrikes"
            tally.object_found += 1 if not is_verb else 0
        else:
            tally.missing.append(token.text)
        opposite_hits = [
            h for h in opposite_hits if _decisive(index, token, claim, passage.tokens[h])
        ]
        if opposite_hits:
            if polar_hits:
                torn.append((index, polar_hits, opposite_hits))
            else:
                antonym_hits.extend((index, hit) for hit in opposite_hits)
        if not is_verb and (hits or opposite_hits):
            tally.object_found += 1
        for hit in hits + opposite_hits:
            tally.spans.append((passage.tokens[hit].start, passage.tokens[hit].end))
    return matched, antonym_hits, torn


def _settle_torn(
    claim: Claim,
    passage: TextAnalysis,
    matched: dict[int, list[int]],
    torn: list[tuple[int, list[int], list[int]]],
    claim_keys: set[str],
) -> list[tuple[int, int]]:
    """The opposites that win where a passage has both a polar word and its opposite.

    "praised the incursion, denouncing the hysteria": the one that governs the claim's object
    (the nearest before it) counts. When the passage names the subject, the word nearest the
    subject's mention is what the subject did ("seven voted against …, while 32 abstained -
    among them China").
    """
    objects = sorted(
        {h for i, hits in matched.items() if i != claim.verb_index for h in hits}
        | {e.start for e in passage.entities if e.key in claim_keys - claim.subject}
    )
    subject_positions = [
        position
        for e in passage.entities
        if e.key in claim.subject or e.country in claim.subject
        for position in range(e.start, e.end)
    ]
    won: list[tuple[int, int]] = []
    for index, polar_hits, opposite_hits in torn:
        if subject_positions:
            opposite_wins = _nearest(opposite_hits, subject_positions) < _nearest(
                polar_hits, subject_positions
            )
        else:
            opposite_wins = _governs(opposite_hits, objects) < _governs(polar_hits, objects)
        if opposite_wins:
            won.extend((index, hit) for hit in opposite_hits)
    return won


def _cover_quantities(claim: Claim, passage: TextAnalysis, tally: _Tally) -> None:
    """The claim's figures: the same thing counted aligns, whether or not to the same figure."""
    for quantity in claim.quantities:
        tally.total += QUANTITY_WEIGHT
        tally.object_total += 1
        same = [q for q in passage.quantities if q.same_value(quantity)]
        if same or any(_compatible(quantity, q) for q in passage.quantities):
            tally.cover(QUANTITY_WEIGHT)
            tally.object_found += 1
            for q in same:
                tally.spans.append((passage.tokens[q.index].start, passage.tokens[q.index].end))
        else:
            tally.missing.append(_format_number(quantity.value))


def _cover_years(claim: Claim, passage: TextAnalysis, tally: _Tally) -> None:
    """The claim's years: a year for the same event aligns, agreeing or not; an undated
    passage half does (it is silent on it, neither for nor against)."""
    if not claim.analysis.years:
        return
    if passage.years:
        tally.object_total += 1
        tally.object_found += 1
    weight = YEAR_WEIGHT * len(claim.analysis.years)
    tally.total += weight
    tally.found += weight if passage.years else weight * UNDATED_YEAR_CREDIT
    tally.own += weight if passage.years else 0.0


def _contradictions(
    claim: Claim,
    passage: TextAnalysis,
    alignment: _Alignment,
    reasons: list[Reason],
    evidence: Evidence,
) -> list[float]:
    """Strengths of every contradiction between an aligned passage and the claim."""
    found: list[float] = []
    if _counted_subject(claim):
        # "Seven countries opposed it": a passage on what 141 others did says nothing of the
        # seven; only a different count of the same act contradicts.
        return _number_contradictions(claim, passage, alignment, reasons, evidence)
    claim_negated = claim.analysis.negated
    # "did not accept the finger-pointing" says what "rejected the finger-pointing" says: a
    # negated opposite of the claim's verb is agreement, and its negation flips nothing.
    verb_hits = alignment.matched_positions.get(claim.verb_index or -1, [])
    double_negative = not any(h in passage.negated for h in verb_hits) and any(
        index == claim.verb_index and hit in passage.negated
        for index, hit in alignment.antonym_hits
    )
    flipped = [
        claim.analysis.tokens[index].text
        for index, hits in alignment.matched_positions.items()
        if (index in claim_negated) != any(h in passage.negated for h in hits)
        and not double_negative
    ]
    if flipped:
        side = "negates" if not claim_negated else "affirms"
        code: ReasonCode = "negates" if not claim_negated else "affirms"
        reasons.append(Reason(code, f"{side} what the claim says ({', '.join(flipped[:3])})"))
        found.append(NEGATION_STRENGTH)
    antonym_words = {
        passage.tokens[hit].text
        for index, hit in alignment.antonym_hits
        if hit not in passage.negated and index not in claim_negated
    }
    if antonym_words:
        listed = ", ".join(sorted(antonym_words)[:3])
        reasons.append(Reason("says_the_opposite", f"says the opposite ({listed})"))
        found.append(ANTONYM_STRENGTH)
    found += _number_contradictions(claim, passage, alignment, reasons, evidence)
    rival = _rival_name(claim, passage) or _rival_modifier(claim, passage)
    if rival:
        reasons.append(Reason("rival_name", f"names {rival[1]}, not {rival[0]}"))
        found.append(RIVAL_NAME_STRENGTH)
    if _other_date(claim, passage) and alignment.own_coverage >= DATE_COVERAGE:
        reasons.append(Reason("different_date", "dates it differently"))
        found.append(DATE_STRENGTH)
    return found


def _rival_name(claim: Claim, passage: TextAnalysis) -> tuple[str, str] | None:
    """A place or body the claim names, where the passage names another of the same kind
    ("the Pacific Ocean" where the passage says "the Indian Ocean")."""
    for entity in claim.analysis.entities:
        if entity.kind != "name" or " " not in entity.key or entity.key in passage.entity_keys:
            continue
        head = entity.key.split()[-1]
        for other in passage.entities:
            if other.kind == "name" and other.key != entity.key and other.key.endswith(" " + head):
                return entity.key.title(), other.key.title()
    return None


def _rival_modifier(claim: Claim, passage: TextAnalysis) -> tuple[str, str] | None:
    """A capitalised name of the claim, "Pacific Ocean", where the passage has another with
    the same head, "Indian Ocean"."""
    claim_tokens = claim.analysis.tokens
    passage_tokens = passage.tokens
    said = {t.lower for t in passage_tokens}
    for i in range(len(claim_tokens) - 1):
        modifier, head = claim_tokens[i], claim_tokens[i + 1]
        if not (modifier.capitalised and head.capitalised and head.text.isalpha()):
            continue
        if head.lower in lexicon.stop_words() or not modifier.text.isalpha():
            continue
        if i + 2 < len(claim_tokens) and claim_tokens[i + 2].capitalised:
            continue  # "British Foreign Office": "Foreign" is not the head
        if i == 0 or modifier.lower in said:
            continue
        for j in range(1, len(passage_tokens)):
            other = passage_tokens[j - 1]
            if (
                passage_tokens[j].lower == head.lower
                and other.capitalised
                and other.text[:1].isalpha()
                and other.lower not in lexicon.stop_words()  # "The Foreign Office" names no rival
                and other.lower != modifier.lower
            ):
                return f"{modifier.text} {head.text}", f"{other.text} {head.text}"
    return None


def _other_date(claim: Claim, passage: TextAnalysis) -> bool:
    """The passage dates the event in another year, or another month of the same year."""
    claimed, stated = claim.analysis, passage
    if claimed.years and stated.years and not (claimed.years & stated.years):
        return True
    same_year = not (claimed.years and stated.years) or bool(claimed.years & stated.years)
    return bool(
        same_year and claimed.months and stated.months and not (claimed.months & stated.months)
    )


def _recurring(claim: Claim) -> bool:
    """Whether the claim's act recurs (a vote, a meeting): another date is another occasion."""
    if claim.verb_index is None:
        return False
    return bool(claim.analysis.tokens[claim.verb_index].concepts & lexicon.recurring_acts())


def _decisive(index: int, token: Token, claim: Claim, opposite: Token) -> bool:
    """Whether ``opposite`` in the passage contradicts this claim word: an opposite of the
    claim's main verb does, a vote against a vote for, and a negating prefix either way
    ("lethal" / "non-lethal"); an opposite of a word in a side clause does not."""
    if index == claim.verb_index:
        return True
    tokens = claim.analysis.tokens
    if index > 0 and tokens[index - 1].lower == "to" and "VERB" in readings(token.lower):
        return True  # what the subject aimed or was ready to do: "aiming to scale back ties"
    votes = rule_words().vote_concepts
    if token.concepts & votes and opposite.concepts & votes:
        return True
    # A negating prefix decides when it qualifies what the claim calls the object
    # ("condemned the invasion as unjustified"), not a detail of it ("lethal aid").
    return any(c.startswith(NOT) for c in token.concepts)


def passage_entities_of(claim: Claim, passage: TextAnalysis) -> list[Entity]:
    """The passage's mentions of entities the claim names."""
    keys = {e.key for e in claim.analysis.entities}
    return [e for e in passage.entities if e.key in keys or e.country in keys]


def _nearest(positions: list[int], anchors: list[int]) -> float:
    """Smallest distance between any of ``positions`` and any of ``anchors``."""
    return min((abs(p - a) for p in positions for a in anchors), default=float("inf"))


def _governs(positions: list[int], objects: list[int]) -> float:
    """Distance from the nearest of ``positions`` to an object word after it (inf if none)."""
    distances = [o - p for p in positions for o in objects if o > p]
    return min(distances, default=float("inf"))


def _number_contradictions(
    claim: Claim,
    passage: TextAnalysis,
    alignment: _Alignment,
    reasons: list[Reason],
    evidence: Evidence,
) -> list[float]:
    """Another figure for the same counted act ("32 countries abstained" against 34)."""
    if not _same_period(claim, passage, evidence):
        return []
    found: list[float] = []
    verb_hits = alignment.matched_positions.get(claim.verb_index or -1, [])
    for quantity in claim.quantities:
        rivals = [
            q
            for q in passage.quantities
            if not q.definite  # "the two nations" names a group, it counts nothing
            and (
                _compatible(quantity, q)
                # "seven voted against": a bare count right before the claim's verb
                or (q.unit is None and any(0 < h - q.index <= 2 for h in verb_hits))
            )
        ]
        agrees = any(q.same_value(quantity) for q in passage.quantities)
        near = _near_predicate(rivals, claim, passage, alignment) if rivals and not agrees else []
        if near:
            cited = _cited_rival(quantity, rivals, near, claim, passage)
            reasons.append(
                Reason(
                    "different_number",
                    f"gives {_format_number(cited.value)} where the claim says "
                    f"{_format_number(quantity.value)}",
                )
            )
            found.append(NUMBER_STRENGTH)
    return found


def _cited_rival(
    quantity: Quantity,
    rivals: list[Quantity],
    near: list[Quantity],
    claim: Claim,
    passage: TextAnalysis,
) -> Quantity:
    """The passage's figure for the quantity the claim states, to cite in the reason.

    Only the wording of the reason depends on this, never the stance. In "141 countries called
    for an end to the fighting, 34 abstained and seven voted against" the claim "100 countries
    voted for" is answered by 141: a figure whose own predicate is the opposite of the claim's
    ("voted against", "abstained") counts another group, and one equal to another of the
    claim's figures ("voted 100 to 7") is that figure's. Then a figure near the claim's
    predicate, a rival before any other figure of the passage, one that counts the same noun,
    and the first in the passage.
    """
    claimed = frozenset().union(*(t.concepts for t in claim.analysis.tokens))
    opposed = frozenset().union(*(opposites(c) for c in claimed)) - claimed
    others = [q for q in claim.quantities if q is not quantity]
    starts = sorted(q.index for q in passage.quantities)

    def counts_the_opposite(figure: Quantity) -> bool:
        later = [start for start in starts if start > figure.index]
        end = min([figure.index + NUMBER_WINDOW + 1, *later[:1]])
        return any(t.concepts & opposed for t in passage.tokens[figure.index + 1 : end])

    def rank(figure: Quantity) -> tuple[bool, bool, bool, bool, bool, int]:
        return (
            counts_the_opposite(figure),
            any(figure.same_value(other) for other in others),
            figure not in near,
            figure not in rivals,
            not _compatible(quantity, figure),
            figure.index,
        )

    candidates = rivals + [
        q
        for q in passage.quantities
        if q not in rivals
        and not q.definite
        and (quantity.unit is None or _compatible(quantity, q))
    ]
    return min(candidates, key=rank)


def _same_period(claim: Claim, passage: TextAnalysis, evidence: Evidence) -> bool:
    """Whether claim and passage can be about the same event, judged by their years.

    A passage without a year of its own speaks of its publication's time ("on Thursday"), so
    a claim about 2022 is not contradicted by a 2023 article's undated figure.
    """
    if not claim.analysis.years:
        return True
    years = set(passage.years)
    published = evidence.published or ""
    if not years and published[:4].isdigit():
        year = int(published[:4])
        lowers = [t.lower for t in passage.tokens]
        # "last year" in a 2023 article is 2022; otherwise it speaks of its own time.
        relative = any(
            lowers[i] == "last" and lowers[i + 1] == "year" for i in range(len(lowers) - 1)
        )
        years = {year - 1} if relative else {year}
    return not years or bool(years & claim.analysis.years)


def _counted_subject(claim: Claim) -> bool:
    """A claim whose subject is a count or a quantified group ("Seven countries …", "Several
    countries …") rather than a named actor."""
    if claim.subject or claim.verb_index is None:
        return False
    before = claim.analysis.tokens[: claim.verb_index]
    return any(q.index < claim.verb_index for q in claim.quantities) or any(
        t.lower in lexicon.quantifiers() for t in before
    )


def _hedged(passage: TextAnalysis, alignment: _Alignment) -> bool:
    """Hedged when most matched claim words are matched only inside a hedge's scope."""
    groups = list(alignment.matched_positions.values())
    if not groups:
        return False
    hedged = sum(all(h in passage.hedged for h in hits) for hits in groups)
    return hedged * 2 >= len(groups)


def _compatible(claimed: Quantity, stated: Quantity) -> bool:
    """Two quantities count the same kind of thing (same unit, or units of one class)."""
    if claimed.unit is None or stated.unit is None:
        return False
    if claimed.unit == stated.unit:
        return True
    left = analyse(claimed.unit).tokens
    right = analyse(stated.unit).tokens
    return bool(left and right and (left[0].concepts & right[0].concepts))


def _near_predicate(
    rivals: list[Quantity], claim: Claim, passage: TextAnalysis, alignment: _Alignment
) -> list[Quantity]:
    """A rival figure contradicts only if it counts what the claim's verb says was done
    ("32 countries abstained" against "34 abstained", not "141 countries called for…")."""
    verb = claim.analysis.tokens[claim.verb_index] if claim.verb_index is not None else None
    if verb is not None and verb.content and claim.verb_index in alignment.matched_positions:
        positions = alignment.matched_positions[claim.verb_index]
    elif _counted_subject(claim):
        return []  # "34 countries abstained": only a count of those who abstained rivals it
    else:
        # "The contract was worth 240 million", "30,000 troops are stationed" where the
        # passage says "are in": without the verb to anchor on, any other matched word or
        # named entity of the claim does (not the counted noun itself).
        units = {q.unit for q in claim.quantities}
        positions = [
            h
            for index, hits in alignment.matched_positions.items()
            if claim.analysis.tokens[index].lemma not in units
            for h in hits
        ]
        positions += [e.start for e in passage_entities_of(claim, passage)]
    return [q for q in rivals if any(abs(q.index - p) <= NUMBER_WINDOW for p in positions)]


def _format_number(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,}"
