"""Sign-off through the API: ``POST /api/v1/reviews`` with a bearer token, audited like the page,
201 with the review, 422 naming the field at fault, and in the OpenAPI document."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from factcheck.catalog.models import AuditEntry, ClaimCheck, ClaimReview

CLAIM = "Easthaven handled 7,200 ships in 2022"
RATIONALE = "The port's own report gives 6,900 ships."


@pytest.fixture
def passage_id(client, imported) -> str:
    """A passage the fixture claim's check cites."""
    checked = client.post("/api/v1/verify", json={"claim": CLAIM}).get_json()
    return checked["supporting"][0]["passage_id"]


def review_of(passage_id: str, **changes) -> dict:
    body = {
        "claim": CLAIM,
        "verdict": "refuted",
        "rationale": RATIONALE,
        "passage_ids": [passage_id],
    }
    return {**body, **changes}


def test_a_sign_off_through_the_api_is_saved_audited_and_published(
    app, client, auth_headers, passage_id
) -> None:
    response = client.post("/api/v1/reviews", json=review_of(passage_id), headers=auth_headers)
    assert response.status_code == 201, response.get_json()
    review = response.get_json()
    assert review["claim"] == CLAIM and review["verdict"] == "refuted"
    assert review["automatic_verdict"] == "supported" and review["confirmed"] is False
    assert review["passage_ids"] == [passage_id] and review["reviewer"] == "alice"
    assert response.headers["Location"] == review["claim_review"]
    assert review["claim_review"].endswith(f"/api/v1/reviews/{review['id']}")
    published = client.get(f"/api/v1/reviews/{review['id']}").get_json()
    assert published["reviewBody"] == RATIONALE
    page = client.get("/check", query_string={"claim": CLAIM}).get_data(as_text=True)
    assert "signed off by alice" in page
    with app.extensions["factcheck.database"].session() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "sign_off")).one()
        assert (entry.actor, entry.entity_id) == ("alice", str(review["id"]))
        assert entry.after["passage_ids"] == [passage_id]


def test_the_claim_is_matched_to_its_logged_check_however_it_is_written(
    app, client, auth_headers, passage_id
) -> None:
    written_otherwise = "  easthaven handled 7,200 ships in 2022. "
    response = client.post(
        "/api/v1/reviews", json=review_of(passage_id, claim=written_otherwise), headers=auth_headers
    )
    assert response.status_code == 201, response.get_json()
    with app.extensions["factcheck.database"].session() as session:
        assert session.scalar(select(ClaimCheck.times_asked)) == 1  # the one check, not a new one
        assert session.scalar(select(ClaimReview.claim)) == CLAIM


def test_a_claim_never_checked_is_checked_and_logged_first(app, client, auth_headers) -> None:
    response = client.post(
        "/api/v1/reviews",
        json={
            "claim": "Penguins run the harbour authority",
            "verdict": "not_enough_evidence",
            "rationale": "Nothing in the sources says so.",
        },
        headers=auth_headers,
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["passage_ids"] == []
    with app.extensions["factcheck.database"].session() as session:
        assert session.scalar(select(ClaimCheck.claim)) == "Penguins run the harbour authority"


@pytest.mark.parametrize(
    ("changes", "field", "problem"),
    [
        ({"verdict": "mostly true"}, "verdict", "Must be one of"),
        ({"rationale": "   "}, "rationale", "Say why, in 1 to 5000 characters."),
        ({"claim": "no"}, "claim", "Length must be between 3 and 500"),
        ({"passage_ids": ["harbour-report:nope"]}, "passage_ids", "unknown passage"),
        ({"passage_ids": []}, "passage_ids", "cite at least one passage"),
        ({"passage_ids": "harbour-report:x"}, "passage_ids", "Not a valid list"),
        ({"surprise": 1}, "surprise", "Unknown field"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(
    app, client, auth_headers, passage_id, changes: dict, field: str, problem: str
) -> None:
    response = client.post(
        "/api/v1/reviews", json=review_of(passage_id, **changes), headers=auth_headers
    )
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert problem in " ".join(str(message) for message in _flatten(error["fields"][field]))
    with app.extensions["factcheck.database"].session() as session:
        assert session.scalar(select(ClaimReview.id)) is None
        assert not session.scalars(select(AuditEntry).where(AuditEntry.action == "sign_off")).all()


def _flatten(messages) -> list:
    if isinstance(messages, dict):
        return [m for value in messages.values() for m in _flatten(value)]
    if isinstance(messages, list):
        return [m for value in messages for m in _flatten(value)]
    return [messages]


def test_a_missing_field_is_named(client, auth_headers, imported) -> None:
    response = client.post("/api/v1/reviews", json={"claim": CLAIM}, headers=auth_headers)
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert set(fields) == {"verdict", "rationale"}


def test_sign_off_needs_a_token(client, imported) -> None:
    response = client.post("/api/v1/reviews", json={"claim": CLAIM})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert client.get("/api/v1/reviews").status_code == 200  # the feed stays public


def test_the_openapi_document_has_the_sign_off(client) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    reviews = document["paths"]["/api/v1/reviews"]
    assert "get" in reviews
    post = reviews["post"]
    assert post["security"] == [{"bearerAuth": []}]
    assert set(post["responses"]) >= {"201", "401", "422"}
    body = post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    create = document["components"]["schemas"][body.rsplit("/", 1)[1]]
    assert set(create["required"]) == {"claim", "verdict", "rationale"}
    assert "not_enough_evidence" in create["properties"]["verdict"]["enum"]
