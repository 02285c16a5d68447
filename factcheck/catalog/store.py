"""Store: operations on the catalog, as plain functions of a SQLAlchemy session.

The importer turns documents into sources and passages. It is idempotent (the same document
again writes nothing: no rows, no audit entries, no version bumps) and it never overwrites
curation: a reviewer's corrected text, exclusion or note survives any re-import. A passage that
disappears from a re-imported document is not deleted but excluded as withdrawn, so nothing a
reviewer touched is lost. Writes go through bulk ``INSERT``/``UPDATE`` statements, a few per
thousand documents, because per-row ORM work would dominate the import time.

Nothing here imports Flask; the caller owns the transaction (``Database.session()`` commits).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any, cast

from sqlalchemy import Row, Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from factcheck.catalog.feed import note_change
from factcheck.catalog.models import AuditEntry, Passage, Source, utc_now
from factcheck.ingest.documents import Document
from factcheck.ingest.passages import PassageDraft, build_passages

IMPORTER = "importer"
WITHDRAWN_REASON = "withdrawn: no longer in the source document"
BATCH_DOCUMENTS = 1_000  # documents compared and written per round of bulk statements
IN_CHUNK = 500  # ids per IN (...) list, well under every database's parameter limit
SOURCE_FIELDS = ("title", "publisher", "url", "published", "published_precision", "origin")


@dataclass
class ImportSummary:
    """What an import changed; ``changed_source_ids`` tells the index what to refresh."""

    documents: int = 0
    sources_added: int = 0
    sources_updated: int = 0
    passages_added: int = 0
    passages_excluded: int = 0  # added passages the importer judged page noise
    passages_withdrawn: int = 0
    passages_skipped: int = 0  # ids already used by another source or twice in one document
    changed_source_ids: set[str] = field(default_factory=set)

    def merge(self, other: ImportSummary) -> None:
        """Add ``other``'s counts to this summary."""
        for name in (
            "documents",
            "sources_added",
            "sources_updated",
            "passages_added",
            "passages_excluded",
            "passages_withdrawn",
            "passages_skipped",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.changed_source_ids |= other.changed_source_ids

    @property
    def changed(self) -> bool:
        """Whether the import wrote anything."""
        return bool(self.changed_source_ids)


@dataclass(frozen=True)
class CatalogCounts:
    """Sizes of the catalog."""

    sources: int
    retired_sources: int
    passages: int
    excluded_passages: int
    active_passages: int  # not excluded, of a source that is not retired: what the index holds


def chunked(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Split ``items`` into lists of at most ``size``."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def record_audit(
    session: Session,
    *,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Add one audit entry to the session's transaction."""
    session.add(
        AuditEntry(
            actor=actor,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            before=before,
            after=after,
        )
    )


def import_documents(
    session: Session,
    documents: Iterable[Document],
    *,
    actor: str = IMPORTER,
    build: Callable[[Document], list[PassageDraft]] = build_passages,
) -> ImportSummary:
    """Add or refresh ``documents`` in the catalog; return what changed.

    The caller commits; the commit writes the change feed's entry for the sources changed
    (:mod:`factcheck.catalog.feed`). ``build`` splits a document into passages (tests may pass
    their own).
    """
    summary = ImportSummary()
    for batch in chunked(documents, BATCH_DOCUMENTS):
        summary.merge(_import_batch(session, batch, actor, build))
    note_change(session, summary.changed_source_ids, "import")  # the feed entry, at the commit
    return summary


def _import_batch(
    session: Session,
    documents: Sequence[Document],
    actor: str,
    build: Callable[[Document], list[PassageDraft]],
) -> ImportSummary:
    """Compare one batch of documents with the catalog and write the differences in bulk."""
    summary = ImportSummary(documents=len(documents))
    writes = _BatchWrites(now=utc_now())
    # A document repeated in one batch: the last one wins, as it would in separate imports.
    by_source = {document.source_id: document for document in documents}
    catalog = _read_catalog(session, by_source, build)
    for document in by_source.values():
        _compare_document(session, document, catalog, writes, summary, actor)
    writes.execute(session)
    return summary


# A stored passage as the importer compares it with a new draft (``_existing_passages``'s columns).
StoredPassage = Row[str, str, int, int, str, bool, str | None]


@dataclass(frozen=True)
class _CatalogView:
    """What the catalog holds of one batch's sources, read before comparing, and their drafts."""

    sources: dict[str, Any]  # source id -> its row
    passages: dict[str, dict[str, StoredPassage]]  # source id -> passage id -> its row
    drafts: dict[str, list[PassageDraft]]  # source id -> the passages its document makes now
    taken_elsewhere: set[str]  # new passage ids another source's passage already has


@dataclass
class _BatchWrites:
    """The rows one batch inserts and updates, queued while comparing and written at its end."""

    now: datetime
    source_inserts: list[dict[str, Any]] = field(default_factory=list)
    passage_inserts: list[dict[str, Any]] = field(default_factory=list)
    passage_updates: list[dict[str, Any]] = field(default_factory=list)
    audit_inserts: list[dict[str, Any]] = field(default_factory=list)
    seen_ids: set[str] = field(default_factory=set)  # passage ids the batch has given out

    def execute(self, session: Session) -> None:
        """Write what was queued, a few bulk statements in all."""
        if self.source_inserts:
            session.execute(insert(Source), self.source_inserts)
        if self.passage_inserts:
            session.execute(insert(Passage), self.passage_inserts)
        if self.passage_updates:
            _bulk_update_passages(session, self.passage_updates)
        if self.audit_inserts:
            session.execute(insert(AuditEntry), self.audit_inserts)


@dataclass
class _PassageChanges:
    """The passage ids one document's import added, withdrew and restored."""

    added: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    excluded: int = 0  # of the added passages, how many the importer excluded as noise

    def __bool__(self) -> bool:
        return bool(self.added or self.withdrawn or self.restored)


def _read_catalog(
    session: Session,
    by_source: dict[str, Document],
    build: Callable[[Document], list[PassageDraft]],
) -> _CatalogView:
    """Read what the catalog holds of these sources, and split each document into drafts."""
    source_ids = list(by_source)
    existing_sources = _existing_sources(session, source_ids)
    existing_passages = _existing_passages(session, source_ids)
    drafts = {source_id: build(document) for source_id, document in by_source.items()}
    # Ids that are new to these sources but already used by another source's passage.
    new_ids = [
        draft.passage_id
        for source_id, source_drafts in drafts.items()
        for draft in source_drafts
        if draft.passage_id not in existing_passages.get(source_id, {})
    ]
    return _CatalogView(
        sources=existing_sources,
        passages=existing_passages,
        drafts=drafts,
        taken_elsewhere=_existing_ids(session, new_ids),
    )


def _compare_document(
    session: Session,
    document: Document,
    catalog: _CatalogView,
    writes: _BatchWrites,
    summary: ImportSummary,
    actor: str,
) -> None:
    """Queue one document's source and passage changes, and its audit entry if anything changed."""
    source_id = document.source_id
    metadata = {name: getattr(document, name) for name in SOURCE_FIELDS}
    old_source = catalog.sources.get(source_id)
    source_change = _compare_source(
        session, source_id, metadata, old_source, writes, summary, actor
    )
    changes = _compare_passages(session, source_id, catalog, writes, summary, actor)
    if old_source is not None and not source_change and not changes:
        return
    summary.changed_source_ids.add(source_id)
    writes.audit_inserts.append(
        {
            "at": writes.now,
            "actor": actor,
            "action": "import" if old_source is None else "reimport",
            "entity_type": "source",
            "entity_id": source_id,
            "before": source_change["before"] if source_change else None,
            "after": {
                "source": metadata if old_source is None or source_change else None,
                "added": changes.added,
                "withdrawn": changes.withdrawn,
                "restored": changes.restored,
                "excluded_as_noise": changes.excluded,
            },
        }
    )


def _compare_source(
    session: Session,
    source_id: str,
    metadata: dict[str, Any],
    old_source: Any,
    writes: _BatchWrites,
    summary: ImportSummary,
    actor: str,
) -> dict[str, Any] | None:
    """Queue a new source, or update a changed one a reviewer has not curated.

    Returns the change (``before`` and ``after``) for the audit entry, or None.
    """
    if old_source is None:
        writes.source_inserts.append(
            {"id": source_id, **metadata, "retired": False}
            | {"created_at": writes.now, "updated_at": writes.now}
        )
        summary.sources_added += 1
        return None
    before = {name: old_source[name] for name in SOURCE_FIELDS}
    if before == metadata or _curated_by_reviewer(session, "source", source_id, actor):
        return None
    session.execute(
        update(Source).where(Source.id == source_id).values(**metadata, updated_at=writes.now)
    )
    summary.sources_updated += 1
    return {"before": before, "after": metadata}


def _compare_passages(
    session: Session,
    source_id: str,
    catalog: _CatalogView,
    writes: _BatchWrites,
    summary: ImportSummary,
    actor: str,
) -> _PassageChanges:
    """Queue a source's new, moved and restored passages, and withdraw those it no longer has."""
    old_passages = catalog.passages.get(source_id, {})
    changes = _PassageChanges()
    current_ids: set[str] = set()
    for draft in catalog.drafts[source_id]:
        if draft.passage_id in writes.seen_ids or draft.passage_id in catalog.taken_elsewhere:
            summary.passages_skipped += 1
            continue
        writes.seen_ids.add(draft.passage_id)
        current_ids.add(draft.passage_id)
        _compare_passage(draft, old_passages.get(draft.passage_id), writes, summary, changes)
    changes.withdrawn = _withdraw_missing(session, old_passages, current_ids, writes, actor)
    summary.passages_withdrawn += len(changes.withdrawn)
    return changes


def _compare_passage(
    draft: PassageDraft,
    old: StoredPassage | None,
    writes: _BatchWrites,
    summary: ImportSummary,
    changes: _PassageChanges,
) -> None:
    """Queue one draft: inserted if new, else its layout updated and a withdrawal lifted."""
    if old is None:
        writes.passage_inserts.append(_passage_row(draft, writes.now))
        changes.added.append(draft.passage_id)
        summary.passages_added += 1
        summary.passages_excluded += draft.excluded_reason is not None
        changes.excluded += draft.excluded_reason is not None
        return
    update_values = _layout_changes(old, draft)
    if old.excluded and old.excluded_reason == WITHDRAWN_REASON:
        # Back in the document: the importer's own exclusion is lifted.
        update_values.update(
            excluded=draft.excluded_reason is not None,
            excluded_reason=draft.excluded_reason,
        )
        changes.restored.append(draft.passage_id)
    if update_values:
        writes.passage_updates.append(
            {"b_id": draft.passage_id, **update_values, "updated_at": writes.now}
        )


def _withdraw_missing(
    session: Session,
    old_passages: dict[str, StoredPassage],
    current_ids: set[str],
    writes: _BatchWrites,
    actor: str,
) -> list[str]:
    """Exclude, as withdrawn, the passages no longer in the document (unless a reviewer's)."""
    withdrawn: list[str] = []
    for passage_id, old in old_passages.items():
        if (
            passage_id in current_ids
            or old.excluded
            or _curated_by_reviewer(session, "passage", passage_id, actor)
        ):
            continue
        writes.passage_updates.append(
            {
                "b_id": passage_id,
                "excluded": True,
                "excluded_reason": WITHDRAWN_REASON,
                "updated_at": writes.now,
            }
        )
        withdrawn.append(passage_id)
    return withdrawn


def _passage_row(draft: PassageDraft, now: datetime) -> dict[str, Any]:
    """The row a new passage is inserted as."""
    return {
        "id": draft.passage_id,
        "source_id": draft.source_id,
        "position": draft.position,
        "paragraph": draft.paragraph,
        "original_text": draft.text,
        "text": draft.text,
        "context": draft.context,
        "content_hash": draft.content_hash,
        "excluded": draft.excluded_reason is not None,
        "excluded_reason": draft.excluded_reason,
        "note": None,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }


def _layout_changes(old: StoredPassage, draft: PassageDraft) -> dict[str, Any]:
    """Importer-owned fields (where the sentence sits) that differ from the catalog's."""
    changes = {}
    for name in ("position", "paragraph", "context"):
        value = getattr(draft, name)
        if getattr(old, name) != value:
            changes[name] = value
    return changes


def _bulk_update_passages(session: Session, rows: list[dict[str, Any]]) -> None:
    """Apply importer updates with Core UPDATEs, leaving reviewers' ``version`` untouched."""
    table = cast(Table, Passage.__table__)  # declared as a FromClause; it is the Table
    # One executemany per distinct set of columns, since each statement names its columns.
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(key for key in row if key != "b_id")), []).append(row)
    for columns, group in groups.items():
        statement = (
            table.update()
            .where(table.c.id == bindparam("b_id"))
            .values({name: bindparam(name) for name in columns})
        )
        session.connection().execute(statement, group)


