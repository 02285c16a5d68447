"""Server: the production WSGI server that ``factcheck serve`` runs (gunicorn).

Two worker processes, because verification is CPU-bound Python and the machines have two cores;
four threads in each, so slow clients and I/O do not hold a whole process. The app is prepared
(catalog migrated, seed sources imported, index built) in the master before workers fork, and its
database connections and searchers are released first so no worker inherits them. Each worker
starts its feed follower (one of them follows the change feed into the node's index, the others
stand by) and the background embedding of passage vectors once it is up (:func:`start_embedding`).
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from factcheck.extensions import get_embedder, get_feed_follower

DEFAULT_WORKERS = 2
DEFAULT_THREADS = 4


class GunicornServer(BaseApplication):
    """Run a ready Flask app under gunicorn with options given in code, not a config file."""

    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        """Apply our options to gunicorn's settings."""
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key.lower(), value)

    # Flask takes its WSGI environ as a dict; gunicorn's stubs type it as a MutableMapping.
    def load(self) -> Flask:  # type: ignore[override]
        """The WSGI app each worker serves."""
        return self.application


def server_options(host: str, port: int, workers: int, threads: int) -> dict[str, Any]:
    """Gunicorn settings for ``factcheck serve``."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "timeout": 60,
        "graceful_timeout": 10,
        "accesslog": "-",
        "errorlog": "-",
        # gunicorn >= 25 opens a control socket at one fixed path per user; two servers on one
        # machine (tests, benchmarks) would fight over it. Older versions ignore the key.
        "control_socket_disable": True,
        "post_worker_init": start_embedding,
    }


def start_embedding(worker: Any) -> None:
    """Gunicorn hook, in each worker once it has the app: start the feed follower (one worker
    per node follows) and the background embedding pass (dense retrieval), so vectors are
    computed from start-up rather than from the first check. One worker embeds; the other
    finds the pass lock held and looks again on later checks."""
    if not worker.wsgi.testing:
        get_feed_follower(worker.wsgi).start()
    embedder = get_embedder(worker.wsgi)
    if embedder is not None:
        embedder.poke()
