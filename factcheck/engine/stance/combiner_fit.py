"""Fitting the ``learned`` analyzer's combiner on claim sets, and measuring it by held-out set.

A group is one labelled claim set's feature records (:mod:`.combiner_data`). :func:`fit_groups`
fits on every group given; :func:`cross_validate` holds each group out in turn, fits on the
others and measures rules, meaning and learned on the held-out one (accuracy, macro-F1, evidence
recall@5, expected calibration error), so every learned figure it prints comes from claims the
combiner was not fitted on.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from factcheck.engine.evaluation import calibration_bins
from factcheck.engine.stance.combiner_data import predict_claims, rows
from factcheck.engine.stance.learned import GENERAL_COLUMN, Combiner, fit_combiner, softmax
from factcheck.engine.verdict import VERDICTS

L2 = 3.0  # the L2 penalty, chosen by the cross-validation of tests/benchmarks/fit_combiner.py
BALANCE = 0.5  # how far each group's weight is evened out (fit_groups), chosen likewise
OVERRIDE_AT = 0.6  # the combiner overrules the aggregation at this probability, chosen likewise
Records = Sequence[dict[str, Any]]


def fit_groups(
    groups: Mapping[str, Records],
    *,
    l2: float = L2,
    balance: float = BALANCE,
    override_at: float = OVERRIDE_AT,
    temperatures: bool = True,
) -> Combiner:
    """A combiner fitted on every claim of every group, with its in-sample figures.

    Each group's rows weigh ``size ** -balance`` each: 0 weighs every claim alike, 1 every
    group alike (a large out-of-domain set does not drown the news sets). With
    ``temperatures`` (and three groups or more), the confidence is then fitted to held-out
    predictions: each group is predicted by a fit on the others, and the temperatures (general
    claims, the others) that minimise the Brier score of those predictions' confidence are
    kept.
    """
    x_parts, y, w = [], [], []
    for records in groups.values():
        x, labels = rows(records)
        x_parts.append(x)
        y += labels
        w += [len(labels) ** -balance] * len(labels)
    names = ", ".join(f"{name} ({len(records)})" for name, records in groups.items())
    combiner = fit_combiner(
        np.vstack(x_parts),
        y,
        weights=np.asarray(w),
        l2=l2,
        fitted_on=f"claims of: {names}; L2 {l2}, balance {balance}",
    )
    combiner = replace(combiner, override_at=override_at)
    if temperatures and len(groups) >= 3:
        combiner = replace(combiner, temperatures=_held_out_temperatures(groups, l2, balance))
    figures = {
        name: measure(records, predict_claims(combiner, records))
        for name, records in groups.items()
    }
    return replace(combiner, figures={"in_sample": figures})


TEMPERATURES = tuple(float(t) for t in np.exp(np.linspace(np.log(0.25), np.log(4.0), 41)))


def _held_out_temperatures(
    groups: Mapping[str, Records], l2: float, balance: float
) -> tuple[float, float]:
    """The temperatures (general claims, the others) that best fit held-out predictions."""
    logits, targets, general, weights = [], [], [], []
    for name, records in groups.items():
        others = {other: r for other, r in groups.items() if other != name}
        inner = fit_groups(others, l2=l2, balance=balance, temperatures=False)
        x, labels = rows(records)
        logits.append(inner.logits(x))
        targets += [VERDICTS.index(label) for label in labels]
        general.append(x[:, GENERAL_COLUMN] > 0.5)
        weights += [len(labels) ** -balance] * len(labels)
    z, t, g, w = (
        np.vstack(logits),
        np.asarray(targets),
        np.concatenate(general),
        np.asarray(weights),
    )
    chosen = []
    for subset in (g, ~g):
        if not subset.any():
            chosen.append(1.0)
            continue

        def loss(temperature: float, subset: np.ndarray = subset) -> float:
            # The Brier score of the confidence shown (the top class's probability) against
            # being right: what the reader is told, and what calibration error measures.
            p = softmax(z[subset] / temperature)
            right = p.argmax(axis=1) == t[subset]
            return float((w[subset] * (p.max(axis=1) - right) ** 2).sum())

        chosen.append(min(TEMPERATURES, key=loss))
    return round(chosen[0], 4), round(chosen[1], 4)


def measure(
    records: Records, answers: Sequence[tuple[str, float, bool | None]]
) -> dict[str, float | None]:
    """Accuracy, macro-F1, evidence recall@5 and ECE of ``answers`` to ``records``."""
    gold = [r["label"] for r in records]
    predicted = [a[0] for a in answers]
    correct = [g == p for g, p in zip(gold, predicted, strict=True)]
    f1s = []
    for label in VERDICTS:
        support = sum(g == label for g in gold)
        if not support:
            continue
        hit = sum(g == p == label for g, p in zip(gold, predicted, strict=True))
        said = sum(p == label for p in predicted)
        precision = hit / said if said else 0.0
        recall = hit / support
        f1s.append(2 * precision * recall / (precision + recall) if hit else 0.0)
    found = [a[2] for a in answers if a[2] is not None]
    return {
        "n": len(records),
        "accuracy": round(sum(correct) / len(correct), 3),
        "macro_f1": round(statistics.fmean(f1s), 3),
        "recall_at_5": round(sum(found) / len(found), 3) if found else None,
        "ece": round(calibration_bins([a[1] for a in answers], correct)[1], 3),
        "mean_confidence": round(statistics.fmean(a[1] for a in answers), 3),
    }


def baseline(records: Records, analyzer: str) -> list[tuple[str, float, bool | None]]:
    """What ``rules`` or ``meaning`` answered, as recorded with the features."""
    return [
        (r[analyzer]["predicted"], r[analyzer]["confidence"], r[analyzer]["found"]) for r in records
    ]


def cross_validate(
    groups: Mapping[str, Records],
    *,
    l2: float = L2,
    balance: float = BALANCE,
    override_at: float = OVERRIDE_AT,
    folds: Mapping[str, Sequence[str]] | None = None,
    fitted: dict[tuple[str, float, float], Combiner] | None = None,
) -> dict[str, dict[str, dict[str, float | None]]]:
    """For each fold (by default each group alone), the three analyzers on its groups, learned
    fitted on every other group. ``fitted`` keeps each fold's fit across calls that differ only
    in ``override_at`` (which does not change the fit)."""
    folds = folds or {name: [name] for name in groups}
    fitted = {} if fitted is None else fitted
    table: dict[str, dict[str, dict[str, float | None]]] = {}
    for fold, held in folds.items():
        key = (fold, l2, balance)
        if key not in fitted:
            training = {name: r for name, r in groups.items() if name not in held}
            fitted[key] = fit_groups(training, l2=l2, balance=balance)
        combiner = replace(fitted[key], override_at=override_at)
        records = [r for name in held for r in groups[name]]
        table[fold] = {
            "rules": measure(records, baseline(records, "rules")),
            "meaning": measure(records, baseline(records, "meaning")),
            "learned": measure(records, predict_claims(combiner, records)),
        }
    return table
