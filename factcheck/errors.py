"""Errors: one family of exceptions that carry their HTTP status, and the one place they become
responses.

Every error the service means to answer with is a :class:`FactcheckError`: it carries a ``status``,
a stable ``code`` and a message, and optionally the input ``fields`` at fault. The layers raise the
subclass that says what went wrong (:class:`NotFound`, :class:`Conflict`, :class:`InvalidInput`,
:class:`FetchRefused`, :class:`IndexUnavailable`...) or their own subclass of one, and views let it
propagate: the handlers registered by :func:`init_app` answer it. This module imports nothing of
the package, so every layer may import it.

Every API error body has one shape, built by :func:`error_body`::

    {"error": {"code": "not_found", "message": "…", "fields": {"claim": ["…"]}}}

``fields`` maps an input field to what is wrong with it (empty when the error is not about a
field). Under ``/api/`` (or when the client prefers JSON) errors are JSON; elsewhere they are a
small HTML page. An unexpected exception is logged with its traceback and answered with a generic
500: the client never sees a stack trace. Flask is imported only inside the functions that answer
a request, so ingest, search and the engine raise these exceptions without loading it.
"""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask, Response
    from werkzeug.exceptions import HTTPException


class FactcheckError(Exception):
    """An error the client can act on: its HTTP ``status``, a stable ``code``, a message and the
    ``fields`` at fault. Subclasses set ``status`` and ``code``; a raise may override either."""

    status: int = 500
    code: str | None = None  # None: the status's own code (404 -> "not_found")

    def __init__(
        self,
        message: str,
        *,
        fields: dict[str, Any] | None = None,
        status: int | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.fields: dict[str, Any] = fields or {}
        if status is not None:
            self.status = status
        self.code = code or type(self).code or status_code_name(self.status)


class APIError(FactcheckError):
    """An error whose status is given where it is raised (400 unless said otherwise).

    Prefer a named subclass below; this one is for the odd status no subclass names.
    """

    status = 400


class Unauthorized(FactcheckError):
    """The request needs a signed-in reviewer or a live API token."""

    status = 401


class PermissionDenied(FactcheckError):
    """The reviewer may not do this."""

    status = 403


class NotFound(FactcheckError):
    """No such record: a source, a passage, a checked claim, a review."""

    status = 404


class Conflict(FactcheckError):
    """The catalog already holds something that forbids the change: a duplicate, or a newer
    version of what was edited."""

    status = 409


class InvalidInput(FactcheckError):
    """The input is understood but cannot be used; ``fields`` says which parts and why."""

    status = 422


class FetchRefused(InvalidInput):
    """A page that was not fetched (an address that is not public, too large, too slow...)."""

    code = "fetch_refused"

    def __init__(self, reason: str, *, field: str = "url") -> None:
        super().__init__(reason, fields={field: [reason]})
        self.reason = reason


class IndexUnavailable(FactcheckError):
    """The search index is missing or not ready: checks cannot be answered until it is rebuilt."""

    status = 503
    code = "index_unavailable"


# Codes are part of the API: fixed here rather than taken from Python's HTTPStatus phrases,
# which change between versions (413 and 422 were renamed in 3.13).
STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
    500: "internal_server_error",
    503: "service_unavailable",
}


def status_code_name(status: int) -> str:
    """A snake_case code for an HTTP status: 404 -> "not_found"."""
    if status in STATUS_CODES:
        return STATUS_CODES[status]
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "error"
    return re.sub(r"[^a-z0-9]+", "_", phrase.lower()).strip("_")


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    """The body of every API error."""
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def wants_json() -> bool:
    """Whether this request should get a JSON error: the API always, others if they ask."""
    from flask import request

    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def error_response(
    status: int, code: str, message: str, fields: dict[str, Any] | None = None
) -> tuple[Response | str, int]:
    """An error as JSON or HTML, chosen per request."""
    from flask import jsonify, render_template

    if wants_json():
        return jsonify(error_body(code, message, fields)), status
    return render_template("error.html", status=status, message=message, fields=fields), status


def handle_error(error: FactcheckError) -> tuple[Response | str, int]:
    """Answer a :class:`FactcheckError` with its own status, code, message and fields."""
    code = error.code or status_code_name(error.status)
    return error_response(error.status, code, error.message, error.fields)


def handle_http_exception(
    error: HTTPException,
) -> tuple[Response | str, int] | tuple[Response | str, int, dict[str, str]]:
    """Answer a Werkzeug/webargs HTTP error; validation messages become ``fields``."""
    status = error.code or 500
    if status == 500:  # an unexpected failure, whoever raised it: logged, never shown
        return handle_unexpected(getattr(error, "original_exception", None) or error)
    data = getattr(error, "data", None) or {}
    fields = validation_fields(data.get("messages") or data.get("errors") or {})
    message = data.get("message") or error.description or error.name
    if fields and status in (400, 422) and not data.get("message"):
        message = "The request is not valid: see fields."
    body, status = error_response(status, status_code_name(status), message, fields)
    allowed = getattr(error, "valid_methods", None)  # a 405 says which methods are allowed
    return body, status, {"Allow": ", ".join(allowed)} if allowed else {}


def validation_fields(messages: Any) -> dict[str, Any]:
    """Webargs messages keyed by location ({"json": {...}}) flattened to {field: [messages]}."""
    if not isinstance(messages, dict):
        return {"_request": messages} if messages else {}
    flattened: dict[str, Any] = {}
    for location, value in messages.items():
        if location in {"json", "query", "form", "headers", "files", "view_args", "path"}:
            if isinstance(value, dict):
                flattened.update({str(key): item for key, item in value.items()})
            else:
                flattened["_" + location] = value
        else:
            flattened[str(location)] = value
    return flattened


def handle_unexpected(error: BaseException) -> tuple[Response | str, int]:
    """Log an unexpected exception with its traceback and answer a generic 500."""
    from flask import current_app, request

    current_app.logger.error(
        "Unhandled exception on %s %s", request.method, request.path, exc_info=error
    )
    return error_response(
        500, "internal_server_error", "The server failed to answer; the error is logged."
    )


CATALOG_RETRY_SECONDS = 5


def handle_catalog_unreachable(error: BaseException) -> tuple[Response | str, int, dict[str, str]]:
    """Answer a lost or refused catalog connection with a 503 the client may retry.

    The database being down (or a node cut off from it) is an outage, not a bug: logged without a
    traceback, answered ``catalog_unavailable`` with ``Retry-After``. Checks do not need the
    catalog and go on answering; pages and edits that read or write it get this answer.
    """
    from flask import current_app, request

    current_app.logger.warning(
        "catalog unreachable on %s %s: %s", request.method, request.path, error
    )
    body, status = error_response(
        503, "catalog_unavailable", "The catalog database cannot be reached; try again shortly."
    )
    return body, status, {"Retry-After": str(CATALOG_RETRY_SECONDS)}


def init_app(app: Flask) -> None:
    """Register the handlers on ``app``: the family, HTTP errors, and anything else."""
    from sqlalchemy.exc import OperationalError
    from werkzeug.exceptions import HTTPException

    app.register_error_handler(FactcheckError, handle_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(OperationalError, handle_catalog_unreachable)
    app.register_error_handler(Exception, handle_unexpected)
