"""``factcheck import PATH...``: bring source files into the catalog and the index."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
from flask.cli import with_appcontext
from tqdm import tqdm

from factcheck.catalog.database import Database
from factcheck.extensions import get_database, get_search_index
from factcheck.review.rechecks import get_rechecker
from factcheck.search.importer import FileFailure, ImportReport, import_files
from factcheck.search.index import SearchIndex


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@with_appcontext
def import_command(paths: tuple[Path, ...]) -> None:
    """Import source files and directories into the catalog, then update the index.

    Accepts .md (with front matter), .txt, .html and .jsonl passage collections; directories
    are searched recursively. Importing the same document again changes nothing. A file that
    cannot be read is reported with its reason and the rest are imported; the exit status is 1
    if any file failed.
    """
    report = import_with_progress(get_database(), get_search_index(), paths)
    click.echo(import_summary(report))
    recheck_after_import()
    if report.failures:
        sys.exit(1)


def import_with_progress(
    database: Database, index: SearchIndex, paths: Sequence[Path]
) -> ImportReport:
    """Import ``paths`` with progress bars on stderr (documents read, passages indexed).

    The bars show on a terminal only; failed files are printed between them.
    """
    with (
        tqdm(desc="documents", unit="doc", disable=None, leave=False) as documents_bar,
        tqdm(desc="indexing", unit="passage", disable=None, leave=False) as index_bar,
    ):
        return import_files(
            database,
            index,
            paths,
            on_document=lambda _document: advance(documents_bar),
            on_failure=lambda failure: _report_failure(failure, documents_bar),
            index_progress=lambda count: advance(index_bar, count),
        )


def recheck_after_import() -> None:
    """Check the recently checked claims again now the index moved, and say how many moved."""
    rechecker = get_rechecker()
    if not rechecker.poke():
        return
    click.echo("re-checking recently checked claims…", err=True)
    rechecker.join()
    report = rechecker.last_report
    if report is not None:
        click.echo(f"re-checked: {report.checked} claims, {report.moved} verdicts moved")


def advance(bar: tqdm[Any], count: int = 1) -> None:
    """Move ``bar`` on by ``count``: a progress callback returns nothing (tqdm's update does)."""
    bar.update(count)


def _report_failure(failure: FileFailure, bar: tqdm) -> None:
    """Print a failed file without breaking the progress bar."""
    bar.clear()
    click.echo(f"error: {failure.path}: {failure.reason}", err=True)
    bar.refresh()


def import_summary(report: ImportReport) -> str:
    """The lines printed after an import."""
    summary = report.summary
    lines = [
        f"files: {report.files} read, {len(report.failures)} failed",
        f"sources: {summary.documents} ({summary.sources_added} new, "
        f"{summary.sources_updated} updated)",
        f"passages: {summary.passages_added} added, {summary.passages_excluded} excluded as noise, "
        f"{summary.passages_withdrawn} withdrawn",
    ]
    if summary.passages_skipped:
        lines.append(f"skipped: {summary.passages_skipped} passages with an id already in use")
    if report.index is not None:
        lines.append(f"index: {report.index.passages} passages, version {report.index.version}")
    return "\n".join(lines)
