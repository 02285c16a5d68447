"""Commands: what ``factcheck`` can do, registered on the app's CLI by :func:`init_app`.

Commands stay thin: they parse options, call one service function and print its outcome. The
``factcheck`` console script itself is :data:`factcheck.cli.main`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from tqdm import tqdm

from factcheck.catalog.store import is_empty
from factcheck.extensions import get_database, get_search_index
from factcheck.importer import FileFailure, ImportReport, import_files
from factcheck.index_commands import index_check_command
from factcheck.index_drift import repair_if_counts_differ
from factcheck.indexing import rebuild_index
from factcheck.process_tuning import prepare_engine_process
from factcheck.reviewer_commands import reviewer_group
from factcheck.server import DEFAULT_THREADS, DEFAULT_WORKERS, GunicornServer, server_options
from factcheck.verification_commands import eval_command, verify_command


def init_app(app: Flask) -> None:
    """Register the commands on ``app.cli``."""
    for command in (import_command, index_group, serve_command, verify_command, eval_command):
        app.cli.add_command(command)
    app.cli.add_command(reviewer_group)


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
    with (
        tqdm(desc="documents", unit="doc", disable=None, leave=False) as documents_bar,
        tqdm(desc="indexing", unit="passage", disable=None, leave=False) as index_bar,
    ):
        report = import_files(
            get_database(),
            get_search_index(),
            paths,
            on_document=lambda _document: documents_bar.update(),
            on_failure=lambda failure: _report_failure(failure, documents_bar),
            index_progress=index_bar.update,
        )
    click.echo(_import_summary(report))
    if report.failures:
        sys.exit(1)


def _report_failure(failure: FileFailure, bar: tqdm) -> None:
    """Print a failed file without breaking the progress bar."""
    bar.clear()
    click.echo(f"error: {failure.path}: {failure.reason}", err=True)
    bar.refresh()


def _import_summary(report: ImportReport) -> str:
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


@click.group("index")
def index_group() -> None:
    """Inspect or rebuild the search index."""


index_group.add_command(index_check_command)


@index_group.command("rebuild")
@with_appcontext
def index_rebuild_command() -> None:
    """Rebuild the whole index from the catalog and swap it in.

    Readers keep using the old index until the new one is complete.
    """
    with tqdm(desc="indexing", unit="passage", disable=None, leave=False) as bar:
        status = rebuild_index(get_database(), get_search_index(), progress=bar.update)
    click.echo(f"rebuilt: {status.passages} passages from {status.sources} sources")
    click.echo(f"version: {status.version}")


@index_group.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@with_appcontext
def index_status_command(as_json: bool) -> None:
    """Show passages and sources indexed, the index version and its last update."""
    status = get_search_index().status()
    if as_json:
        click.echo(json.dumps(status.as_dict(), indent=2))
        return
    last = status.last_update.isoformat(timespec="seconds") if status.last_update else "never"
    click.echo(f"passages: {status.passages}")
    click.echo(f"sources: {status.sources}")
    click.echo(f"version: {status.version}")
    click.echo(f"last update: {last}")
    click.echo(f"directory: {status.directory}")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option("--workers", default=DEFAULT_WORKERS, show_default=True, help="Worker processes.")
@click.option("--threads", default=DEFAULT_THREADS, show_default=True, help="Threads per worker.")
@with_appcontext
def serve_command(host: str, port: int, workers: int, threads: int) -> None:
    """Serve the app with gunicorn.

    On first start with an empty catalog, imports SOURCES_DIR and builds the index before the
    workers start, so a fresh checkout serves the seed articles with this one command.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    database, index = get_database(), get_search_index()
    with database.session() as session:
        empty = is_empty(session)
    if empty:
        sources = Path(app.config["SOURCES_DIR"])
        click.echo(f"empty catalog: importing {sources}", err=True)
        report = import_files(database, index, [sources])
        click.echo(_import_summary(report), err=True)
    repair = repair_if_counts_differ(database, index)  # e.g. after a crash mid-import
    if repair is not None:
        click.echo(f"index was out of step with the catalog: {repair.method} repair", err=True)
    # Nothing opened here may be shared with forked workers.
    database.dispose()
    index.close()
    prepare_engine_process()  # lexicons loaded and frozen once, shared by the workers
    GunicornServer(app, server_options(host, port, workers, threads)).run()
