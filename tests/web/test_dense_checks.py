"""Checks with dense retrieval on: vectors embedded in the background, then used."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import Flask

from factcheck.app import create_app
from factcheck.commands.server import start_embedding
from factcheck.engine.verify import verify
from factcheck.extensions import get_embedder, get_search_index, get_vector_store
from factcheck.web.checks import check_claim


@pytest.fixture
def dense_app(test_config: dict[str, object]) -> Iterator[Flask]:
    app = create_app({**test_config, "DENSE_RETRIEVAL": True})
    yield app
    embedder = get_embedder(app)
    if embedder is not None:
        embedder.join(60)
    get_search_index(app).close()
    app.extensions["factcheck.database"].dispose()


def test_test_apps_judge_with_bm25_alone(app: Flask) -> None:
    assert get_vector_store(app) is None and get_embedder(app) is None


def test_a_check_starts_embedding_and_later_checks_use_the_vectors(
    dense_app: Flask, sources_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[object] = []

    def recording_verify(*args: object, **kwargs: object) -> object:
        calls.append(kwargs["vectors"])
        return verify(*args, **kwargs)

    monkeypatch.setattr("factcheck.web.checks.verify", recording_verify)
    dense_app.test_cli_runner().invoke(args=["import", str(sources_dir)])
    store, embedder = get_vector_store(dense_app), get_embedder(dense_app)
    assert store is not None and embedder is not None
    first = check_claim("Easthaven's port handled twice as many ships", app=dense_app)
    embedder.join(60)
    loaded = store.load()
    assert loaded is not None and len(loaded) == get_search_index(dense_app).summary().passages
    # The result cache knows the vectors changed: the claim is judged again, not reused.
    second = check_claim("Easthaven's port handled twice as many ships", app=dense_app)
    assert len(calls) == 2 and calls[0] is calls[1] is store
    assert first.verdict == second.verdict == "supported"


def test_each_server_worker_starts_embedding_once_up(dense_app: Flask, sources_dir: Path) -> None:
    dense_app.test_cli_runner().invoke(args=["import", str(sources_dir)])
    start_embedding(SimpleNamespace(wsgi=dense_app))
    embedder, store = get_embedder(dense_app), get_vector_store(dense_app)
    assert embedder is not None and store is not None
    embedder.join(60)
    assert store.load() is not None
