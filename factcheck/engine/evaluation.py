"""Evaluation: how often the service is right, how well it finds evidence, how honest its
confidence is, and how fast it answers, on a file of labelled claims.

Two formats are read: the project's own (``{"id", "claim", "label", "evidence": [{"source",
"phrase"}]}``, as in ``../shared/claims/dev.jsonl``) and CLIMATE-FEVER's (``{"claim_id",
"claim", "claim_label", "evidences": [{"evidence_id", "evidence_label"}]}``), whose labels map
SUPPORTS→supported, REFUTES→refuted, DISPUTED→conflicting, NOT_ENOUGH_INFO→not_enough_evidence.

Evidence recall@k: the share of claims with gold evidence for which at least one gold item is
among the service's k strongest excerpts (a gold *phrase* occurs in the excerpt's text, case and
white space aside; a gold *evidence id* is the excerpt's passage id).

The outcomes also carry each verdict's scores, so a calibration can be fitted to them
(:func:`fit_on_outcomes`, ``factcheck eval --fit-calibration``): the calibration sets only the
confidence, never the verdict, so whether each verdict was right does not depend on it.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from factcheck.engine.calibration import (
    Calibration,
    Sample,
    Scores,
    brier_score,
    fit_calibration,
)
from factcheck.engine.verdict import (
    CONFLICTING,
    NOT_ENOUGH_EVIDENCE,
    REFUTED,
    SUPPORTED,
    VERDICTS,
    VerdictLabel,
)
from factcheck.engine.verify import Result

CLIMATE_FEVER_LABELS: dict[str, VerdictLabel] = {
    "SUPPORTS": SUPPORTED,
    "REFUTES": REFUTED,
    "DISPUTED": CONFLICTING,
    "NOT_ENOUGH_INFO": NOT_ENOUGH_EVIDENCE,
}
CALIBRATION_BINS = 10
FILE_FORMAT = (
    'each line is a JSON object, either {"id", "claim", "label", "evidence": [{"source", '
    '"phrase"}]} with label one of ' + ", ".join(VERDICTS) + ' and "evidence" optional, '
    'or CLIMATE-FEVER\'s {"claim_id", "claim", "claim_label", "evidences"}'
)


class ExampleError(ValueError):
    """A line of a claims file that cannot be evaluated; the message says which and why."""


@dataclass(frozen=True)
class Example:
    """One labelled claim and the evidence a right answer shows."""

    id: str
    claim: str
    label: str
    phrases: tuple[str, ...] = ()
    passage_ids: tuple[str, ...] = ()

    @property
    def has_evidence(self) -> bool:
        return bool(self.phrases or self.passage_ids)


@dataclass
class Outcome:
    """What the service answered for one example."""

    example: Example
    predicted: str
    confidence: float
    evidence_found: bool | None  # None when the example has no gold evidence
    took_ms: float
    scores: Scores | None = None  # what the verdict's confidence was computed from

    @property
    def correct(self) -> bool:
        return self.predicted == self.example.label


@dataclass
class Report:
    """Every figure ``factcheck eval`` prints."""

    count: int
    accuracy: float
    macro_f1: float
    per_label: dict[str, dict[str, float]]
    confusion: dict[str, dict[str, int]]  # gold label -> predicted label -> count
    evidence_recall: float | None
    evidence_claims: int
    k: int
    brier: float
    calibration_error: float
    latency_p50_ms: float
    latency_p95_ms: float
    calibration_bins: list[dict[str, float]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return {
            "count": self.count,
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "per_label": self.per_label,
            "confusion": self.confusion,
            f"evidence_recall_at_{self.k}": self.evidence_recall,
            "evidence_claims": self.evidence_claims,
            "brier": self.brier,
            "expected_calibration_error": self.calibration_error,
            "calibration_bins": self.calibration_bins,
            "latency_ms": {"p50": self.latency_p50_ms, "p95": self.latency_p95_ms},
        }


def load_examples(path: Path) -> list[Example]:
    """Read a claims file in either supported format; a bad line raises ExampleError."""
    examples: list[Example] = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                examples.append(parse_example(json.loads(line)))
            except (json.JSONDecodeError, KeyError, TypeError, ExampleError) as error:
                raise ExampleError(f"{path}:{number}: {error}") from error
    return examples


def parse_example(record: dict[str, Any]) -> Example:
    """One example from a decoded JSON line of either format."""
    if not isinstance(record, dict):
        raise ExampleError(f"not a JSON object; {FILE_FORMAT}")
    climate_fever = "claim_label" in record
    required = ("claim_id", "claim", "claim_label") if climate_fever else ("id", "claim", "label")
    missing = [name for name in required if name not in record]
    if missing:
        fields = ", ".join(f'"{name}"' for name in missing)
        plural = "s" if len(missing) > 1 else ""
        raise ExampleError(f"missing field{plural} {fields}; {FILE_FORMAT}")
    if climate_fever:
        label = CLIMATE_FEVER_LABELS.get(record["claim_label"])
        if label is None:
            raise ExampleError(f"unknown claim_label {record['claim_label']!r}")
        gold = tuple(
            str(e["evidence_id"])
            for e in record.get("evidences", [])
            if e.get("evidence_label") in ("SUPPORTS", "REFUTES")
        )
        return Example(str(record["claim_id"]), str(record["claim"]), label, passage_ids=gold)
    label = record["label"]
    if label not in VERDICTS:
        raise ExampleError(f"unknown label {label!r}; expected one of {', '.join(VERDICTS)}")
    phrases = tuple(str(e["phrase"]) for e in record.get("evidence", []) if e.get("phrase"))
    return Example(str(record["id"]), str(record["claim"]), label, phrases=phrases)


def run(
    examples: Iterable[Example], check: Callable[[str], Result], k: int = 5
) -> Iterator[Outcome]:
    """Check every example with ``check``; yields outcomes as they come (for progress)."""
    for example in examples:
        result = check(example.claim)
        yield Outcome(
            example=example,
            predicted=result.verdict,
            confidence=result.confidence,
            evidence_found=_evidence_found(example, result, k) if example.has_evidence else None,
            took_ms=result.took_ms,
            scores=result.scores,
        )


def _evidence_found(example: Example, result: Result, k: int) -> bool:
    excerpts = result.top_excerpts(k)
    texts = [_squash(e.text) for e in excerpts]
    ids = {e.passage_id for e in excerpts}
    return any(_squash(p) in t for p in example.phrases for t in texts) or bool(
        ids & set(example.passage_ids)
    )


def _squash(text: str) -> str:
    return " ".join(text.lower().split())


def summarise(outcomes: list[Outcome], k: int = 5) -> Report:
    """The report's figures from a list of outcomes."""
    count = len(outcomes)
    if count == 0:
        raise ExampleError("no claims to evaluate")
    confusion: dict[str, dict[str, int]] = {
        gold: {pred: 0 for pred in VERDICTS} for gold in VERDICTS
    }
    for o in outcomes:
        confusion[o.example.label][o.predicted] += 1
    correct = [o.predicted == o.example.label for o in outcomes]
    per_label: dict[str, dict[str, float]] = {}
    for label in VERDICTS:
        true_positive = confusion[label][label]
        predicted = sum(confusion[gold][label] for gold in VERDICTS)
        actual = sum(confusion[label].values())
        precision = true_positive / predicted if predicted else 0.0
        recall = true_positive / actual if actual else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": actual,
        }
    present = [label for label in VERDICTS if per_label[label]["support"]]
    macro_f1 = statistics.fmean(per_label[label]["f1"] for label in present)
    with_evidence = [o for o in outcomes if o.evidence_found is not None]
    evidence_recall = (
        sum(bool(o.evidence_found) for o in with_evidence) / len(with_evidence)
        if with_evidence
        else None
    )
    brier = statistics.fmean(
        (o.confidence - float(c)) ** 2 for o, c in zip(outcomes, correct, strict=True)
    )
    bins, ece = calibration_bins([o.confidence for o in outcomes], correct)
    latencies = sorted(o.took_ms for o in outcomes)
    return Report(
        count=count,
        accuracy=round(sum(correct) / count, 4),
        macro_f1=round(macro_f1, 4),
        per_label=per_label,
        confusion=confusion,
        evidence_recall=round(evidence_recall, 4) if evidence_recall is not None else None,
        evidence_claims=len(with_evidence),
        k=k,
        brier=round(brier, 4),
        calibration_error=round(ece, 4),
        latency_p50_ms=round(statistics.median(latencies), 2),
        latency_p95_ms=round(_percentile(latencies, 95), 2),
        calibration_bins=bins,
    )


