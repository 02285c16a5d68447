"""Index drift: missing, stale and extra passages found and repaired, and the command."""

from __future__ import annotations

import json
import shutil

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select, update

from factcheck.catalog.models import Passage
from factcheck.extensions import get_database, get_search_index
from factcheck.ingest.passages import content_hash
from factcheck.search import drift as index_drift
from factcheck.search.drift import find_drift, repair_at_start, repair_drift

pytestmark = pytest.mark.usefixtures("imported")


def active_ids(app: Flask) -> list[str]:
    """The ids of the fixture article's active passages, in order."""
    with get_database(app).session() as session:
        statement = select(Passage.id).where(Passage.excluded.is_(False)).order_by(Passage.id)
        return list(session.scalars(statement))


def set_text_behind_the_index(app: Flask, passage_id: str, text: str) -> None:
    """Change a passage's text in the catalog only, as a crash before the index update would."""
    with get_database(app).session() as session:
        session.execute(
            update(Passage)
            .where(Passage.id == passage_id)
            .values(text=text, content_hash=content_hash(text))
        )


def exclude_behind_the_index(app: Flask, passage_id: str) -> None:
    """Exclude a passage in the catalog only."""
    with get_database(app).session() as session:
        session.execute(
            update(Passage)
            .where(Passage.id == passage_id)
            .values(excluded=True, excluded_reason="test")
        )


def test_an_imported_catalog_is_in_step(app: Flask) -> None:
    drift = find_drift(get_database(app), get_search_index(app))
    assert drift.clean
    assert drift.catalog_passages == drift.indexed_passages > 0


@pytest.mark.parametrize(("share", "method"), [(100.0, "sources"), (0.0, "rebuild")])
def test_missing_stale_and_extra_are_found_and_repaired(
    app: Flask, monkeypatch: pytest.MonkeyPatch, share: float, method: str
) -> None:
    monkeypatch.setattr(index_drift, "REBUILD_SHARE", share)
    database, index = get_database(app), get_search_index(app)
    first, second, third = active_ids(app)[:3]
    index.delete_passages([first])
    set_text_behind_the_index(app, second, "The port handled 9,000 ships in 2022.")
    exclude_behind_the_index(app, third)

    drift = find_drift(database, index)
    assert (drift.missing, drift.stale, drift.extra) == ((first,), (second,), (third,))
    assert not drift.clean
    assert drift.as_dict()["sample"]["stale"] == [second]

    repair = repair_drift(database, index, drift)
    assert repair.method == method
    assert repair.after.clean, repair.after
    with index.searcher() as searcher:
        stored = {fields["passage_id"]: fields for fields in searcher.all_stored_fields()}
    assert stored[second]["text"] == "The port handled 9,000 ships in 2022."
    assert first in stored and third not in stored


def test_much_drift_is_repaired_by_a_rebuild(app: Flask) -> None:
    database, index = get_database(app), get_search_index(app)
    index.delete_passages(active_ids(app))
    repair = repair_drift(database, index)
    assert repair.method == "rebuild"
    assert repair.after.clean


def test_a_deleted_index_is_reported_and_rebuilt(app: Flask) -> None:
    database, index = get_database(app), get_search_index(app)
    index.close()
    shutil.rmtree(index.directory)
    drift = find_drift(database, index)
    assert drift.index_missing and not drift.clean
    assert repair_drift(database, index, drift).after.clean


def test_check_command_reports_then_repairs(app: Flask, runner: FlaskCliRunner) -> None:
    clean = runner.invoke(args=["index", "check"])
    assert clean.exit_code == 0, clean.output
    assert "in step" in clean.output

    passage_id = active_ids(app)[0]
    get_search_index(app).delete_passages([passage_id])
    found = runner.invoke(args=["index", "check"])
    assert found.exit_code == 1
    assert f"missing: 1 ({passage_id})" in found.output

    repaired = runner.invoke(args=["index", "check", "--repair", "--json"])
    assert repaired.exit_code == 0, repaired.output
    report = json.loads(repaired.output)
    assert report["before"]["missing"] == 1
    assert report["after"]["clean"] is True
    assert runner.invoke(args=["index", "check"]).exit_code == 0


def test_a_start_repairs_only_when_out_of_step(app: Flask) -> None:
    database, index = get_database(app), get_search_index(app)
    assert repair_at_start(database, index) is None
    index.delete_passages(active_ids(app)[:1])
    repair = repair_at_start(database, index)
    assert repair is not None and repair.after.clean


def test_a_start_repairs_stale_text_even_when_the_counts_agree(app: Flask) -> None:
    """Issue 12, finding 5: a kill -9 between a correction's commit and its index update left
    the same number of passages, so the start-up check (counts only) served stale text."""
    database, index = get_database(app), get_search_index(app)
    passage_id = active_ids(app)[0]
    set_text_behind_the_index(app, passage_id, "The corrected text the index never saw.")
    repair = repair_at_start(database, index)
    assert repair is not None and repair.after.clean
    with index.searcher() as searcher:
        stored = searcher.document(passage_id=passage_id)
    assert stored["text"] == "The corrected text the index never saw."
