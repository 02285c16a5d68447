"""Verification commands: ``factcheck verify`` checks one claim, ``factcheck eval`` a file.

Both run the same service as the API (:func:`factcheck.web.checks.check_claim`) against whatever
corpus the configured catalog and index hold.
"""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from marshmallow import ValidationError
from tqdm import tqdm

from factcheck.catalog.store import catalog_counts
from factcheck.commands.index import embed_now
from factcheck.engine.evaluation import (
    Example,
    ExampleError,
    Outcome,
    Report,
    comparison_dict,
    fit_on_outcomes,
    format_comparison,
    format_fit,
    format_report,
    load_examples,
    run,
    summarise,
)
from factcheck.engine.stance import analyzer_names, create_analyzer
from factcheck.engine.verdict import CONFLICTING, NOT_ENOUGH_EVIDENCE, REFUTED, SUPPORTED
from factcheck.engine.verify import Excerpt, Result
from factcheck.extensions import get_database, get_search_index, get_vector_store
from factcheck.search.index import IndexMissingError
from factcheck.web.checks import (
    RESULT_CACHE_KEY,
    STANCE_ANALYZER_KEY,
    check_claim,
    get_stance_analyzer,
)
from factcheck.web.schemas import VerifyRequestSchema, VerifyResponseSchema

VERDICT_WORDS = {
    SUPPORTED: "SUPPORTED",
    REFUTED: "REFUTED",
    CONFLICTING: "CONFLICTING",
    NOT_ENOUGH_EVIDENCE: "NOT ENOUGH EVIDENCE",
}


@click.command("verify")
@click.argument("claim")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON instead of text.")
@click.option("--limit", default=5, show_default=True, type=int, help="Excerpts per side, 1 to 20.")
@with_appcontext
def verify_command(claim: str, as_json: bool, limit: int) -> None:
    """Check CLAIM against the sources and print the verdict with its evidence."""
    # The API's request schema holds the rules for a claim and a limit; the command obeys it too.
    try:
        arguments = VerifyRequestSchema().load({"claim": claim, "limit": limit})
    except ValidationError as error:
        problems = "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in error.messages_dict.items()
        )
        raise click.UsageError(problems) from error
    notice = nothing_indexed()
    if notice is not None and not as_json:
        # Against an empty index every claim reads "not enough evidence": no verdict is honest.
        click.echo(notice)
        return
    result = check_claim(arguments["claim"], arguments["limit"])
    if as_json:
        if notice is not None:
            click.echo(f"Warning: {notice}", err=True)
        click.echo(json.dumps(VerifyResponseSchema().dump(result), indent=2, ensure_ascii=False))
    else:
        click.echo(format_result(result))


def nothing_indexed() -> str | None:
    """What to do when the index holds no passage (``None`` when it holds some)."""
    try:
        if get_search_index().summary().passages:
            return None
    except IndexMissingError:
        pass
    with get_database().session() as session:
        active = catalog_counts(session).active_passages
    if active:
        return (
            f"Nothing is indexed: the catalog holds {active} active passages but the index "
            "none. Run `factcheck index rebuild`."
        )
    return (
        "Nothing is indexed: the catalog holds no passages, so no claim can be checked. "
        "Import sources first: `factcheck import SOURCES_DIR`."
    )


def format_result(result: Result) -> str:
    """A check as readable text."""
    lines = [
        f"{VERDICT_WORDS[result.verdict]} (confidence {result.confidence:.2f})",
        textwrap.fill(result.explanation, 88),
    ]
    if result.parts:
        lines += ["", "Parts:"]
        lines += [
            textwrap.fill(
                f"{VERDICT_WORDS[part.verdict]} ({part.confidence:.2f}) {part.claim}",
                88,
                initial_indent=f"  {number}. ",
                subsequent_indent="     ",
            )
            for number, part in enumerate(result.parts, start=1)
        ]
    for title, excerpts in (
        ("Supporting", result.supporting),
        ("Conflicting", result.conflicting),
        ("Closest passages", result.closest),
    ):
        if excerpts:
            lines += ["", f"{title}:"]
            lines += [_format_excerpt(e) for e in excerpts]
    lines += ["", f"index {result.index_version}, {result.took_ms:.1f} ms"]
    return "\n".join(lines)


def _format_excerpt(excerpt: Excerpt) -> str:
    source = excerpt.source
    cite = ", ".join(
        str(part) for part in (source["title"], source["publisher"], source["published"]) if part
    )
    body = textwrap.fill(excerpt.text, 84, initial_indent="  - ", subsequent_indent="    ")
    return f"{body}\n    [{excerpt.score:.2f}] {cite}"


