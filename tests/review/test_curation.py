"""Curation: every kind of change is audited with before/after, a stale edit is a conflict,
retiring takes a source out of the index without deleting anything, and the index follows."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from factcheck.catalog.models import AuditEntry, FeedEntry, Passage, Source
from factcheck.catalog.store import import_documents
from factcheck.errors import FactcheckError
from factcheck.ingest.documents import Document
from factcheck.review.curation import (
    AuditFilter,
    CurationError,
    DuplicateSourceError,
    EditConflict,
    PassageEdit,
    PermissionDeniedError,
    SourceFilter,
    add_source,
    audit_entries,
    curation_change,
    edit_passage,
    edit_source,
    list_sources,
    source_passages,
)
from factcheck.review.reviewers import ReviewerIdentity
from factcheck.review.submissions import document_from_text
from factcheck.search.feed import apply_feed
from factcheck.search.index import SearchIndex
from factcheck.search.indexing import rebuild_index

ALICE = ReviewerIdentity(1, "alice", is_admin=True)
BOB = ReviewerIdentity(2, "bob", is_admin=False)
BRIDGE = Document(
    source_id="bridge",
    title="Bridge opens",
    text="The mayor opened the bridge on Monday.\n\nIt cost 12 million euros.",
    publisher="City Post",
)


@pytest.fixture
def catalog(database):
    """The catalog with one source of two passages."""
    with database.session() as session:
        import_documents(session, [BRIDGE])
    return database


def first_passage(session) -> Passage:
    return session.scalars(select(Passage).order_by(Passage.position)).first()


def last_entry(session) -> AuditEntry:
    return session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()


@pytest.mark.parametrize(
    ("edit", "action", "before", "after"),
    [
        (
            {"excluded": True, "reason": "duplicate"},
            "exclude",
            {"excluded": False, "excluded_reason": None},
            {"excluded": True, "excluded_reason": "duplicate"},
        ),
        (
            {"text": "The mayor opened the new bridge on Monday."},
            "correct",
            {"text": "The mayor opened the bridge on Monday."},
            {"text": "The mayor opened the new bridge on Monday."},
        ),
        ({"note": "Check the date"}, "note", {"note": None}, {"note": "Check the date"}),
    ],
)
def test_each_passage_change_is_audited(catalog, edit, action, before, after) -> None:
    with catalog.session() as session:
        passage = first_passage(session)
        assert edit_passage(session, passage.id, PassageEdit(version=1, **edit), BOB) == [action]
    with catalog.session() as session:
        entry = last_entry(session)
        assert (entry.actor, entry.action, entry.entity_type) == ("bob", action, "passage")
        assert entry.before == {**before, "version": 1}
        assert entry.after == {**after, "version": 2}
        assert entry.at is not None


def test_including_again_is_audited_and_the_original_text_is_kept(catalog) -> None:
    with catalog.session() as session:
        passage_id = first_passage(session).id
        edit_passage(
            session, passage_id, PassageEdit(version=1, excluded=True, reason="noise"), ALICE
        )
    with catalog.session() as session:
        edit = PassageEdit(version=2, excluded=False, text="The mayor opened it.")
        assert edit_passage(session, passage_id, edit, ALICE) == ["include", "correct"]
    with catalog.session() as session:
        passage = session.get(Passage, passage_id)
        assert passage.original_text == "The mayor opened the bridge on Monday."
        assert passage.text == "The mayor opened it." and not passage.excluded
        assert passage.version == 3
        assert last_entry(session).before["version"] == 2


def test_a_stale_version_is_a_conflict_with_the_current_text(catalog) -> None:
    with catalog.session() as session:
        passage_id = first_passage(session).id
        edit_passage(session, passage_id, PassageEdit(version=1, text="First edit."), ALICE)
    with pytest.raises(EditConflict) as raised, catalog.session() as session:
        edit_passage(session, passage_id, PassageEdit(version=1, text="Second edit."), BOB)
    assert raised.value.status == 409
    assert raised.value.current["text"] == "First edit."
    assert raised.value.current["version"] == 2
    assert "First edit." in raised.value.message
    with catalog.session() as session:
        assert session.get(Passage, passage_id).text == "First edit."


def test_excluding_needs_a_reason_and_a_no_op_writes_nothing(catalog) -> None:
    with pytest.raises(CurationError, match="Say why"), catalog.session() as session:
        edit_passage(session, first_passage(session).id, PassageEdit(1, excluded=True), BOB)
    with catalog.session() as session:
        passage = first_passage(session)
        assert edit_passage(session, passage.id, PassageEdit(1, text=passage.text), BOB) == []
        assert passage.version == 1


def test_source_metadata_edits_are_audited(catalog) -> None:
    changes = {"title": "Bridge opened", "published": "24 February 2023", "reliability": "high"}
    with catalog.session() as session:
        assert edit_source(session, "bridge", changes, BOB) == ["edit"]
    with catalog.session() as session:
        source = session.get(Source, "bridge")
        assert (source.published, source.published_precision) == ("2023-02-24", "day")
        entry = last_entry(session)
        assert entry.action == "edit" and entry.actor == "bob"
        assert entry.before == {
            "title": "Bridge opens",
            "published": None,
            "published_precision": "unknown",
            "reliability": None,
        }
        assert entry.after["reliability"] == "high"


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"reliability": "excellent"}, "reliability"), ({"published": "soon"}, "published")],
)
def test_source_edits_are_validated(catalog, changes, field) -> None:
    with pytest.raises(CurationError) as raised, catalog.session() as session:
        edit_source(session, "bridge", changes, BOB)
    assert field in raised.value.fields


def test_retiring_and_restoring_are_for_admins_and_delete_nothing(catalog, tmp_path) -> None:
    index = SearchIndex(tmp_path / "index")
    rebuild_index(catalog, index)
    assert index.summary().passages == 2
    with pytest.raises(PermissionDeniedError), catalog.session() as session:
        edit_source(session, "bridge", {"retired": True}, BOB)
    with catalog.session() as session:
        assert edit_source(session, "bridge", {"retired": True}, ALICE) == ["retire"]
    with catalog.session() as session:
        apply_feed(catalog, index)
        assert index.summary().passages == 0
        assert session.scalar(select(func.count()).select_from(Passage)) == 2
        assert (last_entry(session).before, last_entry(session).after) == (
            {"retired": False},
            {"retired": True},
        )
    with catalog.session() as session:
        assert edit_source(session, "bridge", {"retired": False}, ALICE) == ["restore"]
    with catalog.session() as session:
        apply_feed(catalog, index)
    assert index.summary().passages == 2
    index.close()


def test_an_excluded_passage_leaves_the_index_without_a_rebuild(catalog, tmp_path) -> None:
    index = SearchIndex(tmp_path / "index")
    rebuild_index(catalog, index)
    generation = index.current_generation()
    with catalog.session() as session:
        passage_id = first_passage(session).id
        edit_passage(session, passage_id, PassageEdit(1, excluded=True, reason="x"), BOB)
    with catalog.session() as session:
        apply_feed(catalog, index)
    assert index.summary().passages == 1
    assert index.current_generation() == generation  # updated in place, not rebuilt
    index.close()


def test_a_reviewer_adds_a_source_audited_under_their_name(catalog) -> None:
    document = document_from_text("Harbour news", "Ships arrived.\n\nMore ships left.")
    with catalog.session() as session:
        add_source(session, document, BOB, reliability="mixed")
    with catalog.session() as session:
        source = session.get(Source, document.source_id)
        assert source.reliability == "mixed"
        entry = last_entry(session)
        assert (entry.actor, entry.action, entry.entity_id) == ("bob", "import", source.id)
        assert len(source_passages(session, source.id)) == 2


def test_a_known_source_is_not_added_twice(catalog) -> None:
    with pytest.raises(DuplicateSourceError), catalog.session() as session:
        add_source(session, BRIDGE, BOB)
    document = document_from_text("Bridge", "Other text.", url="https://example.org/b")
    with catalog.session() as session:
        add_source(session, document, BOB)
    again = document_from_text("Bridge again", "Other words.", url="https://example.org/b")
    with pytest.raises(DuplicateSourceError, match="URL"), catalog.session() as session:
        add_source(session, again, BOB)


def test_list_sources_filters_and_counts(catalog) -> None:
    with catalog.session() as session:
        add_source(session, document_from_text("Harbour news", "Ships."), ALICE)
        edit_source(session, "bridge", {"reliability": "high"}, ALICE)
    with catalog.session() as session:
        everything = list_sources(session, SourceFilter())
        assert everything.total == 2
        bridge = next(row for row in everything.items if row.source.id == "bridge")
        assert (bridge.passages, bridge.excluded, bridge.active) == (2, 0, 2)
        assert [r.source.id for r in list_sources(session, SourceFilter(query="city")).items] == [
            "bridge"
        ]
        rated = list_sources(session, SourceFilter(reliability="unrated"))
        assert [row.source.title for row in rated.items] == ["Harbour news"]
        assert list_sources(session, SourceFilter(status="retired")).total == 0
        assert list_sources(session, SourceFilter(query="100%_")).total == 0
        clamped = list_sources(session, SourceFilter(page=0, per_page=10_000))
        assert (clamped.page, clamped.per_page) == (1, 100)


def test_audit_views_per_source_per_passage_and_by_reviewer(catalog) -> None:
    with catalog.session() as session:
        passage_id = first_passage(session).id
        edit_passage(session, passage_id, PassageEdit(1, note="n"), BOB)
        edit_source(session, "bridge", {"publisher": "Post"}, ALICE)
        add_source(session, document_from_text("Other", "Words."), ALICE)
    with catalog.session() as session:
        per_source = audit_entries(session, AuditFilter(source_id="bridge")).items
        assert [e.action for e in per_source] == ["edit", "note", "import"]
        per_passage = audit_entries(
            session, AuditFilter(entity_type="passage", entity_id=passage_id)
        ).items
        assert [e.action for e in per_passage] == ["note"]
        assert [e.actor for e in audit_entries(session, AuditFilter(actor="bob")).items] == ["bob"]
        assert audit_entries(session, AuditFilter()).total == 4


@pytest.fixture
def indexed(catalog, tmp_path):
    """The catalog's index, built."""
    index = SearchIndex(tmp_path / "index")
    rebuild_index(catalog, index)
    yield index
    index.close()


