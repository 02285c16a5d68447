"""Bulk search scores queries exactly as Whoosh's searcher does, and is what retrieval uses."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from whoosh.query import DisjunctionMax, Or, Phrase, Query, Term
from whoosh.searching import Searcher

from factcheck.search.bulk_search import has_term, top_documents
from factcheck.search.index import SearchIndex

WORDS = [
    *("sea", "level", "rise", "ocean", "temperature", "drones", "russia", "iran", "supplied"),
    *("sold", "united", "states", "nations", "general", "assembly", "vote", "resolution"),
    *("ice", "sheet", "melting", "carbon", "dioxide", "warming"),
]


def row(number: int, text: str) -> dict:
    """A passage row as the catalog yields it."""
    return {
        "passage_id": f"src:{number}",
        "source_id": "src" if number % 2 else "other",
        "text": text,
        "source_title": "A source",
        "publisher": None,
        "url": None,
        "published": None,
        "published_precision": "unknown",
        "context": text,
        "position": number,
        "content_hash": f"{number:064d}",
    }


def sentence(generator: random.Random) -> str:
    """Words from a small vocabulary, so that terms repeat and phrases recur by chance."""
    words = [generator.choice(WORDS) for _ in range(generator.randint(3, 25))]
    if generator.random() < 0.1:
        words.insert(generator.randrange(len(words)), "general assembly vote")
    return " ".join(words) + "."


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchIndex]:
    """Several hundred passages in two segments, some of them deleted or replaced."""
    generator = random.Random(5)
    search_index = SearchIndex(Path(tmp_path_factory.mktemp("bulk")) / "index")
    search_index.rebuild([row(n, sentence(generator)) for n in range(600)])
    search_index.update_passages([row(n, sentence(generator)) for n in range(600, 700)])
    search_index.delete_passages([f"src:{n}" for n in range(0, 600, 7)])
    search_index.update_passages([row(n, sentence(generator)) for n in range(3, 600, 11)])
    yield search_index
    search_index.close()


def whoosh_top(searcher: Searcher, query: Query, limit: int) -> list[tuple[int, float]]:
    return [(hit.docnum, hit.score) for hit in searcher.search(query, limit=limit, terms=False)]


def assert_same(found: list[tuple[int, float]], expected: list[tuple[int, float]]) -> None:
    assert [docnum for docnum, _ in found] == [docnum for docnum, _ in expected]
    assert [score for _, score in found] == pytest.approx([s for _, s in expected], rel=1e-9)


def test_the_index_has_segments_and_deletions(index: SearchIndex) -> None:
    with index.searcher() as searcher:
        assert len(searcher.leaf_searchers()) > 1
        assert searcher.doc_count() < searcher.doc_count_all()


@pytest.mark.parametrize(
    "query",
    [
        Term("text", "drone"),
        Term("text", "russia", boost=2.5),
        Or([Term("text", "iran", boost=2.0), Term("text", "suppli"), Term("text", "drone")]),
        Phrase("text", ["sea", "level"]),
        Phrase("text", ["unit", "state"], boost=1.5),
        Phrase("text", ["gener", "assembl", "vote"]),
        Or([Phrase("text", ["sea", "level"], boost=2.5), Term("text", "rise"), Term("text", "ic")]),
        Term("text", "nosuchword"),
        Phrase("text", ["sea", "nosuchword"]),
    ],
    ids=str,
)
def test_scores_and_order_are_whooshs(index: SearchIndex, query: Query) -> None:
    with index.searcher() as searcher:
        if "nosuchword" not in str(query):
            assert top_documents(searcher, query, 1), "the query should find something"
        for limit in (1, 5, 30, 1000):
            assert_same(top_documents(searcher, query, limit), whoosh_top(searcher, query, limit))


def test_a_group_scores_each_document_by_its_best_member(index: SearchIndex) -> None:
    members = [
        Term("text", "russia", boost=1.5),
        Term("text", "iran"),
        Phrase("text", ["sea", "ic"]),
    ]
    with index.searcher() as searcher:
        best: dict[int, float] = {}
        for member in members:
            for docnum, score in whoosh_top(searcher, member, 10_000):
                best[docnum] = max(best.get(docnum, 0.0), score)
        expected = sorted(best.items(), key=lambda item: (-item[1], item[0]))[:40]
        assert_same(top_documents(searcher, DisjunctionMax(members), 40), expected)


def test_groups_add_up(index: SearchIndex) -> None:
    groups = [
        DisjunctionMax([Term("text", "russia", boost=2.5), Term("text", "iran", boost=2.5)]),
        DisjunctionMax([Term("text", "suppli", boost=2.0), Term("text", "sold", boost=0.4)]),
        Term("text", "drone"),
    ]
    with index.searcher() as searcher:
        total: dict[int, float] = {}
        for group in groups:
            for docnum, score in top_documents(searcher, group, 10_000):
                total[docnum] = total.get(docnum, 0.0) + score
        expected = sorted(total.items(), key=lambda item: (-item[1], item[0]))[:30]
        assert_same(top_documents(searcher, Or(groups), 30), expected)


def test_deleted_passages_are_never_found(index: SearchIndex) -> None:
    with index.searcher() as searcher:
        found = top_documents(searcher, Or([Term("text", w) for w in ("sea", "drone")]), 10_000)
        ids = {searcher.stored_fields(docnum)["passage_id"] for docnum, _ in found}
    assert "src:7" not in ids and "src:21" not in ids  # deleted
    assert "src:14" in ids  # deleted, then added again
    assert len(ids) == len(found)  # a replaced passage is found once, in its new version


def test_a_word_whose_passages_are_all_deleted_finds_nothing(tmp_path: Path) -> None:
    search_index = SearchIndex(tmp_path / "index")
    search_index.rebuild([row(n, f"Harbour {n} reopened.") for n in range(300)])
    search_index.update_passages([row(1000, "A lighthouse was lit.")])
    search_index.delete_passages([f"src:{n}" for n in range(300)])
    with search_index.searcher() as searcher:
        assert top_documents(searcher, Term("text", "harbour"), 10) == []
        either = Or([Term("text", "harbour"), Term("text", "lit")])
        assert len(top_documents(searcher, either, 10)) == 1
    search_index.close()


def test_an_empty_index_finds_nothing(tmp_path: Path) -> None:
    search_index = SearchIndex(tmp_path / "index")
    search_index.rebuild([])
    with search_index.searcher() as searcher:
        assert not has_term(searcher, "text", "harbour")
        assert top_documents(searcher, Or([Term("text", "harbour"), Term("text", "lit")]), 5) == []
    search_index.close()
