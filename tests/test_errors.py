"""Errors: one family of exceptions that carry their status, one body shape for every API error,
HTML outside the API, no stack traces."""

from __future__ import annotations

import subprocess
import sys

import pytest
from flask import Flask, abort, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy.exc import OperationalError

from factcheck.errors import (
    APIError,
    Conflict,
    FactcheckError,
    FetchRefused,
    IndexUnavailable,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Unauthorized,
)
from factcheck.ingest.fetching import FetchError
from factcheck.review.curation import (
    CurationError,
    DuplicateSourceError,
    EditConflict,
    NotFoundError,
    PermissionDeniedError,
)
from factcheck.search.index import IndexMissingError

STALE = {"id": "p1", "version": 3, "text": "Now."}

# Every member of the family, as its layer raises it: (exception, status, code).
FAMILY = [
    (FactcheckError("Failed."), 500, "internal_server_error"),
    (APIError("Bad."), 400, "bad_request"),
    (APIError("Gone.", status=410), 410, "gone"),
    (Unauthorized("Sign in first."), 401, "unauthorized"),
    (PermissionDenied("Admins only."), 403, "forbidden"),
    (NotFound("No such thing."), 404, "not_found"),
    (Conflict("Already there."), 409, "conflict"),
    (InvalidInput("Not usable.", fields={"claim": ["too short"]}), 422, "validation_error"),
    (FetchRefused("Refused: a loopback address."), 422, "fetch_refused"),
    (IndexUnavailable("No index yet."), 503, "index_unavailable"),
    (CurationError("Say why.", fields={"reason": ["required"]}), 422, "validation_error"),
    (NotFoundError("No source 'x'."), 404, "not_found"),
    (PermissionDeniedError("Only an admin."), 403, "forbidden"),
    (DuplicateSourceError("Already in the catalog."), 409, "conflict"),
    (EditConflict(1, STALE), 409, "conflict"),
    (FetchError("Refused: a loopback address.", "http://127.0.0.1/"), 422, "fetch_refused"),
    (IndexMissingError("no search index in /tmp/x; rebuild it"), 503, "index_unavailable"),
]
FAMILY_IDS = [type(error).__name__ + str(status) for error, status, _code in FAMILY]


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

    @bp.route("/family/<int:number>")
    def family(number):
        raise FAMILY[number][0]

    @bp.route("/abort")
    def aborted():
        abort(404)

    @bp.route("/catalog-down")
    def catalog_down():
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))

    @bp.route("/unavailable")
    def unavailable():
        abort(503, description="Down for maintenance.")

    app.extensions["factcheck.web.api"].register_blueprint(bp)

    @app.route("/page-crash")
    def page_crash():
        raise RuntimeError("secret internal detail")

    @app.route("/page-family/<int:number>")
    def page_family(number):
        raise FAMILY[number][0]

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
        ("get", "/api/v1/test/catalog-down", {}, 503, "catalog_unavailable"),
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


@pytest.mark.parametrize(("error", "status", "code"), FAMILY, ids=FAMILY_IDS)
def test_each_member_of_the_family_carries_its_status_and_code(error, status, code) -> None:
    assert isinstance(error, FactcheckError)
    assert (error.status, error.code) == (status, code)
    assert error.message == str(error)


@pytest.mark.parametrize("number", range(len(FAMILY)), ids=FAMILY_IDS)
def test_an_error_raised_in_an_api_view_is_the_standard_body(error_app, number) -> None:
    error, status, code = FAMILY[number]
    response = error_app.test_client().get(f"/api/v1/test/family/{number}")
    assert response.status_code == status and response.is_json
    body = response.get_json()
    assert_error_shape(body, code)
    assert body["error"]["message"] == error.message
    assert body["error"]["fields"] == error.fields


@pytest.mark.parametrize("number", range(len(FAMILY)), ids=FAMILY_IDS)
def test_an_error_raised_in_a_page_is_the_html_error_page(error_app, number) -> None:
    error, status, _code = FAMILY[number]
    response = error_app.test_client().get(f"/page-family/{number}")
    assert response.status_code == status and response.mimetype == "text/html"
    assert f"<h1>{status}</h1>" in response.get_data(as_text=True)
    json = error_app.test_client().get(
        f"/page-family/{number}", headers={"Accept": "application/json"}
    )
    assert json.status_code == status and json.get_json()["error"]["message"] == error.message


def test_a_refused_fetch_names_the_url_field() -> None:
    error = FetchError("Refused: a loopback address.", "http://127.0.0.1/")
    assert error.fields == {"url": ["Refused: a loopback address."]}
    assert (error.reason, error.url) == ("Refused: a loopback address.", "http://127.0.0.1/")


def test_a_stale_edit_says_what_the_passage_holds_now() -> None:
    error = EditConflict(1, STALE)
    assert (error.submitted_version, error.current) == (1, STALE)
    assert error.fields == {"version": ["stale: the current version is 3; reload it"]}


def test_raising_an_error_loads_no_web_framework() -> None:
    """The layers below the web raise the family without importing Flask."""
    code = (
        "import sys\n"
        "import factcheck.errors, factcheck.ingest.fetching, factcheck.search.index\n"
        "import factcheck.engine.verify\n"
        "assert 'flask' not in sys.modules and 'werkzeug' not in sys.modules, 'web loaded'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_lost_catalog_is_a_503_to_retry_not_a_crash(error_app, caplog) -> None:
    response = error_app.test_client().get("/api/v1/test/catalog-down")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "connection refused" not in response.get_data(as_text=True)
    assert "catalog unreachable" in caplog.text