def audit_count(session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEntry))


def test_a_curation_change_commits_audits_and_reindexes_what_it_changed(catalog, indexed):
    with catalog.session_factory() as session:  # a plain session, as a request has
        passage_id = first_passage(session).id
        with curation_change(session, indexed):
            edit_passage(session, passage_id, PassageEdit(1, excluded=True, reason="x"), BOB)
        assert indexed.summary().passages == 1  # no apply_feed call needed
        with curation_change(session, indexed):
            add_source(session, document_from_text("Harbour news", "Ships arrived."), BOB)
        assert indexed.summary().passages == 2
    with catalog.session() as session:
        assert first_passage(session).excluded
        assert [entry.action for entry in audit_entries(session, AuditFilter()).items][:2] == [
            "import",
            "exclude",
        ]


@pytest.mark.parametrize(
    "change",
    [
        lambda session: edit_source(session, "bridge", {"title": "New", "retired": True}, BOB),
        lambda session: edit_passage(
            session, first_passage(session).id, PassageEdit(7, text="Stale."), BOB
        ),
        lambda session: edit_passage(
            session, first_passage(session).id, PassageEdit(1, note="n", excluded=True), BOB
        ),
        lambda session: add_source(session, BRIDGE, BOB),
    ],
    ids=["forbidden", "conflict", "invalid", "duplicate"],
)
def test_a_refused_change_is_rolled_back_with_its_audit(catalog, indexed, change) -> None:
    generation = indexed.current_generation()
    with catalog.session_factory() as session:
        audited = audit_count(session)
        with pytest.raises(FactcheckError), curation_change(session, indexed):
            change(session)
        assert audit_count(session) == audited
        assert session.get(Source, "bridge").title == "Bridge opens"
        assert first_passage(session).note is None
    assert indexed.summary().passages == 2 and indexed.current_generation() == generation