def _curated_by_reviewer(session: Session, entity_type: str, entity_id: str, actor: str) -> bool:
    """Whether anyone but the importer has changed this entity (their edits win)."""
    statement = (
        select(AuditEntry.id)
        .where(
            AuditEntry.entity_type == entity_type,
            AuditEntry.entity_id == entity_id,
            AuditEntry.actor != actor,
        )
        .limit(1)
    )
    return session.execute(statement).first() is not None


def _existing_sources(session: Session, source_ids: Sequence[str]) -> dict[str, Any]:
    """Catalog rows of the given sources, by id."""
    found: dict[str, Any] = {}
    for chunk in chunked(source_ids, IN_CHUNK):
        statement = select(Source.__table__).where(Source.id.in_(chunk))
        for row in session.execute(statement).mappings():
            found[row["id"]] = row
    return found


def _existing_passages(
    session: Session, source_ids: Sequence[str]
) -> dict[str, dict[str, StoredPassage]]:
    """The passages of the given sources, by source id then passage id."""
    found: dict[str, dict[str, StoredPassage]] = {}
    columns = (
        Passage.id,
        Passage.source_id,
        Passage.position,
        Passage.paragraph,
        Passage.context,
        Passage.excluded,
        Passage.excluded_reason,
    )
    for chunk in chunked(source_ids, IN_CHUNK):
        statement = select(*columns).where(Passage.source_id.in_(chunk))
        for row in session.execute(statement):
            found.setdefault(row.source_id, {})[row.id] = row
    return found


