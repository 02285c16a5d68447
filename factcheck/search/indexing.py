"""Indexing: rebuilds the search index from the catalog, and re-indexes sources.

These functions are the only bridge between ``catalog`` and ``search_index``; neither of those
knows the other. A rebuild records the change-feed position the catalog was at when its passages
were read, so the feed (:mod:`factcheck.search.feed`) carries on from there. Nothing here imports
Flask: commands, the app factory and benchmarks call them with a :class:`Database` and a
:class:`SearchIndex`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy.orm import Session

from factcheck.catalog.database import Database
from factcheck.catalog.feed import last_position
from factcheck.catalog.store import active_passages
from factcheck.search.index import IndexStatus, SearchIndex


def rebuild_index(
    database: Database, index: SearchIndex, *, progress: Callable[[int], None] | None = None
) -> IndexStatus:
    """Rebuild the whole index from the catalog's active passages and swap it in.

    The feed position is read first, then the passages (in one transaction, under the writer
    lock): every change up to the position is in the passages, and a change after it that they
    already show is applied again later, which is harmless. Nothing is skipped.
    """
    with index.write_lock(), database.session() as session:
        position = last_position(session)
        return index.rebuild(active_passages(session), progress=progress, feed_position=position)


def ensure_index(database: Database, index: SearchIndex) -> bool:
    """Build the index if there is none (first start, or ``INDEX_DIR`` deleted); say if it did.

    Checked again under the writer lock, so processes starting together build it once.
    """
    if index.exists():
        return False
    with index.write_lock():
        if index.exists():
            return False
        rebuild_index(database, index)
    return True


def refresh_sources(session: Session, index: SearchIndex, source_ids: Iterable[str]) -> None:
    """Re-index every passage of the given sources from the catalog (after a commit)."""
    source_ids = sorted(set(source_ids))
    if source_ids:
        index.replace_sources(source_ids, active_passages(session, source_ids))
