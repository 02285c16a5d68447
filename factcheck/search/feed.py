"""Feed: bringing one node's index up to the catalog's change feed.

The catalog numbers every committed change to what is searchable (:mod:`factcheck.catalog.feed`);
each index generation records the position it reflects (:meth:`SearchIndex.feed_position`).
:func:`apply_feed` is the one way an index follows the catalog, on one node or many: under the
index's writer lock (one writer per index directory, across processes) it reads the entries after
the recorded position, oldest first, replaces the affected sources' passages from the catalog in
one Whoosh commit, and records the last position applied. The entries are read before the
passages, so the passages show at least every change up to that position; one they show already
is simply applied again later.

A node with no index, no recorded position, more than ``rebuild_after`` entries to apply, or a
position the catalog has never reached (a catalog recreated or restored from a backup) rebuilds
instead (:func:`~factcheck.search.indexing.rebuild_index`), which records the position
the catalog was at when it read the passages.

Who calls it: the node's follower (:mod:`factcheck.search.feed_follower`) after every wake-up;
the request that made a change, for its own position (read-your-writes, with a bounded wait for
the lock); the importer; and ``factcheck serve`` at start, before it checks for drift. Nothing
here imports Flask.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from factcheck.catalog.database import Database
from factcheck.catalog.feed import changes_after, last_position, oldest_after
from factcheck.catalog.models import utc_now
from factcheck.search.index import SearchIndex
from factcheck.search.indexing import rebuild_index, refresh_sources

logger = logging.getLogger(__name__)

DEFAULT_REBUILD_AFTER = 1_000  # entries behind from which a rebuild is cheaper (the setting's)


@dataclass(frozen=True)
class FeedProgress:
    """What one :func:`apply_feed` did."""

    method: str  # "none" (nothing to apply), "entries", "rebuild", or "skipped" (lock busy)
    entries: int  # entries applied one by one (0 for a rebuild)
    position: int | None  # the node's position afterwards (None: unknown)


@dataclass(frozen=True)
class FeedState:
    """How far a node's index is behind the catalog's feed."""

    node_position: int
    catalog_position: int
    lag_seconds: float  # age of the oldest entry the node has not applied; 0 when caught up

    def as_dict(self) -> dict[str, int | float]:
        """A JSON-ready mapping (the health endpoint's ``feed``)."""
        return {
            "node_position": self.node_position,
            "catalog_position": self.catalog_position,
            "lag_seconds": self.lag_seconds,
        }


def apply_feed(
    database: Database,
    index: SearchIndex,
    until: int | None = None,
    *,
    lock_timeout: float | None = None,
    rebuild_after: int = DEFAULT_REBUILD_AFTER,
) -> FeedProgress:
    """Apply the catalog's feed entries the index has not applied yet, in order.

    With ``until``, return at once if the index has already reached that position (another
    writer applied it). With ``lock_timeout``, wait at most that long for the writer lock, then
    leave the work to the follower ("skipped").
    """
    if until is not None:
        reached = index.feed_position()
        if _reached(reached, until):
            return FeedProgress("none", 0, reached)
    with index.write_lock(lock_timeout) as held:
        if not held:
            logger.info("index writer busy: feed position %s left to the follower", until)
            return FeedProgress("skipped", 0, index.feed_position())
        position = index.feed_position() if index.exists() else None
        if until is not None and _reached(position, until):
            return FeedProgress("none", 0, position)
        if position is None:
            return _rebuild(database, index, "no index or no recorded position")
        with database.session() as session:
            # The entries first, then the passages: these show at least every entry read.
            changes = changes_after(session, position, rebuild_after + 1)
            if 0 < len(changes) <= rebuild_after:
                source_ids = {source_id for change in changes for source_id in change.source_ids}
                refresh_sources(session, index, source_ids)
            behind_the_index = not changes and last_position(session) < position
        if behind_the_index:
            # Positions only grow: a catalog behind the index is another catalog (recreated, or
            # restored from a backup), and the index reflects nothing of it.
            return _rebuild(database, index, "the catalog's feed is behind the index's position")
        if not changes:
            return FeedProgress("none", 0, position)
        if len(changes) > rebuild_after:
            return _rebuild(database, index, f"more than {rebuild_after} entries behind")
        index.record_feed_position(changes[-1].position)
        return FeedProgress("entries", len(changes), changes[-1].position)


def feed_state(database: Database, index: SearchIndex, now: datetime | None = None) -> FeedState:
    """The node's position, the catalog's, and how long the oldest unapplied entry has waited.

    A node with no recorded position counts as at 0, so its lag is the age of the feed's first
    entry: it has everything to catch up (its follower rebuilds).
    """
    node = index.feed_position() or 0
    with database.session() as session:
        catalog = last_position(session)
        oldest = oldest_after(session, node) if catalog > node else None
    lag = 0.0
    if oldest is not None:
        lag = max(0.0, ((now or utc_now()) - oldest).total_seconds())
    return FeedState(node, catalog, round(lag, 3))


def _reached(position: int | None, until: int) -> bool:
    return position is not None and position >= until


def _rebuild(database: Database, index: SearchIndex, reason: str) -> FeedProgress:
    """Rebuild the node's index from the catalog (recording the feed position it reflects)."""
    logger.info("rebuilding the index from the catalog: %s", reason)
    rebuild_index(database, index)
    return FeedProgress("rebuild", 0, index.feed_position())
