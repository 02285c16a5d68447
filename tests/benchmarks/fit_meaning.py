"""Fit the ``meaning`` analyzer's thresholds and strength curve, cross-validated by claim set.

The fitting sets are ../shared/claims/dev.jsonl and tests/claims/heldout-1..4.jsonl. For each
of them in turn the grid point with the best accuracy on the other four is chosen and measured
on it (a figure from claims the choice was not made on); then the grid point best on all five is
printed as the constants for ``factcheck/engine/stance/meaning.py``. heldout-5 and
CLIMATE-FEVER's test split are never read here. It reads the configured catalog and index
(``factcheck import sources/`` first; with ``FACTCHECK_DENSE_RETRIEVAL`` on, the vectors are
computed first, as ``factcheck eval`` does). Usage, from the project's root::

    python tests/benchmarks/fit_meaning.py

Retrieval, the rules' stances and the similarities do not depend on the grid point, so they are
computed once per claim and reused (the shipped analyzer keeps nothing across claims); only the
re-reading and the verdict are recomputed for each point.
"""

from __future__ import annotations

import functools
import itertools
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from factcheck.app import create_app
from factcheck.commands.index import embed_now
from factcheck.engine import verify as verify_module
from factcheck.engine.calibration import Calibration
from factcheck.engine.claim_analysis import Claim
from factcheck.engine.evaluation import (
    Example,
    Outcome,
    calibration_bins,
    fit_on_outcomes,
    load_examples,
    run,
)
from factcheck.engine.evidence import Evidence
from factcheck.engine.stance import RuleStanceAnalyzer, Stance
from factcheck.engine.stance.meaning import MeaningParameters, MeaningStanceAnalyzer
from factcheck.extensions import get_search_index, get_vector_store

ROOT = Path(__file__).resolve().parents[2]
FITTING_SETS = [ROOT / "../shared/claims/dev.jsonl"] + [
    ROOT / f"tests/claims/heldout-{n}.jsonl" for n in range(1, 5)
]
THRESHOLDS = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85)
SUBJECT_MISSING_THRESHOLDS = (None, 0.6, 0.65, 0.7, 0.75, 0.8)
STRENGTHS_AT_THRESHOLD = (0.5, 0.55, 0.65)
GRID = [
    MeaningParameters(threshold=t, subject_missing_threshold=m, strength_at_threshold=s)
    for t, m, s in itertools.product(THRESHOLDS, SUBJECT_MISSING_THRESHOLDS, STRENGTHS_AT_THRESHOLD)
]


class Remembering(MeaningStanceAnalyzer):
    """The meaning analyzer with the rules' stances and the similarities remembered."""

    def __init__(self, parameters: MeaningParameters, rules: RuleStanceAnalyzer) -> None:
        super().__init__(parameters, rules=rules)
        self.stances: dict[tuple[str, str], Stance] = {}
        self.cosines: dict[tuple[str, str], float] = {}

    def rule_stances(self, claim: Claim, evidences: Sequence[Evidence]) -> list[Stance]:
        missing = [e for e in evidences if (claim.text, e.passage_id) not in self.stances]
        for evidence, stance in zip(missing, super().rule_stances(claim, missing), strict=True):
            self.stances[(claim.text, evidence.passage_id)] = stance
        return [self.stances[(claim.text, e.passage_id)] for e in evidences]

    def similarities(self, claim: Claim, evidences: Sequence[Evidence]) -> list[float]:
        missing = [e for e in evidences if (claim.text, e.passage_id) not in self.cosines]
        if missing:
            for evidence, value in zip(missing, super().similarities(claim, missing), strict=True):
                self.cosines[(claim.text, evidence.passage_id)] = value
        return [self.cosines[(claim.text, e.passage_id)] for e in evidences]


