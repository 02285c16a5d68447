"""Feed: two nodes' indexes over one catalog follow each other's changes through the feed; a node
with no index, no position or far behind rebuilds; the position survives a reopen; an entry
committed but never applied (a kill -9) is applied at the next start. SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from factcheck.catalog.database import Database
from factcheck.catalog.feed import last_position, note_change
from factcheck.catalog.models import Passage
from factcheck.catalog.store import active_passages, import_documents
from factcheck.ingest.documents import Document
from factcheck.ingest.passages import content_hash
from factcheck.review.curation import EditConflict, PassageEdit, curation_change, edit_passage
from factcheck.review.reviewers import ReviewerIdentity
from factcheck.search.drift import find_drift, repair_at_start
from factcheck.search.feed import apply_feed, feed_state
from factcheck.search.index import SearchIndex
from factcheck.search.indexing import rebuild_index

BOB = ReviewerIdentity(2, "bob", is_admin=False)
BRIDGE = Document(
    source_id="bridge",
    title="Bridge opens",
    text="The mayor opened the bridge on Monday.\n\nIt cost 12 million euros.",
)


@pytest.fixture
def catalog(database: Database) -> Database:
    with database.session() as session:
        import_documents(session, [BRIDGE])
    return database


@pytest.fixture
def nodes(catalog: Database, tmp_path: Path):
    """Two nodes' indexes over the one catalog, both built from it."""
    node_a, node_b = SearchIndex(tmp_path / "a"), SearchIndex(tmp_path / "b")
    rebuild_index(catalog, node_a)
    rebuild_index(catalog, node_b)
    yield node_a, node_b
    node_a.close()
    node_b.close()


def indexed_texts(index: SearchIndex) -> dict[str, str]:
    with index.searcher() as searcher:
        return {fields["passage_id"]: fields["text"] for fields in searcher.all_stored_fields()}


def first_passage_id(database: Database) -> str:
    with database.session() as session:
        return session.scalars(select(Passage.id).order_by(Passage.position)).first()


def correct(database: Database, index: SearchIndex, text: str) -> None:
    """A reviewer's correction through node ``index`` (read-your-writes applies it there)."""
    passage_id = first_passage_id(database)
    with database.session_factory() as session:
        version = session.get(Passage, passage_id).version
        with curation_change(session, index):
            edit_passage(session, passage_id, PassageEdit(version, text=text), BOB)


def test_a_rebuild_records_the_catalogs_position(catalog: Database, nodes) -> None:
    node_a, _node_b = nodes
    with catalog.session() as session:
        assert node_a.feed_position() == last_position(session) > 0


def test_an_edit_through_one_node_reaches_the_other_through_the_feed(catalog, nodes) -> None:
    node_a, node_b = nodes
    passage_id = first_passage_id(catalog)
    generation_b = node_b.current_generation()
    correct(catalog, node_a, "The mayor opened the new bridge on Tuesday.")
    assert indexed_texts(node_a)[passage_id] == "The mayor opened the new bridge on Tuesday."
    assert indexed_texts(node_b)[passage_id] == "The mayor opened the bridge on Monday."
    assert feed_state(catalog, node_b).node_position < feed_state(catalog, node_a).node_position

    progress = apply_feed(catalog, node_b)
    assert (progress.method, progress.entries) == ("entries", 1)
    assert indexed_texts(node_b)[passage_id] == "The mayor opened the new bridge on Tuesday."
    assert node_b.current_generation() == generation_b  # applied in place, not rebuilt
    assert node_b.feed_position() == node_a.feed_position()
    assert apply_feed(catalog, node_b).method == "none"
    assert find_drift(catalog, node_b).clean


def test_read_your_writes_returns_at_once_when_the_node_is_already_there(catalog, nodes) -> None:
    node_a, _node_b = nodes
    correct(catalog, node_a, "Corrected once.")
    position = node_a.feed_position()
    assert position is not None
    assert apply_feed(catalog, node_a, until=position).method == "none"


