"""Exports: checked claims with their newest sign-off as CSV and JSON, filtered by date range
and verdict, on the reviewers' pages and through the API, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from factcheck.catalog.models import ClaimCheck
from factcheck.engine.verify import Result
from factcheck.review.claim_reviews import sign_off
from factcheck.review.exports import COLUMNS, csv_cell, to_csv
from factcheck.review.reviewers import ReviewerIdentity
from factcheck.web.check_records import record_check

ALICE = ReviewerIdentity(1, "alice", True)
NOW = datetime.now(UTC)


def result(claim: str, verdict: str) -> Result:
    return Result(claim, verdict, 0.8, "", (), (), (), "v", 1.0)


@pytest.fixture
def logged(app, reviewer) -> dict[str, int]:
    """Three checked claims asked on three days; one signed off, overriding its verdict."""
    with app.extensions["factcheck.database"].session() as session:
        ids = {
            "old": record_check(session, result("Old claim about ships", "supported")),
            "evil": record_check(session, result('=HYPERLINK("http://x")', "refuted")),
            "new": record_check(session, result("New claim about ports", "supported")),
        }
        for name, days_ago in (("old", 20), ("evil", 5), ("new", 0)):
            session.execute(
                update(ClaimCheck)
                .where(ClaimCheck.id == ids[name])
                .values(last_asked=NOW - timedelta(days=days_ago))
            )
        sign_off(
            session, ids["new"], verdict="not_enough_evidence", automatic_verdict="supported",
            rationale="-1 ships: the report says otherwise", passage_ids=[], reviewer=ALICE,
        )  # fmt: skip
    return ids


def day(days_ago: int) -> str:
    return (NOW - timedelta(days=days_ago)).date().isoformat()


def test_csv_cells_never_start_a_formula() -> None:
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"):
        assert csv_cell(text) == "'" + text
    assert csv_cell("Ships = 7,200") == "Ships = 7,200"
    assert csv_cell(["a", "b"]) == "a b" and csv_cell(None) == "" and csv_cell(True) == "true"
    assert to_csv([]).splitlines() == [",".join(COLUMNS)]


def test_api_json_export_filters_by_date_and_verdict(client, auth_headers, logged) -> None:
    response = client.get("/api/v1/exports/checks.json", headers=auth_headers)
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_json()
    assert [row["check_id"] for row in body["checks"]] == [
        logged["new"],
        logged["evil"],
        logged["old"],
    ]
    new = body["checks"][0]
    assert (new["verdict"], new["automatic_verdict"], new["review_verdict"], new["reviewer"]) == (
        "not_enough_evidence", "supported", "not_enough_evidence", "alice",
    )  # fmt: skip
    assert new["needs_another_look"] is False

    recent = client.get(
        "/api/v1/exports/checks.json",
        query_string={"since": day(10), "until": day(1)},
        headers=auth_headers,
    ).get_json()
    assert [row["check_id"] for row in recent["checks"]] == [logged["evil"]]
    assert recent["filters"] == {"since": day(10), "until": day(1)}

    def with_verdict(verdict: str) -> list[int]:
        body = client.get(
            "/api/v1/exports/checks.json", query_string={"verdict": verdict}, headers=auth_headers
        ).get_json()
        return [row["check_id"] for row in body["checks"]]

    # The reviewer's verdict counts where there is one, the automatic one elsewhere.
    assert with_verdict("not_enough_evidence") == [logged["new"]]
    assert with_verdict("supported") == [logged["old"]]
    assert with_verdict("refuted") == [logged["evil"]]


def test_api_csv_export_is_safe_in_a_spreadsheet(client, auth_headers, logged) -> None:
    response = client.get("/api/v1/exports/checks.csv", headers=auth_headers)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert ".csv" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.data.decode())))
    assert len(rows) == 3
    by_id = {int(row["check_id"]): row for row in rows}
    assert by_id[logged["evil"]]["claim"] == '\'=HYPERLINK("http://x")'
    assert by_id[logged["new"]]["rationale"] == "'-1 ships: the report says otherwise"
    assert by_id[logged["old"]]["reviewer"] == ""


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"since": "yesterday"}, "since"),
        ({"until": "2026-13-01"}, "until"),
        ({"verdict": "true"}, "verdict"),
        ({"since": "2026-02-01", "until": "2026-01-01"}, "since"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_api_export_refuses_bad_filters_with_a_422(client, auth_headers, query, field) -> None:
    response = client.get("/api/v1/exports/checks.csv", query_string=query, headers=auth_headers)
    assert response.status_code == 422
    assert field in str(response.get_json()["error"])


def test_api_export_needs_a_token(client) -> None:
    assert client.get("/api/v1/exports/checks.json").status_code == 401


def test_reviewer_pages_export_and_refuse(reviewer_client, client, logged) -> None:
    page = reviewer_client.get("/review/checks").data.decode()
    assert "/review/exports/checks.csv" in page and "/review/exports/checks.json" in page
    response = reviewer_client.get(
        "/review/exports/checks.csv",
        query_string={"verdict": "supported", "since": "", "until": ""},
    )
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.data.decode())))
    assert [int(row["check_id"]) for row in rows] == [logged["old"]]
    body = reviewer_client.get("/review/exports/checks.json").get_json()
    assert body["count"] == 3
    refused = reviewer_client.get("/review/exports/checks.json", query_string={"since": "soon"})
    assert refused.status_code == 422 and b"since" in refused.data
    anonymous = client.get("/review/exports/checks.csv")
    assert anonymous.status_code in (302, 401)
