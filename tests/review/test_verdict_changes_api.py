"""GET /api/v1/changes: the verdicts that moved (what /review/changes lists) as JSON, for
token holders, paged and filtered by day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from moved_verdicts import CLAIM, import_refutation

from factcheck.catalog.models import ClaimCheck, VerdictChange


def add_moves(app, moments: list[datetime]) -> int:
    """Moved verdicts of the logged claim, one at each moment; the check's id."""
    with app.extensions["factcheck.database"].session() as session:
        check = session.query(ClaimCheck).one()
        for number, moment in enumerate(moments):
            session.add(
                VerdictChange(
                    check_id=check.id,
                    claim=check.claim,
                    before="supported",
                    after="refuted",
                    confidence=0.5 + number / 100,
                    passage_id=f"p-{number}",
                    passage_text=f"passage {number}",
                    at=moment,
                )
            )
        return check.id


def test_the_api_lists_the_verdicts_an_import_moved(
    app, runner, client, auth_headers, logged, tmp_path
) -> None:
    import_refutation(runner, tmp_path)
    response = client.get("/api/v1/changes", headers=auth_headers)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["total"], body["page"], body["pages"]) == (1, 1, 1)
    [change] = body["items"]
    assert set(change) == {
        "id",
        "check_id",
        "claim",
        "before",
        "after",
        "confidence",
        "passage_id",
        "passage_text",
        "at",
        "sign_off",
    }
    assert change["claim"] == CLAIM and change["before"] == "supported"
    assert change["after"] != "supported" and change["passage_text"]
    assert change["sign_off"].endswith(f"/review/checks/{change['check_id']}")
    assert datetime.fromisoformat(change["at"]).tzinfo is not None


def test_the_api_needs_a_token(client, logged) -> None:
    response = client.get("/api/v1/changes")
    assert response.status_code == 401
    assert set(response.get_json()) == {"error"}  # the standard error body


def test_the_api_pages_newest_first(app, client, auth_headers, logged) -> None:
    now = datetime.now(UTC)
    add_moves(app, [now - timedelta(hours=hours) for hours in (3, 1, 2)])
    first = client.get("/api/v1/changes?per_page=2", headers=auth_headers).get_json()
    assert (first["total"], first["pages"], first["per_page"]) == (3, 2, 2)
    assert [item["passage_id"] for item in first["items"]] == ["p-1", "p-2"]
    second = client.get("/api/v1/changes?per_page=2&page=2", headers=auth_headers).get_json()
    assert [item["passage_id"] for item in second["items"]] == ["p-0"]


def test_the_api_filters_by_day(app, client, auth_headers, logged) -> None:
    add_moves(
        app,
        [
            datetime(2026, 3, 1, 23, 59, tzinfo=UTC),
            datetime(2026, 3, 2, 0, 0, tzinfo=UTC),
            datetime(2026, 3, 4, 12, 0, tzinfo=UTC),
        ],
    )

    def moved(query: str) -> list[str]:
        body = client.get(f"/api/v1/changes?{query}", headers=auth_headers).get_json()
        assert body["total"] == len(body["items"]), body
        return sorted(item["passage_id"] for item in body["items"])

    assert moved("since=2026-03-02") == ["p-1", "p-2"]
    assert moved("until=2026-03-01") == ["p-0"]
    assert moved("since=2026-03-02&until=2026-03-03") == ["p-1"]
    assert moved("since=2026-03-04&until=2026-03-04") == ["p-2"]
    assert moved("since=2026-03-05") == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("since=yesterday", "since"),
        ("until=2026-02-30", "until"),
        ("since=2026-03-02&until=2026-03-01", "since"),
        ("sinse=2026-03-01", "sinse"),
        ("since=2026-03-01&since=2026-03-02", "since"),
    ],
)
def test_the_api_refuses_a_bad_filter(client, auth_headers, logged, query, field) -> None:
    response = client.get(f"/api/v1/changes?{query}", headers=auth_headers)
    assert response.status_code == 422
    assert field in str(response.get_json()["error"])


def test_the_api_is_in_the_openapi_document(client) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/changes"]["get"]
    assert operation["security"] == [{"bearerAuth": []}]
    parameters = {parameter["name"] for parameter in operation["parameters"]}
    assert {"since", "until", "page", "per_page"} <= parameters
    assert {"200", "401", "422"} <= set(operation["responses"])
