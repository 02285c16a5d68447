"""Catalog: migrations, idempotent import, curation kept on re-import; SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from factcheck.catalog.database import Database, normalise_url
from factcheck.catalog.models import AuditEntry, Base, Passage, Source
from factcheck.catalog.store import (
    WITHDRAWN_REASON,
    active_passages,
    catalog_counts,
    import_documents,
    is_empty,
    record_audit,
)
from factcheck.ingest.documents import Document
from factcheck.search.index import FIELD_NAMES

BODY = (
    "The port of Easthaven handled 7,200 ships in 2022.\n\n"
    "The new terminal cost $76.8 billion. Mr. Jones said it would open in May.\n\n"
    "Share this article\n"
)


def article(body: str = BODY, **changes) -> Document:
    """A small harbour article, optionally changed."""
    document = Document(
        source_id="harbour",
        title="Harbour traffic doubles",
        text=body,
        publisher="The Coastal Herald",
        published="2023-03-14",
        published_precision="day",
        origin="harbour.md",
    )
    return dataclasses.replace(document, **changes)


def collection() -> Document:
    """A JSON Lines style document with given passage ids."""
    return Document(
        source_id="climate",
        title="Climate",
        text="",
        given_passages=(("Climate:1", "Sea levels rose 20 cm."), ("Climate:2", "Ice is melting.")),
    )


def snapshot(database: Database) -> dict:
    """Every row that an import could touch, for before/after comparisons."""
    with database.session() as session:
        return {
            "sources": sorted(tuple(row) for row in session.execute(select(Source.__table__))),
            "passages": sorted(tuple(row) for row in session.execute(select(Passage.__table__))),
            "audit": session.scalar(select(func.count()).select_from(AuditEntry)),
        }


def test_migration_matches_models(database: Database) -> None:
    with database.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    assert database.upgrade() is False  # already at head: nothing to do


def test_import_creates_sources_passages_and_audit(database: Database) -> None:
    with database.session() as session:
        assert is_empty(session)
        summary = import_documents(session, [article(), collection()])
    assert summary.sources_added == 2
    assert summary.passages_added == 6
    assert summary.passages_excluded == 1  # "Share this article"
    assert summary.changed_source_ids == {"harbour", "climate"}
    with database.session() as session:
        counts = catalog_counts(session)
        assert (counts.sources, counts.passages, counts.excluded_passages) == (2, 6, 1)
        assert counts.active_passages == 5
        entries = session.scalars(select(AuditEntry)).all()
        assert {(entry.actor, entry.action, entry.entity_id) for entry in entries} == {
            ("importer", "import", "harbour"),
            ("importer", "import", "climate"),
        }
        source = session.get(Source, "harbour")
        assert source.publisher == "The Coastal Herald" and source.published_precision == "day"
        assert [p.text for p in source.passages][:2] == [
            "The port of Easthaven handled 7,200 ships in 2022.",
            "The new terminal cost $76.8 billion.",
        ]


def test_import_is_idempotent(database: Database) -> None:
    with database.session() as session:
        import_documents(session, [article(), collection()])
    before = snapshot(database)
    with database.session() as session:
        summary = import_documents(session, [article(), collection()])
    assert not summary.changed
    assert summary.passages_added == summary.sources_added == summary.sources_updated == 0
    assert snapshot(database) == before  # no rows, no audit entries, no version bumps


def test_reimport_keeps_corrections_and_exclusions(database: Database) -> None:
    with database.session() as session:
        import_documents(session, [article()])
    with database.session() as session:
        first, second, third, _noise = session.get(Source, "harbour").passages
        first.text = "The port of Easthaven handled 7,200 ships in 2022 (corrected)."
        record_audit(
            session, actor="ana", action="correct", entity_type="passage", entity_id=first.id
        )
        third.excluded, third.excluded_reason = True, "speculation"
        record_audit(
            session, actor="ana", action="exclude", entity_type="passage", entity_id=third.id
        )
        ids = (first.id, second.id, third.id)
    changed = BODY.replace("The new terminal cost $76.8 billion.", "The terminal cost less.")
    with database.session() as session:
        summary = import_documents(session, [article(changed)])
    assert summary.passages_added == 1
    assert summary.passages_withdrawn == 1
    with database.session() as session:
        first, second, third = (session.get(Passage, passage_id) for passage_id in ids)
        assert first.text.endswith("(corrected).") and first.original_text.endswith("2022.")
        assert first.version == 2  # only the reviewer's edit bumped it
        assert (second.excluded, second.excluded_reason) == (True, WITHDRAWN_REASON)
        assert (third.excluded, third.excluded_reason) == (True, "speculation")
        texts = [row["text"] for row in active_passages(session)]
        assert "The terminal cost less." in texts
        assert "The new terminal cost $76.8 billion." not in texts


def test_withdrawn_passage_returns_when_the_document_restores_it(database: Database) -> None:
    shortened = BODY.replace("The new terminal cost $76.8 billion. ", "")
    with database.session() as session:
        import_documents(session, [article()])
    with database.session() as session:
        import_documents(session, [article(shortened)])
    with database.session() as session:
        summary = import_documents(session, [article()])
        assert summary.changed
        texts = [row["text"] for row in active_passages(session)]
    assert "The new terminal cost $76.8 billion." in texts


def test_source_metadata_follows_the_file_until_a_reviewer_edits_it(database: Database) -> None:
    with database.session() as session:
        import_documents(session, [article()])
    with database.session() as session:
        summary = import_documents(session, [article(title="Harbour traffic triples")])
    assert summary.sources_updated == 1
    with database.session() as session:
        assert session.get(Source, "harbour").title == "Harbour traffic triples"
        session.get(Source, "harbour").title = "Reviewed title"
        record_audit(session, actor="ana", action="edit", entity_type="source", entity_id="harbour")
    with database.session() as session:
        summary = import_documents(session, [article(title="Another title")])
    assert summary.sources_updated == 0
    with database.session() as session:
        assert session.get(Source, "harbour").title == "Reviewed title"


def test_passage_id_used_by_another_source_is_skipped(database: Database) -> None:
    other = dataclasses.replace(collection(), source_id="other", title="Other")
    with database.session() as session:
        import_documents(session, [collection()])
    with database.session() as session:
        summary = import_documents(session, [other])
    assert summary.passages_skipped == 2 and summary.passages_added == 0


def test_retired_source_and_excluded_passages_are_not_active(database: Database) -> None:
    with database.session() as session:
        import_documents(session, [article(), collection()])
    with database.session() as session:
        session.get(Source, "climate").retired = True
    with database.session() as session:
        rows = list(active_passages(session))
        assert {row["source_id"] for row in rows} == {"harbour"}
        assert len(rows) == 3
        # Rows are keyed exactly like the index schema, so nothing is dropped or invented.
        assert set(rows[0]) == set(FIELD_NAMES)
        assert [row["passage_id"] for row in active_passages(session, ["climate"])] == []
        # Each row carries the active sentence before it in its source, for stance rules.
        assert rows[0]["previous"] == ""
        assert rows[2]["previous"] == rows[1]["text"]


def test_concurrent_edits_of_a_passage_conflict(database: Database) -> None:
    with database.session() as session:
        import_documents(session, [collection()])
    first, second = database.session_factory(), database.session_factory()
    try:
        mine, theirs = first.get(Passage, "Climate:1"), second.get(Passage, "Climate:1")
        mine.note = "checked"
        first.commit()
        theirs.note = "disputed"
        with pytest.raises(StaleDataError):
            second.commit()
    finally:
        first.close()
        second.close()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db/factcheck", "postgresql+psycopg://u:p@db/factcheck"),
        ("postgresql://u@db/factcheck", "postgresql+psycopg://u@db/factcheck"),
        ("postgresql+psycopg://u@db/x", "postgresql+psycopg://u@db/x"),
        ("sqlite:///catalog.sqlite3", "sqlite:///catalog.sqlite3"),
    ],
)
def test_database_urls_are_normalised(given: str, expected: str) -> None:
    assert normalise_url(given) == expected


def test_sqlite_connections_use_wal_and_foreign_keys(tmp_path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'sub' / 'catalog.sqlite3'}")
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    database.dispose()
