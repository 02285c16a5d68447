"""The combiner's fitting data: each labelled claim's features, read once from the corpus.

:func:`extract` runs each claim the way :func:`factcheck.engine.verify.verify` does (split into
parts, analyse, retrieve with the stored vectors, judge) and records, per part, the
:mod:`~factcheck.engine.stance.signals` feature vector and whether the excerpts the ``learned``
analyzer would show under each verdict carry the claim's gold evidence; per claim, what ``rules``
and ``meaning`` answered on the same candidates (their verdict, confidence and evidence found).
Retrieval does not depend on the analyzer, so one pass serves all three. The records are JSON
lines (``factcheck model features``), one file per claim set; fitting and cross-validation then
need neither the corpus nor the encoder (:func:`rows`, :func:`predict_claims`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.searching import Searcher

from factcheck.engine.claim_analysis import analyse_claim
from factcheck.engine.decomposition import combine, split_claim
from factcheck.engine.evaluation import Example
from factcheck.engine.retrieval import CANDIDATES, retrieve, with_vector
from factcheck.engine.stance.learned import Combiner, LearnedStanceAnalyzer, overruled
from factcheck.engine.stance.meaning import MeaningStanceAnalyzer
from factcheck.engine.verdict import VERDICTS, Assessment, Verdict, VerdictLabel, decide
from factcheck.search.vectors import VectorStore

SHOWN = 5  # excerpts per side, and the k of evidence recall@k


def extract(
    examples: Sequence[Example],
    searcher: Searcher,
    *,
    vectors: VectorStore | None,
    analyzer: LearnedStanceAnalyzer,
    progress: Callable[[int], None] | None = None,
) -> Iterator[dict[str, Any]]:
    """One record per example (see the module docstring)."""
    meaning = MeaningStanceAnalyzer(rules=analyzer._rules)
    for n, example in enumerate(examples):
        parts: list[dict[str, Any]] = []
        rules_verdicts: list[Verdict] = []
        meaning_verdicts: list[Verdict] = []
        for text in split_claim(example.claim):
            claim = with_vector(analyse_claim(text), vectors)
            evidence = retrieve(claim, searcher, limit=CANDIDATES, vectors=vectors)
            signals = analyzer.signals(claim, evidence)
            learned = [Assessment(e, s.stance) for e, s in zip(evidence, signals, strict=True)]
            rules = [Assessment(e, s.rules) for e, s in zip(evidence, signals, strict=True)]
            meanings = meaning.assess_many(claim, evidence)
            rules_verdicts.append(
                decide(rules, may_lean=claim.may_lean, calibration=analyzer._rules.calibration)
            )
            meaning_verdicts.append(
                decide(
                    [Assessment(e, s) for e, s in zip(evidence, meanings, strict=True)],
                    may_lean=claim.may_lean,
                    calibration=meaning.calibration,
                )
            )
            base = decide(learned, may_lean=claim.may_lean, calibration=analyzer.calibration)
            found = {
                label: _found(example, [overruled(base, label, 0.5, learned, signals)])
                for label in VERDICTS
            }
            features = analyzer.features(claim, signals)
            parts.append(
                {
                    "features": [round(float(v), 5) for v in features],
                    "found": found,
                    "usual": base.label,  # the aggregation's verdict, before the combiner
                }
            )
        yield {
            "id": example.id,
            "claim": example.claim,
            "label": example.label,
            "has_evidence": example.has_evidence,
            "parts": parts,
            "rules": _answer(example, rules_verdicts),
            "meaning": _answer(example, meaning_verdicts),
        }
        if progress is not None:
            progress(n + 1)


def _answer(example: Example, verdicts: list[Verdict]) -> dict[str, Any]:
    label, confidence, _ = combine([(v.label, v.confidence) for v in verdicts])
    return {"predicted": label, "confidence": confidence, "found": _found(example, verdicts)}


def _found(example: Example, verdicts: list[Verdict]) -> bool | None:
    """Whether the top excerpts (as a result shows them) carry the gold evidence."""
    if not example.has_evidence:
        return None
    best: dict[str, tuple[float, str]] = {}
    for verdict in verdicts:
        for side in (verdict.supporting[:SHOWN], verdict.conflicting[:SHOWN]):
            for a in side:
                key = a.evidence.passage_id
                if key not in best or a.stance.score > best[key][0]:
                    best[key] = (a.stance.score, a.evidence.text)
    top = sorted(best.items(), key=lambda item: item[1][0], reverse=True)[:SHOWN]
    texts = [" ".join(text.lower().split()) for _, (_, text) in top]
    ids = {key for key, _ in top}
    phrases = [" ".join(p.lower().split()) for p in example.phrases]
    return any(p in t for p in phrases for t in texts) or bool(ids & set(example.passage_ids))


def write_records(records: Iterator[dict[str, Any]], path: Path) -> int:
    """Write the records as JSON lines; how many."""
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record) + "\n")
            count += 1
    return count


def read_records(path: Path) -> list[dict[str, Any]]:
    """The records of a features file."""
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def rows(records: Sequence[dict[str, Any]]) -> tuple[np.ndarray, list[str]]:
    """Fitting rows: each part of a claim of one part, or of a supported claim (all its parts
    are supported); a refuted or unsupported claim of several parts does not say which part is."""
    x: list[list[float]] = []
    y: list[str] = []
    for record in records:
        parts = record["parts"]
        if len(parts) == 1 or record["label"] == "supported":
            for part in parts:
                x.append(part["features"])
                y.append(record["label"])
    return np.asarray(x, dtype=np.float64), y


def predict_claims(
    combiner: Combiner, records: Sequence[dict[str, Any]]
) -> list[tuple[VerdictLabel, float, bool | None]]:
    """What the ``learned`` analyzer answers for each record's claim: verdict, confidence and
    whether its excerpts carry the gold evidence (parts combined as the service combines them)."""
    answers: list[tuple[VerdictLabel, float, bool | None]] = []
    for record in records:
        verdicts: list[tuple[VerdictLabel, float]] = []
        found: list[bool | None] = []
        for part in record["parts"]:
            best, confidence = combiner.verdict(np.asarray(part["features"]), part.get("usual"))
            label: VerdictLabel = best  # type: ignore[assignment]
            verdicts.append((label, confidence))
            found.append(part["found"][label])
        label, confidence, _ = combine(verdicts)
        evidence = None if not record["has_evidence"] else any(bool(f) for f in found)
        answers.append((label, confidence, evidence))
    return answers
