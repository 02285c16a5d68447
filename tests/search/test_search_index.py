"""Search index: rebuild-and-swap, interrupted rebuilds, incremental updates, searcher reuse."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from whoosh.query import Term

from factcheck.app import create_app
from factcheck.search.index import IndexMissingError, SearchIndex


def row(number: int, text: str | None = None, source: str = "harbour") -> dict:
    """A passage row as the catalog yields it."""
    return {
        "passage_id": f"{source}:{number}",
        "source_id": source,
        "text": text or f"Sentence {number} about harbour traffic.",
        "source_title": "Harbour traffic doubles",
        "publisher": "The Coastal Herald",
        "url": None,
        "published": "2023-03",
        "published_precision": "month",
        "context": "The paragraph.",
        "position": number,
        "content_hash": f"{number:064d}",
    }


def ids_matching(index: SearchIndex, word: str) -> set[str]:
    """Passage ids whose text contains ``word`` (after stemming)."""
    with index.searcher() as searcher:
        analyzed = [token.text for token in searcher.schema["text"].analyzer(word)]
        results = searcher.search(Term("text", analyzed[0]), limit=None)
        return {hit["passage_id"] for hit in results}


def generations(directory: Path) -> list[str]:
    """The generation directories on disk."""
    return sorted(path.name for path in directory.glob("gen-*"))


@pytest.fixture
def index(tmp_path: Path) -> Iterator[SearchIndex]:
    """An index with three passages of one source."""
    search_index = SearchIndex(tmp_path / "index")
    search_index.rebuild([row(1), row(2), row(3, "Ships queue for the new terminal.")])
    yield search_index
    search_index.close()


def test_missing_index_is_reported(tmp_path: Path) -> None:
    search_index = SearchIndex(tmp_path / "nothing")
    assert not search_index.exists()
    with pytest.raises(IndexMissingError):
        search_index.status()


def test_rebuild_indexes_rows_with_stored_fields(index: SearchIndex) -> None:
    status = index.status()
    assert (status.passages, status.sources) == (3, 1)
    assert ids_matching(index, "terminals") == {"harbour:3"}  # stemmed
    with index.searcher() as searcher:
        stored = searcher.document(passage_id="harbour:3")
    assert stored["source_title"] == "Harbour traffic doubles"
    assert stored["text"] == "Ships queue for the new terminal."
    assert stored["position"] == 3 and "url" not in stored  # None values are not stored


def test_rebuild_swaps_generations_and_keeps_only_the_previous(index: SearchIndex) -> None:
    first = index.current_generation()
    index.rebuild([row(1)])
    second = index.current_generation()
    index.rebuild([row(1), row(2)])
    third = index.current_generation()
    assert len({first, second, third}) == 3
    assert generations(index.directory) == sorted([second, third])
    assert index.status().passages == 2


@pytest.mark.parametrize("size", [10, 2_500], ids=["in-process", "worker-processes"])
def test_interrupted_rebuild_leaves_the_old_index_serving(index: SearchIndex, size: int) -> None:
    before = index.status()

    def failing_rows() -> Iterator[dict]:
        for number in range(size):
            if number == size - 3:
                raise RuntimeError("catalog went away")
            yield row(number, source="other")

    with pytest.raises(RuntimeError, match="went away"):
        index.rebuild(failing_rows())
    assert index.current_generation() == before.generation
    assert generations(index.directory) == [before.generation]
    assert index.status().passages == 3
    assert ids_matching(index, "terminal") == {"harbour:3"}


def test_large_rebuild_uses_worker_processes_and_indexes_everything(tmp_path: Path) -> None:
    search_index = SearchIndex(tmp_path / "index")
    progress: list[int] = []
    status = search_index.rebuild(
        (row(number, source=f"s{number % 7}") for number in range(2_500)), progress=progress.append
    )
    assert (status.passages, status.sources) == (2_500, 7)
    assert sum(progress) == 2_500


def test_incremental_update_and_delete(index: SearchIndex) -> None:
    version = index.version()
    index.update_passages([row(2, "Cranes were idle all winter."), row(4, "A fourth sentence.")])
    assert index.version() != version
    assert ids_matching(index, "cranes") == {"harbour:2"}
    assert index.status().passages == 4  # 2 replaced, 4 added
    index.delete_passages(["harbour:2", "harbour:unknown"])
    assert ids_matching(index, "cranes") == set()
    assert index.status().passages == 3


def test_replace_sources_drops_passages_that_are_gone(index: SearchIndex) -> None:
    index.update_passages([row(1, "Rain fell.", source="weather")])
    index.replace_sources(["harbour"], [row(9, "Only this harbour sentence is left.")])
    status = index.status()
    assert (status.passages, status.sources) == (2, 2)
    assert ids_matching(index, "sentence") == {"harbour:9"}


def test_searcher_is_reused_until_the_index_changes(index: SearchIndex) -> None:
    with index.searcher() as first:
        pass
    with index.searcher() as again:
        assert again is first
    index.update_passages([row(5)])
    with index.searcher() as refreshed:
        assert refreshed is not first
        assert refreshed.doc_count() == 4
    index.rebuild([row(1)])
    with index.searcher() as swapped:
        assert swapped.doc_count() == 1


def test_each_thread_gets_its_own_searcher(index: SearchIndex) -> None:
    with index.searcher() as mine:
        pass
    seen = []
    thread = threading.Thread(target=lambda: seen.append(index.summary()))
    thread.start()
    thread.join()
    with index.searcher() as still_mine:
        assert still_mine is mine
    assert seen[0].passages == 3
    assert len(index._open_searchers) == 2


def test_status_counts_only_live_sources(index: SearchIndex) -> None:
    index.update_passages([row(1, "Rain fell.", source="weather")])
    assert index.status().sources == 2
    index.delete_passages(["weather:1"])
    status = index.status()
    assert (status.passages, status.sources) == (3, 1)
    assert status.as_dict()["version"] == index.version()


def test_deleting_the_index_directory_then_starting_recreates_it(tmp_path: Path, app) -> None:
    index_dir = Path(app.config["INDEX_DIR"])
    runner = app.test_cli_runner()
    assert runner.invoke(args=["import", app.config["SOURCES_DIR"]]).exit_code == 0
    indexed = app.extensions["factcheck.search.index"].status().passages
    assert indexed > 0
    shutil.rmtree(index_dir)
    restarted = create_app(
        {key: app.config[key] for key in ("DATABASE_URL", "INDEX_DIR", "SOURCES_DIR", "SECRET_KEY")}
    )
    assert restarted.extensions["factcheck.search.index"].status().passages == indexed


def test_an_unreadable_index_counts_as_missing(index: SearchIndex) -> None:
    generation = index.directory / index.current_generation()
    for toc in generation.glob("_MAIN_*.toc"):
        toc.write_bytes(b"\x00 not a table of contents")
    fresh = SearchIndex(index.directory)  # a new process would have no cached objects
    assert not fresh.exists()
    fresh.rebuild([row(1)])
    assert fresh.status().passages == 1


def test_updates_go_on_when_something_resets_the_random_module(tmp_path: Path) -> None:
    """Hypothesis (and any library) may reseed ``random``; Whoosh names segments with it."""
    import random

    index = SearchIndex(tmp_path / "index")
    index.rebuild([row(1, "The harbour opened.")])
    for number in range(2, 6):
        random.seed(0)
        index.update_passages([row(number, f"Ship {number} docked in the harbour.")])
    assert index.summary().passages == 5
    assert len(ids_matching(index, "dock")) == 4
