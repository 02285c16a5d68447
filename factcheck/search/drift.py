"""Index drift: where the search index and the catalog disagree, and how to bring them together.

The index is derived from the catalog, and two writes keep them in step: the catalog commits
first, then the index is updated. A process killed between the two (``kill -9`` during an
import, a power cut after a reviewer's edit) leaves them apart. :func:`find_drift` compares
every active passage of the catalog with what the index holds, by id and ``content_hash``:

* *missing*: active in the catalog, absent from the index (it cannot be found);
* *stale*: indexed with a different ``content_hash`` (a correction the index never saw);
* *extra*: indexed but not active in the catalog (excluded, withdrawn, retired or unknown).

:func:`repair_drift` re-indexes the affected sources from the catalog (the record) and deletes
the extra documents; past :data:`REBUILD_SHARE` of the catalog a full rebuild is cheaper. The
comparison is a snapshot: an edit committed while it runs may show as drift that its own index
update is about to remove, so a repair is idempotent and safe to run at any time.

Nothing here imports Flask: the ``factcheck index check`` command calls it with a
:class:`~factcheck.catalog.database.Database` and a :class:`~factcheck.search.index.SearchIndex`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from factcheck.catalog.database import Database
from factcheck.catalog.models import Passage, Source
from factcheck.search.feed import DEFAULT_REBUILD_AFTER, apply_feed
from factcheck.search.index import SearchIndex
from factcheck.search.indexing import rebuild_index, refresh_sources

REBUILD_SHARE = 0.25  # drift above this share of the catalog is repaired by a full rebuild
SAMPLE_SIZE = 10  # ids shown per kind of drift in a report


@dataclass(frozen=True)
class Drift:
    """The differences between the catalog's active passages and the index."""

    catalog_passages: int
    indexed_passages: int
    index_missing: bool = False  # no readable generation at all: only a rebuild helps
    missing: tuple[str, ...] = ()
    stale: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()
    # Sources whose passages need re-indexing (of the missing and stale passages, and of the
    # extra ones that still belong to a catalog source).
    sources: tuple[str, ...] = field(default=(), repr=False)

    @property
    def clean(self) -> bool:
        """Whether the index holds exactly the catalog's active passages, up to date."""
        return not (self.index_missing or self.missing or self.stale or self.extra)

    @property
    def total(self) -> int:
        """How many passages are out of step."""
        return len(self.missing) + len(self.stale) + len(self.extra)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready report: counts, and a sample of ids of each kind."""
        return {
            "clean": self.clean,
            "index_missing": self.index_missing,
            "catalog_passages": self.catalog_passages,
            "indexed_passages": self.indexed_passages,
            "missing": len(self.missing),
            "stale": len(self.stale),
            "extra": len(self.extra),
            "sample": {
                "missing": list(self.missing[:SAMPLE_SIZE]),
                "stale": list(self.stale[:SAMPLE_SIZE]),
                "extra": list(self.extra[:SAMPLE_SIZE]),
            },
        }


@dataclass(frozen=True)
class Repair:
    """What a repair did, and the drift found afterwards."""

    method: str  # "none", "sources" (re-indexed some sources) or "rebuild"
    sources_reindexed: int
    extra_deleted: int
    after: Drift


def catalog_hashes(database: Database) -> dict[str, tuple[str, str]]:
    """Every active passage of the catalog: id -> (source id, content hash)."""
    statement = (
        select(Passage.id, Passage.source_id, Passage.content_hash)
        .join(Source, Source.id == Passage.source_id)
        .where(Passage.excluded.is_(False), Source.retired.is_(False))
    )
    with database.session() as session:
        rows = session.execute(statement.execution_options(yield_per=5_000))
        return {row.id: (row.source_id, row.content_hash) for row in rows}


def catalog_sources(database: Database, source_ids: set[str]) -> set[str]:
    """Which of ``source_ids`` the catalog holds (retired or not)."""
    found: set[str] = set()
    ids = sorted(source_ids)
    with database.session() as session:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            found.update(session.scalars(select(Source.id).where(Source.id.in_(chunk))))
    return found


def find_drift(database: Database, index: SearchIndex) -> Drift:
    """Compare the catalog's active passages with the live index."""
    catalog = catalog_hashes(database)
    index_missing = not index.exists()
    indexed = {} if index_missing else index.stored_hashes()
    missing = sorted(set(catalog) - set(indexed))
    stale = sorted(
        passage_id
        for passage_id, (_source, digest) in indexed.items()
        if passage_id in catalog and catalog[passage_id][1] != digest
    )
    extra = sorted(set(indexed) - set(catalog))
    sources = {catalog[passage_id][0] for passage_id in (*missing, *stale)}
    extra_sources = {indexed[passage_id][0] for passage_id in extra} - {""}
    sources |= catalog_sources(database, extra_sources)
    return Drift(
        catalog_passages=len(catalog),
        indexed_passages=len(indexed),
        index_missing=index_missing,
        missing=tuple(missing),
        stale=tuple(stale),
        extra=tuple(extra),
        sources=tuple(sorted(sources)),
    )


def repair_drift(database: Database, index: SearchIndex, drift: Drift | None = None) -> Repair:
    """Bring the index in line with the catalog; return what was done and the drift after."""
    drift = drift if drift is not None else find_drift(database, index)
    if drift.clean:
        return Repair("none", 0, 0, drift)
    if drift.index_missing or drift.total > REBUILD_SHARE * max(drift.catalog_passages, 1):
        rebuild_index(database, index)
        return Repair("rebuild", 0, len(drift.extra), find_drift(database, index))
    with database.session() as session:
        refresh_sources(session, index, drift.sources)
    # Extra documents of sources the catalog no longer has were not touched by the refresh.
    index.delete_passages(drift.extra)
    return Repair("sources", len(drift.sources), len(drift.extra), find_drift(database, index))


def repair_at_start(
    database: Database, index: SearchIndex, *, rebuild_after: int = DEFAULT_REBUILD_AFTER
) -> Repair | None:
    """At a server's start: catch up from the change feed, then compare the index with the
    catalog, passage by passage and content hash by content hash, and repair any drift;
    ``None`` when they are in step.

    A server killed during an import, or between a correction's commit and its index update,
    leaves feed entries its index has not applied: the catch-up applies them (or rebuilds, if
    the node is far behind). The comparison is the safety net for what the feed cannot know
    (an index damaged or edited by hand); it reads one id and hash per passage on each side
    (about a second at 100k passages), so it runs at every start.
    """
    apply_feed(database, index, rebuild_after=rebuild_after)
    drift = find_drift(database, index)
    return None if drift.clean else repair_drift(database, index, drift)
