"""Search index: the Whoosh index of active passages, derived from the catalog.

This is the only module that opens or writes a Whoosh index: the retrieval engine
(:mod:`factcheck.engine.retrieval`, :mod:`factcheck.search.bulk_search`) receives a
``Searcher`` from :meth:`SearchIndex.searcher` and only reads through it.

Design
------
The index holds one document per *active* passage (not excluded, of a source that is not retired),
with the passage's current, possibly corrected, text. It is derived state: the catalog is the
record, and deleting ``INDEX_DIR`` loses nothing, since :meth:`SearchIndex.rebuild` recreates it.

Layout on disk::

    INDEX_DIR/
        CURRENT              the name of the live generation, replaced atomically
        .write-lock          serialises writers across threads and processes (flock)
        gen-<timestamp>/     one complete Whoosh index per generation
            FEED_POSITION    the last change-feed position this generation reflects

A rebuild writes a fresh generation directory, then swaps ``CURRENT`` to it with ``os.replace``, so
readers never see a half-built index; if the rebuild fails part way, the new directory is removed
and ``CURRENT`` still names the old, complete generation. After a swap, generations other than the
new one and the one it replaced are deleted (the replaced one stays for searchers still reading it).
Small changes (a passage corrected, excluded, a source imported) go incrementally into the live
generation through :meth:`update_passages`, :meth:`delete_passages` and :meth:`replace_sources`.

The catalog's change feed (:mod:`factcheck.catalog.feed`) numbers every committed change; each
generation records, in ``FEED_POSITION``, the position it reflects, written atomically after the
Whoosh commit that applied it (:meth:`record_feed_position`) or before a new generation is
swapped in. A crash between a commit and the record only means the next follower applies some
entries again, which is harmless. :mod:`factcheck.search.feed` applies the feed.

The index version is ``<generation>.<whoosh commit generation>``: it changes on every commit and on
every swap, so a cached searcher can tell when it is stale. Whoosh searchers are not safe to share
between threads (they read shared file objects), so each thread keeps one searcher and reuses it
across requests until the version changes.
"""

from __future__ import annotations

import logging
import os
import pickle
import secrets
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.analysis import StemmingAnalyzer
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, W3PerDocReader, W3Segment
from whoosh.fields import ID, NUMERIC, STORED, TEXT, Schema
from whoosh.searching import Searcher

from factcheck.errors import IndexUnavailable
from factcheck.search.file_lock import file_lock

logger = logging.getLogger(__name__)

CURRENT_FILE = "CURRENT"
FEED_POSITION_FILE = "FEED_POSITION"
LOCK_FILE = ".write-lock"
GENERATION_PREFIX = "gen-"
WRITER_MEMORY_MB = 256  # Whoosh's in-memory posting pool before it spills to disk
READ_ATTEMPTS = 5  # reads of the live generation raced by commits and swaps, before giving up
PARALLEL_THRESHOLD = 2_000  # rows from which a rebuild uses worker processes
MAX_WRITER_PROCESSES = 2  # this service's machines have 2 cores
PROGRESS_STEP = 1_000


def build_schema() -> Schema:
    """The one schema of the passage index."""
    return Schema(
        # The catalog's passage id: the unique key incremental updates replace by.
        passage_id=ID(stored=True, unique=True),
        # The source's id: filter by source, and delete a retired source's passages at once.
        source_id=ID(stored=True),
        # The passage's current text, stemmed for recall; stored for highlights; positions kept
        # for phrase queries.
        text=TEXT(analyzer=StemmingAnalyzer(), stored=True, phrase=True),
        # Provenance shown with each excerpt, so a hit needs no catalog query.
        source_title=STORED,
        publisher=STORED,
        url=STORED,
        published=STORED,  # ISO 8601 prefix; may be absent
        published_precision=STORED,  # "day", "month", "year" or "unknown"
        # The paragraph the sentence sits in, shown as context.
        context=STORED,
        # The active sentence before it in its source: stance rules read it to resolve "Both…"
        # or "denied the accusation", which point back at it.
        previous=STORED,
        # Order within the source, for reading neighbours in order.
        position=NUMERIC(stored=True, shift_step=0),
        # Hash of the passage text: lets a check compare index and catalog without the text.
        content_hash=STORED,
    )


