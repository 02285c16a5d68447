"""What changed after an import: recent claims re-checked in the background, the verdicts that
moved listed on /review/changes, and a signed-off review of a moved claim flagged."""

from __future__ import annotations

from pathlib import Path

import pytest

from factcheck.catalog.models import ClaimCheck, VerdictChange
from factcheck.review.rechecks import get_rechecker
from factcheck.settings import SETTINGS
from factcheck.web import check_log

CLAIM = "Easthaven handled 7,200 ships in 2022"

REFUTING = """---
id: harbour-correction
title: Harbour figures corrected
publisher: The Port Gazette
url: https://example.org/harbour-correction
published: 2023-04-02
---

Easthaven did not handle 7,200 ships in 2022: the port handled 3,100 ships in 2022.

Officials said the earlier figure was wrong.
"""


@pytest.fixture
def logged(app, client, imported) -> dict:
    """The fixture claim checked once through the API (so it is in the check log)."""
    body = client.post("/api/v1/verify", json={"claim": CLAIM}).get_json()
    assert body["verdict"] == "supported"
    check_log.flush(app)  # the log is written in the background
    return body


def import_refutation(runner, tmp_path: Path):
    directory = tmp_path / "more"
    directory.mkdir()
    (directory / "correction.md").write_text(REFUTING, encoding="utf-8")
    result = runner.invoke(args=["import", str(directory)])
    assert result.exit_code == 0, result.output
    return result


def test_the_recheck_settings_are_registered() -> None:
    names = {setting.name for setting in SETTINGS}
    assert {"RECHECK_DAYS", "RECHECK_LIMIT"} <= names


def test_an_import_that_moves_a_logged_verdict_is_listed(
    app, runner, reviewer_client, logged, tmp_path
) -> None:
    result = import_refutation(runner, tmp_path)
    assert "re-checked: 1 claims, 1 verdicts moved" in result.output
    with app.extensions["factcheck.database"].session() as session:
        [change] = session.query(VerdictChange).all()
        check = session.get(ClaimCheck, change.check_id)
        assert (change.before, change.after) == ("supported", check.verdict)
        assert change.after != "supported"
        assert change.passage_id and change.passage_text
    page = reviewer_client.get("/review/changes")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert CLAIM in text and "Sign it off" in text
    assert f"/review/checks/{change.check_id}" in text
    assert "/review/changes" in reviewer_client.get("/review/").get_data(as_text=True)


def test_an_import_that_moves_nothing_records_nothing(app, runner, logged, tmp_path) -> None:
    directory = tmp_path / "unrelated"
    directory.mkdir()
    (directory / "weather.md").write_text(
        "---\nid: weather\ntitle: Rain\n---\n\nIt rained in Westford on Tuesday afternoon.\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["import", str(directory)])
    assert result.exit_code == 0, result.output
    with app.extensions["factcheck.database"].session() as session:
        assert session.query(VerdictChange).count() == 0


def test_the_page_escapes_the_passage_text(app, reviewer_client, logged) -> None:
    with app.extensions["factcheck.database"].session() as session:
        check = session.query(ClaimCheck).one()
        session.add(
            VerdictChange(
                check_id=check.id,
                claim=check.claim,
                before="supported",
                after="refuted",
                confidence=0.8,
                passage_id="x-1",
                passage_text="<script>alert('moved')</script>",
            )
        )
    text = reviewer_client.get("/review/changes").get_data(as_text=True)
    assert "<script>alert(" not in text
    assert "&lt;script&gt;alert(" in text


def test_the_page_needs_a_signed_in_reviewer(client) -> None:
    assert client.get("/review/changes").status_code in (302, 401)


def test_a_signed_off_review_of_a_moved_claim_needs_another_look(
    app, runner, client, reviewer_client, auth_headers, logged, tmp_path
) -> None:
    response = client.post(
        "/api/v1/reviews",
        json={
            "claim": CLAIM,
            "verdict": "supported",
            "rationale": "The port's annual report says so.",
            "passage_ids": [logged["supporting"][0]["passage_id"]],
        },
        headers=auth_headers,
    )
    assert response.status_code == 201, response.get_json()
    review_id = response.get_json()["id"]
    import_refutation(runner, tmp_path)
    body = client.get(f"/api/v1/sign-offs/{review_id}", headers=auth_headers).get_json()
    assert body["needs_another_look"] is True
    [change] = body["changes"]
    assert change["action"] == "verdict" and "moved from supported" in change["detail"]
    home = reviewer_client.get("/review/").get_data(as_text=True)
    assert "Needs another look" in home and "moved from supported" in home


def test_one_pass_at_a_time_and_only_after_the_index_moved(app, logged) -> None:
    rechecker = get_rechecker(app)
    rechecker.join()
    assert rechecker.poke() is False  # the index has not moved since the last pass


def test_a_curation_change_rechecks_in_the_background(app, client, auth_headers, logged) -> None:
    passage_id = logged["supporting"][0]["passage_id"]
    passage = client.get(f"/api/v1/passages/{passage_id}", headers=auth_headers).get_json()
    response = client.patch(
        f"/api/v1/passages/{passage_id}",
        json={"version": passage["version"], "excluded": True, "reason": "misread"},
        headers=auth_headers,
    )
    assert response.status_code == 200, response.get_json()
    get_rechecker(app).join(timeout=60)
    with app.extensions["factcheck.database"].session() as session:
        [change] = session.query(VerdictChange).all()
        assert change.before == "supported" and change.after != "supported"
