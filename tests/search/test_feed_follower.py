"""Feed follower: a node's follower thread applies another node's edit within about a second;
one process per index directory follows and another takes over when it stops; on PostgreSQL a
NOTIFY wakes it long before its next poll."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from factcheck.catalog.database import Database
from factcheck.catalog.models import Passage
from factcheck.catalog.store import import_documents
from factcheck.ingest.documents import Document
from factcheck.review.curation import PassageEdit, curation_change, edit_passage
from factcheck.review.reviewers import ReviewerIdentity
from factcheck.search.feed import FeedProgress
from factcheck.search.feed_follower import FeedFollower
from factcheck.search.index import SearchIndex
from factcheck.search.indexing import rebuild_index

BOB = ReviewerIdentity(2, "bob", is_admin=False)
BRIDGE = Document(source_id="bridge", title="Bridge", text="The mayor opened the bridge.")


@pytest.fixture
def catalog(database: Database) -> Database:
    with database.session() as session:
        import_documents(session, [BRIDGE])
    return database


def wait_until(condition: Callable[[], bool], seconds: float) -> float:
    """Seconds until ``condition`` held; fails after ``seconds``."""
    began = time.monotonic()
    while not condition():
        if time.monotonic() - began > seconds:
            pytest.fail(f"not within {seconds} s")
        time.sleep(0.01)
    return time.monotonic() - began


def correct_through(database: Database, index: SearchIndex, text: str) -> str:
    """Correct the passage through node ``index``; return its id."""
    with database.session_factory() as session:
        passage = session.scalars(select(Passage)).first()
        with curation_change(session, index):
            edit_passage(session, passage.id, PassageEdit(passage.version, text=text), BOB)
        return passage.id


def text_in(index: SearchIndex, passage_id: str) -> str | None:
    with index.searcher() as searcher:
        fields = searcher.document(passage_id=passage_id)
    return fields["text"] if fields else None


def test_a_follower_applies_another_nodes_edit_within_a_second(
    catalog: Database, tmp_path: Path
) -> None:
    node_a, node_b = SearchIndex(tmp_path / "a"), SearchIndex(tmp_path / "b")
    rebuild_index(catalog, node_a)
    rebuild_index(catalog, node_b)
    applied: list[FeedProgress] = []
    follower = FeedFollower(catalog, node_b, poll_seconds=0.2, on_applied=applied.append)
    follower.start()
    try:
        wait_until(lambda: follower.following, 5)
        passage_id = correct_through(catalog, node_a, "The mayor opened the new bridge.")
        took = wait_until(
            lambda: text_in(node_b, passage_id) == "The mayor opened the new bridge.", 5
        )
        assert took < 1.0
        wait_until(lambda: bool(applied), 5)  # told once the position is recorded
        assert [progress.method for progress in applied] == ["entries"]
        assert node_b.feed_position() == node_a.feed_position()
    finally:
        follower.stop()
        node_a.close()
        node_b.close()


def test_one_follower_per_index_directory_and_a_standby_takes_over(
    catalog: Database, tmp_path: Path
) -> None:
    index = SearchIndex(tmp_path / "index")
    rebuild_index(catalog, index)
    first = FeedFollower(catalog, index, poll_seconds=0.1, retry_seconds=0.1)
    second = FeedFollower(catalog, index, poll_seconds=0.1, retry_seconds=0.1)
    first.start()
    wait_until(lambda: first.following, 5)
    second.start()
    time.sleep(0.5)
    assert first.following and not second.following
    first.stop()  # as if its process had died: the lock is released
    wait_until(lambda: second.following, 5)
    other = SearchIndex(tmp_path / "other")
    passage_id = correct_through(catalog, other, "Applied by the standby.")
    wait_until(lambda: text_in(index, passage_id) == "Applied by the standby.", 5)
    second.stop()
    index.close()
    other.close()


def test_a_follower_without_an_index_builds_one(catalog: Database, tmp_path: Path) -> None:
    index = SearchIndex(tmp_path / "index")
    follower = FeedFollower(catalog, index, poll_seconds=0.1)
    progress = follower.catch_up()
    assert progress is not None and progress.method == "rebuild"
    assert index.exists() and index.feed_position() is not None
    assert follower.catch_up() == FeedProgress("none", 0, index.feed_position())
    index.close()


@pytest.mark.postgres
def test_postgresql_notify_wakes_the_follower_before_its_poll(
    postgres_database: Database, tmp_path: Path
) -> None:
    with postgres_database.session() as session:
        import_documents(session, [BRIDGE])
    catalog = postgres_database
    node_a, node_b = SearchIndex(tmp_path / "a"), SearchIndex(tmp_path / "b")
    rebuild_index(catalog, node_a)
    rebuild_index(catalog, node_b)
    follower = FeedFollower(catalog, node_b, poll_seconds=30)  # only a NOTIFY can wake it soon
    follower.start()
    try:
        wait_until(lambda: follower.following, 5)
        time.sleep(0.3)  # listening, and past its first catch-up
        passage_id = correct_through(catalog, node_a, "Woken by NOTIFY.")
        took = wait_until(lambda: text_in(node_b, passage_id) == "Woken by NOTIFY.", 5)
        assert took < 1.0
    finally:
        follower.stop(timeout=40)
        node_a.close()
        node_b.close()