def test_a_change_with_no_source_touched_reindexes_nothing(catalog, indexed, monkeypatch):
    calls = []
    monkeypatch.setattr(indexed, "replace_sources", lambda *args: calls.append(args))
    with catalog.session_factory() as session, curation_change(session, indexed):
        edit_passage(session, first_passage(session).id, PassageEdit(1, text=None), BOB)
    assert calls == []


def feed_kinds(session) -> list[tuple[str, list[str]]]:
    return [
        (entry.kind, entry.source_ids)
        for entry in session.scalars(select(FeedEntry).order_by(FeedEntry.id))
    ]


def test_each_committed_change_writes_one_feed_entry_and_a_refused_one_none(catalog, indexed):
    """Issue 13: the change feed entry commits with the change (kinds are its audit actions)."""
    with catalog.session_factory() as session:
        imported = feed_kinds(session)
        passage_id = first_passage(session).id
        with curation_change(session, indexed):
            edit_passage(
                session, passage_id, PassageEdit(1, excluded=True, reason="x", note="n"), BOB
            )
        with pytest.raises(FactcheckError), curation_change(session, indexed):
            edit_source(session, "bridge", {"retired": True}, BOB)  # not an admin: refused
        with curation_change(session, indexed):
            edit_source(session, "bridge", {"retired": True}, ALICE)
        assert feed_kinds(session)[len(imported) :] == [
            ("exclude,note", ["bridge"]),
            ("retire", ["bridge"]),
        ]
    assert indexed.summary().passages == 0
