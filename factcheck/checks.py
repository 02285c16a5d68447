"""Checks: the web layer's way to run a claim check against the app's live index.

Views and commands call :func:`check_claim`; it opens the shared searcher, runs the core
:func:`factcheck.verification.verify` and hands back its result. Keeping this here keeps the
views free of Whoosh and the core free of Flask.
"""

from __future__ import annotations

from flask import Flask

from factcheck.extensions import get_search_index
from factcheck.verification import DEFAULT_LIMIT, Result, verify


def check_claim(claim: str, limit: int = DEFAULT_LIMIT, app: Flask | None = None) -> Result:
    """Check ``claim`` against the app's index; ``limit`` excerpts per side."""
    index = get_search_index(app)
    with index.searcher() as searcher:
        return verify(claim, searcher, index_version=index.version(), limit=limit)
