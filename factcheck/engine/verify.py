"""Verification: the one service function every interface calls to check a claim.

``verify`` runs the pipeline — analyse the claim, retrieve candidates, judge each one's
stance, aggregate a verdict — and returns a :class:`Result` that the API serialises, the web
page renders and the CLI prints. It takes the searcher and the stance analyzer as arguments,
so it runs (and is tested and benchmarked) without Flask.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from whoosh.searching import Searcher

from factcheck.engine.claim_analysis import analyse_claim
from factcheck.engine.highlighting import highlight
from factcheck.engine.retrieval import CANDIDATES, retrieve
from factcheck.engine.stance.rules import RuleStanceAnalyzer, StanceAnalyzer
from factcheck.engine.verdict import Assessment, Verdict, decide
from factcheck.language.text_analysis import normalise
from factcheck.search.vectors import VectorStore

DEFAULT_LIMIT = 5
_DEFAULT_ANALYZER = RuleStanceAnalyzer()


@dataclass(frozen=True)
class Excerpt:
    """One passage as a reader sees it: text, highlight, context, stance and source."""

    passage_id: str
    text: str
    highlight: str  # escaped HTML with the claim's words in <mark>
    context: str
    stance: str  # "supports" or "refutes" (or "neutral" among the closest passages)
    score: float
    reasons: tuple[str, ...]
    source: dict[str, str | None]


@dataclass(frozen=True)
class Result:
    """A checked claim: the verdict and the excerpts behind it."""

    claim: str
    verdict: str
    confidence: float
    explanation: str
    supporting: tuple[Excerpt, ...]
    conflicting: tuple[Excerpt, ...]
    closest: tuple[Excerpt, ...]  # what was found nearest, for a not_enough_evidence answer
    index_version: str
    took_ms: float
    timings: dict[str, float] = field(default_factory=dict)  # milliseconds per stage

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
    against their passage vectors too: see :func:`~factcheck.engine.retrieval.retrieve`)."""
    analyzer = analyzer or _DEFAULT_ANALYZER
    started = clock()
    analysed = analyse_claim(claim)
    analysed_at = clock()
    evidence = retrieve(analysed, searcher, limit=candidates, vectors=vectors)
    retrieved_at = clock()
    assessments = [Assessment(e, analyzer.assess(analysed, e)) for e in evidence]
    judged_at = clock()
    # Only a general claim may lean on partial coverage: one about a named actor (a country,
    # a leader, a body) or one that states a figure is either said by the sources or not.
    # "Arctic sea ice…" names a place, not an actor.
    actors = {
        e.key for e in analysed.analysis.entities if e.kind != "name" and e.key in analysed.subject
    }
    verdict = decide(assessments, may_lean=not actors and not analysed.quantities)
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
        timings={
            "analysis": round((analysed_at - started) * 1000, 3),
            "retrieval": round((retrieved_at - analysed_at) * 1000, 3),
            "stance": round((judged_at - retrieved_at) * 1000, 3),
            "aggregation": round((decided_at - judged_at) * 1000, 3),
        },
    )


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
        reasons=stance.reasons,
        source={
            "id": evidence.source_id,
            "title": evidence.source_title,
            "publisher": evidence.publisher,
            "url": evidence.url,
            "published": evidence.published,
        },
    )
