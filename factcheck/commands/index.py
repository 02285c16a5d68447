"""``factcheck index``: inspect, rebuild and check the search index.

The rebuild, the comparison and the repair live in :mod:`factcheck.search`, which knows nothing
of Flask or click; these commands parse options and print.
"""

from __future__ import annotations

import json
import os
import sys

import click
import numpy as np
from flask.cli import with_appcontext
from tqdm import tqdm

from factcheck.commands.sources import advance
from factcheck.extensions import get_database, get_feed_follower, get_search_index
from factcheck.language.encoder import Encoder
from factcheck.search.drift import Drift, find_drift, repair_drift
from factcheck.search.feed import FeedProgress, apply_feed, feed_state
from factcheck.search.index import SearchIndex
from factcheck.search.indexing import rebuild_index
from factcheck.search.vectors import EmbeddingReport, VectorStore, embed_passages


@click.group("index")
def index_group() -> None:
    """Inspect or rebuild the search index."""


@index_group.command("rebuild")
@with_appcontext
def index_rebuild_command() -> None:
    """Rebuild the whole index from the catalog and swap it in.

    Readers keep using the old index until the new one is complete.
    """
    with tqdm(desc="indexing", unit="passage", disable=None, leave=False) as bar:
        status = rebuild_index(
            get_database(), get_search_index(), progress=lambda count: advance(bar, count)
        )
    click.echo(f"rebuilt: {status.passages} passages from {status.sources} sources")
    click.echo(f"version: {status.version}")


@index_group.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@with_appcontext
def index_status_command(as_json: bool) -> None:
    """Show passages and sources indexed, the index version and its last update, how many
    passages have their vector (dense retrieval uses them once they cover the index), and the
    change feed: the position this node applied, the catalog's, and the lag in seconds."""
    index = get_search_index()
    status = index.status()
    vectors = VectorStore(index.directory).status(status.passages)
    feed = feed_state(get_database(), index)
    if as_json:
        report = {**status.as_dict(), "vectors": vectors.as_dict(), "feed": feed.as_dict()}
        click.echo(json.dumps(report, indent=2))
        return
    last = status.last_update.isoformat(timespec="seconds") if status.last_update else "never"
    click.echo(f"passages: {status.passages}")
    click.echo(f"sources: {status.sources}")
    click.echo(f"version: {status.version}")
    click.echo(f"last update: {last}")
    click.echo(f"directory: {status.directory}")
    state = " (embedding now)" if vectors.running else ""
    click.echo(f"vectors: {vectors.embedded}/{vectors.total} passages embedded{state}")
    click.echo(f"feed: node at {feed.node_position}, catalog at {feed.catalog_position}")
    click.echo(f"feed lag: {feed.lag_seconds:.3f} s")


@index_group.command("follow")
@click.option("--once", is_flag=True, help="Catch up once and exit, instead of following.")
@with_appcontext
def index_follow_command(once: bool) -> None:
    """Follow the catalog's change feed into this node's index, in the foreground.

    For a node that runs its follower as its own process. Only one process per index directory
    follows at a time: while another (a server worker) holds the follower lock, this one stands
    by and takes over if that process dies. Stop it with Ctrl-C.
    """
    follower = get_feed_follower()
    if once:
        progress = apply_feed(
            get_database(), get_search_index(), rebuild_after=follower.rebuild_after
        )
        click.echo(f"feed: {progress.method}, {progress.entries} entries, at {progress.position}")
        return
    poke_passes = follower.on_applied

    def report(progress: FeedProgress) -> None:
        click.echo(
            f"feed: {progress.method}, {progress.entries} entries, now at {progress.position}"
        )
        if poke_passes is not None:
            poke_passes(progress)

    follower.on_applied = report
    click.echo(f"following the change feed into {get_search_index().directory} (Ctrl-C stops)")
    try:
        follower.run()
    except KeyboardInterrupt:
        follower.stop()


@index_group.command("embed")
@with_appcontext
def index_embed_command() -> None:
    """Compute the vectors of passages that lack one (dense retrieval), showing progress.

    The server does this in the background after every change; this command does it now.
    Vectors of unchanged passages are kept, so a second run only reads the index.
    """
    report = embed_now(get_search_index())
    click.echo(f"vectors: {report.passages} passages, {report.embedded} newly embedded")
    click.echo(f"took: {report.seconds:.1f} s")


def embed_now(index: SearchIndex) -> EmbeddingReport:
    """Run an embedding pass on ``index`` in the foreground, with a progress bar.

    The command has the machine to itself, so the encoder uses every core (the server's
    background pass keeps to one thread, leaving the other core to checks).
    """
    encoder = _AllCoresEncoder()
    with tqdm(desc="embedding", unit="passage", disable=None, leave=False) as bar:

        def show(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        return embed_passages(index, VectorStore(index.directory), encoder=encoder, progress=show)


class _AllCoresEncoder:
    """An encoder on every core, loaded only if a passage needs embedding."""

    def __init__(self) -> None:
        self._encoder: Encoder | None = None

    def encode(self, texts: list[str]) -> np.ndarray:
        if self._encoder is None:
            self._encoder = Encoder(threads=os.cpu_count() or 1)
        return self._encoder.encode(texts)


@index_group.command("check")
@click.option("--repair", is_flag=True, help="Re-index what is out of step, from the catalog.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@with_appcontext
def index_check_command(repair: bool, as_json: bool) -> None:
    """Compare the index with the catalog: passages missing, stale or extra.

    Missing: active in the catalog but not indexed. Stale: indexed with other text than the
    catalog's (content hash differs). Extra: indexed but excluded, retired or unknown in the
    catalog. With --repair, the affected sources are re-indexed from the catalog (a full rebuild
    if much is out of step) and the check runs again. Exit status 1 if drift remains.
    """
    database, index = get_database(), get_search_index()
    drift = find_drift(database, index)
    report: dict = {"before": drift.as_dict()}
    if repair and not drift.clean:
        outcome = repair_drift(database, index, drift)
        report["repair"] = {
            "method": outcome.method,
            "sources_reindexed": outcome.sources_reindexed,
            "extra_deleted": outcome.extra_deleted,
        }
        report["after"] = outcome.after.as_dict()
        final = outcome.after
    else:
        final = drift
    if as_json:
        click.echo(json.dumps(report, indent=2))
    else:
        click.echo(_describe(drift))
        if "repair" in report:
            repaired = report["repair"]
            click.echo(
                f"repaired by {repaired['method']}: {repaired['sources_reindexed']} sources "
                f"re-indexed, {repaired['extra_deleted']} extra passages removed"
            )
            click.echo("after: " + _describe(final))
    if not final.clean:
        sys.exit(1)


def _describe(drift: Drift) -> str:
    """One line per kind of drift, with a few ids of each."""
    if drift.index_missing:
        return f"no index: {drift.catalog_passages} active passages in the catalog to index"
    if drift.clean:
        return f"in step: {drift.indexed_passages} passages indexed, as in the catalog"
    lines = [
        f"drift: catalog {drift.catalog_passages} active passages, index {drift.indexed_passages}"
    ]
    for kind in ("missing", "stale", "extra"):
        ids = getattr(drift, kind)
        if ids:
            sample = ", ".join(ids[:5]) + (", …" if len(ids) > 5 else "")
            lines.append(f"  {kind}: {len(ids)} ({sample})")
    return "\n".join(lines)
