"""The eval command's arithmetic, on a tiny labelled file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from factcheck.engine.evaluation import (
    Example,
    ExampleError,
    Outcome,
    load_examples,
    parse_example,
    summarise,
)


def outcome(
    gold: str, predicted: str, confidence: float, found: bool | None = None, took: float = 10.0
) -> Outcome:
    return Outcome(Example("x", "a claim", gold), predicted, confidence, found, took)


def test_accuracy_confusion_and_per_label_figures() -> None:
    report = summarise(
        [
            outcome("supported", "supported", 0.9),
            outcome("supported", "refuted", 0.6),
            outcome("refuted", "refuted", 0.8),
            outcome("not_enough_evidence", "supported", 0.7),
        ]
    )
    assert report.accuracy == 0.5
    assert report.confusion["supported"]["refuted"] == 1
    assert report.per_label["supported"]["precision"] == 0.5  # 1 right of 2 predicted
    assert report.per_label["supported"]["recall"] == 0.5  # 1 found of 2 gold
    assert report.per_label["refuted"]["precision"] == 0.5
    assert report.per_label["refuted"]["recall"] == 1.0
    # Macro-F1 averages the labels that occur in the gold data.
    f1s = [
        report.per_label[label]["f1"] for label in ("supported", "refuted", "not_enough_evidence")
    ]
    assert report.macro_f1 == pytest.approx(sum(f1s) / 3, abs=1e-4)


def test_brier_and_calibration_error() -> None:
    report = summarise(
        [outcome("supported", "supported", 0.8), outcome("supported", "refuted", 0.8)]
    )
    # Both in the 0.8 bin: confidence 0.8, accuracy 0.5.
    assert report.calibration_error == pytest.approx(0.3)
    assert report.brier == pytest.approx(((0.8 - 1) ** 2 + 0.8**2) / 2)


def test_evidence_recall_counts_only_claims_with_evidence() -> None:
    report = summarise(
        [
            outcome("supported", "supported", 0.9, found=True),
            outcome("supported", "supported", 0.9, found=False),
            outcome("not_enough_evidence", "not_enough_evidence", 0.9, found=None),
        ]
    )
    assert report.evidence_recall == 0.5
    assert report.evidence_claims == 2


def test_latency_percentiles() -> None:
    report = summarise([outcome("supported", "supported", 0.9, took=t) for t in range(1, 21)])
    assert report.latency_p50_ms == 10.5
    assert report.latency_p95_ms == 19


def test_both_file_formats_are_read(tmp_path: Path) -> None:
    path = tmp_path / "claims.jsonl"
    path.write_text(
        json.dumps(
            {
                "id": "a",
                "claim": "X did Y",
                "label": "refuted",
                "evidence": [{"source": "s", "phrase": "did not do Y"}],
            }
        )
        + "\n"
        + json.dumps(
            {
                "claim_id": "7",
                "claim": "Seas rise",
                "claim_label": "DISPUTED",
                "evidences": [
                    {"evidence_id": "Sea:1", "evidence_label": "SUPPORTS"},
                    {"evidence_id": "Sea:2", "evidence_label": "NOT_ENOUGH_INFO"},
                ],
            }
        )
        + "\n",
        encoding="utf-8",
    )
    first, second = load_examples(path)
    assert (first.label, first.phrases) == ("refuted", ("did not do Y",))
    assert (second.label, second.passage_ids) == ("conflicting", ("Sea:1",))


@pytest.mark.parametrize(
    "record",
    [
        {"id": "a", "claim": "c", "label": "true"},
        {"claim_id": "1", "claim": "c", "claim_label": "MAYBE"},
        {"id": "a", "label": "supported"},
    ],
)
def test_bad_lines_are_refused(record: dict) -> None:
    with pytest.raises((ExampleError, KeyError)):
        parse_example(record)


def test_a_bad_line_is_reported_with_its_number(tmp_path: Path) -> None:
    path = tmp_path / "claims.jsonl"
    path.write_text('{"id": "a", "claim": "c", "label": "supported"}\nnot json\n')
    with pytest.raises(ExampleError, match="claims.jsonl:2"):
        load_examples(path)
