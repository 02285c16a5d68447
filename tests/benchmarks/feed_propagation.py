"""Feed propagation: how long an edit made through node A takes to reach node B's index.

Run from the project root::

    python tests/benchmarks/feed_propagation.py [--database URL] [--poll 0.5] [--edits 100]

Two index directories over one catalog (a fresh SQLite file by default; a PostgreSQL URL is
emptied first), both built from the seed articles. A :class:`FeedFollower` follows into B with
``--poll`` seconds between polls (on PostgreSQL it also wakes on ``NOTIFY``); each edit is a
reviewer's correction through A (``curation_change``, which applies it to A at once), and the
delay is the time until B's searcher returns the new text. Edits are spaced at random (up to a
poll, at most a second), so they fall anywhere in B's poll cycle. Then B falls behind by
``--edits`` more and one ``apply_feed`` catches it up, timed. In process, no HTTP: the two-node
system test measures through nginx. Not collected by pytest.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import select, text

from factcheck.catalog.database import Database
from factcheck.catalog.models import Base, Passage
from factcheck.catalog.store import import_documents
from factcheck.ingest.documents import read_documents
from factcheck.review.curation import PassageEdit, curation_change, edit_passage
from factcheck.review.reviewers import ReviewerIdentity
from factcheck.search.feed import apply_feed
from factcheck.search.feed_follower import FeedFollower
from factcheck.search.index import SearchIndex
from factcheck.search.indexing import rebuild_index

SEED = Path(__file__).resolve().parents[2] / "sources"
EDITOR = ReviewerIdentity(1, "measure", is_admin=True)
SPACING_SECONDS = 1.0  # edits are at most this far apart (a NOTIFY-woken follower needs no more)


def fresh_catalog(url: str | None, directory: Path) -> Database:
    """The catalog at ``url`` (emptied) or a new SQLite file, with the seed articles imported."""
    database = Database(url or f"sqlite:///{directory / 'catalog.sqlite3'}")
    if database.engine.dialect.name == "postgresql":
        with database.engine.begin() as connection:
            Base.metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    database.upgrade()
    documents = [doc for path in sorted(SEED.iterdir()) for doc in read_documents(path)]
    with database.session() as session:
        import_documents(session, documents)
    return database


def correct(database: Database, index: SearchIndex, passage_id: str, new_text: str) -> None:
    """A reviewer's correction made through the node whose index is ``index``."""
    with database.session_factory() as session:
        version = session.get(Passage, passage_id).version
        with curation_change(session, index):
            edit_passage(session, passage_id, PassageEdit(version, text=new_text), EDITOR)


def wait_for_text(index: SearchIndex, passage_id: str, new_text: str) -> float:
    """Seconds until ``index`` serves ``new_text`` for the passage."""
    began = time.monotonic()
    while True:
        with index.searcher() as searcher:
            fields = searcher.document(passage_id=passage_id)
        if fields and fields["text"] == new_text:
            return time.monotonic() - began
        time.sleep(0.002)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", help="catalog URL (emptied!); default: a new SQLite file")
    parser.add_argument("--poll", type=float, default=0.5, help="follower poll, in seconds")
    parser.add_argument("--edits", type=int, default=100, help="edits to time")
    arguments = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="feed-propagation-"))
    database = fresh_catalog(arguments.database, directory)
    node_a, node_b = SearchIndex(directory / "a"), SearchIndex(directory / "b")
    rebuild_index(database, node_a)
    rebuild_index(database, node_b)
    with database.session() as session:
        statement = select(Passage.id).where(Passage.excluded.is_(False)).limit(arguments.edits)
        passage_ids = list(session.scalars(statement))
    follower = FeedFollower(database, node_b, poll_seconds=arguments.poll)
    follower.start()
    while not follower.following:
        time.sleep(0.01)
    delays = []
    for number, passage_id in enumerate(passage_ids):
        new_text = f"Edit number {number} of the measurement."
        correct(database, node_a, passage_id, new_text)
        delays.append(wait_for_text(node_b, passage_id, new_text))
        time.sleep(random.uniform(0, min(arguments.poll, SPACING_SECONDS)))
    follower.stop(timeout=arguments.poll + 5)
    delays.sort()
    p95 = delays[int(0.95 * (len(delays) - 1))]
    print(
        f"{database.engine.dialect.name}, poll {arguments.poll} s, {len(delays)} edits: "
        f"p50 {statistics.median(delays) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
        f"max {delays[-1] * 1000:.0f} ms"
    )
    for number, passage_id in enumerate(passage_ids):
        correct(database, node_a, passage_id, f"Second edit number {number}.")
    began = time.monotonic()
    progress = apply_feed(database, node_b)
    took = time.monotonic() - began
    print(f"catch-up of {progress.entries} entries ({progress.method}): {took * 1000:.0f} ms")
    node_a.close()
    node_b.close()
    database.dispose()


if __name__ == "__main__":
    main()
