"""App: the application factory.

``create_app`` resolves the settings (defaults, ``FACTCHECK_*`` variables, then ``test_config``),
opens the catalog and migrates it, makes sure a search index exists (rebuilding it from the
catalog when ``INDEX_DIR`` is empty), and registers error handlers, the API and the commands'
context. ``wsgi.py`` is the only place a production app is created.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from factcheck import commands, errors
from factcheck.catalog import database
from factcheck.extensions import (
    EMBEDDER_KEY,
    SEARCH_INDEX_KEY,
    VECTOR_STORE_KEY,
    get_feed_follower,
    on_feed_applied,
)
from factcheck.review import pages as review
from factcheck.search.index import SearchIndex
from factcheck.search.indexing import ensure_index
from factcheck.search.vectors import BackgroundEmbedder, VectorStore
from factcheck.settings import resolve_settings
from factcheck.web import api, checks, protection
from factcheck.web import pages as web


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create and configure an instance of the factcheck service."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        resolve_settings(
            package_dir=Path(app.root_path),
            instance_path=Path(app.instance_path),
            overrides=test_config,
        )
    )
    # Keep the schemas' field order in responses (app.json is Flask's default provider).
    cast(DefaultJSONProvider, app.json).sort_keys = False

    checks.init_app(app)  # the stance analyzer the settings name: a wrong name fails here
    catalog = database.init_app(app)
    search_index = SearchIndex(app.config["INDEX_DIR"])
    app.extensions[SEARCH_INDEX_KEY] = search_index
    # Deleting the index directory never loses anything: it is rebuilt from the catalog here.
    ensure_index(catalog, search_index)
    # Test apps judge with BM25F alone, as the engine's pinned verdicts were, unless a test
    # asks for dense retrieval by name.
    if app.config["DENSE_RETRIEVAL"] and (
        not app.testing or "DENSE_RETRIEVAL" in (test_config or {})
    ):
        # Vectors are embedded in a background thread, started by the first check after
        # the index changes (see factcheck.web.checks); until then BM25F answers alone.
        vectors = VectorStore(app.config["INDEX_DIR"])
        app.extensions[VECTOR_STORE_KEY] = vectors
        embedder = app.extensions[EMBEDDER_KEY] = BackgroundEmbedder(search_index, vectors)
        on_feed_applied(app, embedder.poke)  # changes made on other nodes are embedded too

    errors.init_app(app)
    protection.init_app(app)  # security headers; the rate limit on claim checks
    api.init_app(app)
    commands.init_app(app)
    app.register_blueprint(web.bp)
    review.init_app(app)  # sign-in, CSRF, /review pages, curation and reviews API
    if not app.testing:
        # A serving process follows the change feed (one per INDEX_DIR at a time, see
        # factcheck.search.feed_follower). `factcheck serve` starts it as each worker boots;
        # any other server (gunicorn wsgi:app, flask run) at its first request. Not before:
        # a thread started here would not survive gunicorn's fork.
        follower = get_feed_follower(app)

        @app.before_request
        def _follow_the_feed() -> None:
            if not follower.started:
                follower.start()

    return app