def calibration_bins(
    confidences: list[float], correct: list[bool]
) -> tuple[list[dict[str, float]], float]:
    """Expected calibration error over equal-width bins, and the bins themselves."""
    bins: list[dict[str, float]] = []
    error = 0.0
    total = len(confidences)
    for b in range(CALIBRATION_BINS):
        low, high = b / CALIBRATION_BINS, (b + 1) / CALIBRATION_BINS
        members = [
            i
            for i, c in enumerate(confidences)
            if low <= c < high or (b == CALIBRATION_BINS - 1 and c == 1.0)
        ]
        if not members:
            continue
        mean_confidence = statistics.fmean(confidences[i] for i in members)
        accuracy = sum(correct[i] for i in members) / len(members)
        error += len(members) / total * abs(mean_confidence - accuracy)
        bins.append(
            {
                "low": low,
                "high": high,
                "count": len(members),
                "confidence": round(mean_confidence, 4),
                "accuracy": round(accuracy, 4),
            }
        )
    return bins, error


@dataclass(frozen=True)
class CalibrationFit:
    """A calibration fitted to outcomes, and how it compares with the one it started from."""

    calibration: Calibration
    samples: int
    error_before: float  # expected calibration error (10 bins)
    error_after: float
    brier_before: float
    brier_after: float


