"""Passage vectors: written and read per set, kept across rebuilds, in step with curation."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from factcheck.language.encoder import DIMENSIONS
from factcheck.search.index import SearchIndex
from factcheck.search.vectors import (
    BackgroundEmbedder,
    VectorStore,
    content_key,
    embed_passages,
    embedded_text,
)


def row(number: int, text: str, title: str = "Harbour traffic doubles") -> dict:
    """A passage row as the catalog yields it."""
    return {
        "passage_id": f"harbour:{number}",
        "source_id": "harbour",
        "text": text,
        "source_title": title,
        "position": number,
        "content_hash": hashlib.sha256(text.encode()).hexdigest(),
    }


ROWS = [
    row(1, "Ships queue for the new terminal."),
    row(2, "Container traffic doubled in a year."),
    row(3, "The mayor opened the terminal in March."),
]


class CountingEncoder:
    """A stand-in encoder: a fixed unit vector per text, and the texts it was asked for."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.seen += texts
        return np.vstack([vector_of(text) for text in texts])


def vector_of(text: str) -> np.ndarray:
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")
    vector = np.random.default_rng(seed).standard_normal(DIMENSIONS).astype(np.float32)
    return vector / np.linalg.norm(vector)


@pytest.fixture
def index(tmp_path: Path) -> Iterator[SearchIndex]:
    search_index = SearchIndex(tmp_path / "index")
    search_index.rebuild(ROWS)
    yield search_index
    search_index.close()


@pytest.fixture
def store(index: SearchIndex) -> VectorStore:
    return VectorStore(index.directory)


def nearest_ids(index: SearchIndex, store: VectorStore, text: str, limit: int = 3) -> list[str]:
    with index.searcher() as searcher:
        hits = store.nearest(searcher, vector_of(text), limit)
        return [searcher.stored_fields(docnum)["passage_id"] for docnum, _ in hits]


def test_a_pass_writes_a_set_that_reads_back(index: SearchIndex, store: VectorStore) -> None:
    encoder = CountingEncoder()
    report = embed_passages(index, store, encoder=encoder)
    assert (report.passages, report.embedded) == (3, 3)
    loaded = VectorStore(index.directory).load()
    assert loaded is not None and loaded.name == report.vector_set
    assert sorted(loaded.passage_ids) == ["harbour:1", "harbour:2", "harbour:3"]
    first = loaded.passage_ids.index("harbour:1")
    expected = vector_of(embedded_text(ROWS[0]["source_title"], ROWS[0]["text"]))
    assert np.allclose(loaded.vectors[first], expected)
    assert loaded.keys[first] == content_key(ROWS[0]["source_title"], ROWS[0]["text"])
    assert len(list(store.directory.glob("set-*.npy"))) == 1


def test_nearest_finds_the_passage_by_its_vector(index: SearchIndex, store: VectorStore) -> None:
    embed_passages(index, store, encoder=CountingEncoder())
    own = embedded_text(ROWS[1]["source_title"], ROWS[1]["text"])
    assert nearest_ids(index, store, own)[0] == "harbour:2"


def test_no_vectors_yet_means_no_dense_hits(index: SearchIndex, store: VectorStore) -> None:
    assert store.load() is None
    assert nearest_ids(index, store, "anything") == []
    assert store.status(3).as_dict() == {
        "embedded": 0,
        "total": 3,
        "running": False,
        "vector_set": None,
        "updated": None,
    }


def test_a_rebuild_keeps_the_vectors_of_unchanged_passages(
    index: SearchIndex, store: VectorStore
) -> None:
    embed_passages(index, store, encoder=CountingEncoder())
    index.rebuild([*ROWS, row(4, "Fishermen protested at the harbour.")])
    encoder = CountingEncoder()
    report = embed_passages(index, store, encoder=encoder)
    assert (report.passages, report.embedded) == (4, 1)
    assert encoder.seen == ["Harbour traffic doubles. Fishermen protested at the harbour."]


def test_an_excluded_passage_never_comes_back(index: SearchIndex, store: VectorStore) -> None:
    embed_passages(index, store, encoder=CountingEncoder())
    index.delete_passages(["harbour:2"])
    own = embedded_text(ROWS[1]["source_title"], ROWS[1]["text"])
    # Before the next pass the set still holds its vector; the live index does not.
    assert "harbour:2" not in nearest_ids(index, store, own)
    report = embed_passages(index, store, encoder=CountingEncoder())
    assert (report.passages, report.embedded) == (2, 0)
    loaded = store.load()
    assert loaded is not None and "harbour:2" not in loaded.passage_ids


