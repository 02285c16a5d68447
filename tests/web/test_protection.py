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


# Many nodes (issue 13): one budget per client across processes and nodes, the client's own
# address behind a proxy, and a storage outage that never fails a check.

CHECK = {"claim": "ships in 2022"}


def limited(test_config: dict[str, object], **settings: object) -> Flask:
    """An app whose checks are limited to 2 a minute per client, with ``settings``."""
    return create_app(
        {**test_config, "RATE_LIMIT": "2/minute", "RATELIMIT_ENABLED": True, **settings}
    )


def close(*apps: Flask) -> None:
    for app in apps:
        app.extensions["factcheck.search.index"].close()
        app.extensions["factcheck.database"].dispose()


def check_from(app: Flask, address: str, forwarded_for: str | None = None) -> int:
    """The status of one check from ``address``, through a proxy that adds ``forwarded_for``."""
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    response = app.test_client().post(
        "/api/v1/verify", json=CHECK, headers=headers, environ_base={"REMOTE_ADDR": address}
    )
    return response.status_code


def test_the_default_storage_is_each_process_memory(test_config) -> None:
    first, second = limited(test_config), limited(test_config)
    assert first.config["RATE_LIMIT_STORAGE"] == "memory://"
    # Two processes (here two apps) each count the client on their own.
    assert [check_from(first, "192.0.2.1") for _ in range(3)] == [200, 200, 429]
    assert [check_from(second, "192.0.2.1") for _ in range(3)] == [200, 200, 429]
    close(first, second)


def test_a_redis_storage_is_one_budget_across_nodes(test_config, empty_redis_url: str) -> None:
    # Two apps stand for two nodes (or two workers): one Redis counts for both.
    node_a = limited(test_config, RATE_LIMIT_STORAGE=empty_redis_url)
    node_b = limited(test_config, RATE_LIMIT_STORAGE=empty_redis_url)
    statuses = [check_from(node, "192.0.2.1") for node in (node_a, node_b, node_a, node_b)]
    assert statuses == [200, 200, 429, 429]
    assert check_from(node_b, "192.0.2.2") == 200  # another client has its own budget
    close(node_a, node_b)


def test_a_redis_outage_falls_back_to_memory_without_a_5xx(test_config) -> None:
    from redis_server import closed_port

    app = limited(test_config, RATE_LIMIT_STORAGE=f"redis://127.0.0.1:{closed_port()}/0")
    # Nothing listens there: every check is answered, and the limit is kept in memory.
    assert [check_from(app, "192.0.2.1") for _ in range(3)] == [200, 200, 429]
    assert check_from(app, "192.0.2.2") == 200
    close(app)


def test_forwarded_for_is_ignored_without_trusted_proxies(test_config) -> None:
    app = limited(test_config)
    assert app.config["TRUSTED_PROXIES"] == 0
    # A client cannot buy a new budget by naming another address.
    statuses = [check_from(app, "192.0.2.1", f"198.51.100.{n}") for n in range(3)]
    assert statuses == [200, 200, 429]
    close(app)


def test_behind_a_trusted_proxy_each_client_has_its_own_budget(test_config) -> None:
    app = limited(test_config, TRUSTED_PROXIES=1)
    proxy = "127.0.0.1"
    assert [check_from(app, proxy, "198.51.100.1") for _ in range(3)] == [200, 200, 429]
    assert check_from(app, proxy, "198.51.100.2") == 200  # another client behind the same proxy
    # A client that forges the header only adds an entry before the one the proxy appends.
    assert check_from(app, proxy, "198.51.100.9, 198.51.100.1") == 429
    close(app)


def test_sign_in_throttling_counts_the_client_behind_a_proxy(test_config, reviewer_password):
    from factcheck.review.reviewers import add_reviewer

    app = create_app({**test_config, "TRUSTED_PROXIES": 1, "WTF_CSRF_ENABLED": False})
    with app.extensions["factcheck.database"].session() as session:
        add_reviewer(session, "alice", reviewer_password, is_admin=True)

    def sign_in(client_address: str, password: str) -> int:
        response = app.test_client().post(
            "/login",
            data={"name": "alice", "password": password},
            headers={"X-Forwarded-For": client_address},
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
        )
        return response.status_code

    assert [sign_in("198.51.100.1", "guess") for _ in range(6)] == [401] * 5 + [429]
    # The guesser is throttled, not every reviewer behind the same proxy.
    assert sign_in("198.51.100.2", reviewer_password) == 302
    close(app)


def test_a_negative_proxy_count_stops_the_app(test_config) -> None:
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        create_app({**test_config, "TRUSTED_PROXIES": -1})


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
