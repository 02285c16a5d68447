"""Extensions: where the app keeps its long-lived objects, and how views reach them.

``create_app`` stores one :class:`~factcheck.catalog.database.Database` and one
:class:`~factcheck.search.index.SearchIndex` in ``app.extensions``; views and commands get them
through these accessors instead of importing the app.
"""

from __future__ import annotations

from flask import Flask, current_app

from factcheck.catalog.database import get_database
from factcheck.search.index import SearchIndex

__all__ = ["SEARCH_INDEX_KEY", "get_database", "get_search_index"]

SEARCH_INDEX_KEY = "factcheck.search.index"


def get_search_index(app: Flask | None = None) -> SearchIndex:
    """The app's search index (one per process, shared by every request)."""
    return (app or current_app).extensions[SEARCH_INDEX_KEY]