def _existing_ids(session: Session, passage_ids: Sequence[str]) -> set[str]:
    """Which of ``passage_ids`` the catalog already holds."""
    found: set[str] = set()
    for chunk in chunked(passage_ids, IN_CHUNK):
        found.update(session.scalars(select(Passage.id).where(Passage.id.in_(chunk))))
    return found


# Reading ------------------------------------------------------------------------------------


def active_passages(
    session: Session, source_ids: Iterable[str] | None = None
) -> Iterator[dict[str, Any]]:
    """Passages the index should hold, as dicts keyed like the index schema.

    Active means not excluded and of a source that is not retired; ``text`` is the current
    (possibly corrected) text. Rows stream from the database, so any catalog size fits.
    """
    statement = (
        select(
            Passage.id.label("passage_id"),
            Passage.source_id,
            Passage.text,
            Source.title.label("source_title"),
            Source.publisher,
            Source.url,
            Source.published,
            Source.published_precision,
            Passage.context,
            Passage.position,
            Passage.content_hash,
        )
        .join(Source, Source.id == Passage.source_id)
        .where(Passage.excluded.is_(False), Source.retired.is_(False))
        .order_by(Passage.source_id, Passage.position)
    )
    if source_ids is None:
        result = session.execute(statement.execution_options(yield_per=2_000))
        yield from with_previous(dict(row) for row in result.mappings())
        return
    for chunk in chunked(source_ids, IN_CHUNK):
        rows = session.execute(statement.where(Passage.source_id.in_(chunk))).mappings()
        yield from with_previous(dict(row) for row in rows)


