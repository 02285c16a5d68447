"""Reviews that notice when their evidence changes: a cited passage excluded or corrected, or
its source retired, marks the newest review "needs another look"; a new sign-off clears it."""

from __future__ import annotations

import html

import pytest

CLAIM = "Easthaven handled 7,200 ships in 2022"


@pytest.fixture
def review(client, auth_headers, imported) -> dict:
    """The fixture claim signed off through the API, citing its best supporting passage."""
    checked = client.post("/api/v1/verify", json={"claim": CLAIM}).get_json()
    passage_id = checked["supporting"][0]["passage_id"]
    response = client.post(
        "/api/v1/reviews",
        json={
            "claim": CLAIM,
            "verdict": "supported",
            "rationale": "The port's annual report says so.",
            "passage_ids": [passage_id],
        },
        headers=auth_headers,
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["needs_another_look"], body["changes"]) == (False, [])
    return body


def edit_passage(client, auth_headers, passage_id: str, **changes) -> None:
    passage = client.get(f"/api/v1/passages/{passage_id}", headers=auth_headers).get_json()
    response = client.patch(
        f"/api/v1/passages/{passage_id}",
        json={"version": passage["version"], **changes},
        headers=auth_headers,
    )
    assert response.status_code == 200, response.get_json()


def status(client, auth_headers, review_id: int) -> dict:
    response = client.get(f"/api/v1/sign-offs/{review_id}", headers=auth_headers)
    assert response.status_code == 200
    return response.get_json()


def change_by_action(body: dict, action: str) -> dict:
    """The one change of ``action`` among a review's changes."""
    [change] = [change for change in body["changes"] if change["action"] == action]
    return change


def test_excluding_a_cited_passage_flags_the_review_with_the_reason(
    client, auth_headers, review
) -> None:
    assert status(client, auth_headers, review["id"])["needs_another_look"] is False
    passage_id = review["passage_ids"][0]
    edit_passage(client, auth_headers, passage_id, excluded=True, reason="misattributed figure")
    body = status(client, auth_headers, review["id"])
    assert body["needs_another_look"] is True
    # The background re-check may also have noted that the automatic verdict moved.
    change = change_by_action(body, "exclude")
    assert (change["passage_id"], change["actor"]) == (passage_id, "alice")
    assert "misattributed figure" in change["detail"]


def test_correcting_a_cited_passage_flags_the_review_with_the_old_text(
    client, auth_headers, review
) -> None:
    passage_id = review["passage_ids"][0]
    old = client.get(f"/api/v1/passages/{passage_id}", headers=auth_headers).get_json()["text"]
    edit_passage(client, auth_headers, passage_id, text="The port handled 6,900 ships in 2022.")
    change = change_by_action(status(client, auth_headers, review["id"]), "correct")
    assert old in change["detail"]


def test_a_note_on_a_cited_passage_does_not_flag_it(client, auth_headers, review) -> None:
    edit_passage(client, auth_headers, review["passage_ids"][0], note="checked against the PDF")
    assert status(client, auth_headers, review["id"])["needs_another_look"] is False


def test_retiring_the_source_flags_the_review(client, auth_headers, review) -> None:
    response = client.patch(
        "/api/v1/sources/harbour-report", json={"retired": True}, headers=auth_headers
    )
    assert response.status_code == 200
    change = change_by_action(status(client, auth_headers, review["id"]), "retire")
    assert "retired" in change["detail"]


def test_the_pages_show_the_flag_and_a_new_sign_off_clears_it(
    client, reviewer_client, auth_headers, review
) -> None:
    passage_id = review["passage_ids"][0]
    edit_passage(client, auth_headers, passage_id, excluded=True, reason="misattributed <figure>")

    public = client.get("/check", query_string={"claim": CLAIM}).data.decode()
    assert "This review predates a change to its evidence" in public
    assert html.escape("misattributed <figure>") in public and "<figure>" not in public

    home = reviewer_client.get("/review/").data.decode()
    assert "Needs another look" in home
    assert home.index("Needs another look") < home.index("Most asked claims")
    assert CLAIM in home[home.index("Needs another look") : home.index("Most asked claims")]
    checks = reviewer_client.get("/review/checks").data.decode()
    assert "needs another look" in checks
    sign_off_page = reviewer_client.get(f"/review/checks/{review['check_id']}").data.decode()
    assert "Needs another look" in sign_off_page and "misattributed" in sign_off_page

    again = client.post(
        "/api/v1/reviews",
        json={"claim": CLAIM, "verdict": "not_enough_evidence", "rationale": "Nothing left."},
        headers=auth_headers,
    )
    assert again.status_code == 201
    assert again.get_json()["needs_another_look"] is False
    assert status(client, auth_headers, review["id"])["needs_another_look"] is True  # the old one
    public = client.get("/check", query_string={"claim": CLAIM}).data.decode()
    assert "predates a change" not in public
    assert "Needs another look" not in reviewer_client.get("/review/").data.decode()


def test_an_unknown_sign_off_is_a_404_and_needs_a_token(client, auth_headers) -> None:
    assert client.get("/api/v1/sign-offs/99", headers=auth_headers).status_code == 404
    assert client.get("/api/v1/sign-offs/99").status_code == 401