class _PerDocReader(W3PerDocReader):
    """Whoosh's per-document reader, remembering which length columns a segment lacks.

    Whoosh asks for a document's field length once per posting when it writes a segment; for
    fields without lengths (ids, numbers) it checks the disk every time, a ``stat`` per posting
    that took a third of a commit. A written segment never gains a column, so the answer is kept.
    """

    def _cached_reader(self, fieldname: str, column: Any) -> Any:
        if fieldname not in self._readers:
            self._readers[fieldname] = super()._cached_reader(fieldname, column)
        return self._readers[fieldname]

    def field_length_bytes(self, fieldname: str) -> bytes:
        """Every document's encoded length in ``fieldname``, one byte each, read at once.

        Whoosh reads one document's length at a time; :mod:`factcheck.search.bulk_search` scores
        whole postings lists and needs them all. Documents past the end have length 0.
        """
        column = self._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
        if column is None:
            return b""
        return bytes(column._dbfile.get(column._basepos, column._count))


class Codec(W3Codec):
    """Whoosh's default codec with :class:`_PerDocReader`; posting blocks left uncompressed.

    Whoosh records the codec in each segment, so this class must stay importable under this
    name; an index it cannot open is simply rebuilt (see :meth:`SearchIndex.exists`).
    """

    def __init__(self) -> None:
        super().__init__(compression=0)  # faster to write and read, a little larger on disk

    def per_document_reader(self, storage: Any, segment: Any) -> _PerDocReader:
        return _PerDocReader(storage, segment)

    def new_segment(self, storage: Any, indexname: str) -> W3Segment:
        """A segment named from the operating system's randomness.

        Whoosh names segments with the ``random`` module, whose state anything in the process may
        reset (Hypothesis does, before each example it runs): two segments of one index then get
        the same name and the second commit fails on an assertion. ``secrets`` has no such state.
        """
        return W3Segment(self, indexname, segid=segment_id())


SEGMENT_ID_CHARACTERS = "0123456789abcdefghijklmnopqrstuvwxyz"  # Whoosh's own alphabet
SEGMENT_ID_LENGTH = 16  # Whoosh's own length: 36**16, about 8e24 names


def segment_id() -> str:
    """A fresh segment name, independent of the ``random`` module's state."""
    return "".join(secrets.choice(SEGMENT_ID_CHARACTERS) for _ in range(SEGMENT_ID_LENGTH))


SCHEMA = build_schema()
FIELD_NAMES = tuple(SCHEMA.names())


class IndexMissingError(IndexUnavailable, RuntimeError):
    """No complete index generation exists yet: run a rebuild (a view answers 503)."""


@dataclass(frozen=True)
class IndexStatus:
    """What the live index holds."""

    passages: int
    sources: int
    version: str
    last_update: datetime | None
    generation: str
    directory: str

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return {
            "passages": self.passages,
            "sources": self.sources,
            "version": self.version,
            "last_update": self.last_update.isoformat() if self.last_update else None,
            "generation": self.generation,
            "directory": self.directory,
        }


@dataclass(frozen=True)
class IndexSummary:
    """The two figures a health check needs, read from the thread's cached searcher."""

    passages: int
    version: str


