"""Extensions: where the app keeps its long-lived objects, and how views reach them.

``create_app`` stores one :class:`~factcheck.catalog.database.Database` and one
:class:`~factcheck.search.index.SearchIndex` in ``app.extensions``; views and commands get them
through these accessors instead of importing the app.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app

from factcheck.catalog.database import get_database
from factcheck.search.feed import FeedProgress
from factcheck.search.feed_follower import FeedFollower
from factcheck.search.index import SearchIndex
from factcheck.search.vectors import BackgroundEmbedder, VectorStore

__all__ = [
    "SEARCH_INDEX_KEY",
    "VECTOR_STORE_KEY",
    "get_database",
    "get_feed_follower",
    "get_search_index",
    "get_vector_store",
    "on_feed_applied",
]

SEARCH_INDEX_KEY = "factcheck.search.index"
VECTOR_STORE_KEY = "factcheck.search.vectors"
EMBEDDER_KEY = "factcheck.search.vectors.embedder"
FEED_FOLLOWER_KEY = "factcheck.search.feed_follower"
FEED_LISTENERS_KEY = "factcheck.search.feed_follower.listeners"
_follower_creation = threading.Lock()


def get_search_index(app: Flask | None = None) -> SearchIndex:
    """The app's search index (one per process, shared by every request)."""
    return (app or current_app).extensions[SEARCH_INDEX_KEY]


def get_vector_store(app: Flask | None = None) -> VectorStore | None:
    """The app's passage vectors, or ``None`` when dense retrieval is off."""
    return (app or current_app).extensions.get(VECTOR_STORE_KEY)


def get_embedder(app: Flask | None = None) -> BackgroundEmbedder | None:
    """The app's background embedding thread's owner, or ``None`` when dense retrieval is off."""
    return (app or current_app).extensions.get(EMBEDDER_KEY)


def on_feed_applied(app: Flask, poke: Callable[[], Any]) -> None:
    """Call ``poke`` whenever this process's feed follower has applied entries to the index
    (the background passes that follow the index: embedding, re-checking)."""
    app.extensions.setdefault(FEED_LISTENERS_KEY, []).append(poke)


def get_feed_follower(app: Flask | None = None) -> FeedFollower:
    """The app's feed follower (one per process; not started until :meth:`FeedFollower.start`)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    with _follower_creation:
        follower: FeedFollower | None = app.extensions.get(FEED_FOLLOWER_KEY)
        if follower is None:
            listeners: list[Callable[[], Any]] = app.extensions.setdefault(FEED_LISTENERS_KEY, [])

            def poke_listeners(_progress: FeedProgress) -> None:
                for poke in listeners:
                    poke()

            follower = app.extensions[FEED_FOLLOWER_KEY] = FeedFollower(
                get_database(app),
                get_search_index(app),
                poll_seconds=app.config["FEED_POLL_SECONDS"],
                rebuild_after=app.config["FEED_REBUILD_AFTER"],
                on_applied=poke_listeners,
            )
        return follower
