"""Aggregation rules: stances across passages and sources become one verdict."""

from __future__ import annotations

from dataclasses import replace

import pytest

from factcheck.engine.evidence import Evidence
from factcheck.engine.stance.base import NEUTRAL, REFUTES, SUPPORTS, Reason, Stance
from factcheck.engine.verdict import (
    CONFLICTING,
    NOT_ENOUGH_EVIDENCE,
    REFUTED,
    SUPPORTED,
    Assessment,
    decide,
)


def assessment(
    label: str,
    score: float,
    source: str,
    text: str | None = None,
    *,
    disputed: bool = False,
    published: str | None = "2023-01",
) -> Assessment:
    evidence = Evidence(
        passage_id=f"{source}:{text or label}{score}",
        text=text or f"{label} {score} in {source}",
        source_id=source,
        source_title=f"Title of {source}",
        published=published,
    )
    reasons = (Reason("says_the_same", label),)
    return Assessment(evidence, Stance(label, score, reasons, disputed=disputed, relevance=score))


def test_nothing_relevant_is_not_enough_evidence() -> None:
    verdict = decide([assessment(NEUTRAL, 0.0, "a")])
    assert verdict.label == NOT_ENOUGH_EVIDENCE
    assert verdict.supporting == verdict.conflicting == ()


def test_one_sided_support_is_supported() -> None:
    assert decide([assessment(SUPPORTS, 0.9, "a")]).label == SUPPORTED


def test_one_sided_refutation_is_refuted() -> None:
    assert decide([assessment(REFUTES, 0.9, "a")]).label == REFUTED


def test_weak_stances_do_not_count() -> None:
    assert decide([assessment(SUPPORTS, 0.3, "a")]).label == NOT_ENOUGH_EVIDENCE


def test_agreement_among_independent_sources_raises_confidence() -> None:
    one = decide([assessment(SUPPORTS, 0.8, "a")])
    two = decide([assessment(SUPPORTS, 0.8, "a"), assessment(SUPPORTS, 0.8, "b", "other")])
    assert two.confidence > one.confidence


def test_the_same_sentence_in_two_sources_counts_once() -> None:
    wire = "The ministry confirmed the order on Monday."
    one = decide([assessment(SUPPORTS, 0.8, "a", wire)])
    copied = decide([assessment(SUPPORTS, 0.8, "a", wire), assessment(SUPPORTS, 0.8, "b", wire)])
    assert copied.confidence == one.confidence
    assert len(copied.supporting) == 1


def test_the_earliest_source_is_credited_for_a_shared_sentence() -> None:
    wire = "The ministry confirmed the order on Monday."
    verdict = decide(
        [
            assessment(SUPPORTS, 0.8, "late", wire, published="2023-05"),
            assessment(SUPPORTS, 0.8, "early", wire, published="2022-01"),
        ]
    )
    assert verdict.supporting[0].evidence.source_id == "early"


def test_two_credible_sources_that_disagree_conflict() -> None:
    verdict = decide([assessment(SUPPORTS, 0.85, "a"), assessment(REFUTES, 0.8, "b")])
    assert verdict.label == CONFLICTING
    assert "disagree" in verdict.explanation


def test_a_source_that_contradicts_itself_conflicts() -> None:
    verdict = decide(
        [assessment(SUPPORTS, 0.9, "a", "says 34"), assessment(REFUTES, 0.85, "a", "says 32")]
    )
    assert verdict.label == CONFLICTING
    assert "contradicts itself" in verdict.explanation


def test_a_source_speaks_once_through_its_stronger_side() -> None:
    verdict = decide(
        [assessment(SUPPORTS, 0.55, "a", "weak"), assessment(REFUTES, 0.9, "a", "strong")]
    )
    assert verdict.label == REFUTED


def test_a_weak_dissent_lowers_confidence_without_flipping_the_verdict() -> None:
    clean = decide([assessment(SUPPORTS, 0.9, "a"), assessment(SUPPORTS, 0.9, "b", "x")])
    dissent = decide(
        [
            assessment(SUPPORTS, 0.9, "a"),
            assessment(SUPPORTS, 0.9, "b", "x"),
            assessment(REFUTES, 0.5, "c"),
        ]
    )
    assert dissent.label == SUPPORTED
    assert dissent.confidence < clean.confidence