class SearchIndex:
    """The passage index in ``directory``: rebuilds, incremental updates and shared searchers."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self._indexes: dict[str, whoosh_index.Index] = {}
        self._indexes_lock = threading.Lock()
        self._local = threading.local()  # this thread's (version, searcher)
        self._open_searchers: set[Searcher] = set()

    # Layout -----------------------------------------------------------------------------------

    def current_generation(self) -> str | None:
        """The live generation's directory name, or ``None`` when there is none."""
        try:
            name = (self.directory / CURRENT_FILE).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return name or None

    def exists(self) -> bool:
        """Whether a complete, readable generation is live."""
        generation = self.current_generation()
        return generation is not None and _readable(self.directory / generation)

    def _index(self, generation: str) -> whoosh_index.Index:
        """The (cached) Whoosh index object of one generation."""
        with self._indexes_lock:
            found = self._indexes.get(generation)
            if found is None:
                found = whoosh_index.open_dir(str(self.directory / generation), schema=SCHEMA)
                # Older generations are only read by searchers already open on them.
                self._indexes = {generation: found}
            return found

    def _live_index(self) -> tuple[str, whoosh_index.Index]:
        """The live generation and its index; raises :class:`IndexMissingError` if none."""
        for _attempt in range(READ_ATTEMPTS):
            generation = self.current_generation()
            if generation is None:
                break
            path = self.directory / generation
            with self._indexes_lock:
                opened = self._indexes.get(generation)
            try:
                # Reading a generation's table of contents costs a millisecond; one this
                # object has opened was readable, and stays so while its directory is there.
                if (opened is not None and path.is_dir()) or _readable(path):
                    return generation, opened or self._index(generation)
                break
            except FileNotFoundError:
                # A commit replaced the table of contents being read, or a rebuild swapped
                # generations and removed this one: read again what is live now.
                continue
        raise IndexMissingError(f"no search index in {self.directory}; rebuild it")

    @contextmanager
    def write_lock(self, timeout: float | None = None) -> Iterator[bool]:
        """Hold the directory's writer lock: one rebuild or update at a time, across threads and
        processes. Re-entrant within a thread.

        With ``timeout`` (seconds), give up waiting after that long: the block then runs
        without the lock and is told so (``False``); without, wait as long as it takes.
        """
        if getattr(self._local, "holds_lock", False):
            yield True
            return
        with file_lock(self.directory / LOCK_FILE, timeout=timeout) as held:
            if not held:
                yield False
                return
            self._local.holds_lock = True
            try:
                yield True
            finally:
                self._local.holds_lock = False

    @contextmanager
    def _write_lock(self) -> Iterator[None]:
        """Hold the writer lock, waiting as long as it takes."""
        with self.write_lock():
            yield

    # Writing ----------------------------------------------------------------------------------

    def rebuild(
        self,
        rows: Iterable[Mapping[str, Any]],
        *,
        progress: Callable[[int], None] | None = None,
        feed_position: int | None = None,
    ) -> IndexStatus:
        """Index ``rows`` into a new generation and swap it in; return the new status.

        ``rows`` are mappings keyed by the schema's field names (``catalog.store.active_passages``
        yields them). It is consumed only once the writer lock is held, so a catalog query it
        runs sees every change whose index update is still waiting for the lock. If it raises,
        the new generation is discarded and the old one keeps serving. ``feed_position`` is
        the change-feed position the rows reflect (``None``: unknown, the next follower
        rebuilds).
        """
        with self.build(progress=progress) as builder:
            builder.feed_position = feed_position
            builder.add(rows)
        return self.status()

    def create_if_missing(self, rows: Iterable[Mapping[str, Any]]) -> bool:
        """Build the index from ``rows`` unless a readable one exists; say whether it built.

        Checked again under the writer lock, so processes starting together build it once;
        ``rows`` is not consumed when nothing needs building.
        """
        if self.exists():
            return False
        with self._write_lock():
            if self.exists():
                return False
            self.rebuild(rows)
        return True

    @contextmanager
    def build(
        self, *, progress: Callable[[int], None] | None = None
    ) -> Iterator[GenerationBuilder]:
        """Write a new generation while the block runs; swap it in when the block ends.

        Rows can be added in several calls while other work goes on (the importer indexes a
        file's passages while it writes them to the catalog). If the block raises, or calls
        :meth:`GenerationBuilder.abandon`, the new generation is discarded and the old one
        keeps serving. The writer lock is held throughout.
        """
        with self._write_lock():
            generation = self._new_generation_name()
            path = self.directory / generation
            path.mkdir(parents=True)
            builder = GenerationBuilder(whoosh_index.create_in(str(path), SCHEMA), progress)
            try:
                yield builder
                builder.finish()
            except BaseException:
                builder.cancel()
                shutil.rmtree(path, ignore_errors=True)
                raise
            if builder.abandoned:
                shutil.rmtree(path, ignore_errors=True)
                return
            if builder.feed_position is not None:
                _write_position(path, builder.feed_position)
            previous = self.current_generation()
            self._swap_current(generation)
            self._remove_generations(keep={generation, previous})

    def update_passages(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Add or replace the given passages in the live index."""
        with self._live_writer() as writer:
            for row in rows:
                writer.update_document(**_document(row))

    def delete_passages(self, passage_ids: Iterable[str]) -> None:
        """Remove the given passages from the live index (unknown ids are ignored)."""
        with self._live_writer() as writer:
            for passage_id in passage_ids:
                writer.delete_by_term("passage_id", passage_id)

    def replace_sources(self, source_ids: Iterable[str], rows: Iterable[Mapping[str, Any]]) -> None:
        """Drop every passage of ``source_ids`` and add ``rows`` (their active passages)."""
        with self._live_writer() as writer:
            for source_id in source_ids:
                writer.delete_by_term("source_id", source_id)
            for row in rows:
                writer.add_document(**_document(row))

    @contextmanager
    def _live_writer(self) -> Iterator[Any]:
        """A writer on the live generation, committed when the block ends normally."""
        with self._write_lock():
            _generation, live = self._live_index()
            writer = live.writer(limitmb=WRITER_MEMORY_MB, codec=Codec())
            try:
                yield writer
            except BaseException:
                writer.cancel()
                raise
            writer.commit()

    def record_feed_position(self, position: int) -> None:
        """Record that the live generation reflects the change feed up to ``position``.

        Called under the writer lock, after the Whoosh commit that applied the entries.
        """
        with self._write_lock():
            generation = self.current_generation()
            if generation is None:
                raise IndexMissingError(f"no search index in {self.directory}; rebuild it")
            _write_position(self.directory / generation, position)

    def feed_position(self) -> int | None:
        """The change-feed position the live generation reflects; ``None`` when there is no
        index or it never recorded one (an index built before the feed: rebuild it)."""
        for _attempt in range(READ_ATTEMPTS):
            generation = self.current_generation()
            if generation is None:
                return None
            try:
                text = (self.directory / generation / FEED_POSITION_FILE).read_text("utf-8")
            except FileNotFoundError:
                if self.current_generation() != generation:
                    continue  # swapped meanwhile: read the new generation's
                return None
            try:
                return int(text.strip())
            except ValueError:
                logger.warning("unreadable feed position in %s; it will be rebuilt", generation)
                return None
        return None

    def _new_generation_name(self) -> str:
        """A generation name that sorts by creation time and is never reused."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        name = f"{GENERATION_PREFIX}{stamp}"
        while (self.directory / name).exists():  # two rebuilds within a microsecond
            name += "x"
        return name

    def _swap_current(self, generation: str) -> None:
        """Point ``CURRENT`` at ``generation`` atomically (write a temp file, then rename)."""
        temporary = self.directory / f"{CURRENT_FILE}.tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(generation + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.directory / CURRENT_FILE)

    def _remove_generations(self, keep: set[str | None]) -> None:
        """Delete generation directories not in ``keep`` (old ones, and crashed rebuilds)."""
        for path in self.directory.glob(f"{GENERATION_PREFIX}*"):
            if path.name not in keep and path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
                with self._indexes_lock:
                    self._indexes.pop(path.name, None)

    # Reading ----------------------------------------------------------------------------------

    def version(self) -> str:
        """A string that changes whenever the live index changes."""
        generation, live = self._live_index()
        return f"{generation}.{live.latest_generation()}"

    @contextmanager
    def searcher(self) -> Iterator[Searcher]:
        """This thread's searcher on the live index, refreshed first if the index changed.

        The searcher stays open for reuse by the thread's next request; do not close it.
        """
        _version, searcher = self.versioned_searcher()
        yield searcher

    def versioned_searcher(self) -> tuple[str, Searcher]:
        """This thread's (version, searcher), reopened when the live version has moved on.

        The version is the one the searcher reads, so a result can be labelled (and cached)
        with it exactly. The searcher stays open for reuse; do not close it.
        """
        cached = getattr(self._local, "cached", None)
        version = self.version()
        if cached is None or cached[0] != version:
            if cached is not None:
                self._close_searcher(cached[1])
            generation = version.rsplit(".", 1)[0]
            searcher = self._index(generation).searcher()
            with self._indexes_lock:
                self._open_searchers.add(searcher)
            cached = (version, searcher)
            self._local.cached = cached
        return cached

    def _close_searcher(self, searcher: Searcher) -> None:
        """Close a searcher and forget it."""
        with self._indexes_lock:
            self._open_searchers.discard(searcher)
        searcher.close()

    def summary(self) -> IndexSummary:
        """Passages indexed and version: cheap, for every health check."""
        version, searcher = self.versioned_searcher()
        return IndexSummary(passages=searcher.doc_count(), version=version)

    def status(self) -> IndexStatus:
        """Passages and sources indexed, version and time of the last commit."""
        generation, live = self._live_index()
        with live.reader() as reader:
            passages = reader.doc_count()
            # Deleted documents leave their terms behind until a merge: count live ones only.
            sources = sum(
                1
                for term in reader.field_terms("source_id")
                if reader.postings("source_id", term).is_active()
            )
            # An empty index's reader has no commit generation of its own (None): the index's
            # latest one is what version() reports too.
            commit = reader.generation()
            if commit is None:
                commit = live.latest_generation()
        modified = live.last_modified()
        return IndexStatus(
            passages=passages,
            sources=sources,
            version=f"{generation}.{commit}",
            last_update=datetime.fromtimestamp(modified, UTC) if modified > 0 else None,
            generation=generation,
            directory=str(self.directory),
        )

    def stored_hashes(self) -> dict[str, tuple[str, str]]:
        """Every indexed passage: id -> (source id, content hash), to compare with the catalog."""
        _generation, live = self._live_index()
        with live.reader() as reader:
            return {
                fields["passage_id"]: (fields.get("source_id", ""), fields.get("content_hash", ""))
                for fields in reader.all_stored_fields()
            }

    def live_passages(self) -> tuple[str, list[dict[str, Any]]]:
        """The live version and the stored fields of every passage it holds (deleted ones not)."""
        generation, live = self._live_index()
        with live.reader() as reader:
            return f"{generation}.{reader.generation()}", list(reader.all_stored_fields())

    def close(self) -> None:
        """Close every searcher this object opened (before a fork, or at shutdown)."""
        with self._indexes_lock:
            searchers = list(self._open_searchers)
        for searcher in searchers:
            self._close_searcher(searcher)
        self._local = threading.local()
        with self._indexes_lock:
            self._indexes.clear()


class GenerationBuilder:
    """The writer of a new generation; see :meth:`SearchIndex.build`.

    Whoosh spends most of its time in pure-Python analysis and posting encoding, so once a
    generation reaches :data:`PARALLEL_THRESHOLD` rows it is written by worker processes
    (Whoosh's ``MpWriter``, one segment each), and the caller's process is free for other work
    meanwhile. A small generation stays in this process, where starting workers costs more.
    """

    def __init__(self, target: whoosh_index.Index, progress: Callable[[int], None] | None):
        self._target = target
        self._progress = progress
        self._pending: list[dict[str, Any]] = []  # rows held until the writer kind is chosen
        self._writer: Any = None
        self.count = 0
        self.abandoned = False
        # The change-feed position the rows reflect, recorded with the generation if known.
        self.feed_position: int | None = None

    def add(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Add passage rows to the new generation."""
        for row in rows:
            document = _document(row)
            if self._writer is None:
                self._pending.append(document)
                if len(self._pending) >= PARALLEL_THRESHOLD:
                    self._open_writer(parallel=True)
            else:
                self._writer.add_document(**document)
            self.count += 1
            if self._progress is not None and self.count % PROGRESS_STEP == 0:
                self._progress(PROGRESS_STEP)

    def abandon(self) -> None:
        """Discard this generation at the end of the block; the live one stays."""
        self.abandoned = True

    def finish(self) -> None:
        """Commit the generation (or cancel it, if abandoned)."""
        if self.abandoned:
            self.cancel()
            return
        if self._writer is None:
            self._open_writer(parallel=False)
        self._writer.commit()
        if self._progress is not None:
            self._progress(self.count % PROGRESS_STEP)

    def cancel(self) -> None:
        """Abandon the writer; stop its worker processes, which Whoosh's ``cancel`` leaves
        waiting on their job queue."""
        if self._writer is None:
            return
        for task in getattr(self._writer, "tasks", ()):
            task.terminate()
            task.join()
        self._writer.cancel()

    def _open_writer(self, *, parallel: bool) -> None:
        """Create the Whoosh writer and hand it the pending rows."""
        codec = Codec()
        workers = min(MAX_WRITER_PROCESSES, os.cpu_count() or 1)
        if parallel and workers > 1:
            self._writer = self._target.writer(
                procs=workers,
                batchsize=250,
                multisegment=True,  # keep the workers' segments: merging them costs as much
                limitmb=WRITER_MEMORY_MB,
                codec=codec,
            )
        else:
            self._writer = self._target.writer(limitmb=WRITER_MEMORY_MB, codec=codec)
        for document in self._pending:
            self._writer.add_document(**document)
        self._pending = []


def _write_position(generation_path: Path, position: int) -> None:
    """Write a generation's feed position atomically (a temporary file, then a rename)."""
    temporary = generation_path / f"{FEED_POSITION_FILE}.tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(f"{int(position)}\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, generation_path / FEED_POSITION_FILE)


def _readable(path: Path) -> bool:
    """Whether ``path`` holds a Whoosh index this code can open.

    An index written by an older version (a codec class since renamed, a truncated table of
    contents after a crash) is reported unreadable, so the caller rebuilds it from the catalog.
    """
    try:
        return whoosh_index.exists_in(str(path))
    except (
        whoosh_index.IndexError,  # Whoosh's own: a bad or foreign table of contents
        AttributeError,  # a class named in the table of contents no longer exists
        ImportError,
        EOFError,
        ValueError,
        pickle.UnpicklingError,
    ) as error:
        logger.warning("index in %s cannot be read (%s); it will be rebuilt", path, error)
        return False


def _document(row: Mapping[str, Any]) -> dict[str, Any]:
    """The Whoosh fields of one passage row; ``None`` values are left out (Whoosh skips them)."""
    return {name: row[name] for name in FIELD_NAMES if row.get(name) is not None}
