"""Errors: one body shape for every API error, HTML outside the API, no stack traces."""

from __future__ import annotations

import pytest
from flask import Flask, abort, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from factcheck.errors import APIError


class EchoSchema(Schema):
    """A request body with one constrained field."""

    claim = fields.String(required=True, validate=validate.Length(min=3))
    limit = fields.Integer(validate=validate.Range(min=1, max=20))


@pytest.fixture
def error_app(app: Flask) -> Flask:
    """The app with a few routes that fail in each way the handlers must cover."""
    bp = Blueprint("failing", __name__, url_prefix="/api/v1/test")

    @bp.route("/echo", methods=["POST"])
    @bp.arguments(EchoSchema)
    def echo(data):
        return data

    @bp.route("/raw", methods=["POST"])
    def raw():
        return {"size": len(request.get_data())}

    @bp.route("/conflict")
    def conflict():
        raise APIError("Edited by someone else", status=409, fields={"version": ["stale"]})

    @bp.route("/crash")
    def crash():
        raise RuntimeError("secret internal detail")

    @bp.route("/abort")
    def aborted():
        abort(404)

    @bp.route("/unavailable")
    def unavailable():
        abort(503, description="Down for maintenance.")

    app.extensions["factcheck.web.api"].register_blueprint(bp)

    @app.route("/page-crash")
    def page_crash():
        raise RuntimeError("secret internal detail")

    app.config["MAX_CONTENT_LENGTH"] = 64
    return app


def assert_error_shape(body: dict, code: str) -> None:
    """The one error body: {"error": {"code", "message", "fields"}}."""
    assert list(body) == ["error"]
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["fields"], dict)


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "code"),
    [
        ("get", "/api/v1/nowhere", {}, 404, "not_found"),
        ("post", "/api/v1/health", {}, 405, "method_not_allowed"),
        ("get", "/api/v1/test/abort", {}, 404, "not_found"),
        ("get", "/api/v1/test/conflict", {}, 409, "conflict"),
        ("post", "/api/v1/test/echo", {"json": {"claim": "no"}}, 422, "validation_error"),
        ("post", "/api/v1/test/echo", {"json": {}}, 422, "validation_error"),
        (
            "post",
            "/api/v1/test/echo",
            {"data": "{not json", "content_type": "application/json"},
            400,
            "bad_request",
        ),
        ("post", "/api/v1/test/raw", {"data": "x" * 100}, 413, "payload_too_large"),
        ("get", "/api/v1/test/crash", {}, 500, "internal_server_error"),
        ("get", "/api/v1/test/unavailable", {}, 503, "service_unavailable"),
    ],
)
def test_every_api_error_has_one_shape(error_app, method, path, kwargs, status, code) -> None:
    response = getattr(error_app.test_client(), method)(path, **kwargs)
    assert response.status_code == status
    assert response.is_json
    assert_error_shape(response.get_json(), code)


def test_validation_errors_name_the_fields(error_app) -> None:
    response = error_app.test_client().post("/api/v1/test/echo", json={"claim": "no", "limit": 99})
    fields_ = response.get_json()["error"]["fields"]
    assert set(fields_) == {"claim", "limit"}
    assert response.get_json()["error"]["message"] == "The request is not valid: see fields."


def test_api_error_carries_its_fields(error_app) -> None:
    body = error_app.test_client().get("/api/v1/test/conflict").get_json()
    assert body["error"]["fields"] == {"version": ["stale"]}
    assert body["error"]["message"] == "Edited by someone else"


def test_unexpected_errors_are_logged_and_never_shown(error_app, caplog) -> None:
    response = error_app.test_client().get("/api/v1/test/crash")
    assert "secret internal detail" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)
    assert "secret internal detail" in caplog.text  # logged with its traceback


def test_pages_get_html_errors(error_app) -> None:
    client = error_app.test_client()
    missing = client.get("/nowhere")
    assert missing.status_code == 404 and missing.mimetype == "text/html"
    crashed = client.get("/page-crash")
    assert crashed.status_code == 500 and crashed.mimetype == "text/html"
    assert "secret internal detail" not in crashed.get_data(as_text=True)


def test_pages_answer_json_to_clients_that_prefer_it(error_app) -> None:
    response = error_app.test_client().get("/nowhere", headers={"Accept": "application/json"})
    assert_error_shape(response.get_json(), "not_found")
