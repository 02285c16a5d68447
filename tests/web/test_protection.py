"""Protection: security headers on every response, the rate limit on checks, the body limit."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from factcheck.app import create_app
from factcheck.web.protection import CONTENT_SECURITY_POLICY


@pytest.fixture
def limited_app(test_config: dict[str, object]):
    """An app whose checks are limited to 2 a minute per client."""
    app = create_app({**test_config, "RATE_LIMIT": "2/minute", "RATELIMIT_ENABLED": True})
    yield app
    app.extensions["factcheck.search.index"].close()
    app.extensions["factcheck.database"].dispose()


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/", None),
        ("get", "/check?claim=Easthaven+handled+ships", None),
        ("get", "/check?claim=", None),
        ("get", "/sources", None),
        ("get", "/no-such-page", None),
        ("get", "/login", None),
        ("get", "/api/v1/health", None),
        ("get", "/api/v1/openapi.json", None),
        ("post", "/api/v1/verify", {"claim": "Easthaven handled 7,200 ships"}),
        ("post", "/api/v1/verify", {"claim": ""}),
        ("get", "/static/style.css", None),
    ],
)
def test_every_response_has_the_security_headers(client, method, path, body) -> None:
    response = getattr(client, method)(path, json=body)
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_templates_have_no_inline_script_or_style() -> None:
    templates = Path(__file__).resolve().parents[2] / "factcheck" / "templates"
    for template in templates.rglob("*.html"):
        text = template.read_text(encoding="utf-8").lower()
        for forbidden in ("<script>", "<style", " style=", " onclick=", " onload=", "javascript:"):
            assert forbidden not in text, f"{template.name} has {forbidden!r}: the CSP blocks it"


def test_session_cookie_flags(app: Flask) -> None:
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_checks_are_not_limited_in_tests_by_default(client) -> None:
    for _ in range(5):
        response = client.post("/api/v1/verify", json={"claim": "Easthaven handled ships"})
        assert response.status_code == 200


def test_api_and_page_share_one_budget_per_client(limited_app: Flask) -> None:
    client = limited_app.test_client()
    assert client.post("/api/v1/verify", json={"claim": "ships in 2022"}).status_code == 200
    assert client.get("/check?claim=ships+in+2022").status_code == 200

    refused = client.post("/api/v1/verify", json={"claim": "ships in 2022"})
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "too_many_requests"
    assert set(refused.get_json()["error"]) == {"code", "message", "fields"}
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY

    page = client.get("/check?claim=ships+in+2022", headers={"Accept": "text/html"})
    assert page.status_code == 429
    assert page.mimetype == "text/html"
    assert "Retry-After" in page.headers

    # Other requests are not counted, and another client has its own budget.
    assert client.get("/api/v1/health").status_code == 200
    assert client.get("/").status_code == 200
    other = limited_app.test_client()
    response = other.post(
        "/api/v1/verify",
        json={"claim": "ships in 2022"},
        environ_base={"REMOTE_ADDR": "127.0.0.2"},
    )
    assert response.status_code == 200


def test_rate_limit_off(test_config: dict[str, object]) -> None:
    app = create_app({**test_config, "RATE_LIMIT": "off", "RATELIMIT_ENABLED": True})
    client = app.test_client()
    for _ in range(4):
        assert client.post("/api/v1/verify", json={"claim": "ships in 2022"}).status_code == 200
    assert "factcheck.limiter" not in app.extensions
    app.extensions["factcheck.search.index"].close()
    app.extensions["factcheck.database"].dispose()


@pytest.mark.parametrize("path", ["/api/v1/verify", "/api/v1/sources"])
def test_a_body_over_the_limit_is_refused_with_413(
    app: Flask, client, auth_headers: dict[str, str], path: str
) -> None:
    assert app.config["MAX_CONTENT_LENGTH"] == 1024 * 1024
    body = b'{"claim": "' + b"x" * (1024 * 1024) + b'"}'
    response = client.post(path, data=body, content_type="application/json", headers=auth_headers)
    assert response.status_code == 413
    error = response.get_json()["error"]
    assert error["code"] == "payload_too_large"
    assert set(error) == {"code", "message", "fields"}


# Issue 12, finding 7: hostile requests get a 4xx in the error body, never a 500.


@pytest.mark.parametrize(
    "body",
    [
        "[" * 1000 + "]" * 1000,
        '{"claim": ' + "[" * 1000 + "]" * 1000 + "}",
        '{"claim": "Iran", "x": ' + '{"a": ' * 5000 + "1" + "}" * 5000 + "}",
    ],
    ids=["array", "inside-claim", "objects"],
)
def test_deeply_nested_json_is_a_400(client, body: str) -> None:
    response = client.post("/api/v1/verify", data=body, content_type="application/json")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "bad_request" and "nested" in error["message"]


def test_nesting_inside_strings_does_not_count(client) -> None:
    body = '{"claim": "' + "[{" * 100 + '", "limit": 1}'
    response = client.post("/api/v1/verify", data=body, content_type="application/json")
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/verify", "/api/v1/health", "/"])
def test_trace_is_a_405_that_says_what_is_allowed(client, path: str) -> None:
    response = client.open(path, method="TRACE")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"] or "POST" in response.headers["Allow"]
    assert "TRACE" not in response.headers["Allow"]
