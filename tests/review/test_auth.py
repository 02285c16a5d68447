"""Auth: pages need a signed-in reviewer, the curation API a live token, forms a CSRF token;
sign-in cookies are Secure, HTTP-only and SameSite; failed sign-ins are throttled."""

from __future__ import annotations

import re

import pytest

REVIEW_PAGES = [
    "/review/",
    "/review/sources",
    "/review/sources/new",
    "/review/sources/harbour-report",
    "/review/passages/harbour-report:x",
    "/review/audit",
    "/review/checks",
    "/review/checks/1",
]
API_CALLS = [
    ("get", "/api/v1/sources"),
    ("post", "/api/v1/sources"),
    ("get", "/api/v1/sources/harbour-report"),
    ("patch", "/api/v1/sources/harbour-report"),
    ("get", "/api/v1/passages/harbour-report:x"),
    ("patch", "/api/v1/passages/harbour-report:x"),
    ("get", "/api/v1/audit"),
]


def assert_error_body(body: dict, code: str) -> None:
    assert list(body) == ["error"]
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code


@pytest.mark.parametrize("path", REVIEW_PAGES)
def test_review_pages_send_strangers_to_sign_in(client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize(("method", "path"), API_CALLS)
def test_curation_api_refuses_calls_without_a_token(client, method: str, path: str) -> None:
    response = getattr(client, method)(path, json={})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert_error_body(response.get_json(), "unauthorized")


@pytest.mark.parametrize(
    "header", ["Bearer fc_not-a-token", "Basic YWxpY2U6cGFzc3dvcmQ=", "Bearer ", "fc_token"]
)
def test_curation_api_refuses_bad_tokens(client, token, header: str) -> None:
    response = client.get("/api/v1/sources", headers={"Authorization": header})
    assert response.status_code == 401
    assert_error_body(response.get_json(), "unauthorized")


def test_a_revoked_token_stops_working(client, runner, token) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/sources", headers=headers).status_code == 200
    assert runner.invoke(args=["reviewer", "revoke-token", "alice"]).exit_code == 0
    assert client.get("/api/v1/sources", headers=headers).status_code == 401


def test_a_signed_in_session_does_not_authorise_the_api(reviewer_client) -> None:
    """The API ignores the session cookie, which is why it needs no CSRF token."""
    assert reviewer_client.get("/review/").status_code == 200
    assert reviewer_client.get("/api/v1/sources").status_code == 401


def test_sign_in_and_out(reviewer_password, app, client, reviewer) -> None:
    app.config["WTF_CSRF_ENABLED"] = False
    response = client.post(
        "/login",
        data={"name": "alice", "password": reviewer_password, "next": "/review/audit"},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/review/audit"
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/review/").status_code == 200
    assert client.get("/logout").status_code == 200  # asks; only a POST signs out
    assert client.get("/review/").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/review/").status_code == 302


def test_secure_cookies_can_be_turned_off_for_plain_http(
    reviewer_password, app, client, reviewer
) -> None:
    from factcheck.app import create_app

    plain = create_app({**app.config, "SECURE_COOKIES": False, "WTF_CSRF_ENABLED": False})
    response = plain.test_client().post(
        "/login", data={"name": "alice", "password": reviewer_password}
    )
    assert response.status_code == 302
    assert "Secure" not in response.headers["Set-Cookie"]
    plain.extensions["factcheck.search.index"].close()
    plain.extensions["factcheck.database"].dispose()


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil"])
def test_sign_in_never_redirects_off_site(
    reviewer_password, app, client, reviewer, target: str
) -> None:
    app.config["WTF_CSRF_ENABLED"] = False
    response = client.post(
        "/login", data={"name": "alice", "password": reviewer_password, "next": target}
    )
    assert response.headers["Location"] == "/review/"


def test_a_wrong_password_is_refused(app, client, reviewer) -> None:
    app.config["WTF_CSRF_ENABLED"] = False
    response = client.post("/login", data={"name": "alice", "password": "not it at all"})
    assert response.status_code == 401
    assert b"do not match" in response.data
    assert client.get("/review/").status_code == 302


def test_failed_sign_ins_are_throttled(reviewer_password, app, client, reviewer) -> None:
    app.config["WTF_CSRF_ENABLED"] = False
    for _ in range(5):
        assert client.post("/login", data={"name": "alice", "password": "guess"}).status_code == 401
    response = client.post("/login", data={"name": "alice", "password": reviewer_password})
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert b"Too many failed sign-ins" in response.data
    assert client.get("/review/").status_code == 302


def csrf_token_of(page: bytes) -> str:
    """The CSRF token a page's forms carry."""
    return re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()


def test_sign_in_without_a_csrf_token_is_refused(reviewer_password, client, reviewer) -> None:
    response = client.post("/login", data={"name": "alice", "password": reviewer_password})
    assert response.status_code == 400
    assert b"CSRF" in response.data
    token = csrf_token_of(client.get("/login").data)
    response = client.post(
        "/login", data={"name": "alice", "password": reviewer_password, "csrf_token": token}
    )
    assert response.status_code == 302


def test_review_forms_without_a_csrf_token_are_refused(reviewer_client, app, imported) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    page = reviewer_client.get("/review/sources/harbour-report")
    forged = {"title": "Forged title"}
    response = reviewer_client.post("/review/sources/harbour-report", data=forged)
    assert response.status_code == 400
    wrong = reviewer_client.post(
        "/review/sources/harbour-report", data={**forged, "csrf_token": "forged"}
    )
    assert wrong.status_code == 400
    assert reviewer_client.post("/logout").status_code == 400
    assert b"Forged title" not in reviewer_client.get("/review/sources/harbour-report").data
    token = csrf_token_of(page.data)
    response = reviewer_client.post(
        "/review/sources/harbour-report", data={**forged, "csrf_token": token}
    )
    assert response.status_code == 302


def test_the_token_api_needs_no_csrf_token(client, app, auth_headers, imported) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.patch(
        "/api/v1/sources/harbour-report", json={"publisher": "Herald"}, headers=auth_headers
    )
    assert response.status_code == 200


# Issue 12, finding 3: a session ends for good, not only in the browser that signed out.


def copy_of_session(app, signed_in) -> object:
    """A second client holding a copy of ``signed_in``'s session cookie, as a thief would."""
    cookie = signed_in.get_cookie("session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    assert thief.get("/review/").status_code == 200
    return thief


def test_a_cookie_copied_before_logout_no_longer_opens_review(app, reviewer_client) -> None:
    thief = copy_of_session(app, reviewer_client)
    assert reviewer_client.post("/logout").status_code == 302
    response = thief.get("/review/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_signing_out_ends_the_reviewers_other_sessions_too(
    reviewer_password, app, reviewer_client
) -> None:
    other = app.test_client()
    response = other.post("/login", data={"name": "alice", "password": reviewer_password})
    assert response.status_code == 302
    reviewer_client.post("/logout")
    assert other.get("/review/").status_code == 302


@pytest.mark.parametrize("change", ["password", "deactivate"])
def test_a_password_change_or_deactivation_ends_every_session(
    app, reviewer_client, runner, change: str
) -> None:
    thief = copy_of_session(app, reviewer_client)
    if change == "password":
        result = runner.invoke(
            args=["reviewer", "password", "alice", "--password-stdin"],
            input="a brand new passphrase\n",
        )
    else:
        result = runner.invoke(args=["reviewer", "deactivate", "alice"])
    assert result.exit_code == 0, result.output
    assert thief.get("/review/").status_code == 302
    assert reviewer_client.get("/review/").status_code == 302
    if change == "password":
        fresh = app.test_client()
        response = fresh.post(
            "/login", data={"name": "alice", "password": "a brand new passphrase"}
        )
        assert response.status_code == 302 and fresh.get("/review/").status_code == 200