def test_a_busy_writer_lock_leaves_the_entry_to_the_follower(catalog, nodes) -> None:
    node_a, node_b = nodes
    correct(catalog, node_a, "Corrected while node b is busy.")
    with node_b.write_lock():
        outcome = []
        waiter = threading.Thread(
            target=lambda: outcome.append(apply_feed(catalog, node_b, lock_timeout=0.2))
        )
        waiter.start()
        waiter.join()
    assert outcome[0].method == "skipped"
    assert apply_feed(catalog, node_b).method == "entries"


def test_a_node_with_no_index_or_no_position_rebuilds(catalog: Database, tmp_path: Path) -> None:
    fresh = SearchIndex(tmp_path / "fresh")
    progress = apply_feed(catalog, fresh)
    assert progress.method == "rebuild"
    assert fresh.feed_position() == feed_state(catalog, fresh).catalog_position
    assert find_drift(catalog, fresh).clean

    with catalog.session() as session:
        fresh.rebuild(active_passages(session))  # a generation from before the feed: no position
    assert fresh.feed_position() is None
    assert apply_feed(catalog, fresh).method == "rebuild"
    assert fresh.feed_position() is not None
    fresh.close()


def test_a_node_far_behind_rebuilds(catalog: Database, nodes) -> None:
    node_a, node_b = nodes
    for number in range(4):
        correct(catalog, node_a, f"Correction number {number}.")
    generation = node_b.current_generation()
    progress = apply_feed(catalog, node_b, rebuild_after=3)
    assert progress.method == "rebuild"
    assert node_b.current_generation() != generation
    assert node_b.feed_position() == node_a.feed_position()
    assert indexed_texts(node_b)[first_passage_id(catalog)] == "Correction number 3."


def test_the_position_survives_a_reopen(catalog: Database, nodes, tmp_path: Path) -> None:
    node_a, _node_b = nodes
    correct(catalog, node_a, "Corrected before the restart.")
    position = node_a.feed_position()
    node_a.close()
    reopened = SearchIndex(tmp_path / "a")
    assert reopened.feed_position() == position
    assert apply_feed(catalog, reopened).method == "none"
    reopened.close()


def test_an_entry_committed_but_never_applied_is_applied_at_the_next_start(
    catalog: Database, nodes
) -> None:
    """As a kill -9 between the commit and the index update leaves it: the catalog changed, the
    feed has its entry, the node's index has neither. The start catches up from the feed."""
    node_a, _node_b = nodes
    passage_id = first_passage_id(catalog)
    with catalog.session() as session:  # committed; the process dies before applying it
        passage = session.get(Passage, passage_id)
        passage.text = "Committed, then the process was killed."
        passage.content_hash = content_hash(passage.text)
        note_change(session, [passage.source_id], "correct")
    drift = find_drift(catalog, node_a)
    assert drift.stale == (passage_id,)
    assert feed_state(catalog, node_a).lag_seconds >= 0
    assert feed_state(catalog, node_a).catalog_position > node_a.feed_position()

    assert repair_at_start(catalog, node_a) is None  # the feed caught it up: no drift left
    assert indexed_texts(node_a)[passage_id] == "Committed, then the process was killed."
    state = feed_state(catalog, node_a)
    assert state.node_position == state.catalog_position and state.lag_seconds == 0


def test_a_refused_change_writes_no_entry_and_moves_no_node(catalog: Database, nodes) -> None:
    node_a, _node_b = nodes
    before = feed_state(catalog, node_a)
    passage_id = first_passage_id(catalog)
    with (
        catalog.session_factory() as session,
        pytest.raises(EditConflict),
        curation_change(session, node_a),
    ):
        edit_passage(session, passage_id, PassageEdit(99, text="Stale edit."), BOB)
    assert feed_state(catalog, node_a) == before


def test_a_catalog_behind_the_nodes_position_is_another_catalog_and_rebuilds(
    catalog: Database, nodes
) -> None:
    """A catalog recreated or restored from a backup numbers its changes from lower positions
    again: a node that waited for it to pass its old position would never apply them."""
    node_a, _node_b = nodes
    node_a.record_feed_position(10_000)
    progress = apply_feed(catalog, node_a)
    assert progress.method == "rebuild"
    assert node_a.feed_position() == feed_state(catalog, node_a).catalog_position
