"""Protection: a rate limit on claim checks per client, and security headers on every response.

Checks are the expensive requests (a search and stance analysis each), so ``POST
/api/v1/verify`` and the ``/check`` page share one budget per client address,
``RATE_LIMIT`` (``"60/minute"`` by default, ``"off"`` for none), kept by Flask-Limiter in each
process's memory: with gunicorn's N workers a client may get up to N times the budget, which is
the point of the limit (no client hogs the workers) without needing a shared store. A client
over its budget gets a 429 in the standard error body with ``Retry-After``. Apps created for
tests (``TESTING``) have the limit off unless the test sets ``RATELIMIT_ENABLED``.

A JSON body nested deeper than :data:`MAX_JSON_DEPTH` is refused with a 400 before anything
parses it: Python's parser recurses, and 1,000 levels raised ``RecursionError`` (a 500).

Every response carries a Content-Security-Policy that allows no inline script or style (the
templates have none), forbids framing, and keeps forms and the base URL on this site, plus
``X-Content-Type-Options: nosniff`` and a same-origin ``Referrer-Policy``. Session cookie
flags are set by :mod:`factcheck.review.auth` (``SECURE_COOKIES``).
"""

from __future__ import annotations

import re

from flask import Flask, Response, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from factcheck.errors import APIError

LIMITER_KEY = "factcheck.limiter"
# The endpoints that run a claim check, sharing one budget per client.
CHECK_ENDPOINTS = frozenset({"api.verify", "web.check"})
DISABLED_VALUES = frozenset({"", "0", "off", "none", "false", "no"})

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers without CSP level 2
    "Cross-Origin-Opener-Policy": "same-origin",
}


# No request of the API nests more than three levels; this leaves room and stays far from
# the parser's recursion limit.
MAX_JSON_DEPTH = 64
# A JSON string (brackets inside it do not count) or a bracket.
_JSON_STRUCTURE = re.compile(rb'"(?:[^"\\]++|\\.)*+"|[\[\]{}]')
_OPENERS = frozenset(b"[{")


def json_depth_exceeds(body: bytes, limit: int) -> bool:
    """Whether ``body`` nests arrays and objects more than ``limit`` deep (one linear scan)."""
    depth = 0
    for token in _JSON_STRUCTURE.finditer(body):
        first = token.group()[0]
        if first in _OPENERS:
            depth += 1
            if depth > limit:
                return True
        elif first != ord('"'):
            depth -= 1
    return False


def refuse_deep_json() -> None:
    """``before_request``: a 400 for a JSON body nested deeper than :data:`MAX_JSON_DEPTH`."""
    if request.is_json and json_depth_exceeds(request.get_data(cache=True), MAX_JSON_DEPTH):
        raise APIError(f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep.")


def rate_limit(app: Flask) -> str | None:
    """The configured limit on checks per client (``"60/minute"``), or ``None`` when off."""
    value = str(app.config.get("RATE_LIMIT") or "").strip()
    return None if value.lower() in DISABLED_VALUES else value


def is_check() -> bool:
    """Whether this request runs a claim check (and so counts against the budget)."""
    return request.endpoint in CHECK_ENDPOINTS


def add_security_headers(response: Response) -> Response:
    """Set the security headers on ``response``, keeping any a view set itself."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> Limiter | None:
    """Register the security headers and, when a limit is set, the rate limiter on ``app``."""
    app.after_request(add_security_headers)
    app.before_request(refuse_deep_json)
    limit = rate_limit(app)
    if limit is None:
        return None
    app.config.setdefault("RATELIMIT_ENABLED", not app.testing)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)  # Retry-After on a 429
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri="memory://",
        # One budget shared by the check endpoints; every other request is exempt.
        application_limits=[limit],
        application_limits_exempt_when=lambda: not is_check(),
    )
    app.extensions[LIMITER_KEY] = limiter
    return limiter
