"""Shared fixtures in the Flask tutorial's shape: ``app``, ``client``, ``runner``.

Everything a test writes (database, index, sources) lives under ``tmp_path``; nothing touches the
repository's ``instance/``, ``index/`` or ``sources/``. Catalog tests that take the ``database``
fixture run twice: on SQLite always, and on PostgreSQL when ``FACTCHECK_TEST_DATABASE_URL`` is set.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import text

from factcheck.app import create_app
from factcheck.catalog.database import Database
from factcheck.catalog.models import Base

ARTICLE = """---
id: harbour-report
title: Harbour traffic doubles after the new terminal opens
publisher: The Coastal Herald
url: https://example.org/harbour
published: 2023-03-14
---

The port of Easthaven handled 7,200 ships in 2022, twice as many as in 2020.

The new terminal cost $76.8 billion, according to the harbour authority. Mr. Jones said the U.S. \
operator would expand it again.

Share this article
"""

POSTGRES_URL_VARIABLE = "FACTCHECK_TEST_DATABASE_URL"


@pytest.fixture
def sources_dir(tmp_path: Path) -> Path:
    """A tiny sources directory with one Markdown article."""
    directory = tmp_path / "sources"
    directory.mkdir()
    (directory / "harbour-report.md").write_text(ARTICLE, encoding="utf-8")
    return directory


@pytest.fixture
def test_config(tmp_path: Path, sources_dir: Path) -> dict[str, object]:
    """The settings of a test app: database, index and sources all under ``tmp_path``."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'catalog.sqlite3'}",
        "INDEX_DIR": str(tmp_path / "index"),
        "SOURCES_DIR": str(sources_dir),
    }


@pytest.fixture
def app(test_config: dict[str, object]) -> Iterator[Flask]:
    """An app whose database, index and sources all live under ``tmp_path``."""
    app = create_app(test_config)
    yield app
    app.extensions["factcheck.review.rechecks"].join()  # a re-check pass outlives no test
    app.extensions["factcheck.search.index"].close()
    app.extensions["factcheck.database"].dispose()


@pytest.fixture
def client(app: Flask):
    """A test client for the app."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """A runner for the app's commands."""
    return app.test_cli_runner()


def _reset_postgres(url: str) -> Database:
    """A PostgreSQL catalog emptied of every table, so the migration starts from scratch."""
    database = Database(url)
    with database.engine.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    return database


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.postgres),
    ]
)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty catalog: SQLite, then PostgreSQL if a test server is configured."""
    if request.param == "sqlite":
        catalog = Database(f"sqlite:///{tmp_path / 'catalog.sqlite3'}")
    else:
        catalog = _test_postgres()
    catalog.upgrade()
    yield catalog
    catalog.dispose()


@pytest.fixture
def postgres_database() -> Iterator[Database]:
    """A migrated, empty PostgreSQL catalog, for what only PostgreSQL has (LISTEN/NOTIFY)."""
    catalog = _test_postgres()
    catalog.upgrade()
    yield catalog
    catalog.dispose()


def _test_postgres() -> Database:
    """The test server's catalog, emptied; the test is skipped when no server is configured."""
    url = os.environ.get(POSTGRES_URL_VARIABLE)
    if not url:
        pytest.skip(f"{POSTGRES_URL_VARIABLE} is not set")
    return _reset_postgres(url)


# Reviewing (issue 5) -------------------------------------------------------------------------

REVIEWER_PASSWORD = "correct horse battery"


@pytest.fixture
def reviewer_password() -> str:
    """alice's password (see :func:`reviewer`), for tests that sign in by hand."""
    return REVIEWER_PASSWORD


@pytest.fixture
def imported(runner: FlaskCliRunner, sources_dir: Path) -> None:
    """The fixture article imported into the app's catalog and index."""
    result = runner.invoke(args=["import", str(sources_dir)])
    assert result.exit_code == 0, result.output


@pytest.fixture
def reviewer(app: Flask):
    """An admin reviewer, alice, with the password :data:`REVIEWER_PASSWORD`."""
    from factcheck.review.reviewers import add_reviewer, identity

    with app.extensions["factcheck.database"].session() as session:
        return identity(add_reviewer(session, "alice", REVIEWER_PASSWORD, is_admin=True))


@pytest.fixture
def token(app: Flask, reviewer) -> str:
    """A live API token of alice."""
    from factcheck.review.reviewers import issue_token

    with app.extensions["factcheck.database"].session() as session:
        return issue_token(session, reviewer.name)


@pytest.fixture
def auth_headers(token: str) -> dict[str, str]:
    """The headers of a curation API call as alice."""
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def reviewer_client(app: Flask, reviewer):
    """A test client signed in as alice, with CSRF checks off (tests of CSRF turn them on)."""
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    response = client.post("/login", data={"name": "alice", "password": REVIEWER_PASSWORD})
    assert response.status_code == 302, response.data
    return client


# Many nodes (issue 13) ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Redis for the shared rate limit: CI's (``FACTCHECK_TEST_REDIS_URL``) or a private one."""
    from redis_server import URL_VARIABLE, RedisServer, redis_available

    if os.environ.get(URL_VARIABLE):
        yield os.environ[URL_VARIABLE]
        return
    if not redis_available():
        pytest.skip(f"needs {URL_VARIABLE} or Debian's redis-server")
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server.url
    server.stop()


@pytest.fixture
def empty_redis_url(redis_url: str) -> str:
    """:func:`redis_url` with its database emptied, so every budget starts full."""
    import redis

    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    client.close()
    return redis_url
