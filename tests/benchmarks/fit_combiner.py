"""Cross-validate the ``learned`` analyzer's combiner by claim set, and fit the shipped one.

Reads features files written by ``factcheck model features`` (one per claim set: one group),
holds each group out in turn, fits the combiner on the others and prints rules, meaning and
learned on the held-out group: accuracy, macro-F1, evidence recall@5, expected calibration error
(10 bins) and mean confidence. Extra folds hold out several groups at once (``--fold
name=a,b``), e.g. both CLIMATE-FEVER halves, to see the combiner on a domain it was not fitted
on at all. With ``--l2`` and ``--balance`` several penalties and group weightings are
compared (the mean accuracy of the single-group folds, each claim set alike); the constants
``L2`` and ``BALANCE`` in ``factcheck/engine/stance/combiner_fit.py`` are the ones chosen so.
heldout-5 and CLIMATE-FEVER's test split are never read here. Usage::

    python tests/benchmarks/fit_combiner.py /tmp/features/*.features.jsonl \\
        --fold cf=cf-fit-a,cf-fit-b [--l2 1 3 10 30] [--markdown]

The recall@5 of ``learned`` here is computed from the excerpts recorded for each verdict when
the features were extracted (parts merged by "any part's excerpts carry it"); ``factcheck
eval`` measures the shipped analyzer exactly.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
from pathlib import Path

from factcheck.engine.stance.combiner_data import read_records
from factcheck.engine.stance.combiner_fit import BALANCE, L2, OVERRIDE_AT, cross_validate
from factcheck.engine.stance.learned import Combiner

SUFFIX = ".features.jsonl"
ANALYZERS = ("rules", "meaning", "learned")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--fold", action="append", default=[], help="name=group,group")
    parser.add_argument("--l2", nargs="*", type=float, default=[L2])
    parser.add_argument("--balance", nargs="*", type=float, default=[BALANCE])
    parser.add_argument("--override-at", nargs="*", type=float, default=[OVERRIDE_AT])
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--summary", action="store_true", help="only the summary lines")
    args = parser.parse_args()
    groups = {path.name.removesuffix(SUFFIX): read_records(path) for path in args.files}
    folds: dict[str, list[str]] = {name: [name] for name in groups}
    for spec in args.fold:
        name, members = spec.split("=", 1)
        folds[name] = members.split(",")
    fitted: dict[tuple[str, float, float], Combiner] = {}
    for l2 in args.l2:
        for balance, override_at in itertools.product(args.balance, args.override_at):
            table = cross_validate(
                groups,
                l2=l2,
                balance=balance,
                override_at=override_at,
                folds=folds,
                fitted=fitted,
            )
            print(
                f"\nL2 {l2}, balance {balance}, overrules at {override_at}: each fold measured "
                "on its groups, learned fitted on all the others"
            )
            if not args.summary:
                _print(table, markdown=args.markdown)
            for analyzer in ANALYZERS:
                # Each claim set counts alike: the mean of the single-group folds' figures.
                rows = [table[name][analyzer] for name in groups]
                accuracy = statistics.fmean(row["accuracy"] for row in rows)  # type: ignore[misc]
                ece = statistics.fmean(row["ece"] for row in rows)  # type: ignore[misc]
                print(
                    f"  mean over single-group folds, {analyzer}: accuracy {accuracy:.3f}, "
                    f"ECE {ece:.3f}"
                )


def _print(table: dict[str, dict[str, dict[str, float | None]]], *, markdown: bool) -> None:
    columns = ("accuracy", "macro_f1", "recall_at_5", "ece", "mean_confidence")
    if markdown:
        print("| held out | n | analyzer | accuracy | macro-F1 | recall@5 | ECE | mean conf. |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    else:
        print(f"{'held out':<14}{'n':>5} {'analyzer':<9}" + "".join(f"{c:>16}" for c in columns))
    for fold, rows in table.items():
        for k, analyzer in enumerate(ANALYZERS):
            row = rows[analyzer]
            cells = ["n/a" if row[c] is None else f"{row[c]:.3f}" for c in columns]
            if markdown:
                first = f"| {fold} | {row['n']} " if k == 0 else "| | "
                print(f"{first}| {analyzer} | " + " | ".join(cells) + " |")
            else:
                name, n = (fold, str(row["n"])) if k == 0 else ("", "")
                print(f"{name:<14}{n:>5} {analyzer:<9}" + "".join(f"{c:>16}" for c in cells))


if __name__ == "__main__":
    main()
