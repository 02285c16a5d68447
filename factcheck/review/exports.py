"""Exports a newsroom can use: the checked claims with their newest sign-off, as CSV or JSON.

One row per checked claim asked within the date range (``last_asked``, UTC days, both ends
included), filtered by the verdict readers see: the reviewer's when the claim is signed off,
else the automatic one. The CSV is safe to open in a spreadsheet: a text cell starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with an apostrophe, so it is
never read as a formula.

Plain functions of a SQLAlchemy session; nothing here imports Flask.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from factcheck.catalog.models import ClaimCheck, ClaimReview, as_utc

MAX_EXPORT_ROWS = 50_000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = (
    "check_id",
    "claim",
    "verdict",
    "automatic_verdict",
    "confidence",
    "times_asked",
    "first_asked",
    "last_asked",
    "review_id",
    "review_verdict",
    "reviewer",
    "signed_off_at",
    "rationale",
    "passage_ids",
    "needs_another_look",
)


@dataclass(frozen=True)
class ExportFilter:
    """Which checked claims: asked from ``since`` to ``until`` (days), with ``verdict``."""

    since: date | None = None
    until: date | None = None
    verdict: str | None = None


def export_rows(session: Session, criteria: ExportFilter) -> list[dict[str, Any]]:
    """The checked claims matching ``criteria``, most recently asked first, one dict each."""
    newest = (
        select(ClaimReview.check_id, func.max(ClaimReview.id).label("review_id"))
        .group_by(ClaimReview.check_id)
        .subquery()
    )
    statement = (
        select(ClaimCheck, ClaimReview)
        .outerjoin(newest, newest.c.check_id == ClaimCheck.id)
        .outerjoin(ClaimReview, ClaimReview.id == newest.c.review_id)
        .options(selectinload(ClaimReview.evidence_changes))
        .order_by(ClaimCheck.last_asked.desc(), ClaimCheck.id)
        .limit(MAX_EXPORT_ROWS)
    )
    if criteria.since is not None:
        statement = statement.where(ClaimCheck.last_asked >= _start_of(criteria.since))
    if criteria.until is not None:
        statement = statement.where(
            ClaimCheck.last_asked < _start_of(criteria.until + timedelta(days=1))
        )
    if criteria.verdict is not None:
        shown = func.coalesce(ClaimReview.verdict, ClaimCheck.verdict)
        statement = statement.where(shown == criteria.verdict)
    return [_row(check, review) for check, review in session.execute(statement)]


def to_csv(rows: list[dict[str, Any]]) -> str:
    """``rows`` as CSV with a header line, every text cell safe from formula injection."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([csv_cell(row[name]) for name in COLUMNS])
    return out.getvalue()


def csv_cell(value: Any) -> str:
    """One CSV cell: lists joined by spaces, nothing as empty, formulas defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        value = " ".join(str(item) for item in value)
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _row(check: ClaimCheck, review: ClaimReview | None) -> dict[str, Any]:
    return {
        "check_id": check.id,
        "claim": check.claim,
        "verdict": review.verdict if review is not None else check.verdict,
        "automatic_verdict": check.verdict,
        "confidence": round(check.confidence, 4),
        "times_asked": check.times_asked,
        "first_asked": _iso(check.first_asked),
        "last_asked": _iso(check.last_asked),
        "review_id": review.id if review is not None else None,
        "review_verdict": review.verdict if review is not None else None,
        "reviewer": review.reviewer_name if review is not None else None,
        "signed_off_at": _iso(review.signed_off_at) if review is not None else None,
        "rationale": review.rationale if review is not None else None,
        "passage_ids": list(review.passage_ids or ()) if review is not None else [],
        "needs_another_look": bool(review is not None and review.evidence_changes),
    }


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _iso(moment: datetime | None) -> str | None:
    return as_utc(moment).isoformat() if moment is not None else None
