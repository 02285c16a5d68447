"""``factcheck index``: inspect, rebuild and check the search index.

The rebuild, the comparison and the repair live in :mod:`factcheck.search`, which knows nothing
of Flask or click; these commands parse options and print.
"""

from __future__ import annotations

import json
import sys

import click
from flask.cli import with_appcontext
from tqdm import tqdm

from factcheck.commands.sources import advance
from factcheck.extensions import get_database, get_search_index
from factcheck.search.drift import Drift, find_drift, repair_drift
from factcheck.search.indexing import rebuild_index


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
