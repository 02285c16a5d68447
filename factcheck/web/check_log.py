"""Check log: the web layer's record of each claim check, and the reviewer's word on it.

The verify API and the public result page call :func:`record` right after
:func:`factcheck.web.checks.check_claim`: it queues the check for the log (see
:mod:`factcheck.review.claim_reviews`) and returns the claim's newest signed-off review, which both
show beside the automatic verdict.

The log is written by one background thread per process, a batch of checks per transaction,
not by the request: a SQLite commit per check cost about a third of a check's time on the seed
corpus, and concurrent commits from two workers queued behind SQLite's lock. A check reaches the
log within milliseconds; what a process had queued when it is killed (``kill -9``) is lost, which
costs a count in the log, never a reviewer's work. Pages that read the log call :func:`flush`
first, so a reviewer sees every check this process answered. If the catalog cannot take a batch
(a locked SQLite file, say), its checks are written one by one, so a row the catalog refuses
costs only itself; what still fails is logged, and the checks were answered all the same.
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from flask import Flask, current_app, url_for
from sqlalchemy.exc import SQLAlchemyError

from factcheck.catalog.database import Database, get_database, get_db
from factcheck.catalog.models import utc_now
from factcheck.engine.verify import Result
from factcheck.web.check_records import SignedOffReview, record_check, review_for_claim

WRITER_KEY = "factcheck.web.check_log"
QUEUE_LIMIT = 10_000  # checks waiting to be written; past it a check is answered, not logged
BATCH_LIMIT = 500  # checks written in one transaction


@dataclass(frozen=True)
class _Entry:
    result: Result
    asked: datetime


class CheckLogWriter:
    """Writes logged checks from one background thread per process, a batch per transaction.

    The thread starts with the first check a process logs, so a server's workers each start
    their own after the fork.
    """

    def __init__(self, database: Database, logger: logging.Logger) -> None:
        self._database = database
        self._logger = logger
        self._lock = threading.Lock()
        self._queue: queue.Queue[_Entry] | None = None
        self._pid: int | None = None

    def submit(self, result: Result) -> None:
        """Queue one check for the log; never blocks the check."""
        try:
            self._started().put_nowait(_Entry(result, utc_now()))
        except queue.Full:
            self._logger.warning("The check log is behind; %r was not logged", result.claim)

    def flush(self) -> None:
        """Wait until every check this process queued so far is written (or failed)."""
        with self._lock:
            pending = self._queue if self._pid == os.getpid() else None
        if pending is not None:
            pending.join()

    def _started(self) -> queue.Queue[_Entry]:
        with self._lock:
            if self._queue is None or self._pid != os.getpid():
                self._queue, self._pid = queue.Queue(maxsize=QUEUE_LIMIT), os.getpid()
                thread = threading.Thread(
                    target=self._run, args=(self._queue,), name="check-log", daemon=True
                )
                thread.start()
                atexit.register(self.flush)
            return self._queue

    def _run(self, pending: queue.Queue[_Entry]) -> None:
        while True:
            batch = [pending.get()]
            while len(batch) < BATCH_LIMIT:
                try:
                    batch.append(pending.get_nowait())
                except queue.Empty:
                    break
            try:
                self._write(batch)
            finally:
                for _entry in batch:
                    pending.task_done()

    def _write(self, batch: list[_Entry]) -> None:
        """Write a batch in one transaction; if that fails, each check in its own, so a row the
        catalog refuses costs only itself."""
        if self._write_together(batch, report=True) or len(batch) == 1:
            return
        lost = [entry for entry in batch if not self._write_together([entry], report=False)]
        if lost:
            claims = ", ".join(repr(entry.result.claim) for entry in lost[:5])
            self._logger.warning(
                "%d of %d checks were not logged: %s", len(lost), len(batch), claims
            )

    def _write_together(self, entries: list[_Entry], *, report: bool) -> bool:
        """Write ``entries`` in one transaction; ``False`` if it failed (logged if ``report``)."""
        try:
            with self._database.session() as session:
                for entry in entries:
                    record_check(session, entry.result, now=entry.asked)
        except Exception:  # the thread must outlive any failure: the next write may pass
            if report:
                message = "%d checks could not be logged together"
                self._logger.warning(message, len(entries), exc_info=True)
            return False
        return True


def _writer(app: Flask) -> CheckLogWriter:
    found = app.extensions.get(WRITER_KEY)
    if found is None:
        found = app.extensions.setdefault(WRITER_KEY, CheckLogWriter(get_database(app), app.logger))
    return found


def flush(app: Flask | None = None) -> None:
    """Wait until every check this process logged is in the catalog."""
    _writer(app or current_app._get_current_object()).flush()  # type: ignore[attr-defined]


def record(result: Result) -> SignedOffReview | None:
    """Log this check and return the claim's signed-off review, if a reviewer wrote one."""
    _writer(current_app._get_current_object()).submit(result)  # type: ignore[attr-defined]
    session = get_db()
    try:
        return review_for_claim(session, result.claim)
    except SQLAlchemyError:
        session.rollback()
        current_app.logger.warning("No review could be read for %r", result.claim, exc_info=True)
        return None


def review_body(review: SignedOffReview) -> dict[str, Any]:
    """The reviewer's verdict as the verify response's optional ``review`` field."""
    return {
        "id": review.id,
        "verdict": review.verdict,
        "automatic_verdict": review.automatic_verdict,
        "rationale": review.rationale,
        "reviewer": review.reviewer,
        "signed_off_at": review.signed_off_at,
        "passage_ids": list(review.passage_ids),
        "claim_review_url": url_for("reviews_api.review", review_id=review.id, _external=True),
    }


def with_review(result: Result) -> dict[str, Any]:
    """The verify response: the result's fields, plus ``review`` when one was signed off."""
    review = record(result)
    body = {field.name: getattr(result, field.name) for field in fields(result)}
    if review is not None:
        body["review"] = review_body(review)
    return body
