"""Claim reviews: the log of checked claims, reviewers' sign-offs, and their ClaimReview form.

Every check (web page or API) is recorded once per *normalised* claim, so "Iran supplied drones
to Russia." and "iran supplied  drones to Russia" count as one claim asked twice. Reviewers see
the log most-asked first and may sign a claim off: confirm or override the automatic verdict,
write a rationale and cite the passages it rests on. Later checks of the same normalised claim
show the newest sign-off beside the automatic verdict.

Signed-off reviews are published as schema.org ``ClaimReview`` JSON-LD by
:func:`claim_review_jsonld`. The verdicts map onto a 1-5 truth scale (``worstRating`` 1 is
false, ``bestRating`` 5 is true); ``alternateName`` carries the words, which is what readers and
fact-check aggregators show.

Plain functions of a SQLAlchemy session; nothing here imports Flask.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from factcheck.catalog.models import ClaimCheck, ClaimReview, Passage, Source, as_utc, utc_now
from factcheck.catalog.store import record_audit
from factcheck.engine.verdict import CONFLICTING, NOT_ENOUGH_EVIDENCE, REFUTED, SUPPORTED, VERDICTS
from factcheck.engine.verify import Result
from factcheck.review.curation import CurationError, NotFoundError, Page, clamp_paging
from factcheck.review.reviewers import ReviewerIdentity
from factcheck.web.check_records import SignedOffReview, normalise_claim, record_check, signed_off

MAX_RATIONALE_LENGTH = 5_000
PERIODS = {"day": 1, "week": 7, "month": 30, "all": None}

# verdict -> (ratingValue, alternateName) on the 1 (false) to 5 (true) scale.
RATINGS: dict[str, tuple[int, str]] = {
    REFUTED: (1, "False"),
    CONFLICTING: (3, "Mixed"),
    NOT_ENOUGH_EVIDENCE: (3, "Unproven"),
    SUPPORTED: (5, "True"),
}
WORST_RATING, BEST_RATING = 1, 5


@dataclass(frozen=True)
class CheckRow:
    """A logged claim with its newest sign-off, if any."""

    check: ClaimCheck
    review: SignedOffReview | None


def list_checks(
    session: Session, *, period: str = "all", page: int = 1, per_page: int = 25
) -> Page:
    """Checked claims asked within ``period``, most asked first, then most recent."""
    page, per_page = clamp_paging(page, per_page)
    conditions = []
    days = PERIODS.get(period)
    if days is not None:
        conditions.append(ClaimCheck.last_asked >= utc_now() - timedelta(days=days))
    total = session.scalar(select(func.count()).select_from(ClaimCheck).where(*conditions)) or 0
    checks = list(
        session.scalars(
            select(ClaimCheck)
            .where(*conditions)
            .order_by(ClaimCheck.times_asked.desc(), ClaimCheck.last_asked.desc(), ClaimCheck.id)
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    )
    reviews = _newest_reviews(session, [check.id for check in checks])
    return Page([CheckRow(c, reviews.get(c.id)) for c in checks], page, per_page, total)


def get_check(session: Session, check_id: int) -> ClaimCheck:
    """The logged claim ``check_id``, or :class:`NotFoundError`."""
    check = session.get(ClaimCheck, check_id)
    if check is None:
        raise NotFoundError(f"No checked claim {check_id}.")
    return check


def newest_review(session: Session, check_id: int) -> SignedOffReview | None:
    """The newest sign-off of one logged claim."""
    return _newest_reviews(session, [check_id]).get(check_id)


def sign_off(
    session: Session,
    check_id: int,
    *,
    verdict: str,
    automatic_verdict: str,
    rationale: str,
    passage_ids: list[str],
    reviewer: ReviewerIdentity,
) -> ClaimReview:
    """Sign a logged claim off with the reviewer's verdict, rationale and cited passages."""
    check = get_check(session, check_id)
    problems: dict[str, list[str]] = {}
    if verdict not in VERDICTS:
        problems["verdict"] = ["one of: " + ", ".join(VERDICTS)]
    rationale = (rationale or "").strip()
    if not rationale:
        problems["rationale"] = ["required: say why"]
    elif len(rationale) > MAX_RATIONALE_LENGTH:
        problems["rationale"] = [f"at most {MAX_RATIONALE_LENGTH} characters"]
    passage_ids = list(dict.fromkeys(passage_ids))
    known = set(session.scalars(select(Passage.id).where(Passage.id.in_(passage_ids))))
    unknown = [passage_id for passage_id in passage_ids if passage_id not in known]
    if unknown:
        problems["passages"] = ["unknown passage: " + ", ".join(unknown)]
    elif not passage_ids and verdict != NOT_ENOUGH_EVIDENCE:
        problems["passages"] = ["cite at least one passage the verdict rests on"]
    if problems:
        raise CurationError("The review cannot be signed off: see fields.", fields=problems)
    review = ClaimReview(
        check_id=check.id,
        claim=check.claim,
        verdict=verdict,
        automatic_verdict=automatic_verdict if automatic_verdict in VERDICTS else check.verdict,
        rationale=rationale,
        passage_ids=passage_ids,
        reviewer_id=reviewer.id,
        reviewer_name=reviewer.name,
        signed_off_at=utc_now(),
    )
    session.add(review)
    session.flush()
    record_audit(
        session,
        actor=reviewer.name,
        action="sign_off",
        entity_type="claim_review",
        entity_id=str(review.id),
        before={"verdict": review.automatic_verdict},
        after={
            "claim": check.claim,
            "verdict": verdict,
            "rationale": rationale,
            "passage_ids": passage_ids,
        },
    )
    return review


