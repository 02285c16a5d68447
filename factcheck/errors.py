"""Errors: exceptions that carry their HTTP status, and the one place they become responses.

Every API error body has one shape, built by :func:`error_body`::

    {"error": {"code": "not_found", "message": "…", "fields": {"claim": ["…"]}}}

``fields`` maps an input field to what is wrong with it (empty when the error is not about a
field). Under ``/api/`` (or when the client prefers JSON) errors are JSON; elsewhere they are a
small HTML page. An unexpected exception is logged with its traceback and answered with a generic
500: the client never sees a stack trace.
"""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException


class APIError(Exception):
    """An error the client can act on, with its HTTP status and a stable code."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 400,
        code: str | None = None,
        fields: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or status_code_name(status)
        self.message = message
        self.fields = fields or {}


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
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def error_response(
    status: int, code: str, message: str, fields: dict[str, Any] | None = None
) -> tuple[Response | str, int]:
    """An error as JSON or HTML, chosen per request."""
    if wants_json():
        return jsonify(error_body(code, message, fields)), status
    return render_template("error.html", status=status, message=message, fields=fields), status


def handle_api_error(error: APIError) -> tuple[Response | str, int]:
    """Answer an :class:`APIError` with its own status, code and fields."""
    return error_response(error.status, error.code, error.message, error.fields)


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
    current_app.logger.error(
        "Unhandled exception on %s %s", request.method, request.path, exc_info=error
    )
    return error_response(
        500, "internal_server_error", "The server failed to answer; the error is logged."
    )


def init_app(app: Flask) -> None:
    """Register the handlers on ``app``."""
    app.register_error_handler(APIError, handle_api_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