def main() -> None:
    app = create_app()
    with app.app_context():
        index = get_search_index(app)
        vectors = get_vector_store(app)
        if vectors is not None:
            embed_now(index)
        # Retrieval and claim analysis do not depend on the grid point: remember them.
        verify_module.retrieve = functools.cache(verify_module.retrieve)  # type: ignore[assignment]
        verify_module.analyse_claim = functools.cache(verify_module.analyse_claim)  # type: ignore[assignment]
        sets = {path.stem: load_examples(path) for path in FITTING_SETS}
        rules = RuleStanceAnalyzer()
        analyzer = Remembering(GRID[0], rules)
        version, searcher = index.versioned_searcher()

        def outcomes(examples: list[Example], judge: object) -> list[Outcome]:
            def check(claim: str) -> verify_module.Result:
                return verify_module.verify(claim, searcher, analyzer=judge, vectors=vectors)  # type: ignore[arg-type]

            return list(run(examples, check))

        print("rules, per set:", file=sys.stderr)
        rules_out = {name: outcomes(examples, rules) for name, examples in sets.items()}
        rules_right = {name: [o.correct for o in out] for name, out in rules_out.items()}
        right: dict[int, dict[str, list[bool]]] = {}
        kept: dict[int, dict[str, list[Outcome]]] = {}
        for n, parameters in enumerate(GRID):
            analyzer.parameters = parameters
            kept[n] = {name: outcomes(examples, analyzer) for name, examples in sets.items()}
            right[n] = {name: [o.correct for o in out] for name, out in kept[n].items()}
            print(f"  grid {n + 1}/{len(GRID)}", file=sys.stderr, end="\r")

        def best(names: list[str]) -> int:
            # The most right answers; among equals, the strictest thresholds (fewest changes).
            def key(n: int) -> tuple[int, float, float, float]:
                p = GRID[n]
                return (
                    sum(sum(right[n][name]) for name in names),
                    p.threshold,
                    p.subject_missing_threshold or 2.0,
                    -p.strength_at_threshold,
                )

            return max(right, key=key)

        def accuracy(answers: list[bool]) -> str:
            return f"{sum(answers) / len(answers):.3f}"

        print("\ncross-validated by set (fit on four, measure on the fifth):")
        print("accuracy, and expected calibration error with each analyzer's calibration")
        print("refitted on the other four sets (--fit-calibration's fit)")
        print(
            f"{'held out':<12}{'claims':>7}{'rules':>8}{'meaning':>9}"
            f"{'ECE rules':>11}{'ECE meaning':>13}  chosen"
        )
        # Each fold's meaning calibration starts from the rules' curves, as the shipped one did,
        # so a rerun after shipping a fit prints the same figures.
        meaning_start = replace(rules.calibration, analyzer="meaning")
        pooled_rules: list[bool] = []
        pooled_meaning: list[bool] = []
        for name in sets:
            others = [other for other in sets if other != name]
            chosen = best(others)
            pooled_rules += rules_right[name]
            pooled_meaning += right[chosen][name]
            rules_ece = _held_out_ece(rules_out, others, name, rules.calibration)
            meaning_ece = _held_out_ece(kept[chosen], others, name, meaning_start)
            print(
                f"{name:<12}{len(sets[name]):>7}{accuracy(rules_right[name]):>8}"
                f"{accuracy(right[chosen][name]):>9}{rules_ece:>11.3f}{meaning_ece:>13.3f}"
                f"  {_describe(GRID[chosen])}"
            )
        print(
            f"{'pooled':<12}{len(pooled_rules):>7}{accuracy(pooled_rules):>8}"
            f"{accuracy(pooled_meaning):>9}"
        )
        final = best(list(sets))
        print(f"\nfinal fit on all five: {_describe(GRID[final])}")
        print(f"{'set':<12}{'claims':>7}{'rules':>8}{'meaning':>9}   (fitted on: not held out)")
        everything_rules: list[bool] = []
        everything_meaning: list[bool] = []
        for name in sets:
            everything_rules += rules_right[name]
            everything_meaning += right[final][name]
            print(
                f"{name:<12}{len(sets[name]):>7}{accuracy(rules_right[name]):>8}"
                f"{accuracy(right[final][name]):>9}"
            )
        print(
            f"{'all':<12}{len(everything_rules):>7}{accuracy(everything_rules):>8}"
            f"{accuracy(everything_meaning):>9}"
        )


def _held_out_ece(
    by_set: dict[str, list[Outcome]], fitted_on: list[str], held_out: str, start: Calibration
) -> float:
    """Calibration error on ``held_out`` of a calibration fitted on the ``fitted_on`` sets."""
    training = [o for name in fitted_on for o in by_set[name]]
    fitted = fit_on_outcomes(training, start, name="fold").calibration
    measured = [o for o in by_set[held_out] if o.scores is not None]
    confidences = [fitted.confidence(o.scores) for o in measured if o.scores is not None]
    return calibration_bins(confidences, [o.correct for o in measured])[1]


def _describe(p: MeaningParameters) -> str:
    return (
        f"threshold {p.threshold}, subject_missing {p.subject_missing_threshold}, "
        f"strength {p.strength_at_threshold} + {p.strength_slope}·(sim − threshold) "
        f"≤ {p.strength_ceiling}"
    )


if __name__ == "__main__":
    main()
