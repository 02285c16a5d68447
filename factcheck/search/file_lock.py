"""File locks: one process (and one thread) at a time across a node's processes.

The index writer (:meth:`factcheck.search.index.SearchIndex.write_lock`), the embedding pass
(:mod:`factcheck.search.vectors`) and the feed follower (:mod:`factcheck.search.feed_follower`)
each hold an exclusive ``flock`` on a file in the index directory. ``flock`` belongs to an open
file, and each :func:`file_lock` opens the file anew, so threads of one process exclude each
other as processes do; the lock goes with the process if it dies.
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

RETRY_SECONDS = 0.02  # how often a bounded wait tries again


@contextmanager
def file_lock(path: Path, *, timeout: float | None = None) -> Iterator[bool]:
    """Hold an exclusive lock on ``path`` (created if missing) for the block.

    ``timeout=None`` waits as long as it takes; otherwise give up after ``timeout`` seconds
    (``0``: try once) and yield ``False``, the block then running without the lock.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        if not _acquire(handle, timeout):
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _acquire(handle: Any, timeout: float | None) -> bool:
    """Take an exclusive flock on ``handle``, waiting at most ``timeout`` seconds (or forever)."""
    if timeout is None:
        fcntl.flock(handle, fcntl.LOCK_EX)
        return True
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(RETRY_SECONDS)
