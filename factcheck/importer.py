"""Importer: source files on disk into the catalog, then the index brought up to date.

It expands directories, reads each file with :func:`factcheck.documents.read_documents`, and
imports each file in its own transaction, so a bad file is reported (path and reason) and the
rest of the import goes on. The ``import`` command and the first start of ``serve`` use it.
Nothing here imports Flask.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import DataError, IntegrityError

from factcheck.catalog.database import Database
from factcheck.catalog.store import ImportSummary, import_documents
from factcheck.documents import Document, DocumentError, read_documents
from factcheck.indexing import sync_after_import
from factcheck.search_index import IndexStatus, SearchIndex

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
    """Import every file under ``paths``, then update the index once for all of them."""
    files, failures = collect_files(paths)
    report = ImportReport(files=len(files))
    for failure in failures:
        _fail(report, failure, on_failure)
    for path in files:
        try:
            documents = list(_observed(read_documents(path), on_document))
            with database.session() as session:
                report.summary.merge(import_documents(session, documents))
        except (DocumentError, OSError, UnicodeDecodeError) as error:
            _fail(report, FileFailure(path, _reason(error)), on_failure)
        except (IntegrityError, DataError) as error:
            _fail(report, FileFailure(path, f"rejected by the catalog: {error.orig}"), on_failure)
    if report.summary.changed or not index.exists():
        report.index = sync_after_import(
            database,
            index,
            report.summary.changed_source_ids,
            passages_added=report.summary.passages_added,
            progress=index_progress,
        )
    else:
        report.index = index.status()
    return report


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
