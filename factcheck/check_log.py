"""Check log: the web layer's record of each claim check, and the reviewer's word on it.

The verify API and the public result page call :func:`record` right after
:func:`factcheck.checks.check_claim`: it logs the check (see :mod:`factcheck.claim_reviews`) and
returns the claim's newest signed-off review, which both show beside the automatic verdict.
The log is a by-product: if the catalog cannot take the write (a locked SQLite file, say), the
check is still answered and the failure is logged.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from flask import current_app, url_for
from sqlalchemy.exc import SQLAlchemyError

from factcheck.catalog.database import get_db
from factcheck.claim_reviews import SignedOffReview, record_check, review_for_claim
from factcheck.verification import Result


def record(result: Result) -> SignedOffReview | None:
    """Log this check and return the claim's signed-off review, if a reviewer wrote one."""
    session = get_db()
    try:
        record_check(session, result)
        session.commit()
    except SQLAlchemyError:
        session.rollback()
        current_app.logger.warning("The check of %r was not logged", result.claim, exc_info=True)
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
