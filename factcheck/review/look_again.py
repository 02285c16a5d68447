"""Reviews that notice when their evidence changes: "needs another look".

A signed-off review rests on the passages it cites. When one of them is excluded, its text
corrected or its source retired, the newest review of every claim citing it gets a
:class:`~factcheck.catalog.models.ReviewEvidenceChange` saying what changed, who changed it and
when. A review with any such change needs another look: ``/review/`` lists it first, the API
says so, and the public result page says the review predates the change. Signing the claim off
again makes a new review, which has none.

Plain functions of a SQLAlchemy session, called by :mod:`factcheck.review.curation` inside the
curation change's transaction, so the flag commits (or rolls back) with the change itself.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factcheck.catalog.models import ClaimReview, ReviewEvidenceChange, utc_now

# The curation actions that change what a review rests on.
EVIDENCE_ACTIONS = ("exclude", "correct", "retire")
# The change kind noted when a re-check after an import or a change moves a claim's verdict.
VERDICT_MOVED = "verdict"
MAX_DETAIL_LENGTH = 300


def flag_reviews_citing(
    session: Session, changes: Iterable[tuple[str, str]], *, action: str, actor: str
) -> list[ReviewEvidenceChange]:
    """Note ``(passage_id, detail)`` changes on the newest reviews that cite those passages."""
    detail_of = dict(changes)
    if not detail_of:
        return []
    newest = select(func.max(ClaimReview.id)).group_by(ClaimReview.check_id).scalar_subquery()
    flagged: list[ReviewEvidenceChange] = []
    now = utc_now()
    for review in session.scalars(select(ClaimReview).where(ClaimReview.id.in_(newest))):
        for passage_id in review.passage_ids or ():
            if passage_id not in detail_of:
                continue
            change = ReviewEvidenceChange(
                review_id=review.id,
                action=action,
                passage_id=passage_id,
                detail=_shorten(detail_of[passage_id]),
                actor=actor,
                at=now,
            )
            session.add(change)
            flagged.append(change)
    if flagged:
        session.flush()
    return flagged


def flag_review_of_moved_verdict(
    session: Session, check_id: int, *, before: str, after: str, passage_id: str | None
) -> ReviewEvidenceChange | None:
    """Note on the newest review of ``check_id`` that its automatic verdict moved, if any."""
    review = session.scalar(
        select(ClaimReview)
        .where(ClaimReview.check_id == check_id)
        .order_by(ClaimReview.id.desc())
        .limit(1)
    )
    if review is None:
        return None
    detail = f"The automatic verdict moved from {_label(before)} to {_label(after)} on a re-check"
    detail += f" (passage {passage_id})." if passage_id else "."
    change = ReviewEvidenceChange(
        review_id=review.id,
        action=VERDICT_MOVED,
        passage_id=passage_id or "",
        detail=_shorten(detail),
        actor="re-check",
        at=utc_now(),
    )
    session.add(change)
    session.flush()
    return change


def reviews_needing_another_look(session: Session, *, limit: int = 20) -> list[ClaimReview]:
    """The newest reviews with evidence changes since their sign-off, latest change first."""
    newest = select(func.max(ClaimReview.id)).group_by(ClaimReview.check_id).scalar_subquery()
    latest_change = (
        select(ReviewEvidenceChange.review_id, func.max(ReviewEvidenceChange.id).label("last"))
        .group_by(ReviewEvidenceChange.review_id)
        .subquery()
    )
    statement = (
        select(ClaimReview)
        .join(latest_change, latest_change.c.review_id == ClaimReview.id)
        .where(ClaimReview.id.in_(newest))
        .order_by(latest_change.c.last.desc())
        .limit(limit)
    )
    return list(session.scalars(statement))


def _label(verdict: str) -> str:
    return verdict.replace("_", " ")


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= MAX_DETAIL_LENGTH:
        return text
    return text[: MAX_DETAIL_LENGTH - 1].rstrip() + "…"
