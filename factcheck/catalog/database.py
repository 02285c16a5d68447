"""Database: engines, sessions and schema migrations for the catalog.

:class:`Database` owns one engine and its session factory and works with or without Flask
(commands, benchmarks and tests use it directly). The Flask glue at the bottom follows the
tutorial's shape: :func:`get_db` opens one session per request on ``g`` and :func:`close_db`
closes it at teardown.

SQLite runs in WAL mode with foreign keys on and a busy timeout, so readers never block the
importer and two writers wait for each other instead of failing. PostgreSQL URLs are rewritten to
use psycopg 3.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, current_app, g
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from factcheck.catalog import feed

MIGRATION_LOCK_KEY = 0x66616374  # "fact": an arbitrary, fixed advisory lock id
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
DATABASE_INFO_KEY = "factcheck.database"  # session.info: the Database that made the session


def normalise_url(url: str) -> str:
    """Rewrite ``postgres://`` and ``postgresql://`` URLs to the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """Per-connection SQLite pragmas: WAL, foreign keys, a busy timeout."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")  # durable with WAL, much faster than FULL
    cursor.close()


def create_catalog_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get their directory created and their pragmas set."""
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _configure_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(engine: Engine | None = None) -> Config:
    """An Alembic configuration (no alembic.ini needed) that migrates ``engine``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at, ``None`` for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest revision the migrations define."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def upgrade(engine: Engine) -> bool:
    """Bring the schema to the newest revision; return whether anything was run.

    Cheap when the schema is current. Processes starting together (gunicorn workers on a fresh
    database) take turns, and the later ones find nothing left to do.
    """
    head = head_revision()
    if current_revision(engine) == head:
        return False
    with migration_lock(engine):
        if current_revision(engine) == head:
            return False
        command.upgrade(alembic_config(engine), "head")
    return True


@contextmanager
def migration_lock(engine: Engine) -> Iterator[None]:
    """Hold a lock that one migrating process at a time can have.

    PostgreSQL: a session-level advisory lock. SQLite: an exclusive ``flock`` on a file beside
    the database (an in-memory database needs none).
    """
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            try:
                yield
            finally:
                connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY}
                )
        return
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate-lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def short_lock_wait(connection: Connection, milliseconds: int) -> Iterator[None]:
    """Within the block, wait at most ``milliseconds`` for another writer's lock, then fail.

    For writes that are hints (when a token was last used): better skipped than queued behind
    a long import. SQLite's busy timeout is per connection, so it is restored for the pool;
    PostgreSQL's ``SET LOCAL`` ends with the transaction anyway.
    """
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"PRAGMA busy_timeout={int(milliseconds)}")
        try:
            yield
        finally:
            connection.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        return
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = {int(milliseconds)}")
    yield


@contextmanager
def serialised_transaction(engine: Engine, key: str) -> Iterator[Connection]:
    """A transaction that no other one with the same ``key`` runs beside, committed at the end.

    For a read, a decision and a write that must not race (counting sign-in attempts before
    claiming one). SQLite: ``BEGIN IMMEDIATE`` takes the database's write lock first;
    PostgreSQL: a transaction-scoped advisory lock on the key's hash.
    """
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        elif connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})
        yield connection
        connection.commit()


class Database:
    """One catalog database: its engine and a factory of sessions."""

    def __init__(self, url: str, *, engine: Engine | None = None) -> None:
        self.url = normalise_url(url)
        self.engine = engine if engine is not None else create_catalog_engine(self.url)
        self.session_factory = sessionmaker(
            self.engine, expire_on_commit=False, info={DATABASE_INFO_KEY: self}
        )
        feed.install(self.session_factory)  # every commit writes the change feed's entry

    @classmethod
    def of_session(cls, session: Session) -> Database:
        """The :class:`Database` whose factory made ``session`` (or one on its engine)."""
        found = session.info.get(DATABASE_INFO_KEY)
        if isinstance(found, Database):
            return found
        engine = session.get_bind().engine
        return cls(engine.url.render_as_string(hide_password=False), engine=engine)

    @property
    def is_sqlite(self) -> bool:
        """Whether the catalog is a SQLite database."""
        return self.engine.dialect.name == "sqlite"

    def upgrade(self) -> bool:
        """Migrate the schema to the newest revision."""
        return upgrade(self.engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits when the block ends normally and rolls back otherwise."""
        with self.session_factory() as session, session.begin():
            yield session

    def dispose(self) -> None:
        """Close every pooled connection (before a fork, or at shutdown)."""
        self.engine.dispose()


# Flask glue ---------------------------------------------------------------------------------

EXTENSION_KEY = "factcheck.database"


def get_database(app: Flask | None = None) -> Database:
    """The :class:`Database` of ``app`` (or of the current app)."""
    app = app or current_app
    return app.extensions[EXTENSION_KEY]


def get_db() -> Session:
    """The request's session, opened on first use and closed at teardown."""
    if "db" not in g:
        g.db = get_database().session_factory()
    return g.db


def close_db(error: BaseException | None = None) -> None:
    """Close the request's session, rolling back whatever it did not commit."""
    session = g.pop("db", None)
    if session is not None:
        session.close()


def init_app(app: Flask) -> Database:
    """Attach a migrated :class:`Database` to ``app``; close request sessions at teardown."""
    database = Database(app.config["DATABASE_URL"])
    if app.config.get("AUTO_MIGRATE", True):
        database.upgrade()
    app.extensions[EXTENSION_KEY] = database
    app.teardown_appcontext(close_db)
    return database
