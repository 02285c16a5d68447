"""Indexing: keeps the search index in step with the catalog.

These functions are the only bridge between ``catalog`` and ``search_index``; neither of those
knows the other. Nothing here imports Flask: commands, the app factory and benchmarks call them
with a :class:`Database` and a :class:`SearchIndex`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy.orm import Session

from factcheck.catalog.database import Database
from factcheck.catalog.store import active_passages
from factcheck.search.index import IndexStatus, SearchIndex


def rebuild_index(
    database: Database, index: SearchIndex, *, progress: Callable[[int], None] | None = None
) -> IndexStatus:
    """Rebuild the whole index from the catalog's active passages and swap it in."""
    with database.session() as session:
        return index.rebuild(active_passages(session), progress=progress)


def ensure_index(database: Database, index: SearchIndex) -> bool:
    """Build the index if there is none (first start, or ``INDEX_DIR`` deleted); say if it did."""
    if index.exists():
        return False
    with database.session() as session:
        return index.create_if_missing(active_passages(session))


def refresh_sources(session: Session, index: SearchIndex, source_ids: Iterable[str]) -> None:
    """Re-index every passage of the given sources from the catalog (after a commit)."""
    source_ids = sorted(set(source_ids))
    if source_ids:
        index.replace_sources(source_ids, active_passages(session, source_ids))


def sync_after_import(
    database: Database,
    index: SearchIndex,
    source_ids: Iterable[str],
    *,
    passages_added: int,
    progress: Callable[[int], None] | None = None,
) -> IndexStatus:
    """Bring the index up to date after an import that changed ``source_ids``.

    A large import (more new passages than the index holds) is cheaper as a full rebuild, which
    spreads the work over processes; a small one is applied incrementally.
    """
    source_ids = set(source_ids)
    if not index.exists() or passages_added > index.summary().passages:
        return rebuild_index(database, index, progress=progress)
    with database.session() as session:
        refresh_sources(session, index, source_ids)
    return index.status()
