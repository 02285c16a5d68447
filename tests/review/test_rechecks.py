"""What changed after an import: recent claims re-checked in the background, the verdicts that
moved listed on /review/changes, and a signed-off review of a moved claim flagged."""

from __future__ import annotations

import threading

from moved_verdicts import CLAIM, import_refutation

from factcheck.catalog.models import ClaimCheck, VerdictChange
from factcheck.review.rechecks import get_rechecker
from factcheck.settings import SETTINGS


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


def test_two_processes_rechecking_one_claim_record_one_change(database) -> None:
    """Two re-checks of one claim racing (two workers, or two nodes on PostgreSQL): the second
    waits for the first's transaction and then records nothing, so one change is listed."""
    from factcheck.engine.verify import Result
    from factcheck.review.rechecks import record_moved_verdict

    with database.session() as session:
        check = ClaimCheck(
            normalised_claim="easthaven 7200 ships",
            claim=CLAIM,
            verdict="supported",
            confidence=0.9,
        )
        session.add(check)
        session.flush()
        check_id = check.id
    result = Result(CLAIM, "refuted", 0.8, "One source contradicts it.", (), (), (), "v", 1.0)
    outcome: list[object] = []

    def second_recheck() -> None:
        with database.session() as session:
            outcome.append(record_moved_verdict(session, check_id, CLAIM, "supported", result))

    first = database.session_factory()
    try:
        assert record_moved_verdict(first, check_id, CLAIM, "supported", result) is not None
        racer = threading.Thread(target=second_recheck)
        racer.start()
        racer.join(0.5)  # it is waiting for the first's uncommitted change
        first.commit()
    finally:
        first.close()
    racer.join(10)
    assert outcome == [None]
    with database.session() as session:
        assert session.query(VerdictChange).count() == 1
        assert session.get(ClaimCheck, check_id).verdict == "refuted"
