"""Token pages: a reviewer names, creates (seen once), lists and revokes their own API tokens."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import select

from factcheck.catalog.models import AuditEntry
from factcheck.review.reviewers import add_reviewer, issue_token, live_tokens

TOKEN = re.compile(r'id="new-token-value"[^>]*value="([^"]+)"')


def audit_actions(app: Flask) -> list[tuple[str, str, dict | None]]:
    with app.extensions["factcheck.database"].session() as session:
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(e.actor, e.action, e.after) for e in entries if "token" in e.action]


def create(client, label: str):
    return client.post("/review/tokens/", data={"label": label})


def test_a_new_token_is_shown_once_and_works_on_the_api(reviewer_client, app) -> None:
    response = create(reviewer_client, "nightly import script")
    assert response.status_code == 201
    page = response.get_data(as_text=True)
    token = TOKEN.search(page).group(1)
    assert token.startswith("fc_")
    assert "will not be shown again" in page
    listed = reviewer_client.get("/review/tokens/").get_data(as_text=True)
    assert "nightly import script" in listed
    assert token not in listed  # shown once, never again
    api = app.test_client().get("/api/v1/sources", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200
    assert audit_actions(app) == [
        ("alice", "issue_token", {"token_id": 1, "label": "nightly import script"})
    ]


@pytest.mark.parametrize(("label", "problem"), [("", "Not created: name"), ("x" * 81, "80")])
def test_a_token_needs_a_short_name(reviewer_client, app, label: str, problem: str) -> None:
    response = create(reviewer_client, label)
    assert response.status_code == 422
    assert problem in response.get_data(as_text=True)
    assert not TOKEN.search(response.get_data(as_text=True))
    assert audit_actions(app) == []


def test_revoking_a_token_stops_it_and_is_audited(reviewer_client, app) -> None:
    token = TOKEN.search(create(reviewer_client, "laptop").get_data(as_text=True)).group(1)
    response = reviewer_client.post("/review/tokens/1/revoke")
    assert response.status_code == 302
    page = reviewer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Revoked the token “laptop”." in page
    assert "You have no live token." in page
    api = app.test_client().get("/api/v1/sources", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 401
    assert audit_actions(app)[-1] == ("alice", "revoke_token", {"token_ids": [1]})
    assert reviewer_client.post("/review/tokens/1/revoke").status_code == 404  # already revoked


def test_a_reviewer_sees_and_revokes_only_their_own_tokens(reviewer_client, app) -> None:
    with app.extensions["factcheck.database"].session() as session:
        add_reviewer(session, "bob", "another long password")
        issue_token(session, "bob", label="bob's script")
    page = reviewer_client.get("/review/tokens/").get_data(as_text=True)
    assert "bob&#39;s script" not in page and "bob's script" not in page
    assert reviewer_client.post("/review/tokens/1/revoke").status_code == 404
    with app.extensions["factcheck.database"].session() as session:
        assert [t.label for t in live_tokens(session, "bob")] == ["bob's script"]


def test_token_forms_need_a_csrf_token(reviewer_client, app) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    assert create(reviewer_client, "forged").status_code == 400
    page = reviewer_client.get("/review/tokens/").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = reviewer_client.post("/review/tokens/", data={"label": "mine", "csrf_token": csrf})
    assert response.status_code == 201


def test_token_pages_need_a_signed_in_reviewer(client) -> None:
    response = client.get("/review/tokens/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
