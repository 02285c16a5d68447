"""``factcheck serve``: import the bundled sources into an empty catalog, catch the index up with
the change feed and repair any drift between catalog and index, then serve with gunicorn."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from factcheck.catalog.store import is_empty
from factcheck.commands.process_tuning import prepare_engine_process
from factcheck.commands.server import (
    DEFAULT_THREADS,
    DEFAULT_WORKERS,
    GunicornServer,
    server_options,
)
from factcheck.commands.sources import import_summary, import_with_progress
from factcheck.extensions import get_database, get_search_index, get_vector_store
from factcheck.language.encoder import get_encoder
from factcheck.search.drift import repair_at_start


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
        report = import_with_progress(database, index, [sources])  # bars on stderr
        click.echo(import_summary(report), err=True)
    # e.g. after a crash mid-import or mid-edit: the feed first, then a comparison
    repair = repair_at_start(database, index, rebuild_after=app.config["FEED_REBUILD_AFTER"])
    if repair is not None:
        click.echo(f"index was out of step with the catalog: {repair.method} repair", err=True)
    # Nothing opened here may be shared with forked workers.
    database.dispose()
    index.close()
    if get_vector_store(app) is not None:
        # The encoder's weights (about 200 MB once onnxruntime has prepared them) are loaded
        # here, before the workers fork, so both share the pages instead of each loading its
        # own. Nothing has run on it yet: no thread pool or tokenizer threads cross the fork.
        get_encoder()
    prepare_engine_process()  # lexicons loaded and frozen once, shared by the workers
    GunicornServer(app, server_options(host, port, workers, threads)).run()