def test_a_corrected_passage_gets_a_new_vector(index: SearchIndex, store: VectorStore) -> None:
    embed_passages(index, store, encoder=CountingEncoder())
    old = embedded_text(ROWS[2]["source_title"], ROWS[2]["text"])
    corrected = row(3, "The mayor opened the terminal in April.")
    index.update_passages([corrected])
    assert "harbour:3" not in nearest_ids(index, store, old, limit=3)  # not by its old words
    encoder = CountingEncoder()
    report = embed_passages(index, store, encoder=encoder)
    assert report.embedded == 1
    assert encoder.seen == [embedded_text(corrected["source_title"], corrected["text"])]
    new = embedded_text(corrected["source_title"], corrected["text"])
    assert nearest_ids(index, store, new)[0] == "harbour:3"


def test_a_set_covering_too_little_of_the_index_is_not_used(
    index: SearchIndex, store: VectorStore
) -> None:
    embed_passages(index, store, encoder=CountingEncoder())
    index.update_passages([row(number, f"New sentence {number}.") for number in range(10, 20)])
    own = embedded_text(ROWS[0]["source_title"], ROWS[0]["text"])
    assert nearest_ids(index, store, own) == []  # 3 vectors for 13 passages: BM25 alone


def test_status_reports_a_running_pass(index: SearchIndex, store: VectorStore) -> None:
    seen: list[dict] = []

    def look(done: int, total: int) -> None:
        seen.append(store.status(3).as_dict())

    embed_passages(index, store, encoder=CountingEncoder(), progress=look)
    assert seen[-1]["running"] and (seen[-1]["embedded"], seen[-1]["total"]) == (3, 3)
    final = store.status(3)
    assert not final.running and (final.embedded, final.total) == (3, 3)


def test_a_second_pass_is_skipped_while_one_runs(index: SearchIndex, store: VectorStore) -> None:
    with store.embedding_lock():
        report = embed_passages(index, store, encoder=CountingEncoder(), wait=False)
    assert report.vector_set is None


def test_the_background_embedder_runs_once_per_index_version(
    index: SearchIndex, store: VectorStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    encoder = CountingEncoder()
    monkeypatch.setattr("factcheck.search.vectors.get_encoder", lambda: encoder)
    embedder = BackgroundEmbedder(index, store)
    embedder.poke()
    embedder.join(30)
    assert len(encoder.seen) == 3 and store.load() is not None
    embedder.poke()
    embedder.join(30)
    assert len(encoder.seen) == 3  # nothing changed
    index.update_passages([row(4, "Fishermen protested at the harbour.")])
    embedder.poke()
    embedder.join(30)
    assert len(encoder.seen) == 4
    # A new process (a new embedder) knows the last pass from the store.
    fresh = BackgroundEmbedder(index, store)
    fresh.poke()
    fresh.join(30)
    assert len(encoder.seen) == 4


def test_while_another_process_embeds_checks_do_not_retry_at_once(
    index: SearchIndex, store: VectorStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    encoder = CountingEncoder()
    monkeypatch.setattr("factcheck.search.vectors.get_encoder", lambda: encoder)
    embedder = BackgroundEmbedder(index, store)
    with store.embedding_lock():  # as another process would hold it
        embedder.poke()
        embedder.join(30)
        skipped = embedder._thread
        embedder.poke()  # within RETRY_SECONDS: no new thread
        assert embedder._thread is skipped
    assert encoder.seen == [] and store.load() is None
    monkeypatch.setattr("factcheck.search.vectors.RETRY_SECONDS", 0.0)
    embedder._retry_after = 0.0
    embedder.poke()
    embedder.join(30)
    assert len(encoder.seen) == 3


def test_a_pass_killed_part_way_is_not_reported_running(
    index: SearchIndex, store: VectorStore
) -> None:
    embed_passages(index, store, encoder=CountingEncoder())
    store.write_progress(1, 3, running=True)  # as a pass killed with -9 leaves it
    assert not store.status(3).running
    with store.embedding_lock():
        assert store.status(3).running
