"""Catalog tables as SQLAlchemy 2 typed declarative models.

The schema itself is created and changed by the Alembic migrations in ``factcheck/migrations``;
these classes must match the latest revision.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utc_now() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every time stored here is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    """Declarative base of every catalog table."""


class Source(Base):
    """A curated document: where passages come from and what is known of its provenance."""

    __tablename__ = "sources"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    publisher: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    published: Mapped[str | None] = mapped_column(String(32))  # ISO 8601 prefix
    published_precision: Mapped[str] = mapped_column(String(16), default="unknown")
    origin: Mapped[str | None] = mapped_column(Text)  # the file it was imported from
    reliability: Mapped[str | None] = mapped_column(String(32))
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now, onupdate=utc_now
    )

    passages: Mapped[list[Passage]] = relationship(
        back_populates="source", order_by="Passage.position"
    )


class Passage(Base):
    """A sentence of a source, with its paragraph as context and its curation state.

    ``original_text`` is what the importer read; ``text`` is what is indexed and may be a
    reviewer's correction. ``version`` is SQLAlchemy's optimistic lock: an ORM update of a stale
    row raises ``StaleDataError`` instead of overwriting another reviewer's edit.
    """

    __tablename__ = "passages"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    paragraph: Mapped[int] = mapped_column(Integer)
    original_text: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    context: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    excluded: Mapped[bool] = mapped_column(Boolean, default=False)
    excluded_reason: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now, onupdate=utc_now
    )

    source: Mapped[Source] = relationship(back_populates="passages")

    __mapper_args__ = {"version_id_col": version}


class AuditEntry(Base):
    """One change to the catalog: who, when, what, and the values before and after."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(200))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    __table_args__ = (Index("ix_audit_entries_entity", "entity_type", "entity_id"),)


# Reviewers and claim reviews (issue 5) -------------------------------------------------------


class Reviewer(Base):
    """A person who curates sources and signs off verdicts; signs in with a password."""

    __tablename__ = "reviewers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))  # werkzeug scrypt hash
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    # Named in every session cookie; raised on sign-out, a password change or deactivation, so
    # every cookie issued before (on any device, or copied) stops opening a page.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ApiToken(Base):
    """A reviewer's API token; only the sha256 of the token is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reviewer_id: Mapped[int] = mapped_column(
        ForeignKey("reviewers.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # What the reviewer calls it ("laptop script"), to tell tokens apart when revoking one.
    label: Mapped[str] = mapped_column(String(80), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    reviewer: Mapped[Reviewer] = relationship()


class SignInFailure(Base):
    """One failed sign-in, counted per user name and address to throttle guessing."""

    __tablename__ = "sign_in_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)

    __table_args__ = (
        Index("ix_sign_in_failures_who", "username", "address", "at"),
        # Failures from one address whatever the name, the second throttle (issue 12).
        Index("ix_sign_in_failures_address", "address", "at"),
    )


class ClaimCheck(Base):
    """A claim people checked, one row per normalised text: its latest verdict and demand."""

    __tablename__ = "claim_checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    normalised_claim: Mapped[str] = mapped_column(String(600), unique=True)
    claim: Mapped[str] = mapped_column(Text)  # as last asked
    verdict: Mapped[str] = mapped_column(String(32))  # the latest automatic verdict
    confidence: Mapped[float] = mapped_column(Float)
    times_asked: Mapped[int] = mapped_column(Integer, default=1)
    first_asked: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    last_asked: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now, index=True
    )


class ClaimReview(Base):
    """A reviewer's signed-off verdict on a checked claim; the newest one per claim is shown."""

    __tablename__ = "claim_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    check_id: Mapped[int] = mapped_column(
        ForeignKey("claim_checks.id", ondelete="CASCADE"), index=True
    )
    claim: Mapped[str] = mapped_column(Text)
    verdict: Mapped[str] = mapped_column(String(32))  # the reviewer's
    automatic_verdict: Mapped[str] = mapped_column(String(32))  # the engine's, when signed off
    rationale: Mapped[str] = mapped_column(Text)
    passage_ids: Mapped[list[str]] = mapped_column(JSON)  # the passages the review rests on
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("reviewers.id", ondelete="SET NULL"))
    reviewer_name: Mapped[str] = mapped_column(String(80))
    signed_off_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)

    check: Mapped[ClaimCheck] = relationship()
    # Changes to the cited passages since the sign-off: any means "needs another look".
    evidence_changes: Mapped[list[ReviewEvidenceChange]] = relationship(
        order_by="ReviewEvidenceChange.id", passive_deletes=True
    )


class ReviewEvidenceChange(Base):
    """A change to a passage a signed-off review cites, made after the sign-off.

    A review with any is shown as needing another look; signing the claim off again makes a new
    review, which has none.
    """

    __tablename__ = "review_evidence_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("claim_reviews.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(32))  # exclude, correct, retire, verdict
    passage_id: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(Text)  # what changed, in a sentence
    actor: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class VerdictChange(Base):
    """A logged claim whose automatic verdict moved when it was checked again after a change.

    Written by the background re-check that follows an import or a curation change; listed,
    newest first, on ``/review/changes``.
    """

    __tablename__ = "verdict_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    check_id: Mapped[int] = mapped_column(
        ForeignKey("claim_checks.id", ondelete="CASCADE"), index=True
    )
    claim: Mapped[str] = mapped_column(Text)
    before: Mapped[str] = mapped_column(String(32))  # the verdict the check log held
    after: Mapped[str] = mapped_column(String(32))  # the verdict the re-check gave
    confidence: Mapped[float] = mapped_column(Float)  # the re-check's
    passage_id: Mapped[str | None] = mapped_column(String(200))  # the passage that moved it
    passage_text: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now, index=True)


class FeedEntry(Base):
    """One committed change to what is searchable: the change feed every node's index follows.

    Written in the transaction of the change itself (:mod:`factcheck.catalog.feed`), so the feed
    holds exactly what was committed. ``id`` is the position: it only grows, and positions are
    given out in commit order (see :func:`factcheck.catalog.feed.write_pending`).
    """

    __tablename__ = "feed_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(64))  # "import", "correct,exclude", "retire", …
    source_ids: Mapped[list[str]] = mapped_column(JSON)  # whose passages the index must replace
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)

    # SQLite: AUTOINCREMENT, so a position is never given out twice, even after a deletion.
    __table_args__ = ({"sqlite_autoincrement": True},)
