"""App factory: the extensions it sets up, and processes that start together."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from factcheck.app import create_app
from factcheck.catalog.database import Database, current_revision, head_revision
from factcheck.extensions import get_database, get_search_index


def config(tmp_path: Path) -> dict:
    """Settings with every path under ``tmp_path``."""
    return {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'catalog.sqlite3'}",
        "INDEX_DIR": str(tmp_path / "index"),
        "SOURCES_DIR": str(tmp_path / "sources"),
        "SECRET_KEY": "test",
    }


def start(settings: dict) -> None:
    """What a gunicorn worker does on boot."""
    app = create_app(settings)
    get_search_index(app).close()
    get_database(app).dispose()


def test_create_app_migrates_and_creates_an_index(tmp_path: Path) -> None:
    app = create_app(config(tmp_path))
    database = get_database(app)
    assert current_revision(database.engine) == head_revision()
    assert get_search_index(app).exists()
    assert app.url_map.bind("localhost").match("/api/v1/health")


def test_workers_starting_together_migrate_and_index_once(tmp_path: Path) -> None:
    settings = config(tmp_path)
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=start, args=(settings,)) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [worker.exitcode for worker in workers] == [0, 0, 0]
    assert len(list((tmp_path / "index").glob("gen-*"))) == 1
    database = Database(settings["DATABASE_URL"])
    assert current_revision(database.engine) == head_revision()
    database.dispose()


def test_auto_migrate_can_be_turned_off(tmp_path: Path, monkeypatch) -> None:
    database = Database(f"sqlite:///{tmp_path / 'catalog.sqlite3'}")
    database.upgrade()
    database.dispose()

    def refuse(self) -> bool:
        raise AssertionError("migrated although AUTO_MIGRATE is off")

    monkeypatch.setattr(Database, "upgrade", refuse)
    app = create_app({**config(tmp_path), "AUTO_MIGRATE": False})
    assert get_search_index(app).exists()
