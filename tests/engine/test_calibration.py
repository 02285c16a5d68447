"""Calibration: the shipped rules calibration, loading it, and fitting one to composed data."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from flask.testing import FlaskCliRunner

from factcheck.engine.calibration import (
    Calibration,
    Sample,
    Scores,
    brier_score,
    calibration_path,
    fit_calibration,
    load_calibration,
)
from factcheck.engine.evaluation import Example, Outcome, fit_on_outcomes
from factcheck.engine.stance import RuleStanceAnalyzer


def old_one_sided(winner: float, loser: float, sources: int) -> float:
    """The constants engine/verdict.py held before they became data."""
    base = 0.35 + 0.62 * winner + 0.04 * min(sources - 1, 2)
    return round(min(base * (1.0 - 0.5 * loser / max(winner, 1e-9)), 0.97), 2)


def old_nothing(nearest: float) -> float:
    if nearest <= 0.5:
        return 0.93
    if nearest <= 0.7:
        return round(0.93 - (nearest - 0.5) * 1.65, 2)
    return round(max(0.2, 0.6 - (nearest - 0.7) * 1.75), 2)


GRID = [i / 40 for i in range(41)]


def test_the_shipped_rules_calibration_gives_the_old_confidences() -> None:
    rules = load_calibration("rules")
    assert (rules.name, rules.analyzer) == ("rules-hand-tuned", "rules")
    for winner in GRID:
        for loser in [x for x in GRID if x <= winner]:
            for sources in (1, 2, 3, 5):
                scores = Scores("one_sided", winner, loser, sources)
                assert rules.confidence(scores) == old_one_sided(winner, loser, sources)
            conflicting = rules.confidence(Scores("conflicting", winner, loser))
            assert conflicting == round(min(0.55 + 0.35 * loser, 0.97), 2)
        assert rules.confidence(Scores("nothing", nearest=winner)) == old_nothing(winner)
    assert rules.confidence(Scores("leaning", nearest=0.5)) == 0.45


def test_a_calibration_is_loaded_once_and_belongs_to_its_analyzer() -> None:
    assert load_calibration("rules") is load_calibration("rules")
    assert RuleStanceAnalyzer().calibration is load_calibration("rules")
    with pytest.raises(LookupError, match="'oracle'"):
        load_calibration("oracle")


def test_a_calibration_survives_the_trip_through_its_file(tmp_path: Path) -> None:
    rules = load_calibration("rules")
    path = tmp_path / "rules.json"
    rules.write(path)
    assert Calibration.read(path) == rules
    assert json.loads(path.read_text()) == json.loads(calibration_path("rules").read_text())


def composed_samples() -> list[Sample]:
    """Strong one-sided verdicts right only half the time; "nothing" verdicts always right."""
    strong = [Sample(Scores("one_sided", 0.9, 0.0, 1), correct=i % 2 == 0) for i in range(20)]
    nothing = [Sample(Scores("nothing", nearest=0.2), correct=True) for _ in range(10)]
    leaning = [Sample(Scores("leaning", nearest=0.5), correct=i < 3) for i in range(4)]
    return strong + nothing + leaning


def test_fitting_moves_each_curve_towards_how_often_it_was_right() -> None:
    rules = load_calibration("rules")
    samples = composed_samples()
    fitted = fit_calibration(rules, samples, name="rules-test", fitted_on="composed")
    assert (fitted.name, fitted.analyzer, fitted.fitted_on) == ("rules-test", "rules", "composed")
    assert rules.confidence(Scores("one_sided", 0.9, 0.0, 1)) == 0.91
    assert fitted.confidence(Scores("one_sided", 0.9, 0.0, 1)) == pytest.approx(0.5, abs=0.02)
    assert fitted.confidence(Scores("nothing", nearest=0.2)) == fitted.ceiling  # always right
    assert fitted.leaning == 0.75  # three leaning verdicts of four were right
    assert fitted.conflicting == rules.conflicting  # no samples: kept as it was
    assert brier_score(fitted, samples) < brier_score(rules, samples)


def test_fitting_on_outcomes_reports_the_error_before_and_after() -> None:
    outcomes = [
        Outcome(
            Example(str(i), "claim", "supported"),
            "supported" if sample.correct else "refuted",
            0.0,
            None,
            1.0,
            scores=sample.scores,
        )
        for i, sample in enumerate(composed_samples())
    ]
    fit = fit_on_outcomes(outcomes, load_calibration("rules"), name="rules-test")
    assert fit.samples == len(outcomes)
    assert fit.error_after < fit.error_before
    assert fit.brier_after < fit.brier_before


def test_eval_fits_and_writes_a_calibration(
    runner: FlaskCliRunner, imported: None, tmp_path: Path
) -> None:
    claims = tmp_path / "claims.jsonl"
    rows = [
        {
            "id": "1",
            "claim": "The port of Easthaven handled 7,200 ships in 2022",
            "label": "supported",
        },
        {
            "id": "2",
            "claim": "The port of Easthaven handled 9,000 ships in 2022",
            "label": "refuted",
        },
        {"id": "3", "claim": "Penguins run the harbour authority", "label": "not_enough_evidence"},
    ]
    claims.write_text("".join(json.dumps(row) + "\n" for row in rows))
    out = tmp_path / "fitted.json"
    result = runner.invoke(args=["eval", str(claims), "--fit-calibration", str(out)])
    assert result.exit_code == 0, result.output
    assert "expected calibration error: before" in result.output
    fitted = Calibration.read(out)
    assert fitted.analyzer == "rules" and fitted.name == "rules-fitted-claims"
    assert replace(fitted, name="x", fitted_on="") != replace(
        load_calibration("rules"), name="x", fitted_on=""
    )
