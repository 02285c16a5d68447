"""What every stance analyzer shares: the labels, the reasons, the :class:`Stance` it returns
and the :class:`StanceAnalyzer` interface it implements.

A reason has a *code* and a *text*. The code is a short stable identifier that code reads (the
verdict asks whether a passage was hedged by its code, never by its wording); the text is what a
reader sees beside the excerpt, free to be reworded. Labels and reason codes are declared once
here as ``Literal`` types, so a typo in either is a type error, and the schemas and templates
derive their choices from them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final, Literal, Protocol, get_args

from factcheck.engine.calibration import Calibration
from factcheck.engine.claim_analysis import Claim
from factcheck.engine.evidence import Evidence

StanceLabel = Literal["supports", "refutes", "neutral"]
SUPPORTS: Final = "supports"
REFUTES: Final = "refutes"
NEUTRAL: Final = "neutral"
STANCE_LABELS: tuple[StanceLabel, ...] = get_args(StanceLabel)
# The stances an excerpt shown as evidence can take (a neutral passage is only ever "closest").
EVIDENCE_STANCES: tuple[StanceLabel, ...] = (SUPPORTS, REFUTES)

ReasonCode = Literal[
    # Why a passage supports, and what weakens its support.
    "says_the_same",  # it asserts what the claim asserts
    "says_the_same_in_other_words",  # its meaning is the claim's, in other words (encoder)
    "hedged",  # "reportedly", "is considering": weaker than a plain statement
    "attributed",  # "according to": someone else says so
    "subject_in_previous_sentence",  # its subject is named only in the sentence before
    "covers_without_stating",  # a general claim leaning on partial coverage (the verdict's)
    # Why a passage refutes.
    "negates",  # it negates what the claim asserts
    "affirms",  # it asserts what the claim negates
    "says_the_opposite",  # an antonym: voted against / for, blamed / praised
    "different_number",  # another figure for the same counted thing
    "rival_name",  # another place or body of the same kind ("Indian", not "Pacific Ocean")
    "different_date",  # another year or month for the same event
    "explicit_denial",  # it denies the claim's content
    "accusation_denied",  # an accusation reported with its denial: both sides
    "complete_list",  # "the only countries that …", and the subject is not among them
    "role_held_by_other",  # "the first leader to …" was someone else
    # Why a passage is neutral.
    "subject_missing",  # it does not name the claim's subject
    "too_little_in_common",  # it shares too little of the claim
    "another_occasion",  # a recurring act (a vote) on another date
    "contradicts_subject_nearby",  # it contradicts, but of a subject named only nearby
    "figure_unstated",  # it does not state the claim's figure
    "date_differs_weakly",  # another date, and too little else to contradict
    "verb_unsaid",  # it does not say whether the claim's polar verb happened
    "other_actor",  # it speaks of another actor
]
REASON_CODES: tuple[ReasonCode, ...] = get_args(ReasonCode)


@dataclass(frozen=True)
class Reason:
    """Why a passage takes its stance: a stable ``code`` for code, a ``text`` for readers."""

    code: ReasonCode
    text: str


@dataclass(frozen=True)
class Stance:
    """The verdict of one passage on one claim, with the reasons a reader can check."""

    label: StanceLabel
    score: float  # strength of that stance, 0 to 1
    reasons: tuple[Reason, ...] = ()
    disputed: bool = False  # the passage both reports the claim and a denial of it
    relevance: float = 0.0  # how well the passage aligns with the claim, whatever its stance
    matched_spans: tuple[tuple[int, int], ...] = field(default=())  # offsets in the passage

    @property
    def codes(self) -> frozenset[ReasonCode]:
        """The codes of its reasons: what code asks of a stance."""
        return frozenset(reason.code for reason in self.reasons)

    @property
    def texts(self) -> tuple[str, ...]:
        """Its reasons as a reader sees them, in order."""
        return tuple(reason.text for reason in self.reasons)


class StanceAnalyzer(Protocol):
    """Anything that can judge passages' stances on a claim.

    ``calibration`` turns the verdict's scores into a confidence: each analyzer's scores mean
    something of their own, so each has its own (:mod:`factcheck.engine.calibration`).
    """

    name: str

    @property
    def calibration(self) -> Calibration:
        """The calibration fitted to this analyzer's scores."""
        ...

    def assess(self, claim: Claim, evidence: Evidence) -> Stance:
        """Judge ``evidence`` against ``claim``."""
        ...

    def assess_many(self, claim: Claim, evidences: Sequence[Evidence]) -> list[Stance]:
        """Judge every candidate at once, in order (a model can batch them)."""
        ...


class OneAtATime:
    """``assess_many`` for an analyzer that judges each passage alone: a loop over ``assess``."""

    def assess(self, claim: Claim, evidence: Evidence) -> Stance:
        raise NotImplementedError

    def assess_many(self, claim: Claim, evidences: Sequence[Evidence]) -> list[Stance]:
        """Judge each of ``evidences`` in turn."""
        return [self.assess(claim, evidence) for evidence in evidences]
