"""Extensions: where the app keeps its long-lived objects, and how views reach them.

``create_app`` stores one :class:`~factcheck.catalog.database.Database` and one
:class:`~factcheck.search.index.SearchIndex` in ``app.extensions``; views and commands get them
through these accessors instead of importing the app.
"""

from __future__ import annotations

from flask import Flask, current_app

from factcheck.catalog.database import get_database
from factcheck.search.index import SearchIndex
from factcheck.search.vectors import BackgroundEmbedder, VectorStore

__all__ = [
    "SEARCH_INDEX_KEY",
    "VECTOR_STORE_KEY",
    "get_database",
    "get_search_index",
    "get_vector_store",
]

SEARCH_INDEX_KEY = "factcheck.search.index"
VECTOR_STORE_KEY = "factcheck.search.vectors"
EMBEDDER_KEY = "factcheck.search.vectors.embedder"


def get_search_index(app: Flask | None = None) -> SearchIndex:
    """The app's search index (one per process, shared by every request)."""
    return (app or current_app).extensions[SEARCH_INDEX_KEY]


def get_vector_store(app: Flask | None = None) -> VectorStore | None:
    """The app's passage vectors, or ``None`` when dense retrieval is off."""
    return (app or current_app).extensions.get(VECTOR_STORE_KEY)


def get_embedder(app: Flask | None = None) -> BackgroundEmbedder | None:
    """The app's background embedding thread's owner, or ``None`` when dense retrieval is off."""
    return (app or current_app).extensions.get(EMBEDDER_KEY)
