"""What changed after an import: recent claims checked again, and the verdicts that moved.

After an import (``factcheck import``) or a curation change commits, the claims people checked
in the last ``RECHECK_DAYS`` days are checked again against the new index, in a background
thread, at most ``RECHECK_LIMIT`` of them per pass (the most recently asked first). Each claim
whose verdict moved gets a :class:`~factcheck.catalog.models.VerdictChange` (before, after,
when, and the passage that moved it: the strongest excerpt of the new result on the side that
changed), the check log takes the new verdict, and a signed-off review of the claim is marked
"needs another look" (:func:`factcheck.review.look_again.flag_review_of_moved_verdict`).

:class:`BackgroundRechecker` follows the embedder's pattern
(:class:`factcheck.search.vectors.BackgroundEmbedder`): :meth:`~BackgroundRechecker.poke` is
cheap and starts a pass only when the index version moved since the last one and no pass runs
in this process. :func:`init_app` pokes it after every successful change request.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask, Response, current_app, request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factcheck.catalog.database import get_database
from factcheck.catalog.models import ClaimCheck, VerdictChange, utc_now
from factcheck.engine.verify import Excerpt, Result
from factcheck.errors import IndexUnavailable
from factcheck.extensions import get_search_index, on_feed_applied
from factcheck.review.curation import Page, clamp_paging
from factcheck.review.look_again import flag_review_of_moved_verdict
from factcheck.search.background import BackgroundPass
from factcheck.web.checks import check_claim

logger = logging.getLogger(__name__)

RECHECKER_KEY = "factcheck.review.rechecks"
CHANGE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class RecheckReport:
    """One pass: how many claims were checked again and how many verdicts moved."""

    checked: int
    moved: int


def moving_excerpt(before: str, result: Result) -> Excerpt | None:
    """The strongest excerpt of ``result`` on the side that changed from ``before``."""
    after = result.verdict
    if after == "supported" or (after == "conflicting" and before == "refuted"):
        side = result.supporting
    elif after == "refuted" or (after == "conflicting" and before == "supported"):
        side = result.conflicting
    elif before == "supported":  # support lost: what now stands there, if anything
        side = result.supporting or result.closest
    elif before == "refuted":
        side = result.conflicting or result.closest
    else:
        side = result.supporting + result.conflicting + result.closest
    return max(side, key=lambda excerpt: excerpt.score, default=None)


def recheck_recent(app: Flask) -> RecheckReport:
    """Check the recent claims of the check log again; record and flag the verdicts that moved."""
    days, limit = app.config["RECHECK_DAYS"], app.config["RECHECK_LIMIT"]
    if days <= 0 or limit <= 0:
        return RecheckReport(0, 0)
    since = utc_now() - timedelta(days=days)
    database = get_database(app)
    with database.session() as session:
        recent = session.execute(
            select(ClaimCheck.id, ClaimCheck.claim, ClaimCheck.verdict)
            .where(ClaimCheck.last_asked >= since)
            .order_by(ClaimCheck.last_asked.desc(), ClaimCheck.id.desc())
            .limit(limit)
        ).all()
    moved = 0
    for check_id, claim, before in recent:
        with app.app_context():
            result = check_claim(claim, app=app)
        if result.verdict == before:
            continue
        with database.session() as session:
            if record_moved_verdict(session, check_id, claim, before, result):
                moved += 1
    return RecheckReport(len(recent), moved)


def record_moved_verdict(
    session: Session, check_id: int, claim: str, before: str, result: Result
) -> VerdictChange | None:
    """Record that ``result`` moved the verdict of a logged claim; flag its signed-off review.

    Does nothing when the log's verdict changed meanwhile (a fresh check already recorded it).
    """
    check = session.get(ClaimCheck, check_id)
    if check is None or check.verdict != before:
        return None
    excerpt = moving_excerpt(before, result)
    change = VerdictChange(
        check_id=check_id,
        claim=claim,
        before=before,
        after=result.verdict,
        confidence=result.confidence,
        passage_id=excerpt.passage_id if excerpt is not None else None,
        passage_text=excerpt.text if excerpt is not None else "",
        at=utc_now(),
    )
    session.add(change)
    check.verdict, check.confidence = result.verdict, result.confidence
    flag_review_of_moved_verdict(
        session, check_id, before=before, after=result.verdict, passage_id=change.passage_id
    )
    return change


def verdict_changes(session: Session, *, page: int | None, per_page: int | None) -> Page:
    """One page of the moved verdicts, newest first (paging clamped)."""
    page, per_page = clamp_paging(page, per_page)
    total = session.scalar(select(func.count()).select_from(VerdictChange)) or 0
    rows = session.scalars(
        select(VerdictChange)
        .order_by(VerdictChange.at.desc(), VerdictChange.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return Page(list(rows), page, per_page, total)


class BackgroundRechecker(BackgroundPass):
    """Runs re-check passes in a daemon thread whenever the index has moved on."""

    thread_name = "factcheck-rechecker"

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.last_report: RecheckReport | None = None
        super().__init__(seen=self._version())  # the index the log's verdicts came from

    def _version(self) -> str | None:
        try:
            return get_search_index(self.app).version()
        except IndexUnavailable:
            return None

    def poke(self) -> bool:
        """Start a pass in the background if the index changed since the last one."""
        if self.app.config["RECHECK_DAYS"] <= 0:
            return False
        version = self._version()
        return version is not None and self.start_for(version)

    def run(self) -> None:
        """Re-check the recent claims and say how many moved."""
        self.last_report = recheck_recent(self.app)
        logger.info(
            "re-checked %d claims, %d verdicts moved",
            self.last_report.checked,
            self.last_report.moved,
        )


def get_rechecker(app: Flask | None = None) -> BackgroundRechecker:
    """The app's re-checker (one per process)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    rechecker = app.extensions.get(RECHECKER_KEY)
    if rechecker is None:
        rechecker = app.extensions[RECHECKER_KEY] = BackgroundRechecker(app)
    return rechecker


def init_app(app: Flask) -> None:
    """Create the re-checker and poke it after each successful change request, and after the
    node's feed follower applies changes made on other nodes."""
    rechecker = get_rechecker(app)
    on_feed_applied(app, rechecker.poke)

    @app.after_request
    def _poke_after_change(response: Response) -> Response:
        if request.method in CHANGE_METHODS and response.status_code < 400:
            get_rechecker(app).poke()
        return response