@click.command("eval")
@click.argument(
    "file", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option(
    "-k",
    "k",
    default=5,
    show_default=True,
    type=click.IntRange(1, 50),
    help="Excerpts counted for evidence recall@k.",
)
@click.option(
    "--fit-calibration",
    "fit_path",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Also fit the stance analyzer's calibration to these claims and write it to this "
    "JSON file (ship it as factcheck/engine/calibration/<analyzer>.json).",
)
@click.option(
    "--compare",
    is_flag=True,
    help="Run the claims once per registered stance analyzer and print them side by side.",
)
@with_appcontext
def eval_command(
    file: tuple[Path, ...], as_json: bool, k: int, fit_path: Path | None, compare: bool
) -> None:
    """Evaluate the service on FILE, a JSON Lines file of labelled claims.

    Several FILEs are evaluated as one set. Reads the project's format
    (../shared/claims/dev.jsonl) and CLIMATE-FEVER's, and prints accuracy, macro-F1, per-label
    precision and recall, the confusion matrix, evidence recall@k, Brier score, expected
    calibration error and latency. With --fit-calibration it also fits the analyzer's confidence
    calibration to the claims, writes it, and prints the calibration error before and after.
    With --compare it runs the claims once per registered stance analyzer (whatever
    FACTCHECK_STANCE_ANALYZER says) and prints accuracy, macro-F1, evidence recall@k,
    calibration error, Brier score and median latency side by side.
    """
    if compare and fit_path is not None:
        raise click.UsageError("--fit-calibration fits one analyzer; it cannot go with --compare")
    try:
        examples = [example for path in file for example in load_examples(path)]
    except ExampleError as error:
        raise click.ClickException(str(error)) from error
    notice = nothing_indexed()
    if notice is not None:
        raise click.ClickException(notice)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if get_vector_store(app) is not None:
        embed_now(get_search_index(app))  # judge with the vectors the setting asks for
    if compare:
        _compare(app, examples, k, as_json=as_json)
        return
    outcomes = _run_examples(app, examples, k, desc="claims")
    try:
        report = summarise(outcomes, k)
    except ExampleError as error:
        raise click.ClickException(str(error)) from error
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
    else:
        click.echo(format_report(report))
    if fit_path is not None:
        _fit_calibration(outcomes, file, fit_path, to_stderr=as_json)
    sys.stdout.flush()


def _run_examples(app: Flask, examples: list[Example], k: int, *, desc: str) -> list[Outcome]:
    """Check every example with the app's analyzer, with a progress bar on a terminal."""
    with tqdm(total=len(examples), desc=desc, unit="claim", disable=None, leave=False) as bar:
        outcomes = []
        for outcome in run(examples, lambda claim: check_claim(claim, 5, app=app), k):
            outcomes.append(outcome)
            bar.update()
    return outcomes


def _compare(app: Flask, examples: list[Example], k: int, *, as_json: bool) -> None:
    """Run ``examples`` once per registered analyzer and print the figures side by side."""
    reports: dict[str, Report] = {}
    for name in analyzer_names():
        with _using_analyzer(app, name):
            outcomes = _run_examples(app, examples, k, desc=name)
        try:
            reports[name] = summarise(outcomes, k)
        except ExampleError as error:
            raise click.ClickException(str(error)) from error
    if as_json:
        click.echo(json.dumps(comparison_dict(reports), indent=2))
    else:
        click.echo(format_comparison(reports))
    sys.stdout.flush()


@contextmanager
def _using_analyzer(app: Flask, name: str) -> Iterator[None]:
    """Let the app judge with the analyzer registered as ``name`` for a while.

    The result cache is set aside too: its keys do not name the analyzer, so a result another
    analyzer computed must not answer.
    """
    kept = {key: app.extensions.get(key) for key in (STANCE_ANALYZER_KEY, RESULT_CACHE_KEY)}
    app.extensions[STANCE_ANALYZER_KEY] = create_analyzer(name)
    app.extensions.pop(RESULT_CACHE_KEY, None)
    try:
        yield
    finally:
        for key, value in kept.items():
            if value is None:
                app.extensions.pop(key, None)
            else:
                app.extensions[key] = value


def _fit_calibration(
    outcomes: list[Outcome], files: tuple[Path, ...], path: Path, *, to_stderr: bool
) -> None:
    """Fit the app's analyzer's calibration to ``outcomes``, write it and say how it fares."""
    start = get_stance_analyzer().calibration
    names = ", ".join(file.name for file in files)
    try:
        fit = fit_on_outcomes(
            outcomes,
            start,
            name=f"{start.analyzer}-fitted-{'-'.join(file.stem for file in files)}",
            fitted_on=f"factcheck eval {names} --fit-calibration, from {start.name}",
        )
    except ExampleError as error:
        raise click.ClickException(str(error)) from error
    fit.calibration.write(path)
    click.echo(format_fit(fit) + f"\nwritten to {path}", err=to_stderr)
