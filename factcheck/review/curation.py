"""Curation: what reviewers change in the catalog, each change audited and fed to the index.

Plain functions of a SQLAlchemy session (no Flask), shared by the ``/review`` pages and the
curation API so both follow one set of rules:

* Sources: list with counts and filters, add one from a
  :class:`~factcheck.ingest.documents.Document` (pasted, uploaded or fetched) within the
  :class:`SourceLimits`, edit its metadata and reliability rating, retire or restore it.
  Nothing is ever deleted: a retired source's passages only leave the index.
* Passages: exclude or include with a reason, correct the text (``original_text`` is kept), add
  a note. Each edit names the ``version`` it was made on; a stale version is an
  :class:`EditConflict` carrying the current state, so nothing is overwritten silently.
* Every change writes an :class:`~factcheck.catalog.models.AuditEntry` (who, when, what, before
  and after), one per kind of change.

A refusal is an exception of the :mod:`factcheck.errors` family (:class:`CurationError` 422,
:class:`NotFoundError` 404, :class:`PermissionDeniedError` 403, :class:`DuplicateSourceError` and
:class:`EditConflict` 409), so a view lets it propagate. A change runs inside
:func:`curation_change`, the one unit of work the pages and the API share: it commits the change
with its audit entries and its change-feed entry (or rolls all back on a refusal), then applies
the feed to the node's index (the changed sources' passages replaced, not a rebuild), so a check
sees the change at once; every other node's follower applies the same entry.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from factcheck.catalog.database import Database
from factcheck.catalog.feed import committed_position, note_change
from factcheck.catalog.models import AuditEntry, Passage, Source
from factcheck.catalog.store import ImportSummary, import_documents, record_audit
from factcheck.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from factcheck.ingest.documents import Document, normalise_published, slugify
from factcheck.ingest.passages import PassageDraft, build_passages, content_hash
from factcheck.review.look_again import flag_reviews_citing
from factcheck.review.reviewers import ReviewerIdentity
from factcheck.search.feed import apply_feed
from factcheck.search.index import SearchIndex
from factcheck.settings import SETTINGS_BY_NAME

# The fixed reliability scale, best first; ``None`` means not rated yet.
RELIABILITY_SCALE: dict[str, str] = {
    "very_high": "Very high: a record of accurate, corrected reporting",
    "high": "High",
    "mixed": "Mixed: check its claims against other sources",
    "low": "Low",
    "very_low": "Very low: known for fabrication or propaganda",
}
SOURCE_STATUSES = ("active", "retired", "all")
SOURCE_METADATA = ("title", "publisher", "url", "published", "reliability")
MAX_PER_PAGE = 100
# Past any list's end, and small enough that the row offset fits every database's integer.
MAX_PAGE = 1_000_000
DEFAULT_PER_PAGE = 25
MAX_TEXT_LENGTH = 5_000
# Ids appear in URLs and prefix passage ids: no slashes, colons or spaces.
SOURCE_ID_PATTERN = re.compile(
    r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$"
)  # a corrected passage is one sentence, not an article


class CurationError(InvalidInput):
    """Curation input that cannot be used (422): a message and the fields at fault."""


class NotFoundError(NotFound):
    """No such source or passage (404)."""


class PermissionDeniedError(PermissionDenied):
    """The reviewer may not make this change (403)."""


class SourceTooLargeError(CurationError):
    """A submitted source longer than the service accepts (413)."""

    status = 413


class DuplicateSourceError(Conflict):
    """A source with this id or URL is already in the catalog (409)."""


class EditConflict(Conflict):
    """The passage changed since the version the edit was made on (409); ``current`` is what it
    holds now."""

    def __init__(self, submitted_version: int, current: dict[str, Any]) -> None:
        super().__init__(
            f"Passage {current['id']} was changed by someone else: your edit was made on "
            f"version {submitted_version}, it is now at version {current['version']}. "
            f"Its current text is: {current['text']}",
            fields={"version": [f"stale: the current version is {current['version']}; reload it"]},
        )
        self.submitted_version = submitted_version
        self.current = current


@dataclass(frozen=True)
class Page:
    """One page of a list: the items, where it is, and how many there are in all."""

    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages the list has (at least one)."""
        return max(1, -(-self.total // self.per_page))


def clamp_paging(page: int | None, per_page: int | None) -> tuple[int, int]:
    """Page numbers run from 1 to :data:`MAX_PAGE`; a page holds 1 to :data:`MAX_PER_PAGE` items."""
    page = min(MAX_PAGE, max(1, page or 1))
    per_page = min(MAX_PER_PAGE, max(1, per_page or DEFAULT_PER_PAGE))
    return page, per_page


# Sources ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceRow:
    """A source with its passage counts."""

    source: Source
    passages: int
    excluded: int

    @property
    def active(self) -> int:
        """Passages the index holds for it (none once it is retired)."""
        return 0 if self.source.retired else self.passages - self.excluded


@dataclass(frozen=True)
class SourceFilter:
    """What the list of sources shows."""

    query: str | None = None  # words in the title, publisher, URL or id
    status: str = "active"  # "active", "retired" or "all"
    reliability: str | None = None  # a scale value, or "unrated"
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE


def list_sources(session: Session, criteria: SourceFilter) -> Page:
    """Sources matching ``criteria``, newest first, with their passage counts."""
    page, per_page = clamp_paging(criteria.page, criteria.per_page)
    conditions: list[ColumnElement[bool]] = []
    if criteria.status == "active":
        conditions.append(Source.retired.is_(False))
    elif criteria.status == "retired":
        conditions.append(Source.retired.is_(True))
    if criteria.reliability == "unrated":
        conditions.append(Source.reliability.is_(None))
    elif criteria.reliability:
        conditions.append(Source.reliability == criteria.reliability)
    if criteria.query and criteria.query.strip():
        pattern = "%" + _escape_like(criteria.query.strip().lower()) + "%"
        conditions.append(
            or_(
                *(
                    func.lower(column).like(pattern, escape="\\")
                    for column in (Source.title, Source.publisher, Source.url, Source.id)
                )
            )
        )
    total = session.scalar(select(func.count()).select_from(Source).where(*conditions)) or 0
    counts = (
        select(
            Passage.source_id,
            func.count().label("passages"),
            func.count().filter(Passage.excluded.is_(True)).label("excluded"),
        )
        .group_by(Passage.source_id)
        .subquery()
    )
    statement = (
        select(Source, counts.c.passages, counts.c.excluded)
        .outerjoin(counts, counts.c.source_id == Source.id)
        .where(*conditions)
        .order_by(Source.created_at.desc(), Source.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    rows = [
        SourceRow(source, passages or 0, excluded or 0)
        for source, passages, excluded in session.execute(statement)
    ]
    return Page(rows, page, per_page, total)


def get_source(session: Session, source_id: str) -> Source:
    """The source ``source_id``, or :class:`NotFoundError`."""
    source = session.get(Source, source_id)
    if source is None:
        raise NotFoundError(f"No source {source_id!r}.")
    return source


def source_row(session: Session, source_id: str) -> SourceRow:
    """The source ``source_id`` with its counts."""
    source = get_source(session, source_id)
    passages, excluded = session.execute(
        select(func.count(), func.count().filter(Passage.excluded.is_(True))).where(
            Passage.source_id == source_id
        )
    ).one()
    return SourceRow(source, passages, excluded)


def source_passages(session: Session, source_id: str) -> list[Passage]:
    """Every passage of a source, excluded ones too, in document order."""
    return list(
        session.scalars(
            select(Passage).where(Passage.source_id == source_id).order_by(Passage.position)
        )
    )


def edit_source(
    session: Session, source_id: str, changes: dict[str, Any], actor: ReviewerIdentity
) -> list[str]:
    """Apply metadata changes and retirement; return the audit actions written.

    ``changes`` holds any of ``title``, ``publisher``, ``url``, ``published``, ``reliability``
    and ``retired``; values equal to the current ones change nothing. Retiring and restoring
    are for admins.
    """
    source = get_source(session, source_id)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    updates: dict[str, Any] = {}
    for name in SOURCE_METADATA:
        if name not in changes:
            continue
        value = _clean(changes[name])
        if name == "title" and not value:
            raise CurationError("A source needs a title.", fields={"title": ["required"]})
        if name == "reliability" and value is not None and value not in RELIABILITY_SCALE:
            raise CurationError(
                "Unknown reliability rating.",
                fields={"reliability": ["one of: " + ", ".join(RELIABILITY_SCALE)]},
            )
        if name == "published":
            published, precision = _published(value)
            if published != source.published or precision != source.published_precision:
                before.update(
                    published=source.published, published_precision=source.published_precision
                )
                after.update(published=published, published_precision=precision)
                updates.update(published=published, published_precision=precision)
            continue
        if value != getattr(source, name):
            before[name] = getattr(source, name)
            after[name] = value
            updates[name] = value
    actions: list[str] = []
    if updates:
        for name, value in updates.items():
            setattr(source, name, value)
        _audit(session, actor, "edit", "source", source_id, before, after)
        actions.append("edit")
    retired = changes.get("retired")
    if retired is not None and bool(retired) != source.retired:
        if not actor.is_admin:
            raise PermissionDeniedError("Only an admin reviewer may retire or restore a source.")
        source.retired = bool(retired)
        action = "retire" if source.retired else "restore"
        _audit(
            session, actor, action, "source", source_id,
            {"retired": not source.retired}, {"retired": source.retired},
        )  # fmt: skip
        actions.append(action)
    session.flush()
    if "retire" in actions:
        passage_ids = session.scalars(select(Passage.id).where(Passage.source_id == source_id))
        detail = f"Its source, {source.title!r}, was retired."
        flag_reviews_citing(
            session, [(pid, detail) for pid in passage_ids], action="retire", actor=actor.name
        )
    _changed(session, source_id, actions)
    return actions


@dataclass(frozen=True)
class SourceLimits:
    """How large a source reviewers may add: the ``MAX_SOURCE_*`` settings.

    A paste or a fetched page is untrusted input; without limits one request can fill the
    catalog and hold its write lock for as long as it takes.
    """

    characters: int = SETTINGS_BY_NAME["MAX_SOURCE_CHARACTERS"].default
    passages: int = SETTINGS_BY_NAME["MAX_SOURCE_PASSAGES"].default

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SourceLimits:
        """The limits an app is configured with."""
        return cls(
            characters=config.get("MAX_SOURCE_CHARACTERS", cls.characters),
            passages=config.get("MAX_SOURCE_PASSAGES", cls.passages),
        )


def check_source_length(document: Document, limits: SourceLimits) -> None:
    """Refuse a document whose text is longer than ``limits`` allow (a 413)."""
    if len(document.text) > limits.characters:
        raise SourceTooLargeError(
            f"The text is too long to add as one source: {len(document.text):,} characters, "
            f"at most {limits.characters:,}. Split it into several sources.",
            fields={"text": [f"at most {limits.characters} characters"]},
        )


def source_drafts(document: Document, limits: SourceLimits) -> list[PassageDraft]:
    """The passages a submitted document splits into, within ``limits`` or refused.

    The length is checked before any splitting, so an oversized paste is refused at once.
    """
    check_source_length(document, limits)
    drafts = build_passages(document)
    if len(drafts) > limits.passages:
        raise CurationError(
            f"The text splits into {len(drafts):,} passages, at most {limits.passages:,} may "
            "be added as one source. Split it into several sources.",
            fields={"text": [f"at most {limits.passages} passages"]},
        )
    return drafts


def source_id_for(title: str, text: str, url: str | None = None) -> str:
    """A new source's id: a slug of its title and a short hash of its URL or text."""
    slug = slugify(title)[:60].strip("-") or "source"
    digest = hashlib.sha256((url or text).encode("utf-8")).hexdigest()[:10]
    return f"{slug}-{digest}"


def add_source(
    session: Session,
    document: Document,
    actor: ReviewerIdentity,
    *,
    reliability: str | None = None,
    limits: SourceLimits | None = None,
) -> ImportSummary:
    """Add a new source from a document (pasted, uploaded or fetched); refuse a known id.

    A document over ``limits`` (the defaults unless given) is refused before anything is
    written.
    """
    limits = limits or SourceLimits()
    check_source_length(document, limits)
    if not document.title.strip():
        raise CurationError("A source needs a title.", fields={"title": ["required"]})
    if not document.text.strip():
        raise CurationError("A source needs some text.", fields={"text": ["required"]})
    if reliability is not None and reliability not in RELIABILITY_SCALE:
        raise CurationError(
            "Unknown reliability rating.",
            fields={"reliability": ["one of: " + ", ".join(RELIABILITY_SCALE)]},
        )
    if not SOURCE_ID_PATTERN.match(document.source_id):
        raise CurationError(
            f"{document.source_id!r} cannot be a source id.",
            fields={"id": ["letters, digits, '.', '_' and '-' only, at most 200"]},
        )
    if session.get(Source, document.source_id) is not None:
        raise DuplicateSourceError(
            f"A source with id {document.source_id!r} is already in the catalog.",
            fields={"id": ["already in use"]},
        )
    if document.url and session.scalar(select(Source.id).where(Source.url == document.url)):
        raise DuplicateSourceError(
            f"A source with the URL {document.url} is already in the catalog.",
            fields={"url": ["already in the catalog"]},
        )
    summary = import_documents(
        session,
        [document],
        actor=actor.name,
        build=lambda submitted: source_drafts(submitted, limits),
    )
    if reliability is not None:
        session.get(Source, document.source_id).reliability = reliability  # type: ignore[union-attr]
    if summary.passages_skipped and not summary.passages_added:
        raise CurationError("Every passage of this text is already in another source.")
    return summary  # import_documents noted the new source for the change feed


# Passages -----------------------------------------------------------------------------------


def get_passage(session: Session, passage_id: str) -> Passage:
    """The passage ``passage_id``, or :class:`NotFoundError`."""
    passage = session.get(Passage, passage_id)
    if passage is None:
        raise NotFoundError(f"No passage {passage_id!r}.")
    return passage


def passage_state(passage: Passage) -> dict[str, Any]:
    """What a conflict shows of a passage: its curated fields and version."""
    return {
        "id": passage.id,
        "version": passage.version,
        "text": passage.text,
        "excluded": passage.excluded,
        "excluded_reason": passage.excluded_reason,
        "note": passage.note,
    }


@dataclass
class PassageEdit:
    """A reviewer's change to one passage; ``None`` leaves a field as it is."""

    version: int
    excluded: bool | None = None
    reason: str | None = None  # required to exclude
    text: str | None = None
    note: str | None = None  # "" clears the note
    fields_given: set[str] = field(default_factory=set)


def edit_passage(
    session: Session, passage_id: str, edit: PassageEdit, actor: ReviewerIdentity
) -> list[str]:
    """Apply ``edit`` to a passage if its version is current; return the audit actions written.

    On a stale version the session is rolled back and :class:`EditConflict` says what the
    passage holds now.
    """
    passage = get_passage(session, passage_id)
    if edit.version != passage.version:
        raise EditConflict(edit.version, passage_state(passage))
    changes: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    if edit.excluded is not None:
        reason = _clean(edit.reason)
        if edit.excluded and not reason:
            raise CurationError(
                "Say why the passage is excluded.", fields={"reason": ["required to exclude"]}
            )
        if edit.excluded != passage.excluded or (
            edit.excluded and reason != passage.excluded_reason
        ):
            before: dict[str, Any] = {
                "excluded": passage.excluded,
                "excluded_reason": passage.excluded_reason,
            }
            passage.excluded = edit.excluded
            # Including keeps a reason only if one was given ("checked: not noise").
            passage.excluded_reason = reason if edit.excluded else None
            after: dict[str, Any] = {
                "excluded": passage.excluded,
                "excluded_reason": passage.excluded_reason,
            }
            if not edit.excluded and reason:
                after["reason"] = reason
            changes.append(("exclude" if edit.excluded else "include", before, after))
    if edit.text is not None:
        text = " ".join(edit.text.split())
        if not text:
            raise CurationError("The corrected text is empty.", fields={"text": ["required"]})
        if len(text) > MAX_TEXT_LENGTH:
            raise CurationError(
                "The corrected text is too long for one passage.",
                fields={"text": [f"at most {MAX_TEXT_LENGTH} characters"]},
            )
        if text != passage.text:
            changes.append(("correct", {"text": passage.text}, {"text": text}))
            passage.text = text
            passage.content_hash = content_hash(text)
    if edit.note is not None:
        note = _clean(edit.note)
        if note != passage.note:
            changes.append(("note", {"note": passage.note}, {"note": note}))
            passage.note = note
    if not changes:
        return []
    old_version = passage.version
    try:
        session.flush()  # the ORM's version check: UPDATE ... WHERE version = old_version
    except StaleDataError:
        session.rollback()
        raise EditConflict(edit.version, passage_state(get_passage(session, passage_id))) from None
    for action, before, after in changes:
        before["version"], after["version"] = old_version, passage.version
        _audit(session, actor, action, "passage", passage_id, before, after)
        if action in ("exclude", "correct"):
            flag_reviews_citing(
                session,
                [(passage_id, _evidence_detail(passage_id, action, before, after))],
                action=action,
                actor=actor.name,
            )
    _changed(session, passage.source_id, [action for action, _before, _after in changes])
    return [action for action, _before, _after in changes]


def _evidence_detail(
    passage_id: str, action: str, before: dict[str, Any], after: dict[str, Any]
) -> str:
    """What a review citing the passage is told changed."""
    if action == "exclude":
        return f"Passage {passage_id} was excluded: {after.get('excluded_reason')}."
    return f'Passage {passage_id} was corrected; it read: "{before.get("text")}"'


# Audit --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilter:
    """Which audit entries to show: all, one entity's, or a source's and its passages'."""

    entity_type: str | None = None
    entity_id: str | None = None
    source_id: str | None = None  # the source and every passage of it
    actor: str | None = None
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE


def audit_entries(session: Session, criteria: AuditFilter) -> Page:
    """Audit entries matching ``criteria``, newest first."""
    page, per_page = clamp_paging(criteria.page, criteria.per_page)
    conditions = []
    if criteria.entity_type:
        conditions.append(AuditEntry.entity_type == criteria.entity_type)
    if criteria.entity_id:
        conditions.append(AuditEntry.entity_id == criteria.entity_id)
    if criteria.actor:
        conditions.append(AuditEntry.actor == criteria.actor)
    if criteria.source_id:
        passage_ids = select(Passage.id).where(Passage.source_id == criteria.source_id)
        conditions.append(
            or_(
                (AuditEntry.entity_type == "source") & (AuditEntry.entity_id == criteria.source_id),
                (AuditEntry.entity_type == "passage") & AuditEntry.entity_id.in_(passage_ids),
            )
        )
    total = session.scalar(select(func.count()).select_from(AuditEntry).where(*conditions)) or 0
    statement = (
        select(AuditEntry)
        .where(*conditions)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return Page(list(session.scalars(statement)), page, per_page, total)


# Unit of work -------------------------------------------------------------------------------

# How long the request that made a change waits for the index's writer lock to apply it itself
# (read-your-writes); past that the node's follower applies it, a moment later.
READ_YOUR_WRITES_SECONDS = 5.0


@contextmanager
def curation_change(session: Session, index: SearchIndex) -> Iterator[Session]:
    """One curation change: commit it with its audit and its feed entry, then apply the feed.

    Inside the block the functions above change the catalog and write their audit entries in
    ``session``'s transaction, each noting the source it changed for the change feed
    (:func:`factcheck.catalog.feed.note_change`). Leaving the block commits, which writes the
    feed entry in the same transaction, then applies the feed to ``index`` up to that entry
    (:func:`factcheck.search.feed.apply_feed`, as every node's follower does), so the request
    that made the change sees it at once. An exception (a refusal included) rolls the change,
    its audit and its feed entry back, leaves the index alone and propagates.
    """
    committed_position(session)  # forget a position an earlier commit of the session left
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    position = committed_position(session)
    if position is not None:
        apply_feed(
            Database.of_session(session),
            index,
            until=position,
            lock_timeout=READ_YOUR_WRITES_SECONDS,
        )


def _changed(session: Session, source_id: str, kinds: Iterable[str]) -> None:
    """Note that ``source_id`` changed (``kinds``: the audit actions), for the change feed."""
    for kind in kinds:
        note_change(session, [source_id], kind)


# Helpers ------------------------------------------------------------------------------------


def _audit(
    session: Session,
    actor: ReviewerIdentity,
    action: str,
    entity_type: str,
    entity_id: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    record_audit(
        session,
        actor=actor.name,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        before=before,
        after=after,
    )


def _clean(value: Any) -> Any:
    """Strings trimmed, empty ones as ``None``; other values unchanged."""
    if isinstance(value, str):
        return value.strip() or None
    return value


def _published(value: str | None) -> tuple[str | None, str]:
    """A published date as the catalog keeps it, or a :class:`CurationError`."""
    if value is None:
        return None, "unknown"
    published, precision = normalise_published(value)
    if published is None:
        raise CurationError(
            "The published date is not a date.",
            fields={"published": ["a date such as 2023-02-24, 2023-02 or 2023"]},
        )
    return published, precision


def _escape_like(text: str) -> str:
    """Escape LIKE's wildcards so a search is for the words as typed."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
