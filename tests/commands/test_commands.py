"""Commands: import (with a bad file), index status and rebuild, serve's first start, help."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from factcheck.catalog.store import catalog_counts
from factcheck.commands.server import GunicornServer
from factcheck.extensions import get_database, get_search_index

JSONL = (
    '{"id": "Tides:1", "title": "Tides", "text": "Tides follow the moon."}\n'
    '{"id": "Tides:2", "title": "Tides", "text": "Spring tides are the highest."}\n'
)


def test_import_reports_a_bad_file_and_imports_the_rest(runner, tmp_path: Path, sources_dir):
    (sources_dir / "tides.jsonl").write_text(JSONL, encoding="utf-8")
    bad = sources_dir / "broken.jsonl"
    bad.write_text('{"id": "x", "title": "X"\n', encoding="utf-8")
    result = runner.invoke(args=["import", str(sources_dir), str(tmp_path / "missing.md")])
    assert result.exit_code == 1
    assert f"error: {bad}: line 1: invalid JSON" in result.output
    assert f"error: {tmp_path / 'missing.md'}: no such file or directory" in result.output
    assert "sources: 2 (2 new, 0 updated)" in result.output
    assert "files: 3 read, 2 failed" in result.output
    status = get_search_index(runner.app).status()
    assert status.sources == 2 and status.passages > 2


def test_import_twice_changes_nothing(runner, sources_dir) -> None:
    first = runner.invoke(args=["import", str(sources_dir)])
    assert first.exit_code == 0, first.output
    version = get_search_index(runner.app).version()
    second = runner.invoke(args=["import", str(sources_dir)])
    assert second.exit_code == 0
    assert "sources: 1 (0 new, 0 updated)" in second.output
    assert "passages: 0 added" in second.output
    assert get_search_index(runner.app).version() == version


def test_import_summary_counts_noise(runner, sources_dir) -> None:
    result = runner.invoke(args=["import", str(sources_dir / "harbour-report.md")])
    assert result.exit_code == 0
    with get_database(runner.app).session() as session:
        counts = catalog_counts(session)
    assert f"passages: {counts.passages} added, {counts.excluded_passages} excluded" in (
        result.output
    )
    assert counts.excluded_passages >= 1  # "Share this article"


def test_index_status_json(runner, sources_dir) -> None:
    runner.invoke(args=["import", str(sources_dir)])
    result = runner.invoke(args=["index", "status", "--json"])
    assert result.exit_code == 0
    status = json.loads(result.output)
    assert set(status) == {
        "passages",
        "sources",
        "version",
        "last_update",
        "generation",
        "directory",
        "vectors",
        "feed",  # issue 13: the node's change-feed position, the catalog's, and the lag
    }
    assert status["vectors"]["embedded"] == 0  # nothing embedded yet
    assert status["feed"]["node_position"] == status["feed"]["catalog_position"] > 0
    assert status["feed"]["lag_seconds"] == 0
    assert status["vectors"]["total"] == status["passages"]
    assert status["sources"] == 1 and status["passages"] > 0
    assert status["version"].startswith(status["generation"] + ".")


def test_index_embed_gives_every_passage_a_vector(runner, sources_dir) -> None:
    runner.invoke(args=["import", str(sources_dir)])
    result = runner.invoke(args=["index", "embed"])
    assert result.exit_code == 0, result.output
    status = json.loads(runner.invoke(args=["index", "status", "--json"]).output)
    assert status["vectors"]["embedded"] == status["passages"] > 0
    assert f"{status['passages']} passages, {status['passages']} newly embedded" in result.output
    again = runner.invoke(args=["index", "embed"])
    assert f"{status['passages']} passages, 0 newly embedded" in again.output
    text = runner.invoke(args=["index", "status"]).output
    assert f"vectors: {status['passages']}/{status['passages']} passages embedded" in text


def test_index_status_text(runner) -> None:
    result = runner.invoke(args=["index", "status"])
    assert result.exit_code == 0
    assert "passages: 0" in result.output and "version: gen-" in result.output


def test_index_rebuild_swaps_in_a_new_generation(runner, sources_dir) -> None:
    runner.invoke(args=["import", str(sources_dir)])
    index = get_search_index(runner.app)
    before = index.status()
    result = runner.invoke(args=["index", "rebuild"])
    assert result.exit_code == 0, result.output
    after = index.status()
    assert after.generation != before.generation
    assert after.passages == before.passages
    assert f"rebuilt: {after.passages} passages from 1 sources" in result.output


def test_serve_imports_sources_into_an_empty_catalog_before_starting(runner, monkeypatch):
    started = []
    monkeypatch.setattr(GunicornServer, "run", lambda server: started.append(server))
    result = runner.invoke(args=["serve", "--port", "5123"])
    assert result.exit_code == 0, result.output
    assert "empty catalog: importing" in result.output
    assert get_search_index(runner.app).status().passages > 0
    (server,) = started
    assert server.cfg.bind == ["127.0.0.1:5123"]
    assert (server.cfg.workers, server.cfg.threads) == (2, 4)
    # A second start finds the catalog filled and imports nothing.
    result = runner.invoke(args=["serve"])
    assert "empty catalog" not in result.output


def test_serve_shows_the_first_import_s_progress_on_stderr(runner, monkeypatch):
    """The bars show on a terminal only: the test makes tqdm believe it is on one."""
    from factcheck.commands import sources

    real_tqdm = sources.tqdm
    monkeypatch.setattr(
        sources, "tqdm", lambda *args, **kwargs: real_tqdm(*args, **{**kwargs, "disable": False})
    )
    monkeypatch.setattr(GunicornServer, "run", lambda server: None)
    result = runner.invoke(args=["serve"])
    assert result.exit_code == 0, result.output
    assert "documents:" in result.stderr and "indexing:" in result.stderr
    assert "documents:" not in result.stdout


@pytest.mark.parametrize(
    "command",
    [
        ["import"],
        ["index"],
        ["index", "rebuild"],
        ["index", "status"],
        ["index", "embed"],
        ["serve"],
    ],
)
def test_every_command_has_help(runner, command: list[str]) -> None:
    result = runner.invoke(args=[*command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output
    description = result.output.split("\n\n")[1].strip()
    assert len(description) > 20


def test_index_status_prints_the_feed_and_follow_once_catches_up(runner, sources_dir) -> None:
    """Issue 13: the node's feed position, the catalog's and the lag; ``index follow --once``
    applies what the node lacks (here: a rebuilt generation that recorded no position)."""
    from factcheck.extensions import get_search_index

    runner.invoke(args=["import", str(sources_dir)])
    status = runner.invoke(args=["index", "status"])
    assert status.exit_code == 0, status.output
    assert "feed: node at 1, catalog at 1" in status.output
    assert "feed lag: 0.000 s" in status.output

    get_search_index(runner.app).rebuild([])  # a generation with no recorded position
    assert "feed: node at 0, catalog at 1" in runner.invoke(args=["index", "status"]).output
    followed = runner.invoke(args=["index", "follow", "--once"])
    assert followed.exit_code == 0, followed.output
    assert "feed: rebuild" in followed.output
    assert "feed: node at 1, catalog at 1" in runner.invoke(args=["index", "status"]).output
