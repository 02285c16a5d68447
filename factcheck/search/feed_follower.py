"""Feed follower: the one process per index directory that keeps a node's index on the feed.

Every server process (each gunicorn worker) starts a :class:`FeedFollower` thread, and
``factcheck index follow`` runs one in the foreground; exactly one of them follows at a time.
Each tries a non-blocking ``flock`` on ``INDEX_DIR/.follower-lock``: the holder follows, the
others try again every :data:`RETRY_SECONDS`, so when the holder's process dies (its lock goes
with it) another takes over within seconds.

The holder calls :func:`~factcheck.search.feed.apply_feed` whenever the catalog's feed has moved
past the node's position, then tells ``on_applied`` (the app pokes its background embedder and
re-checker there, so vectors and re-checks follow changes made on other nodes too). It wakes on
PostgreSQL's ``NOTIFY factcheck_feed`` (a dedicated connection that ``LISTEN``\\s, waiting at most
``poll_seconds``), and otherwise polls every ``poll_seconds``: a poll reads one small file and
runs one indexed query. Nothing here imports Flask.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from factcheck.catalog.database import Database
from factcheck.catalog.feed import CHANNEL, last_position
from factcheck.errors import IndexUnavailable
from factcheck.search.feed import DEFAULT_REBUILD_AFTER, FeedProgress, apply_feed
from factcheck.search.file_lock import file_lock
from factcheck.search.index import SearchIndex

logger = logging.getLogger(__name__)

LOCK_FILE = ".follower-lock"
DEFAULT_POLL_SECONDS = 0.5
RETRY_SECONDS = 2.0  # how often a process that does not follow checks whether the holder died
STOP_CHECK_SECONDS = 0.5  # a LISTENing follower notices a stop at least this often
ERROR_PAUSE_SECONDS = 2.0  # after a failed pass (catalog unreachable, disk full), before the next


class FeedListener:
    """A PostgreSQL connection that ``LISTEN``\\s on the feed's channel."""

    def __init__(self, url: str) -> None:
        conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self._connection = psycopg.connect(conninfo, autocommit=True)
        self._connection.execute(f"LISTEN {CHANNEL}")

    def wait(self, timeout: float) -> bool:
        """Wait at most ``timeout`` seconds for a notification; say whether one came."""
        for _notification in self._connection.notifies(timeout=timeout, stop_after=1):
            return True
        return False

    def close(self) -> None:
        """Close the connection."""
        self._connection.close()


class FeedFollower:
    """Follow the catalog's feed into ``index`` while this process holds the follower lock."""

    thread_name = "factcheck-feed-follower"

    def __init__(
        self,
        database: Database,
        index: SearchIndex,
        *,
        poll_seconds: float = DEFAULT_POLL_SECONDS,
        rebuild_after: int = DEFAULT_REBUILD_AFTER,
        on_applied: Callable[[FeedProgress], None] | None = None,
        retry_seconds: float = RETRY_SECONDS,
    ) -> None:
        self.database = database
        self.index = index
        self.poll_seconds = poll_seconds
        self.rebuild_after = rebuild_after
        self.on_applied = on_applied
        self.retry_seconds = retry_seconds
        self.following = False  # whether this process holds the lock right now
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    @property
    def started(self) -> bool:
        """Whether the thread runs (following, or standing by for the lock)."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> bool:
        """Start following in a daemon thread, unless already started; say if it started."""
        with self._start_lock:
            if self._thread is not None and self._thread.is_alive():
                return False
            self._stop.clear()
            self._thread = threading.Thread(target=self.run, name=self.thread_name, daemon=True)
            self._thread.start()
        return True

    def stop(self, timeout: float | None = 10.0) -> None:
        """Stop following and wait for the thread (tests, shutdown)."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def run(self) -> None:
        """Follow until :meth:`stop`: while another process follows, look again now and then."""
        while not self._stop.is_set():
            with self._follower_lock() as held:
                if held:
                    self.following = True
                    try:
                        self._follow()
                    finally:
                        self.following = False
            if not held:
                self._stop.wait(self.retry_seconds)

    def _follow(self) -> None:
        """Apply the feed whenever it moves, until stopped."""
        listener = self._listen()
        try:
            while not self._stop.is_set():
                self.catch_up()
                if listener is not None:
                    try:
                        self._wait_for_notification(listener)
                        continue
                    except psycopg.Error as error:
                        logger.warning("feed listener lost (%s); polling instead", error)
                        listener.close()
                        listener = None
                self._stop.wait(self.poll_seconds)
                if listener is None:
                    listener = self._listen()
        finally:
            if listener is not None:
                listener.close()

    def _wait_for_notification(self, listener: FeedListener) -> None:
        """Wait for a NOTIFY, at most ``poll_seconds``, and no longer once stopped."""
        deadline = time.monotonic() + self.poll_seconds
        while not self._stop.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0 or listener.wait(min(remaining, STOP_CHECK_SECONDS)):
                return

    def catch_up(self) -> FeedProgress | None:
        """One pass: apply what the node lacks, if anything; ``None`` when the pass failed."""
        try:
            node = self.index.feed_position()
            if node is not None:
                with self.database.session() as session:
                    if last_position(session) == node:  # lower: another catalog, rebuild
                        return FeedProgress("none", 0, node)
            progress = apply_feed(self.database, self.index, rebuild_after=self.rebuild_after)
        except (SQLAlchemyError, OSError, IndexUnavailable) as error:
            # The catalog unreachable, a disk full: the node lags (health says so) and the next
            # pass tries again; the follower must outlive it.
            logger.warning("feed pass failed: %s", error, exc_info=True)
            self._stop.wait(ERROR_PAUSE_SECONDS)
            return None
        if progress.method in ("entries", "rebuild") and self.on_applied is not None:
            self.on_applied(progress)
        return progress

    def _listen(self) -> FeedListener | None:
        """A listener on PostgreSQL's feed channel, or ``None`` (SQLite, or not reachable)."""
        if self.database.engine.dialect.name != "postgresql":
            return None
        try:
            return FeedListener(self.database.url)
        except psycopg.Error as error:
            logger.warning("cannot LISTEN for the feed (%s); polling", error)
            return None

    @contextmanager
    def _follower_lock(self) -> Iterator[bool]:
        """Try, without waiting, to be this index directory's follower."""
        with file_lock(self.index.directory / LOCK_FILE, timeout=0) as held:
            yield held
