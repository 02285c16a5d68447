"""Importer: source files on disk into the catalog, then the index brought up to date.

It expands directories, reads each file with :func:`factcheck.ingest.documents.read_documents`,
and imports each file in its own transaction, so a bad file is reported (path, line and reason)
and the rest of the import goes on. Each file's commit writes its change-feed entry
(:mod:`factcheck.catalog.feed`), so every node's follower learns of it; this node's index is
brought up to the feed before the import ends, whatever stopped it (or rebuilt, when the import
added more passages than the index held). The ``import`` command and the first start of
``serve`` use it. Nothing here imports Flask.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.exc import DataError, IntegrityError

from factcheck.catalog.database import Database
from factcheck.catalog.feed import changes_after, committed_position, last_position
from factcheck.catalog.store import (
    ImportSummary,
    catalog_counts,
    draft_rows,
    import_documents,
    is_empty,
)
from factcheck.ingest.documents import Document, DocumentError, read_documents
from factcheck.ingest.passages import PassageDraft, build_passages
from factcheck.search.feed import apply_feed
from factcheck.search.index import IndexStatus, SearchIndex
from factcheck.search.indexing import rebuild_index

SUPPORTED_SUFFIXES = frozenset({".md", ".txt", ".html", ".htm", ".jsonl"})


@dataclass(frozen=True)
class FileFailure:
    """A file that could not be imported, and why."""

    path: Path
    reason: str


@dataclass
class ImportReport:
    """The outcome of importing a set of paths."""

    summary: ImportSummary = field(default_factory=ImportSummary)
    files: int = 0
    failures: list[FileFailure] = field(default_factory=list)
    index: IndexStatus | None = None


def collect_files(paths: Iterable[Path]) -> tuple[list[Path], list[FileFailure]]:
    """Expand directories (recursively, supported suffixes only, hidden files skipped)."""
    files: list[Path] = []
    failures: list[FileFailure] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(
                    candidate
                    for candidate in path.rglob("*")
                    if candidate.is_file()
                    and candidate.suffix.lower() in SUPPORTED_SUFFIXES
                    and not any(part.startswith(".") for part in candidate.relative_to(path).parts)
                )
            )
        elif path.is_file():
            files.append(path)
        else:
            failures.append(FileFailure(path, "no such file or directory"))
    return files, failures


def import_files(
    database: Database,
    index: SearchIndex,
    paths: Iterable[Path],
    *,
    on_document: Callable[[Document], None] | None = None,
    on_failure: Callable[[FileFailure], None] | None = None,
    index_progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import every file under ``paths``, then bring the index up to date once."""
    files, failures = collect_files(paths)
    report = ImportReport(files=len(files))
    for failure in failures:
        _fail(report, failure, on_failure)
    with database.session() as session:
        catalog_empty = is_empty(session)
    if files and catalog_empty and (not index.exists() or index.summary().passages == 0):
        _import_into_empty(database, index, files, report, on_document, on_failure, index_progress)
        return report
    try:
        for path in files:
            documents = _read(path, report, on_document, on_failure)
            if documents is not None:
                _write(database, path, documents, build_passages, report, on_failure)
    finally:  # even when a file stops the import, what was committed is indexed
        report.index = _follow_import(database, index, report, index_progress)
    return report


def _follow_import(
    database: Database,
    index: SearchIndex,
    report: ImportReport,
    progress: Callable[[int], None] | None,
) -> IndexStatus:
    """Bring this node's index up to the feed after an import.

    A large import (more new passages than the index holds) is cheaper as a full rebuild, which
    spreads the work over processes; a small one applies the feed's entries.
    """
    if not index.exists() or report.summary.passages_added > index.summary().passages:
        return rebuild_index(database, index, progress=progress)
    if report.summary.changed:
        apply_feed(database, index)
    return index.status()


