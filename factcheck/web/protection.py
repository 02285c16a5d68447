"""Protection: a rate limit on claim checks per client, and security headers on every response.

Checks are the expensive requests (a search and stance analysis each), so ``POST
/api/v1/verify`` and the ``/check`` page share one budget per client address,
``RATE_LIMIT`` (``"60/minute"`` by default, ``"off"`` for none), kept by Flask-Limiter in
``RATE_LIMIT_STORAGE``: ``memory://`` (the default) counts in each process, so with gunicorn's
N workers on M nodes a client may get up to N×M times the budget; a ``redis://`` URI counts in
one Redis that every worker of every node shares, so the budget is the client's, whichever
process answers. If that Redis cannot be reached (refused, or silent past
:data:`REDIS_TIMEOUT_SECONDS`), each process falls back to counting in its own memory, looks
for Redis again with growing pauses, and goes back to it once it answers: an outage loosens the
limit for a while, it never turns a check into a 5xx. A client over its budget gets a 429 in
the standard error body with ``Retry-After``. Apps created for tests (``TESTING``) have the
limit off unless the test sets ``RATELIMIT_ENABLED``.

Behind a reverse proxy (nginx, see ``docs/deploy.md``) every request comes from the proxy's
address, so all clients would share one budget, and one client's failed sign-ins would lock
everyone out (:mod:`factcheck.review.reviewers` throttles by address too). ``TRUSTED_PROXIES``
is how many proxies stand in front of the app: with ``1``, werkzeug's ``ProxyFix`` takes the
client's address from the last entry of ``X-Forwarded-For`` (the one the proxy itself added, so
a client cannot forge it) and the scheme from ``X-Forwarded-Proto``. With ``0`` (the default)
those headers are ignored: trusting them with no proxy in front would let any client pick its
own address.

A JSON body nested deeper than :data:`MAX_JSON_DEPTH` is refused with a 400 before anything
parses it: Python's parser recurses, and 1,000 levels raised ``RecursionError`` (a 500).

Every response carries a Content-Security-Policy that allows no inline script or style (the
templates have none), forbids framing, and keeps forms and the base URL on this site, plus
``X-Content-Type-Options: nosniff`` and a same-origin ``Referrer-Policy``. Session cookie
flags are set by :mod:`factcheck.review.auth` (``SECURE_COOKIES``).
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, Response, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

from factcheck.errors import APIError

LIMITER_KEY = "factcheck.limiter"
# The endpoints that run a claim check, sharing one budget per client.
CHECK_ENDPOINTS = frozenset({"api.verify", "web.check"})
DISABLED_VALUES = frozenset({"", "0", "off", "none", "false", "no"})
# How long a check may wait on an unreachable Redis before its process counts in memory instead:
# Redis answers on a LAN in well under a millisecond, so this only bounds an outage's cost.
REDIS_TIMEOUT_SECONDS = 0.3
REDIS_SCHEMES = ("redis://", "rediss://", "redis+unix://", "redis+sentinel://", "redis+cluster://")

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


def storage_options(storage_uri: str) -> dict[str, Any]:
    """Connection options for the limiter's storage: short socket timeouts for Redis.

    (Flask-Limiter types these as ``str | int``; redis-py takes the timeouts in float seconds.)
    """
    if storage_uri.startswith(REDIS_SCHEMES):
        return {
            "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
            "socket_timeout": REDIS_TIMEOUT_SECONDS,
        }
    return {}


def trust_proxies(app: Flask) -> None:
    """Take the client's address and scheme from the ``TRUSTED_PROXIES`` proxies in front."""
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies < 0:
        raise ValueError(f"TRUSTED_PROXIES must be 0 or more, not {proxies}")
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]


def is_check() -> bool:
    """Whether this request runs a claim check (and so counts against the budget)."""
    return request.endpoint in CHECK_ENDPOINTS


def add_security_headers(response: Response) -> Response:
    """Set the security headers on ``response``, keeping any a view set itself."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> Limiter | None:
    """Register the security headers, the proxies to trust and, when a limit is set, the rate
    limiter on ``app``."""
    trust_proxies(app)
    app.after_request(add_security_headers)
    app.before_request(refuse_deep_json)
    limit = rate_limit(app)
    if limit is None:
        return None
    app.config.setdefault("RATELIMIT_ENABLED", not app.testing)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)  # Retry-After on a 429
    storage_uri = str(app.config.get("RATE_LIMIT_STORAGE") or "memory://")
    limiter = Limiter(
        get_remote_address,  # the client's address, once trust_proxies has set it
        app=app,
        storage_uri=storage_uri,
        storage_options=storage_options(storage_uri),
        # A storage outage: count in this process's memory until the storage answers again
        # (Flask-Limiter retries it with growing pauses), and log rather than fail a check.
        in_memory_fallback_enabled=not storage_uri.startswith("memory://"),
        swallow_errors=True,
        # One budget shared by the check endpoints; every other request is exempt.
        application_limits=[limit],
        application_limits_exempt_when=lambda: not is_check(),
    )
    app.extensions[LIMITER_KEY] = limiter
    return limiter
