"""Fitting a calibration to labelled claims: each curve's parameters, by the Brier score.

A sample is the verdict's :class:`~factcheck.engine.calibration.curves.Scores` for one claim and
whether the verdict was right. The calibration changes only the confidence, never the verdict,
so samples gathered under one calibration serve to fit another. Each case is fitted on its own
samples: a pattern search (each parameter nudged up and down, the step halved when no nudge
helps) from the current parameters, so a case without samples keeps them, and the leaning
constant becomes the share of leaning verdicts that were right. The knots of the "nothing"
curve and the count of extra sources are kept: they shape the curve, the fit sets its heights
and slopes.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any, TypeVar

from factcheck.engine.calibration.curves import Calibration, ConfidenceCase, Scores

Curve = TypeVar("Curve")

FIXED = frozenset({"extra_sources_counted", "sure_until", "falling_until"})
FIRST_STEP = 0.1
SMALLEST_STEP = 1e-4
MAX_ROUNDS = 2_000


@dataclass(frozen=True)
class Sample:
    """One checked claim: the verdict's scores and whether the verdict was right."""

    scores: Scores
    correct: bool


def brier_score(calibration: Calibration, samples: Sequence[Sample]) -> float:
    """Mean squared gap between the confidence and being right (0 is perfect)."""
    if not samples:
        return 0.0
    return statistics.fmean(
        (calibration.confidence(s.scores) - float(s.correct)) ** 2 for s in samples
    )


def fit_calibration(
    start: Calibration, samples: Sequence[Sample], *, name: str, fitted_on: str = ""
) -> Calibration:
    """A calibration for ``start``'s analyzer fitted to ``samples``, starting from ``start``."""

    def of_case(case: ConfidenceCase) -> list[Sample]:
        return [s for s in samples if s.scores.case == case]

    leaning = of_case("leaning")
    return replace(
        start,
        name=name,
        fitted_on=fitted_on,
        one_sided=_fit_curve(start.one_sided, of_case("one_sided"), start.ceiling),
        conflicting=_fit_curve(start.conflicting, of_case("conflicting"), start.ceiling),
        nothing=_fit_curve(start.nothing, of_case("nothing"), start.ceiling),
        leaning=round(statistics.fmean(s.correct for s in leaning), 4)
        if leaning
        else start.leaning,
    )


def _fit_curve(curve: Curve, samples: list[Sample], ceiling: float) -> Curve:
    """``curve`` with its free parameters moved to lower the Brier score on ``samples``."""
    if not samples:
        return curve
    free = [f.name for f in fields(curve) if f.name not in FIXED]  # type: ignore[arg-type]

    def loss(candidate: Any) -> float:
        predict: Callable[[Scores], float] = candidate
        return statistics.fmean(
            (max(0.0, min(predict(s.scores), ceiling)) - float(s.correct)) ** 2 for s in samples
        )

    best, best_loss, step = curve, loss(curve), FIRST_STEP
    for _ in range(MAX_ROUNDS):
        if step < SMALLEST_STEP:
            break
        improved = False
        for name in free:
            for direction in (1.0, -1.0):
                moved = replace(best, **{name: getattr(best, name) + direction * step})  # type: ignore[type-var]
                moved_loss = loss(moved)
                if moved_loss < best_loss - 1e-12:
                    best, best_loss, improved = moved, moved_loss, True
                    break
        if not improved:
            step /= 2
    rounded = {name: round(getattr(best, name), 4) for name in free}
    return replace(best, **rounded)  # type: ignore[type-var]
