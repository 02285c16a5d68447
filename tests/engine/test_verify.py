"""verify's combination of a split claim's parts, on composed part results."""

from __future__ import annotations

from factcheck.engine.verify import Excerpt, Result, _combined


def excerpt(passage_id: str, stance: str, score: float) -> Excerpt:
    return Excerpt(
        passage_id=passage_id,
        text=passage_id,
        highlight=passage_id,
        context=passage_id,
        stance=stance,  # type: ignore[arg-type]
        score=score,
        reasons=(),
        source={"id": "s", "title": "t", "publisher": None, "url": None, "published": None},
    )


def part(claim: str, verdict: str, confidence: float, *excerpts: Excerpt) -> Result:
    return Result(
        claim=claim,
        verdict=verdict,  # type: ignore[arg-type]
        confidence=confidence,
        explanation=f"why {claim}",
        supporting=tuple(e for e in excerpts if e.stance == "supports"),
        conflicting=tuple(e for e in excerpts if e.stance == "refutes"),
        closest=(),
        index_version="v1",
        took_ms=2.0,
        timings={"retrieval": 1.0},
    )


def test_parts_combine_into_the_whole() -> None:
    shared = excerpt("p1", "supports", 0.9)
    whole = _combined(
        "X did A and did B",
        [
            part("X did A", "supported", 0.97, shared, excerpt("p2", "supports", 0.6)),
            part(
                "X did B",
                "refuted",
                0.8,
                excerpt("p1", "supports", 0.5),
                excerpt("p3", "refutes", 0.7),
            ),
        ],
        limit=5,
    )
    assert (whole.verdict, whole.confidence) == ("refuted", 0.8)
    assert whole.explanation == 'Part 2 of 2, "X did B", is refuted: why X did B'
    # Merged one per passage (the strongest), strongest first.
    assert [(e.passage_id, e.score) for e in whole.supporting] == [("p1", 0.9), ("p2", 0.6)]
    assert [e.passage_id for e in whole.conflicting] == ["p3"]
    assert [(p.claim, p.verdict, p.confidence) for p in whole.parts] == [
        ("X did A", "supported", 0.97),
        ("X did B", "refuted", 0.8),
    ]
    assert whole.took_ms == 4.0 and whole.timings == {"retrieval": 2.0}


def test_supported_parts_give_the_least_sure_confidence() -> None:
    whole = _combined(
        "X did A and did B",
        [part("X did A", "supported", 0.97), part("X did B", "supported", 0.87)],
        limit=1,
    )
    assert (whole.verdict, whole.confidence) == ("supported", 0.87)
    assert whole.explanation.startswith(
        'All 2 parts of the claim are supported; the least sure, "X did B"'
    )


def test_merged_excerpts_are_capped_at_the_limit() -> None:
    whole = _combined(
        "X did A and did B",
        [
            part("X did A", "supported", 0.9, excerpt("p1", "supports", 0.9)),
            part("X did B", "supported", 0.9, excerpt("p2", "supports", 0.8)),
        ],
        limit=1,
    )
    assert [e.passage_id for e in whole.supporting] == ["p1"]
