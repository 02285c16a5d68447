"""Retrieval: BM25F alone, or fused with the dense ranking by reciprocal rank."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from factcheck.engine.claim_analysis import analyse_claim
from factcheck.engine.retrieval import RRF_K, fuse_rankings, retrieve, with_vector
from factcheck.engine.stance import MeaningStanceAnalyzer
from factcheck.engine.verify import verify
from factcheck.language.encoder import get_encoder
from factcheck.search.index import SearchIndex
from factcheck.search.vectors import VectorStore, embed_passages, embedded_text


@pytest.mark.parametrize(
    ("rankings", "expected"),
    [
        # Both rankings agree: their order stays.
        ([[1, 2, 3], [1, 2, 3]], [1, 2, 3]),
        # Second in both beats first in one only.
        ([[1, 2, 3], [4, 2, 5]], [2, 1, 4, 3, 5]),
        # Only one ranking: its order.
        ([[7, 8], []], [7, 8]),
        # A tie goes to the earlier ranking's passage.
        ([[1], [2]], [1, 2]),
        ([[], []], []),
    ],
)
def test_fuse_rankings(rankings: list[list[int]], expected: list[int]) -> None:
    assert [docnum for docnum, _ in fuse_rankings(rankings)] == expected


def test_fused_scores_are_reciprocal_ranks() -> None:
    fused = dict(fuse_rankings([[1, 2], [2]]))
    assert fused[1] == pytest.approx(1 / (RRF_K + 1))
    assert fused[2] == pytest.approx(1 / (RRF_K + 2) + 1 / (RRF_K + 1))


PARAPHRASED = "The port handled twice as many shipping boxes as the year before."
TEXTS = [
    PARAPHRASED,
    "Harbour officials praised the new terminal's cranes.",
    "Freight trains to the harbour were delayed by snow.",
    "The mayor opened the terminal in March.",
    "Fishermen protested about noise from the harbour.",
    "A new ferry line will connect the island next summer.",
]
CLAIM = "Harbour freight volumes doubled."


def row(number: int, text: str) -> dict:
    return {
        "passage_id": f"port:{number}",
        "source_id": "port",
        "text": text,
        "source_title": "Port report",
        "position": number,
        "content_hash": hashlib.sha256(text.encode()).hexdigest(),
    }


@pytest.fixture
def index(tmp_path: Path) -> Iterator[SearchIndex]:
    search_index = SearchIndex(tmp_path / "index")
    search_index.rebuild([row(number, text) for number, text in enumerate(TEXTS)])
    yield search_index
    search_index.close()


def found_ids(index: SearchIndex, vectors: VectorStore | None) -> list[str]:
    with index.searcher() as searcher:
        return [e.passage_id for e in retrieve(analyse_claim(CLAIM), searcher, vectors=vectors)]


def test_before_vectors_exist_retrieval_is_bm25_alone(index: SearchIndex) -> None:
    bm25 = found_ids(index, None)
    assert bm25 and "port:0" not in bm25
    assert found_ids(index, VectorStore(index.directory)) == bm25


def test_dense_retrieval_finds_a_paraphrase_bm25_misses(index: SearchIndex) -> None:
    store = VectorStore(index.directory)
    embed_passages(index, store)
    assert "port:0" not in found_ids(index, None)
    fused = found_ids(index, store)
    assert "port:0" in fused
    assert set(found_ids(index, None)) <= set(fused)  # BM25's candidates stay


def test_retrieval_scores_are_relative_to_the_best(index: SearchIndex) -> None:
    store = VectorStore(index.directory)
    embed_passages(index, store)
    with index.searcher() as searcher:
        found = retrieve(analyse_claim(CLAIM), searcher, vectors=store)
    scores = [e.retrieval_score for e in found]
    assert scores[0] == 1.0 and scores == sorted(scores, reverse=True)


class CountingEncoder:
    """The real encoder, counting the texts it is given."""

    def __init__(self) -> None:
        self.texts = 0

    def encode(self, texts: list[str]) -> np.ndarray:
        self.texts += len(texts)
        return get_encoder().encode(texts)


def test_candidates_carry_their_stored_vectors_and_meaning_encodes_nothing(
    index: SearchIndex,
) -> None:
    store = VectorStore(index.directory)
    embed_passages(index, store)
    claim = with_vector(analyse_claim(CLAIM), store)
    assert claim.vector is not None
    with index.searcher() as searcher:
        found = retrieve(claim, searcher, vectors=store)
        assert found and all(e.vector is not None for e in found)
        expected = get_encoder().encode([embedded_text(e.source_title, e.text) for e in found])
        assert np.allclose(np.stack([e.vector for e in found]), expected, atol=1e-5)
        encoder = CountingEncoder()
        meaning = MeaningStanceAnalyzer(encoder=encoder)
        verify(CLAIM, searcher, analyzer=meaning, vectors=store)
        assert encoder.texts == 0
        verify(CLAIM, searcher, analyzer=meaning)  # dense retrieval off: it encodes itself
        assert encoder.texts > 0
