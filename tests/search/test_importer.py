"""Importer: files into the catalog and the index, including the first import into an empty one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from factcheck.catalog.database import Database
from factcheck.catalog.store import active_passages, catalog_counts
from factcheck.search import importer
from factcheck.search.importer import collect_files, import_files
from factcheck.search.index import SearchIndex


def write_collection(path: Path, count: int, titles: int = 40) -> Path:
    """A JSON Lines passage collection of ``count`` sentences over ``titles`` titles."""
    with path.open("w", encoding="utf-8") as handle:
        for number in range(count):
            record = {
                "id": f"T{number % titles}:{number}",
                "title": f"Topic {number % titles}",
                "text": f"Sentence {number} says the sea rose {number % 97} millimetres.",
            }
            handle.write(json.dumps(record) + "\n")
    return path


def index_matches_catalog(database: Database, index: SearchIndex) -> bool:
    """Whether the index holds exactly the catalog's active passages."""
    with database.session() as session:
        expected = {row["passage_id"] for row in active_passages(session)}
    with index.searcher() as searcher:
        indexed = {fields["passage_id"] for fields in searcher.all_stored_fields()}
    return indexed == expected


@pytest.fixture
def data(tmp_path: Path):
    """An empty catalog and index."""
    database = Database(f"sqlite:///{tmp_path / 'catalog.sqlite3'}")
    database.upgrade()
    index = SearchIndex(tmp_path / "index")
    yield database, index
    index.close()
    database.dispose()


def test_collect_files_expands_directories(tmp_path: Path, sources_dir: Path) -> None:
    (sources_dir / ".hidden.md").write_text("x")
    (sources_dir / "notes.pdf").write_text("x")
    (sources_dir / "more").mkdir()
    (sources_dir / "more" / "b.txt").write_text("Title\n\nBody.")
    files, failures = collect_files([sources_dir, tmp_path / "absent.md"])
    assert [path.name for path in files] == ["harbour-report.md", "b.txt"]
    assert [failure.reason for failure in failures] == ["no such file or directory"]


def test_first_import_of_a_large_collection_indexes_exactly_the_active_passages(
    data, tmp_path: Path
) -> None:
    database, index = data
    collection = write_collection(tmp_path / "big.jsonl", 2_300)
    report = import_files(database, index, [collection])
    assert report.summary.passages_added == 2_300
    assert report.index.passages == 2_300 and report.index.sources == 40
    assert index_matches_catalog(database, index)


def test_first_import_with_a_document_twice_stays_consistent(data, sources_dir: Path) -> None:
    database, index = data
    article = sources_dir / "harbour-report.md"
    report = import_files(database, index, [article, sources_dir])
    assert report.summary.sources_added == 1
    assert index_matches_catalog(database, index)


def test_a_file_the_catalog_refuses_is_reported_and_the_index_matches(
    data, tmp_path: Path, sources_dir: Path, monkeypatch
) -> None:
    database, index = data
    refused = write_collection(tmp_path / "refused.jsonl", 30, titles=3)
    real_import = importer.import_documents

    def refusing(session, documents, **kwargs):
        if any(document.title.startswith("Topic") for document in documents):
            raise IntegrityError("INSERT", {}, Exception("duplicate key"))
        return real_import(session, documents, **kwargs)

    monkeypatch.setattr(importer, "import_documents", refusing)
    failures = []
    report = import_files(database, index, [sources_dir, refused], on_failure=failures.append)
    assert [failure.path for failure in failures] == [refused]
    assert "rejected by the catalog" in failures[0].reason
    with database.session() as session:
        assert catalog_counts(session).sources == 1
    assert index_matches_catalog(database, index)
    assert report.index.sources == 1


def test_later_imports_update_the_index_incrementally(data, tmp_path: Path, sources_dir) -> None:
    database, index = data
    import_files(database, index, [sources_dir])
    generation = index.current_generation()
    collection = write_collection(tmp_path / "small.jsonl", 2, titles=1)
    report = import_files(database, index, [collection])
    assert report.summary.sources_added == 1
    assert index.current_generation() == generation  # no rebuild for a small addition
    assert index_matches_catalog(database, index)


# Issue 12, finding 6: one bad line is reported with its file and line; the rest go on, and
# the index ends in step with what was committed.
BAD_LINES = {
    "nested": '{"id": "n1", "title": "Deep", "text": ' + "[" * 1000 + "]" * 1000 + "}",
    "surrogate": '{"id": "s1", "title": "Bad", "text": "Iran \\ud800 drones."}',
    "nul": '{"id": "z1", "title": "Bad", "text": "Iran\\u0000 drones."}',
}


@pytest.mark.parametrize("first_import", [True, False], ids=["into-empty", "later"])
@pytest.mark.parametrize("bad", sorted(BAD_LINES))
def test_a_bad_line_is_reported_and_the_rest_is_imported_and_indexed(
    data, tmp_path: Path, sources_dir: Path, bad: str, first_import: bool
) -> None:
    database, index = data
    if not first_import:
        earlier = write_collection(tmp_path / "earlier.jsonl", 6, titles=2)
        import_files(database, index, [earlier])
    collection = tmp_path / "collection.jsonl"
    good = '{"id": "g1", "title": "Fine", "text": "The sea rose 3 millimetres."}'
    collection.write_text(good + "\n" + BAD_LINES[bad] + "\n", encoding="utf-8")
    failures = []
    report = import_files(database, index, [sources_dir, collection], on_failure=failures.append)
    assert [failure.path for failure in failures] == [collection]
    assert failures[0].reason.startswith("line 2: ")
    with database.session() as session:
        assert catalog_counts(session).sources == (1 if first_import else 3)
    assert index_matches_catalog(database, index)
    assert report.index is not None


def test_the_index_follows_the_catalog_even_when_a_file_fails_unexpectedly(
    data, tmp_path: Path, sources_dir: Path, monkeypatch
) -> None:
    """Whatever stops an import, what was committed before it is indexed."""
    database, index = data
    earlier = write_collection(tmp_path / "earlier.jsonl", 6, titles=2)
    import_files(database, index, [earlier])
    broken = write_collection(tmp_path / "zz-broken.jsonl", 3, titles=1)
    real_import = importer.import_documents

    def crashing(session, documents, **kwargs):
        if any(document.origin == broken.name for document in documents):
            raise RuntimeError("disk on fire")
        return real_import(session, documents, **kwargs)

    monkeypatch.setattr(importer, "import_documents", crashing)
    with pytest.raises(RuntimeError):
        import_files(database, index, [sources_dir, broken])
    with database.session() as session:
        assert catalog_counts(session).sources == 3
    assert index_matches_catalog(database, index)