# One sentence: two gave the same verdicts on the dev and held-out claims and cost stance
# analysis twice the text to read for every candidate.
PREVIOUS_SENTENCES = 1


def with_previous(rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Add to each row the active sentence just before it in its source (``previous``).

    Stance analysis reads them to resolve a passage that points back ("Both abstained…",
    "denied the accusation"). ``rows`` must come in source and position order.
    """
    source_id = None
    recent: list[str] = []
    for row in rows:
        if row["source_id"] != source_id:
            source_id, recent = row["source_id"], []
        row["previous"] = " ".join(recent[-PREVIOUS_SENTENCES:])
        recent.append(row["text"])
        yield row


def draft_rows(document: Document, drafts: Iterable[PassageDraft]) -> Iterator[dict[str, Any]]:
    """The index rows a new document's active drafts will have once imported.

    Equal to what :func:`active_passages` yields for a source imported for the first time
    (no reviewer has touched it yet), so an import into an empty catalog can index passages
    while it writes them.
    """
    yield from with_previous(_draft_rows(document, drafts))


def _draft_rows(document: Document, drafts: Iterable[PassageDraft]) -> Iterator[dict[str, Any]]:
    for draft in drafts:
        if draft.excluded_reason is None:
            yield {
                "passage_id": draft.passage_id,
                "source_id": draft.source_id,
                "text": draft.text,
                "source_title": document.title,
                "publisher": document.publisher,
                "url": document.url,
                "published": document.published,
                "published_precision": document.published_precision,
                "context": draft.context,
                "position": draft.position,
                "content_hash": draft.content_hash,
            }


def catalog_counts(session: Session) -> CatalogCounts:
    """Count sources and passages, and how many passages are active."""
    sources, retired = session.execute(
        select(func.count(), func.count().filter(Source.retired.is_(True))).select_from(Source)
    ).one()
    passages, excluded = session.execute(
        select(func.count(), func.count().filter(Passage.excluded.is_(True))).select_from(Passage)
    ).one()
    active = session.scalar(
        select(func.count())
        .select_from(Passage)
        .join(Source, Source.id == Passage.source_id)
        .where(Passage.excluded.is_(False), Source.retired.is_(False))
    )
    return CatalogCounts(
        sources=sources,
        retired_sources=retired,
        passages=passages,
        excluded_passages=excluded,
        active_passages=active or 0,
    )


def is_empty(session: Session) -> bool:
    """Whether the catalog holds no source at all."""
    return session.execute(select(Source.id).limit(1)).first() is None
