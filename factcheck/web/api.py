"""API: the JSON endpoints under ``/api/v1``, documented by the generated OpenAPI document.

Views are thin: they validate input through marshmallow schemas, call one service function and
serialise the result. A missing index propagates as
:class:`~factcheck.search.index.IndexMissingError`, which :mod:`factcheck.errors` answers with a
503 ``index_unavailable``. ``GET /api/v1/openapi.json`` serves the document flask-smorest builds
from the schemas.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app
from flask_smorest import Api, Blueprint
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from factcheck import errors
from factcheck.extensions import get_database, get_search_index
from factcheck.search.feed import FeedState, feed_state
from factcheck.search.index import SearchIndex
from factcheck.web import check_log
from factcheck.web.checks import check_claim
from factcheck.web.schemas import (
    ErrorSchema,
    HealthSchema,
    VerifyRequestSchema,
    VerifyResponseSchema,
)

LAST_FEED_STATE_KEY = "factcheck.web.api.feed_state"  # the last one read, per process

bp = Blueprint("api", __name__, url_prefix="/api/v1", description="Fact-check verification API")

OPENAPI_CONFIG = {
    "API_TITLE": "factcheck",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
}


class ServiceApi(Api):
    """flask-smorest's Api with this service's error body, in responses and in the document."""

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error: HTTPException) -> Any:
        """Shape HTTP errors (webargs validation included) like every other error."""
        return errors.handle_http_exception(error)


@bp.route("/health")
@bp.response(200, HealthSchema)
@bp.alt_response(
    503,
    schema={"oneOf": [ErrorSchema, HealthSchema]},
    description="The search index is not available (an error), or this node lags the "
    'catalog\'s change feed by more than FACTCHECK_MAX_FEED_LAG_SECONDS (status "lagging")',
)
def health() -> Any:
    """Report that the service is up, with the passages indexed, the index version and how far
    the node follows the catalog's change feed; 503 while it lags too far behind."""
    index = get_search_index()
    summary = index.summary()
    feed = node_feed_state(index)
    lagging = feed.lag_seconds > current_app.config["MAX_FEED_LAG_SECONDS"]
    body = {
        "status": "lagging" if lagging else "ok",
        "passages": summary.passages,
        "index_version": summary.version,
        "feed": feed.as_dict(),
    }
    return (body, 503) if lagging else body


def node_feed_state(index: SearchIndex) -> FeedState:
    """This node's change-feed state; while the catalog cannot be read, the last state this
    process read, with the node's own position.

    Checks are answered from the index without the catalog (their log and reviews wait), and no
    change can be committed meanwhile, so a catalog outage alone does not take a node out.
    """
    try:
        state = feed_state(get_database(), index)
    except SQLAlchemyError:
        current_app.logger.warning("feed state unreadable: catalog unavailable", exc_info=True)
        last: FeedState | None = current_app.extensions.get(LAST_FEED_STATE_KEY)
        node = index.feed_position() or 0
        if last is None:
            return FeedState(node, node, 0.0)
        return FeedState(node, max(node, last.catalog_position), last.lag_seconds)
    current_app.extensions[LAST_FEED_STATE_KEY] = state
    return state


@bp.route("/verify", methods=["POST"])
@bp.arguments(VerifyRequestSchema, location="json")
@bp.response(200, VerifyResponseSchema)
@bp.alt_response(422, schema=ErrorSchema, description="The claim or limit is not valid")
@bp.alt_response(503, schema=ErrorSchema, description="The search index is not available")
def verify(arguments: dict[str, Any]) -> Any:
    """Check a claim: the verdict, its confidence, and the excerpts that support or conflict."""
    result = check_claim(arguments["claim"], arguments["limit"])
    return check_log.with_review(result)  # logs the check; adds a reviewer's signed-off verdict


def init_app(app: Flask) -> ServiceApi:
    """Configure flask-smorest on ``app`` and register the API blueprint."""
    for key, value in OPENAPI_CONFIG.items():
        app.config.setdefault(key, value)
    api = ServiceApi(app)
    api.register_blueprint(bp)
    app.extensions["factcheck.web.api"] = api
    return api