def fit_on_outcomes(
    outcomes: list[Outcome], start: Calibration, *, name: str, fitted_on: str = ""
) -> CalibrationFit:
    """Fit a calibration for ``start``'s analyzer to ``outcomes`` (which carry their scores)."""
    samples = [Sample(o.scores, o.correct) for o in outcomes if o.scores is not None]
    if not samples:
        raise ExampleError("no outcome carries the scores a calibration is fitted to")
    fitted = fit_calibration(start, samples, name=name, fitted_on=fitted_on)
    correct = [s.correct for s in samples]

    def error(calibration: Calibration) -> float:
        confidences = [calibration.confidence(s.scores) for s in samples]
        return round(calibration_bins(confidences, correct)[1], 4)

    return CalibrationFit(
        calibration=fitted,
        samples=len(samples),
        error_before=error(start),
        error_after=error(fitted),
        brier_before=round(brier_score(start, samples), 4),
        brier_after=round(brier_score(fitted, samples), 4),
    )


def format_fit(fit: CalibrationFit) -> str:
    """What ``factcheck eval --fit-calibration`` prints about the fit."""
    return "\n".join(
        [
            f"calibration fitted: {fit.calibration.name} (analyzer {fit.calibration.analyzer}, "
            f"{fit.samples} claims)",
            f"expected calibration error: before {fit.error_before:.4f}, "
            f"after {fit.error_after:.4f}",
            f"Brier score: before {fit.brier_before:.4f}, after {fit.brier_after:.4f}",
        ]
    )


def _percentile(values: list[float], percent: float) -> float:
    """Nearest-rank percentile of sorted ``values``."""
    rank = max(1, round(percent / 100 * len(values)))
    return values[min(rank, len(values)) - 1]


def format_report(report: Report) -> str:
    """The report as the text ``factcheck eval`` prints."""
    lines = [
        f"claims: {report.count}",
        f"accuracy: {report.accuracy:.3f}",
        f"macro-F1: {report.macro_f1:.3f}",
        "",
        f"{'label':<22}{'precision':>10}{'recall':>8}{'f1':>8}{'support':>9}",
    ]
    for label, row in report.per_label.items():
        lines.append(
            f"{label:<22}{row['precision']:>10.3f}{row['recall']:>8.3f}{row['f1']:>8.3f}"
            f"{int(row['support']):>9}"
        )
    short = {SUPPORTED: "sup", REFUTED: "ref", CONFLICTING: "con", NOT_ENOUGH_EVIDENCE: "nee"}
    lines += ["", "confusion (rows: gold, columns: predicted)"]
    lines.append(" " * 22 + "".join(f"{short[p]:>6}" for p in VERDICTS))
    for gold in VERDICTS:
        lines.append(f"{gold:<22}" + "".join(f"{report.confusion[gold][p]:>6}" for p in VERDICTS))
    recall = "n/a" if report.evidence_recall is None else f"{report.evidence_recall:.3f}"
    lines += [
        "",
        f"evidence recall@{report.k}: {recall} ({report.evidence_claims} claims with evidence)",
        f"Brier score: {report.brier:.4f}",
        f"expected calibration error (10 bins): {report.calibration_error:.4f}",
        f"latency: p50 {report.latency_p50_ms:.1f} ms, p95 {report.latency_p95_ms:.1f} ms",
    ]
    return "\n".join(lines)


def comparison_dict(reports: dict[str, Report]) -> dict[str, Any]:
    """Several analyzers' reports on the same claims, by analyzer name, JSON-ready."""
    return {"analyzers": {name: report.as_dict() for name, report in reports.items()}}


def format_comparison(reports: dict[str, Report]) -> str:
    """Analyzers side by side on the same claims: what ``factcheck eval --compare`` prints."""
    first = next(iter(reports.values()))
    recall_title = f"recall@{first.k}"
    lines = [
        f"claims: {first.count} ({first.evidence_claims} with evidence)",
        "",
        f"{'analyzer':<16}{'accuracy':>10}{'macro-F1':>10}{recall_title:>11}{'ECE':>8}"
        f"{'Brier':>8}{'p50 ms':>9}",
    ]
    for name, report in reports.items():
        recall = "n/a" if report.evidence_recall is None else f"{report.evidence_recall:.3f}"
        lines.append(
            f"{name:<16}{report.accuracy:>10.3f}{report.macro_f1:>10.3f}{recall:>11}"
            f"{report.calibration_error:>8.3f}{report.brier:>8.3f}{report.latency_p50_ms:>9.1f}"
        )
    return "\n".join(lines)
