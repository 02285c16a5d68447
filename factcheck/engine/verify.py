"""Verification: the one service function every interface calls to check a claim.

``verify`` runs the pipeline — analyse the claim, retrieve candidates, judge each one's
stance, aggregate a verdict — and returns a :class:`Result` that the API serialises, the web
page renders and the CLI prints. A claim that asserts several things
(:mod:`factcheck.engine.decomposition`) is checked part by part on that same path, and the
parts' verdicts are combined into the whole's; the result then lists the parts. It takes the
searcher and the stance analyzer as arguments, so it runs (and is tested and benchmarked)
without Flask.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from whoosh.searching import Searcher

from factcheck.engine.calibration import Scores
from factcheck.engine.claim_analysis import analyse_claim
from factcheck.engine.decomposition import combine, split_claim
from factcheck.engine.highlighting import highlight
from factcheck.engine.retrieval import CANDIDATES, retrieve, with_vector
from factcheck.engine.stance import DEFAULT_ANALYZER, StanceAnalyzer, create_analyzer
from factcheck.engine.stance.base import StanceLabel
from factcheck.engine.verdict import (
    CONFLICTING,
    NOT_ENOUGH_EVIDENCE,
    REFUTED,
    SUPPORTED,
    Assessment,
    Verdict,
    VerdictLabel,
    decide,
)
from factcheck.language.text_analysis import normalise
from factcheck.search.vectors import VectorStore

DEFAULT_LIMIT = 5


@dataclass(frozen=True)
class Excerpt:
    """One passage as a reader sees it: text, highlight, context, stance and source."""

    passage_id: str
    text: str
    highlight: str  # escaped HTML with the claim's words in <mark>
    context: str
    stance: StanceLabel  # "supports" or "refutes" (or "neutral" among the closest passages)
    score: float
    reasons: tuple[str, ...]  # what a reader sees: the texts of the stance's reasons
    source: dict[str, str | None]


@dataclass(frozen=True)
class Part:
    """One assertion of a claim that makes several, with its own verdict."""

    claim: str
    verdict: VerdictLabel
    confidence: float
    explanation: str


@dataclass(frozen=True)
class Result:
    """A checked claim: the verdict and the excerpts behind it."""

    claim: str
    verdict: VerdictLabel
    confidence: float
    explanation: str
    supporting: tuple[Excerpt, ...]
    conflicting: tuple[Excerpt, ...]
    closest: tuple[Excerpt, ...]  # what was found nearest, for a not_enough_evidence answer
    index_version: str
    took_ms: float
    timings: dict[str, float] = field(default_factory=dict)  # milliseconds per stage
    scores: Scores = field(default=Scores("nothing"))  # what the confidence was computed from
    parts: tuple[Part, ...] = ()  # the assertions of a claim that was split; () when it was not

    def top_excerpts(self, k: int) -> list[Excerpt]:
        """The ``k`` strongest excerpts across both sides."""
        both = sorted(self.supporting + self.conflicting, key=lambda e: e.score, reverse=True)
        return both[:k]


def verify(
    claim: str,
    searcher: Searcher,
    *,
    index_version: str = "",
    limit: int = DEFAULT_LIMIT,
    analyzer: StanceAnalyzer | None = None,
    candidates: int = CANDIDATES,
    vectors: VectorStore | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> Result:
    """Check ``claim`` against the passages ``searcher`` can see (and, given ``vectors``,
    against their passage vectors too: see :func:`~factcheck.engine.retrieval.retrieve`).

    ``analyzer`` judges each candidate's stance (the app passes the one its settings name);
    without one, the rules analyzer does. A claim of several assertions is checked part by
    part and the verdicts combined (:func:`factcheck.engine.decomposition.combine`); its
    result's ``parts`` hold each part's verdict. A claim of one assertion has no ``parts``.
    """
    analyzer = analyzer or default_analyzer()
    parts = split_claim(claim)
    if len(parts) > 1:
        checked = [
            _verify_one(part, searcher, index_version, limit, analyzer, candidates, vectors, clock)
            for part in parts
        ]
        return _combined(claim.strip(), checked, limit)
    return _verify_one(claim, searcher, index_version, limit, analyzer, candidates, vectors, clock)


def _verify_one(
    claim: str,
    searcher: Searcher,
    index_version: str,
    limit: int,
    analyzer: StanceAnalyzer,
    candidates: int,
    vectors: VectorStore | None,
    clock: Callable[[], float],
) -> Result:
    """Check one assertion: analyse, retrieve, judge each candidate, decide."""
    started = clock()
    analysed = analyse_claim(claim)
    analysed_at = clock()
    analysed = with_vector(analysed, vectors)  # embedded once, for retrieval and stance
    evidence = retrieve(analysed, searcher, limit=candidates, vectors=vectors)
    retrieved_at = clock()
    stances = analyzer.assess_many(analysed, evidence)
    assessments = [Assessment(e, s) for e, s in zip(evidence, stances, strict=True)]
    judged_at = clock()
    # An analyzer that weighs the passages itself (``learned``) has its own ``decide``.
    own_decide = getattr(analyzer, "decide", None)
    if own_decide is not None:
        verdict = own_decide(analysed, assessments)
    else:
        verdict = decide(assessments, may_lean=analysed.may_lean, calibration=analyzer.calibration)
    decided_at = clock()
    return Result(
        claim=claim.strip(),
        verdict=verdict.label,
        confidence=verdict.confidence,
        explanation=verdict.explanation,
        supporting=tuple(_excerpt(a) for a in verdict.supporting[:limit]),
        conflicting=tuple(_excerpt(a) for a in verdict.conflicting[:limit]),
        closest=tuple(_excerpt(a) for a in _closest(verdict)),
        index_version=index_version,
        took_ms=round((decided_at - started) * 1000, 2),
        scores=verdict.scores,
        timings={
            "analysis": round((analysed_at - started) * 1000, 3),
            "retrieval": round((retrieved_at - analysed_at) * 1000, 3),
            "stance": round((judged_at - retrieved_at) * 1000, 3),
            "aggregation": round((decided_at - judged_at) * 1000, 3),
        },
    )


def _combined(claim: str, checked: list[Result], limit: int) -> Result:
    """The whole claim's result from its parts' (the rule is :func:`combine`'s).

    The excerpts are the parts' merged, one per passage (the strongest), strongest first; the
    explanation names the part that decided the verdict.
    """
    label, confidence, deciding = combine([(r.verdict, r.confidence) for r in checked])
    supporting = _merged([r.supporting for r in checked], limit)
    conflicting = _merged([r.conflicting for r in checked], limit)
    # The closest passages of the parts short of evidence: what a not_enough_evidence page shows.
    closest = _merged([r.closest for r in checked], limit)
    timings: dict[str, float] = {}
    for result in checked:
        for stage, took in result.timings.items():
            timings[stage] = round(timings.get(stage, 0.0) + took, 3)
    return Result(
        claim=claim,
        verdict=label,
        confidence=confidence,
        explanation=_explanation(checked, deciding),
        supporting=supporting,
        conflicting=conflicting,
        closest=closest,
        index_version=checked[0].index_version,
        took_ms=round(sum(r.took_ms for r in checked), 2),
        timings=timings,
        scores=checked[deciding].scores,
        parts=tuple(Part(r.claim, r.verdict, r.confidence, r.explanation) for r in checked),
    )


def _merged(sides: list[tuple[Excerpt, ...]], limit: int) -> tuple[Excerpt, ...]:
    """Excerpts of several parts, one per passage (its strongest), strongest first."""
    best: dict[str, Excerpt] = {}
    for excerpts in sides:
        for excerpt in excerpts:
            known = best.get(excerpt.passage_id)
            if known is None or excerpt.score > known.score:
                best[excerpt.passage_id] = excerpt
    return tuple(sorted(best.values(), key=lambda e: e.score, reverse=True)[:limit])


PART_VERDICT_WORDS = {
    SUPPORTED: "is supported",
    REFUTED: "is refuted",
    CONFLICTING: "has conflicting evidence",
    NOT_ENOUGH_EVIDENCE: "has not enough evidence",
}


def _explanation(checked: list[Result], deciding: int) -> str:
    """Why the whole has its verdict, naming the part that decided it."""
    part = checked[deciding]
    count = len(checked)
    if part.verdict == SUPPORTED:
        opening = f'All {count} parts of the claim are supported; the least sure, "{part.claim}":'
    else:
        opening = (
            f'Part {deciding + 1} of {count}, "{part.claim}", {PART_VERDICT_WORDS[part.verdict]}:'
        )
    return f"{opening} {part.explanation}"


@lru_cache(maxsize=1)
def default_analyzer() -> StanceAnalyzer:
    """The analyzer used when none is passed: the default one, created once."""
    return create_analyzer(DEFAULT_ANALYZER)


def _closest(verdict: Verdict) -> tuple[Assessment, ...]:
    if verdict.supporting or verdict.conflicting:
        return ()
    return verdict.closest


def _excerpt(assessment: Assessment) -> Excerpt:
    evidence, stance = assessment.evidence, assessment.stance
    # Stance offsets are into the normalised text; they fit the original when lengths agree.
    spans = stance.matched_spans if len(normalise(evidence.text)) == len(evidence.text) else ()
    return Excerpt(
        passage_id=evidence.passage_id,
        text=evidence.text,
        highlight=highlight(evidence.text, spans),
        context=evidence.context or evidence.text,
        stance=stance.label,
        score=round(stance.score, 3),
        reasons=stance.texts,
        source={
            "id": evidence.source_id,
            "title": evidence.source_title,
            "publisher": evidence.publisher,
            "url": evidence.url,
            "published": evidence.published,
        },
    )
