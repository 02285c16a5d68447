"""Checks: the web layer's way to run a claim check against the app's live index.

Views and commands call :func:`check_claim`; it opens the shared searcher, runs the core
:func:`factcheck.engine.verify.verify` and hands back its result, reusing a result computed
from the same live index for the same claim (:mod:`factcheck.engine.result_cache`). Keeping this
here keeps the views free of Whoosh and the core free of Flask.
"""

from __future__ import annotations

import time
from dataclasses import replace

from flask import Flask, current_app

from factcheck.engine.result_cache import ResultCache, claim_key
from factcheck.engine.stance import StanceAnalyzer, UnknownAnalyzerError, create_analyzer
from factcheck.engine.verify import DEFAULT_LIMIT, Result, verify
from factcheck.extensions import get_embedder, get_search_index, get_vector_store

RESULT_CACHE_KEY = "factcheck.engine.result_cache"
STANCE_ANALYZER_KEY = "factcheck.engine.stance"


def init_app(app: Flask) -> None:
    """Create the stance analyzer ``STANCE_ANALYZER`` names; an unknown name stops the start."""
    try:
        app.extensions[STANCE_ANALYZER_KEY] = create_analyzer(app.config["STANCE_ANALYZER"])
    except UnknownAnalyzerError as error:
        raise UnknownAnalyzerError(f"FACTCHECK_STANCE_ANALYZER: {error}") from error


def get_stance_analyzer(app: Flask | None = None) -> StanceAnalyzer:
    """The app's stance analyzer (one per process, shared by every request)."""
    return (app or current_app).extensions[STANCE_ANALYZER_KEY]


def check_claim(claim: str, limit: int = DEFAULT_LIMIT, app: Flask | None = None) -> Result:
    """Check ``claim`` against the app's index; ``limit`` excerpts per side.

    The stance analyzer is the one the ``STANCE_ANALYZER`` setting names, created once by
    :func:`init_app` when the app starts.
    """
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    index = get_search_index(app)
    cache: ResultCache[Result] | None = app.extensions.get(RESULT_CACHE_KEY)
    if cache is None:
        cache = app.extensions[RESULT_CACHE_KEY] = ResultCache(app.config["RESULT_CACHE_SIZE"])
    vectors = get_vector_store(app)
    embedder = get_embedder(app)
    if embedder is not None:
        embedder.poke()  # embeds passages the index gained since the last pass, in the background
    started = time.perf_counter()
    version, searcher = index.versioned_searcher()
    vector_set = vectors.current_name() if vectors is not None else None
    # The feed position moves with every change applied to this node's index, whichever
    # process or node made it, so no cached result outlives the change.
    position = index.feed_position()
    key = (claim_key(claim), limit, str(index.directory), version, position, vector_set)
    cached = cache.get(key) if cache.size else None
    if cached is not None:
        took_ms = round((time.perf_counter() - started) * 1000, 2)
        return replace(cached, claim=claim.strip(), took_ms=took_ms)
    analyzer = get_stance_analyzer(app)
    result = verify(
        claim, searcher, index_version=version, limit=limit, analyzer=analyzer, vectors=vectors
    )
    if cache.size:
        cache.put(key, result)
    return result