def find_check(session: Session, claim: str) -> ClaimCheck | None:
    """The logged check of ``claim`` (compared normalised), if it was ever checked."""
    return session.scalar(
        select(ClaimCheck).where(ClaimCheck.normalised_claim == normalise_claim(claim))
    )


def sign_off_claim(
    session: Session,
    claim: str,
    *,
    verdict: str,
    automatic: Result | None,
    rationale: str,
    passage_ids: list[str],
    reviewer: ReviewerIdentity,
) -> ClaimReview:
    """Sign a claim off by its text, as the API does: :func:`sign_off` on its logged check.

    ``automatic`` is the engine's answer now (``None`` while there is no index). A claim never
    checked is logged first with that answer; with no answer to log, it is refused.
    """
    check = find_check(session, claim)
    if check is not None:
        check_id = check.id
    elif automatic is not None:
        check_id = record_check(session, automatic)
    else:
        raise CurationError(
            "The review cannot be signed off: see fields.",
            fields={"claim": ["never checked, and there is no index to check it against now"]},
        )
    try:
        return sign_off(
            session,
            check_id,
            verdict=verdict,
            automatic_verdict=automatic.verdict if automatic is not None else "",
            rationale=rationale,
            passage_ids=passage_ids,
            reviewer=reviewer,
        )
    except CurationError as refusal:
        # The page's field is "passage"; the API's is "passage_ids": name the one that was sent.
        fields = {
            "passage_ids" if name == "passages" else name: problems
            for name, problems in refusal.fields.items()
        }
        raise CurationError(refusal.message, fields=fields) from refusal


def get_review(session: Session, review_id: int) -> ClaimReview:
    """The signed-off review ``review_id``, or :class:`NotFoundError`."""
    review = session.get(ClaimReview, review_id)
    if review is None:
        raise NotFoundError(f"No claim review {review_id}.")
    return review


def published_reviews(session: Session) -> list[ClaimReview]:
    """The newest review of every signed-off claim, newest first."""
    newest = select(func.max(ClaimReview.id)).group_by(ClaimReview.check_id).scalar_subquery()
    return list(
        session.scalars(
            select(ClaimReview)
            .where(ClaimReview.id.in_(newest))
            .order_by(ClaimReview.signed_off_at.desc(), ClaimReview.id.desc())
        )
    )


# ClaimReview JSON-LD -------------------------------------------------------------------------


def claim_review_jsonld(
    session: Session, review: ClaimReview, *, review_url: str, claim_url: str
) -> dict[str, Any]:
    """A schema.org ``ClaimReview`` of a signed-off review (without ``@context``)."""
    rating_value, rating_name = RATINGS[review.verdict]
    return {
        "@type": "ClaimReview",
        "@id": review_url,
        "url": claim_url,
        "claimReviewed": review.claim,
        "reviewBody": review.rationale,
        "datePublished": as_utc(review.signed_off_at).date().isoformat(),
        "author": {"@type": "Person", "name": review.reviewer_name},
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": rating_value,
            "bestRating": BEST_RATING,
            "worstRating": WORST_RATING,
            "alternateName": rating_name,
        },
        "itemReviewed": {"@type": "Claim", "text": review.claim},
        "citation": _citations(session, review.passage_ids),
    }


def _citations(session: Session, passage_ids: list[str]) -> list[dict[str, Any]]:
    """The sources of the cited passages, once each, in citation order."""
    if not passage_ids:
        return []
    rows = session.execute(
        select(Passage.id, Source)
        .join(Source, Source.id == Passage.source_id)
        .where(Passage.id.in_(passage_ids))
    ).all()
    source_of = {passage_id: source for passage_id, source in rows}
    citations: dict[str, dict[str, Any]] = {}
    for passage_id in passage_ids:
        source = source_of.get(passage_id)
        if source is None or source.id in citations:
            continue
        citation: dict[str, Any] = {"@type": "CreativeWork", "name": source.title}
        if source.url:
            citation["url"] = source.url
        if source.publisher:
            citation["publisher"] = {"@type": "Organization", "name": source.publisher}
        if source.published:
            citation["datePublished"] = source.published
        citations[source.id] = citation
    return list(citations.values())


def _newest_reviews(session: Session, check_ids: list[int]) -> dict[int, SignedOffReview]:
    """The newest sign-off of each of ``check_ids`` that has one."""
    if not check_ids:
        return {}
    newest: dict[int, SignedOffReview] = {}
    statement = (
        select(ClaimReview)
        .where(ClaimReview.check_id.in_(check_ids))
        .options(selectinload(ClaimReview.evidence_changes))
        .order_by(ClaimReview.check_id, ClaimReview.id)
    )
    for review in session.scalars(statement):
        newest[review.check_id] = signed_off(review)  # later rows are newer
    return newest