def _import_into_empty(
    database: Database,
    index: SearchIndex,
    files: list[Path],
    report: ImportReport,
    on_document: Callable[[Document], None] | None,
    on_failure: Callable[[FileFailure], None] | None,
    index_progress: Callable[[int], None] | None,
) -> None:
    """The first import (a fresh checkout, an empty data directory), indexed as it is written.

    Nobody has curated an empty catalog, so each file's passages are indexed straight from its
    drafts, by Whoosh's worker processes, while this process writes them to the catalog. If a
    file's catalog write fails, or the index would not match the catalog's active passages, the
    new generation is dropped and the index rebuilt from the catalog instead.
    """
    indexed: set[str] = set()
    built = False
    written: list[int] = []  # the feed positions of this import's commits
    try:
        with index.build(progress=index_progress) as builder:
            with database.session() as session:
                start = last_position(session)
            for path in files:
                documents = _read(path, report, on_document, on_failure)
                if documents is None:
                    continue
                drafts = {document.source_id: build_passages(document) for document in documents}
                for document in documents:
                    builder.add(_unseen(draft_rows(document, drafts[document.source_id]), indexed))
                build = _cached(drafts)
                if not _write(database, path, documents, build, report, on_failure, written):
                    builder.abandon()
            with database.session() as session:
                if catalog_counts(session).active_passages != builder.count:
                    builder.abandon()
                # The generation reflects the feed up to this import's last entry only if no
                # other change was committed meanwhile (a reviewer adding a source).
                others = [
                    change.position
                    for change in changes_after(session, start, len(written) + 1)
                    if change.position not in written
                ]
                if others:
                    builder.abandon()
                builder.feed_position = written[-1] if written else start
        built = not builder.abandoned
    finally:  # an import stopped half-way leaves no index generation: build one from the catalog
        if built:
            report.index = index.status()
        else:
            report.index = rebuild_index(database, index, progress=index_progress)


def _unseen(rows: Iterable[dict[str, Any]], seen: set[str]) -> Iterator[dict[str, Any]]:
    """Rows whose passage id is not in ``seen`` yet (the catalog keeps the first, too)."""
    for row in rows:
        if row["passage_id"] not in seen:
            seen.add(row["passage_id"])
            yield row


def _cached(drafts: dict[str, list[PassageDraft]]) -> Callable[[Document], list[PassageDraft]]:
    """A passage builder that returns drafts already built for each source."""
    return lambda document: drafts[document.source_id]


def _read(
    path: Path,
    report: ImportReport,
    on_document: Callable[[Document], None] | None,
    on_failure: Callable[[FileFailure], None] | None,
) -> list[Document] | None:
    """The documents of one file, or ``None`` (reported) if it cannot be read."""
    try:
        return list(_observed(read_documents(path), on_document))
    except (DocumentError, OSError, UnicodeDecodeError) as error:
        _fail(report, FileFailure(path, _reason(error)), on_failure)
        return None


def _write(
    database: Database,
    path: Path,
    documents: list[Document],
    build: Callable[[Document], list[PassageDraft]],
    report: ImportReport,
    on_failure: Callable[[FileFailure], None] | None,
    positions: list[int] | None = None,
) -> bool:
    """Import one file's documents in one transaction; report and return False if refused.

    The feed position the commit wrote, if any, is appended to ``positions``.
    """
    try:
        with database.session() as session:
            report.summary.merge(import_documents(session, documents, build=build))
        position = committed_position(session)
    except (IntegrityError, DataError) as error:
        _fail(report, FileFailure(path, f"rejected by the catalog: {error.orig}"), on_failure)
        return False
    if position is not None and positions is not None:
        positions.append(position)
    return True


def _observed(
    documents: Iterable[Document], on_document: Callable[[Document], None] | None
) -> Iterator[Document]:
    """Pass documents through, telling ``on_document`` about each (for a progress bar)."""
    for document in documents:
        if on_document is not None:
            on_document(document)
        yield document


def _reason(error: Exception) -> str:
    """A one-line reason for a failed file."""
    if isinstance(error, DocumentError):
        return f"line {error.line}: {error.reason}" if error.line else error.reason
    if isinstance(error, UnicodeDecodeError):
        return f"not UTF-8 text ({error.reason} at byte {error.start})"
    if isinstance(error, OSError):
        return error.strerror or str(error)
    return str(error)


def _fail(
    report: ImportReport, failure: FileFailure, on_failure: Callable[[FileFailure], None] | None
) -> None:
    """Record a failed file and tell the caller."""
    report.failures.append(failure)
    if on_failure is not None:
        on_failure(failure)