def test_an_accusation_met_by_a_denial_is_conflicting() -> None:
    verdict = decide([assessment(REFUTES, 0.7, "a", disputed=True)])
    assert verdict.label == CONFLICTING
    assert "denial" in verdict.explanation


def test_confidence_is_a_probability() -> None:
    for stances in (
        [assessment(SUPPORTS, 1.0, s, s) for s in "abcdef"],
        [assessment(REFUTES, 1.0, "a")],
        [assessment(NEUTRAL, 0.0, "a")],
    ):
        assert 0.0 <= decide(stances).confidence <= 1.0


def test_a_general_claim_may_lean_on_partial_uncontradicted_coverage() -> None:
    partial = [assessment(NEUTRAL, 0.0, "a")]
    partial[0] = Assessment(partial[0].evidence, Stance(NEUTRAL, 0.0, (), relevance=0.6))
    assert decide(partial).label == NOT_ENOUGH_EVIDENCE
    leaning = decide(partial, may_lean=True)
    assert leaning.label == SUPPORTED
    assert leaning.confidence < 0.5


def test_a_disagreement_names_the_side_of_the_most_recent_source() -> None:
    verdict = decide(
        [
            assessment(SUPPORTS, 0.85, "old", "30,000 troops", published="2022-02"),
            assessment(REFUTES, 0.85, "new", "11,000 troops", published="2023-02"),
        ]
    )
    assert verdict.label == CONFLICTING
    assert "most recent source (2023-02) contradicts" in verdict.explanation


def reworded(assessment: Assessment, text: str) -> Assessment:
    """The same stance with every reason's text replaced and its code kept."""
    stance = assessment.stance
    reasons = tuple(Reason(reason.code, text) for reason in stance.reasons)
    return Assessment(assessment.evidence, replace(stance, reasons=reasons))


def hedged(label: str, score: float, source: str) -> Assessment:
    a = assessment(label, score, source)
    reasons = (Reason("says_the_same", "asserts it"), Reason("hedged", "hedged"))
    return Assessment(a.evidence, replace(a.stance, reasons=reasons))


@pytest.mark.parametrize(
    "assessments",
    [
        [hedged(SUPPORTS, 0.8, "a"), hedged(SUPPORTS, 0.7, "b")],
        [assessment(SUPPORTS, 0.85, "a"), assessment(REFUTES, 0.8, "b")],
        [assessment(REFUTES, 0.9, "a"), assessment(NEUTRAL, 0.0, "b")],
    ],
)
def test_the_verdict_reads_reason_codes_not_their_wording(assessments: list[Assessment]) -> None:
    plain = decide(assessments)
    rewritten = decide([reworded(a, "zzz: wording a reader sees") for a in assessments])
    assert (rewritten.label, rewritten.confidence) == (plain.label, plain.confidence)
    assert [a.stance.codes for a in rewritten.supporting + rewritten.conflicting] == [
        a.stance.codes for a in plain.supporting + plain.conflicting
    ]


def test_hedged_support_is_told_by_its_code() -> None:
    note = "Every supporting passage is attributed or hedged."
    assert note in decide([hedged(SUPPORTS, 0.8, "a")]).explanation
    assert note in decide([reworded(hedged(SUPPORTS, 0.8, "a"), "zzz")]).explanation
    # The text "hedged" on a reason whose code is not "hedged" does not make it hedged.
    plain = assessment(SUPPORTS, 0.8, "a")
    text_only = replace(plain.stance, reasons=(Reason("says_the_same", "hedged"),))
    assert note not in decide([Assessment(plain.evidence, text_only)]).explanation


@pytest.mark.parametrize(
    ("label", "sources", "expected"),
    [
        (SUPPORTS, ["a"], "One source supports the claim: "),
        (SUPPORTS, ["a", "b"], "Two sources support the claim: "),
        (REFUTES, ["a"], "One source contradicts the claim: "),
        (REFUTES, ["a", "b", "c"], "Three sources contradict the claim: "),
        (SUPPORTS, [f"s{n}" for n in range(12)], "12 sources support the claim: "),
    ],
)
def test_the_explanation_agrees_with_the_number_of_sources(
    label: str, sources: list[str], expected: str
) -> None:
    verdict = decide([assessment(label, 0.9, source, f"{source} says so") for source in sources])
    assert verdict.explanation.startswith(expected)
