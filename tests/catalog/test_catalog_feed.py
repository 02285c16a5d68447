"""Feed: a change's feed entry commits with it, and only with it; positions grow in commit order;
PostgreSQL notifies at commit. Runs on SQLite and, when configured, PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from factcheck.catalog.database import Database
from factcheck.catalog.feed import (
    changes_after,
    committed_position,
    last_position,
    note_change,
    oldest_after,
)
from factcheck.catalog.models import FeedEntry, Passage
from factcheck.catalog.store import import_documents
from factcheck.ingest.documents import Document

BRIDGE = Document(source_id="bridge", title="Bridge opens", text="The bridge opened on Monday.")
HARBOUR = Document(source_id="harbour", title="Harbour", text="Ships arrived at the harbour.")


def entries(database: Database) -> list[tuple[int, str, list[str]]]:
    with database.session() as session:
        rows = session.execute(select(FeedEntry.id, FeedEntry.kind, FeedEntry.source_ids))
        return [(row.id, row.kind, row.source_ids) for row in rows]


def test_an_import_writes_one_entry_with_its_commit(database: Database) -> None:
    assert entries(database) == []
    with database.session() as session:
        import_documents(session, [BRIDGE, HARBOUR])
    assert [(kind, ids) for _id, kind, ids in entries(database)] == [
        ("import", ["bridge", "harbour"])
    ]
    with database.session() as session:
        import_documents(session, [BRIDGE])  # the same again changes nothing: no entry
    assert len(entries(database)) == 1


def test_a_rolled_back_change_writes_no_entry(database: Database) -> None:
    with pytest.raises(RuntimeError), database.session() as session:
        import_documents(session, [BRIDGE])
        raise RuntimeError("refused")
    assert entries(database) == []
    with database.session_factory() as session:
        note_change(session, ["bridge"], "exclude")
        session.rollback()
        session.commit()  # nothing noted survives the rollback
    assert entries(database) == []


def test_positions_grow_and_kinds_are_named(database: Database) -> None:
    with database.session() as session:
        import_documents(session, [BRIDGE])
    with database.session_factory() as session:
        note_change(session, ["bridge"], "exclude")
        note_change(session, ["bridge", "harbour"], "correct")
        session.execute(update(Passage).values(note="n"))
        session.commit()
        second = committed_position(session)
        assert committed_position(session) is None  # read once
    first = entries(database)[0][0]
    assert second is not None and second > first
    with database.session() as session:
        assert last_position(session) == second
        changes = changes_after(session, first, 10)
        assert [(c.position, c.kind, c.source_ids) for c in changes] == [
            (second, "correct,exclude", ("bridge", "harbour"))
        ]
        assert changes[0].at.tzinfo is not None
        assert oldest_after(session, first) == changes[0].at
        assert oldest_after(session, second) is None
        assert changes_after(session, second, 10) == []


def test_an_empty_feed_is_at_position_zero(database: Database) -> None:
    with database.session() as session:
        assert last_position(session) == 0
        assert session.scalar(select(func.count()).select_from(FeedEntry)) == 0


@pytest.mark.postgres
def test_postgresql_notifies_at_commit(postgres_database: Database) -> None:
    database = postgres_database
    from factcheck.search.feed_follower import FeedListener

    listener = FeedListener(database.url)
    try:
        assert not listener.wait(0.1)
        with database.session_factory() as session:
            note_change(session, ["bridge"], "exclude")
            session.flush()
            assert not listener.wait(0.2)  # not before the commit
            session.commit()
        assert listener.wait(5.0)
    finally:
        listener.close()
