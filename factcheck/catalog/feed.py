"""Feed: the catalog's change feed, the durable record of what every node's index must reflect.

Every change to what is searchable (an import, an edit, an exclusion or inclusion, a correction,
a retirement or restoration) notes the sources it touched with :func:`note_change`. When the
session commits, :func:`write_pending` adds one :class:`~factcheck.catalog.models.FeedEntry`
for them *in that same transaction*: a change that is rolled back (a refusal, a conflict, a
crash) leaves no entry, and a committed one always has its entry. The listeners are installed
on every session factory a :class:`~factcheck.catalog.database.Database` makes
(:func:`install`), so no caller has to remember to write the entry.

The entry's id is its position. Positions must be given out in commit order, or a follower that
has read position 11 would never see a position 10 committed a moment later. SQLite has one
writer at a time, so that holds by itself; on PostgreSQL the entry is written under a
transaction-scoped advisory lock taken after everything else of the transaction is flushed, so
entries are numbered and committed one transaction at a time (the lock is held only for the
insert and the commit). PostgreSQL also gets ``NOTIFY factcheck_feed`` in the transaction,
delivered at commit, so followers wake at once instead of at their next poll.

Plain functions of a session; no Flask. :mod:`factcheck.search.feed` applies the entries to an
index.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from factcheck.catalog.models import FeedEntry, as_utc, utc_now

CHANNEL = "factcheck_feed"  # PostgreSQL's LISTEN/NOTIFY channel
PENDING_KEY = "factcheck.feed.pending"  # session.info: kind -> source ids, until the commit
COMMITTED_KEY = "factcheck.feed.committed"  # session.info: the position the last commit wrote
LOCK_KEY = 0x66656564  # "feed": the advisory lock that orders PostgreSQL's feed writers


@dataclass(frozen=True)
class Change:
    """One feed entry as a follower reads it."""

    position: int
    kind: str
    source_ids: tuple[str, ...]
    at: datetime


def note_change(session: Session, source_ids: Iterable[str], kind: str) -> None:
    """Note that ``source_ids`` changed (``kind``: what happened) in ``session``'s transaction.

    The entry is written when the session commits; a rollback forgets the note.
    """
    ids = set(source_ids)
    if ids:
        session.connection()  # the transaction the note belongs to has begun: its end forgets it
        pending: dict[str, set[str]] = session.info.setdefault(PENDING_KEY, {})
        pending.setdefault(kind, set()).update(ids)


def write_pending(session: Session) -> int | None:
    """Write the feed entry of what the session noted; return its position (``None``: nothing).

    Called before the commit (the ``before_commit`` listener), so the entry commits with the
    change. The position is also left in ``session.info[COMMITTED_KEY]`` for the caller that
    wants to wait for it (read-your-writes).
    """
    pending: dict[str, set[str]] | None = session.info.pop(PENDING_KEY, None)
    if not pending:
        return None
    session.flush()  # every other write of the transaction first: the lock below stays short
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
    source_ids = sorted(set().union(*pending.values()))
    entry = FeedEntry(kind=",".join(sorted(pending)), source_ids=source_ids, at=utc_now())
    session.add(entry)
    session.flush()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_notify(:channel, :payload)"),
            {"channel": CHANNEL, "payload": str(entry.id)},
        )
    session.info[COMMITTED_KEY] = entry.id
    return entry.id


def committed_position(session: Session) -> int | None:
    """The position the session's last commit wrote, if it wrote one (and forget it)."""
    return session.info.pop(COMMITTED_KEY, None)


def _forget_pending(session: Session, transaction: SessionTransaction) -> None:
    """The outermost transaction ended: whatever is still noted was rolled back with it (a
    commit has already written its notes). A savepoint's end forgets nothing: noting a source
    too many only re-indexes it once more."""
    if transaction.parent is None:
        session.info.pop(PENDING_KEY, None)


def install(factory: sessionmaker[Session]) -> None:
    """Write feed entries at every commit of sessions ``factory`` makes."""
    event.listen(factory, "before_commit", write_pending)
    event.listen(factory, "after_transaction_end", _forget_pending)


# Reading ----------------------------------------------------------------------------------


def last_position(session: Session) -> int:
    """The newest position in the catalog (0 when the feed is empty)."""
    return session.scalar(select(func.max(FeedEntry.id))) or 0


def changes_after(session: Session, position: int, limit: int) -> list[Change]:
    """The entries after ``position``, oldest first, at most ``limit``."""
    rows = session.execute(
        select(FeedEntry.id, FeedEntry.kind, FeedEntry.source_ids, FeedEntry.at)
        .where(FeedEntry.id > position)
        .order_by(FeedEntry.id)
        .limit(limit)
    )
    return [Change(row.id, row.kind, tuple(row.source_ids or ()), as_utc(row.at)) for row in rows]


def oldest_after(session: Session, position: int) -> datetime | None:
    """When the oldest entry after ``position`` was written (``None``: there is none)."""
    at = session.scalar(
        select(FeedEntry.at).where(FeedEntry.id > position).order_by(FeedEntry.id).limit(1)
    )
    return as_utc(at) if at is not None else None
