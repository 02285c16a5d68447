"""Check records: the log row of each checked claim, and the sign-off a check shows beside it.

Every check (web page or API) is recorded once per *normalised* claim, so "Iran supplied drones
to Russia." and "iran supplied  drones to Russia" count as one claim asked twice. A later check of
a claim a reviewer signed off shows the newest sign-off. Plain functions of a SQLAlchemy session;
nothing here imports Flask (the background writer is :mod:`factcheck.web.check_log`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from factcheck.catalog.models import ClaimCheck, ClaimReview, as_utc, utc_now
from factcheck.engine.verify import Result
from factcheck.language.text_analysis import normalise

MAX_NORMALISED_LENGTH = 600


def normalise_claim(claim: str) -> str:
    """The key a claim is logged under: case, spacing, quotes and end punctuation ignored."""
    text = normalise(unicodedata.normalize("NFKC", claim)).casefold()
    text = " ".join(text.split())
    text = re.sub(r"^[\s\"'«»]+|[\s\"'«».!?;:,]+$", "", text)
    return text[:MAX_NORMALISED_LENGTH]


@dataclass(frozen=True)
class EvidenceChange:
    """A change to a passage a review cites, made after it was signed off."""

    action: str  # exclude, correct, retire
    passage_id: str
    detail: str
    actor: str
    at: datetime


@dataclass(frozen=True)
class SignedOffReview:
    """What a check shows of a sign-off: whose verdict, why, and on which passages."""

    id: int
    check_id: int
    claim: str
    verdict: str
    automatic_verdict: str
    rationale: str
    reviewer: str
    signed_off_at: datetime
    passage_ids: tuple[str, ...]
    changes: tuple[EvidenceChange, ...] = ()

    @property
    def needs_another_look(self) -> bool:
        """Whether evidence the review rests on changed after it was signed off."""
        return bool(self.changes)

    @property
    def confirmed(self) -> bool:
        """Whether the reviewer agreed with the automatic verdict of the day."""
        return self.verdict == self.automatic_verdict


def record_check(session: Session, result: Result, *, now: datetime | None = None) -> int:
    """Log one check of ``result.claim`` (its latest verdict, one more ask); return its id.

    Two first asks of a new claim may race: the loser of the unique insert counts as a repeat.
    The caller commits.
    """
    now = now or utc_now()
    key = normalise_claim(result.claim)
    values = {
        "claim": result.claim,
        "verdict": result.verdict,
        "confidence": result.confidence,
        "last_asked": now,
    }
    for _attempt in range(2):
        check_id = session.scalar(
            update(ClaimCheck)
            .where(ClaimCheck.normalised_claim == key)
            .values(**values, times_asked=ClaimCheck.times_asked + 1)
            .returning(ClaimCheck.id)
        )
        if check_id is not None:
            return check_id
        try:
            with session.begin_nested():
                check = ClaimCheck(normalised_claim=key, times_asked=1, first_asked=now, **values)
                session.add(check)
            return check.id
        except IntegrityError:
            continue
    raise RuntimeError("the claim check could not be recorded")  # pragma: no cover


def review_for_claim(session: Session, claim: str) -> SignedOffReview | None:
    """The newest signed-off review of ``claim`` (compared normalised), if any."""
    statement = (
        select(ClaimReview)
        .join(ClaimCheck, ClaimCheck.id == ClaimReview.check_id)
        .where(ClaimCheck.normalised_claim == normalise_claim(claim))
        .order_by(ClaimReview.signed_off_at.desc(), ClaimReview.id.desc())
        .limit(1)
    )
    review = session.scalar(statement)
    return signed_off(review) if review is not None else None


def signed_off(review: ClaimReview) -> SignedOffReview:
    """What a check shows of ``review``."""
    return SignedOffReview(
        id=review.id,
        check_id=review.check_id,
        claim=review.claim,
        verdict=review.verdict,
        automatic_verdict=review.automatic_verdict,
        rationale=review.rationale,
        reviewer=review.reviewer_name,
        signed_off_at=as_utc(review.signed_off_at),
        passage_ids=tuple(review.passage_ids or ()),
        changes=tuple(
            EvidenceChange(
                action=change.action,
                passage_id=change.passage_id,
                detail=change.detail,
                actor=change.actor,
                at=as_utc(change.at),
            )
            for change in review.evidence_changes
        ),
    )
