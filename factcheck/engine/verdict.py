"""Verdict: many passages' stances become one answer, with a confidence that means it.

Aggregation rules, in order:

1. **Only real stances count.** Neutral passages and stances weaker than
   :data:`MIN_STANCE_SCORE` are set aside (they are still shown as the closest passages when
   nothing else is found).
2. **The same sentence counts once.** Two sources carrying one wire sentence are one piece of
   evidence, credited to the earliest source that carries it.
3. **A source speaks once.** Each source's strongest support and strongest refutation are
   compared: a clear winner is that source's position; two strong and opposite passages mean
   the source contradicts itself, which counts on both sides.
4. **Independent sources add up.** Strength on a side is the noisy-or of its sources, so
   agreement among several sources raises confidence and no single source can reach 1.
5. **A disputed passage** (an accusation reported with its denial) puts the claim on both
   sides, so the verdict is at best ``conflicting``.

Confidence is the probability that the verdict is right, measured against labelled claims
(``factcheck eval``): strong, uncontested evidence from several sources earns a high one. The
verdict hands its scores (:class:`~factcheck.engine.calibration.Scores`) to the analyzer's
:class:`~factcheck.engine.calibration.Calibration`, whose fitted curves are package data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Final, Literal, get_args

from factcheck.engine.calibration import Calibration, Scores, load_calibration
from factcheck.engine.evidence import Evidence
from factcheck.engine.stance.base import REFUTES, SUPPORTS, Reason, Stance

# The four answers, declared once: the schemas, the pages and the evaluation take them from here.
VerdictLabel = Literal["supported", "refuted", "conflicting", "not_enough_evidence"]
SUPPORTED: Final = "supported"
REFUTED: Final = "refuted"
CONFLICTING: Final = "conflicting"
NOT_ENOUGH_EVIDENCE: Final = "not_enough_evidence"
VERDICTS: tuple[VerdictLabel, ...] = get_args(VerdictLabel)

MIN_STANCE_SCORE = 0.5
SELF_CONTRADICTION = 0.8  # both sides this strong within one source: it contradicts itself
NET_MARGIN = 0.05  # within one source, a side must lead by this much to speak for it
CONFLICT_RATIO = 0.6  # the weaker side must reach this share of the stronger to conflict
# For a claim that names no subject, passages that cover this much of it, and contradict none
# of it, tip an otherwise empty answer towards "supported", with low confidence.
LEAN_RELEVANCE = 0.38
LEAN_SCORE_FACTOR = 0.5  # a leaning passage supports at half its relevance: it states nothing
GENERAL_REFUTE_SCORE = 0.75
# A disputed passage reports the accusation as well as its denial: it supports at the strength
# of an attributed statement.
DISPUTED_SUPPORT_FACTOR = 0.8
CLOSEST_SHOWN = 3  # passages shown as the closest when nothing else is found
COVERS_WITHOUT_STATING = Reason(
    "covers_without_stating", "covers most of the claim without stating it"
)


@dataclass(frozen=True)
class Assessment:
    """A passage and its stance on the claim."""

    evidence: Evidence
    stance: Stance


@dataclass(frozen=True)
class Verdict:
    """The answer: a label, its probability of being right, and the evidence behind it."""

    label: VerdictLabel
    confidence: float
    explanation: str
    supporting: tuple[Assessment, ...] = ()
    conflicting: tuple[Assessment, ...] = ()
    closest: tuple[Assessment, ...] = field(default=())  # shown when nothing else is found
    scores: Scores = field(default=Scores("nothing"))  # what the confidence was computed from


def decide(
    assessments: list[Assessment],
    *,
    may_lean: bool = False,
    calibration: Calibration | None = None,
) -> Verdict:
    """Aggregate passage stances into a verdict (see the module docstring for the rules).

    ``may_lean`` lets uncontradicted partial coverage tip an empty answer to a low-confidence
    "supported": right for general claims ("warming drives polar bears to extinction"), wrong
    for claims about a named actor, where the sources either say it or do not.
    ``calibration`` turns the scores into a confidence (default: the rules analyzer's).
    """
    calibration = calibration or load_calibration("rules")
    supporting, refuting = _counted(assessments, may_lean)
    nearest_first = sorted(assessments, key=lambda a: a.stance.relevance, reverse=True)
    closest = tuple(nearest_first[:CLOSEST_SHOWN])
    if not supporting and not refuting:
        return _nothing_stated(assessments, closest, calibration, may_lean)
    disputed = [a for a in refuting if a.stance.disputed]
    label, scores = _weigh(supporting, refuting, disputed)
    return Verdict(
        label,
        calibration.confidence(scores),
        _explain(label, supporting, refuting, disputed),
        supporting=tuple(supporting),
        conflicting=tuple(refuting),
        closest=closest,
        scores=scores,
    )


def _counted(
    assessments: list[Assessment], may_lean: bool
) -> tuple[list[Assessment], list[Assessment]]:
    """The stances that count, one per distinct sentence: supporting and refuting, strongest
    first."""
    # A general claim is matched on wording alone, where an apparent contradiction is often
    # a different topic: only a strong one counts.
    refute_floor = GENERAL_REFUTE_SCORE if may_lean else MIN_STANCE_SCORE
    counted = _deduplicate(
        [
            a
            for a in assessments
            if (a.stance.label == SUPPORTS and a.stance.score >= MIN_STANCE_SCORE)
            or (a.stance.label == REFUTES and a.stance.score >= refute_floor)
        ]
    )
    supporting = sorted(
        (a for a in counted if a.stance.label == SUPPORTS), key=_strength, reverse=True
    )
    refuting = sorted(
        (a for a in counted if a.stance.label == REFUTES), key=_strength, reverse=True
    )
    return supporting, refuting


def _nothing_stated(
    assessments: list[Assessment],
    closest: tuple[Assessment, ...],
    calibration: Calibration,
    may_lean: bool,
) -> Verdict:
    """No passage takes a stance that counts: not enough evidence, or a lean to "supported"."""
    nearest = max((a.stance.relevance for a in assessments), default=0.0)
    if may_lean and nearest >= LEAN_RELEVANCE:
        return _lean_supported(closest, calibration, Scores("leaning", nearest=nearest))
    scores = Scores("nothing", nearest=nearest)
    return Verdict(
        NOT_ENOUGH_EVIDENCE,
        calibration.confidence(scores),
        _explain_nothing(nearest),
        closest=closest,
        scores=scores,
    )


def _weigh(
    supporting: list[Assessment], refuting: list[Assessment], disputed: list[Assessment]
) -> tuple[VerdictLabel, Scores]:
    """The label the sources' positions add up to, and the scores its confidence comes from."""
    support_by_source, refute_by_source = _net_positions(supporting, refuting)
    for a in disputed:
        source = a.evidence.source_id
        support_by_source[source] = max(
            support_by_source.get(source, 0.0), a.stance.score * DISPUTED_SUPPORT_FACTOR
        )
    support = _noisy_or(support_by_source.values())
    refute = _noisy_or(refute_by_source.values())
    if (
        support
        and refute
        and (disputed or min(support, refute) >= CONFLICT_RATIO * max(support, refute))
    ):
        return CONFLICTING, Scores("conflicting", max(support, refute), min(support, refute))
    if support >= refute:
        return SUPPORTED, Scores("one_sided", support, refute, len(support_by_source))
    return REFUTED, Scores("one_sided", refute, support, len(refute_by_source))


def _lean_supported(
    closest: tuple[Assessment, ...], calibration: Calibration, scores: Scores
) -> Verdict:
    """No passage states the claim, but the nearest ones cover most of it uncontradicted."""
    leaning = tuple(
        Assessment(
            a.evidence,
            replace(
                a.stance,
                label=SUPPORTS,
                score=round(a.stance.relevance * LEAN_SCORE_FACTOR, 3),
                reasons=(COVERS_WITHOUT_STATING,),
            ),
        )
        for a in closest
        if a.stance.relevance >= LEAN_RELEVANCE and a.stance.label != REFUTES
    )
    return Verdict(
        SUPPORTED,
        calibration.confidence(scores),
        "No passage states the claim outright; the closest "
        f"({_cite(list(leaning), 2)}) cover most of it and none contradicts it. "
        "Read them before relying on this.",
        supporting=leaning,
        closest=closest,
        scores=scores,
    )


def _strength(assessment: Assessment) -> tuple[float, float]:
    return (assessment.stance.score, assessment.evidence.retrieval_score)


def _deduplicate(assessments: list[Assessment]) -> list[Assessment]:
    """Keep one assessment per distinct sentence: the earliest-published source's."""
    best: dict[str, Assessment] = {}
    for a in sorted(
        assessments, key=lambda a: (a.evidence.published or "9999", a.evidence.source_id)
    ):
        key = " ".join(a.evidence.text.lower().split())
        if key not in best or a.stance.score > best[key].stance.score:
            best.setdefault(key, a)
    return list(best.values())


def _net_positions(
    supporting: list[Assessment], refuting: list[Assessment]
) -> tuple[dict[str, float], dict[str, float]]:
    """Each source's position: its stronger side, or both when it contradicts itself."""
    best_support: dict[str, float] = {}
    best_refute: dict[str, float] = {}
    for a in supporting:
        best_support[a.evidence.source_id] = max(
            best_support.get(a.evidence.source_id, 0.0), a.stance.score
        )
    for a in refuting:
        best_refute[a.evidence.source_id] = max(
            best_refute.get(a.evidence.source_id, 0.0), a.stance.score
        )
    support: dict[str, float] = {}
    refute: dict[str, float] = {}
    for source in best_support.keys() | best_refute.keys():
        s, r = best_support.get(source, 0.0), best_refute.get(source, 0.0)
        if s >= SELF_CONTRADICTION and r >= SELF_CONTRADICTION:
            support[source], refute[source] = s, r
        elif s > r + NET_MARGIN or (s and not r):
            support[source] = s
        elif r > s + NET_MARGIN or (r and not s):
            refute[source] = r
        else:
            support[source], refute[source] = s, r
    return support, refute


def _noisy_or(strengths: Iterable[float]) -> float:
    remaining = 1.0
    for s in strengths:
        remaining *= 1.0 - s
    return 1.0 - remaining


def _cite(assessments: list[Assessment], limit: int = 3) -> str:
    names: list[str] = []
    for a in assessments:
        label = a.evidence.publisher or a.evidence.source_title or a.evidence.source_id
        if a.evidence.published:
            label += f" ({a.evidence.published})"
        if label not in names:
            names.append(label)
    shown = names[:limit]
    more = len(names) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _sources(assessments: list[Assessment]) -> int:
    return len({a.evidence.source_id for a in assessments})


COUNT_WORDS = ("One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine")


def _agreeing(sources: int, singular: str, plural: str) -> str:
    """ "One source supports", "Two sources support", "12 sources support": counts under ten
    in words, and the verb agreeing with them."""
    number = COUNT_WORDS[sources - 1] if 0 < sources <= len(COUNT_WORDS) else str(sources)
    return f"{number} source {singular}" if sources == 1 else f"{number} sources {plural}"


def _explain(
    label: VerdictLabel,
    supporting: list[Assessment],
    refuting: list[Assessment],
    disputed: list[Assessment],
) -> str:
    if label == SUPPORTED:
        text = f"{_agreeing(_sources(supporting), 'supports', 'support')} the claim: "
        text += f"{_cite(supporting)}."
        if refuting:
            text += f" A weaker passage disagrees ({_cite(refuting, 1)})."
        else:
            text += " None contradicts it."
        if all(a.stance.codes & {"hedged", "attributed"} for a in supporting):
            text += " Every supporting passage is attributed or hedged."
        return text
    if label == REFUTED:
        strongest = refuting[0].stance.reasons
        reason = strongest[0].text if strongest else "contradicts it"
        text = (
            f"{_agreeing(_sources(refuting), 'contradicts', 'contradict')} the claim: "
            f"{_cite(refuting)}; "
            f"the strongest {reason}."
        )
        if supporting:
            text += f" A weaker passage agrees ({_cite(supporting, 1)})."
        else:
            text += " None supports it."
        return text
    if disputed:
        return f"An accusation stands against a denial ({_cite(disputed, 1)})" + (
            f"; also supporting: {_cite(supporting)}." if supporting else "."
        )
    same = {a.evidence.source_id for a in supporting} & {a.evidence.source_id for a in refuting}
    if same:
        return (
            "A source contradicts itself: "
            f"{_cite([a for a in supporting + refuting if a.evidence.source_id in same], 1)} "
            f"both supports and contradicts the claim. Supporting: {_cite(supporting)}; "
            f"contradicting: {_cite(refuting)}."
        )
    text = f"Sources disagree. Supporting: {_cite(supporting)}; contradicting: {_cite(refuting)}."
    return text + _newest_side(supporting, refuting)


def _newest_side(supporting: list[Assessment], refuting: list[Assessment]) -> str:
    """Which side the most recent source takes: a newer figure may supersede an older one."""

    def newest(side: list[Assessment]) -> str:
        return max((a.evidence.published or "" for a in side), default="")

    support_date, refute_date = newest(supporting), newest(refuting)
    if not support_date or not refute_date or support_date[:7] == refute_date[:7]:
        return ""
    side = "supports" if support_date > refute_date else "contradicts"
    return (
        f" The most recent source ({max(support_date, refute_date)}) {side} the claim; "
        "if the facts changed over time, it may be the one to rely on."
    )


def _explain_nothing(nearest: float) -> str:
    if nearest > 0.3:
        return (
            "No passage in the sources supports or contradicts the claim; the closest ones "
            "share some of its words but not what it asserts."
        )
    return "Nothing in the sources bears on this claim."
