"""Passage vectors: the dense side of retrieval, stored beside the Whoosh index.

Each live passage gets a unit vector of its source's title and its text from the sentence
encoder (:mod:`factcheck.language.encoder`); a claim's nearest passages are found exactly, with
one matrix product over a memory-mapped array (100,000 passages are 150 MB, read by the page
cache and shared between workers).

Design
------
Vectors are keyed by content: a passage's key hashes the model's name, its title and its text, so
a corrected passage gets a new key (and a new vector), and a rebuild that leaves a passage as it
was keeps its vector without embedding it again. The index is the truth about which passages are
live: a dense hit is kept only if the live Whoosh index still holds that passage with that very
title and text, so an excluded passage never comes back through the dense side, and a corrected
one is not found by its old words.

Layout on disk, under ``INDEX_DIR/vectors/``::

    CURRENT              the name of the live vector set, replaced atomically
    .embed-lock          one embedding pass at a time, across threads and processes (flock)
    PROGRESS             JSON: passages embedded so far and the total, of the running pass
    set-<timestamp>.npy  float32 [n, 384]: the vectors
    set-<timestamp>.keys n lines "<passage id>\\t<content key>", in the same order

An embedding pass (:func:`embed_passages`) reads the live index's passages, reuses every vector
the current set already has for the same key, embeds the others in batches, writes a new set and
swaps ``CURRENT`` to it; older sets are removed (a process still reading one keeps its mapping).
Passes run after an import or a rebuild (``factcheck index embed``, or the server's background
thread, :class:`BackgroundEmbedder`), never inside the import: importing stays as fast as BM25
indexing alone. Until a set covers :data:`MIN_COVERAGE` of the live passages, retrieval answers
with BM25 alone.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray
from whoosh.searching import Searcher

from factcheck.errors import IndexUnavailable
from factcheck.language.encoder import DIMENSIONS, MODEL_NAME, get_encoder
from factcheck.search.background import BackgroundPass
from factcheck.search.bulk_search import live_document, stored_fields
from factcheck.search.file_lock import file_lock
from factcheck.search.index import SearchIndex

logger = logging.getLogger(__name__)

FOLDER = "vectors"
CURRENT_FILE = "CURRENT"
LOCK_FILE = ".embed-lock"
PROGRESS_FILE = "PROGRESS"
SET_PREFIX = "set-"
EMBED_BATCH = 256  # passages encoded (and progress reported) at a time
# Share of the live passages a vector set must cover before the dense side is used: a set from
# before a large import would rank only the old passages, and fusion would favour them.
MIN_COVERAGE = 0.95
OVERFETCH = 2  # dense hits read per candidate wanted: some may be stale and are skipped
RETRY_SECONDS = 10.0  # while another process embeds, checks look again this often, not each time

Vectors = NDArray[np.float32]


class TextEncoder(Protocol):
    """What an embedding pass needs of the encoder (tests pass a small fake)."""

    def encode(self, texts: list[str]) -> Vectors: ...


def embedded_text(title: str, text: str) -> str:
    """What is embedded for a passage: its source's title, then its text."""
    return f"{title}. {text}" if title else text


def content_key(title: str, text: str) -> str:
    """The key of a passage's vector: changes with the model, the title or the text."""
    digest = hashlib.sha256(f"{MODEL_NAME}\n{title}\n{text}".encode()).hexdigest()
    return digest[:24]


@dataclass(frozen=True)
class VectorSet:
    """One stored set: keys in row order and their vectors (memory-mapped)."""

    name: str
    passage_ids: tuple[str, ...]
    keys: tuple[str, ...]
    vectors: Vectors

    def __len__(self) -> int:
        return len(self.keys)

    def by_key(self) -> dict[str, int]:
        """Row of each content key."""
        return {key: row for row, key in enumerate(self.keys)}

    @functools.cached_property
    def rows(self) -> dict[str, int]:
        """Row of each content key, built once per loaded set (checks look vectors up by key)."""
        return self.by_key()

    def vector(self, key: str) -> Vectors | None:
        """The vector stored under content ``key`` (a copy), or None when the set lacks it."""
        row = self.rows.get(key)
        return None if row is None else np.array(self.vectors[row], dtype=np.float32)


@dataclass(frozen=True)
class EmbeddingStatus:
    """How far the passage vectors are: shown by ``factcheck index status``."""

    embedded: int  # live passages with a vector, or passages encoded so far by a running pass
    total: int  # live passages, or passages a running pass has to encode
    running: bool
    vector_set: str | None
    updated: str | None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return {
            "embedded": self.embedded,
            "total": self.total,
            "running": self.running,
            "vector_set": self.vector_set,
            "updated": self.updated,
        }


class VectorStore:
    """The passage vectors of the index in ``index_directory``."""

    def __init__(self, index_directory: str | os.PathLike[str]) -> None:
        self.directory = Path(index_directory) / FOLDER
        self._lock = threading.Lock()
        self._loaded: VectorSet | None = None

    # Reading ----------------------------------------------------------------------------------

    def current_name(self) -> str | None:
        """The live set's name, or ``None`` before the first pass has finished."""
        try:
            name = (self.directory / CURRENT_FILE).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return name or None

    def load(self) -> VectorSet | None:
        """The live set (cached until ``CURRENT`` names another), or ``None`` if there is none."""
        name = self.current_name()
        if name is None:
            return None
        loaded = self._loaded
        if loaded is not None and loaded.name == name:
            return loaded
        with self._lock:
            if self._loaded is None or self._loaded.name != name:
                try:
                    self._loaded = self._read(name)
                except FileNotFoundError:  # swapped and removed while being read: next time
                    return self._loaded
            return self._loaded

    def vector_of(self, title: str, text: str) -> Vectors | None:
        """The stored vector of the passage with this title and text, or None without one."""
        current = self.load()
        return None if current is None else current.vector(content_key(title, text))

    def _read(self, name: str) -> VectorSet:
        lines = (self.directory / f"{name}.keys").read_text(encoding="utf-8").splitlines()
        pairs = [line.split("\t") for line in lines if line]
        vectors = np.load(self.directory / f"{name}.npy", mmap_mode="r")
        if len(vectors) != len(pairs) or (len(pairs) and vectors.shape[1] != DIMENSIONS):
            raise ValueError(f"vector set {name} is inconsistent")
        return VectorSet(
            name,
            tuple(pair[0] for pair in pairs),
            tuple(pair[1] for pair in pairs),
            vectors,
        )

    def status(self, live_passages: int) -> EmbeddingStatus:
        """Progress of the running pass if there is one, else how many of the index's
        ``live_passages`` the live set covers (at most: some may have changed since)."""
        progress = self._read_progress() or {}
        current = self.load()
        name = current.name if current is not None else None
        # A pass killed part way leaves "running" behind: believe it only while one holds the lock.
        if progress.get("running") and self._pass_running():
            return EmbeddingStatus(
                int(progress.get("embedded", 0)),
                int(progress.get("total", 0)),
                True,
                name,
                progress.get("updated"),
            )
        covered = min(len(current), live_passages) if current is not None else 0
        return EmbeddingStatus(covered, live_passages, False, name, progress.get("updated"))

    def _pass_running(self) -> bool:
        """Whether a pass (in any process, this one included) holds the pass lock now."""
        with self.embedding_lock(wait=False) as acquired:
            return not acquired

    def embedded_version(self) -> str | None:
        """The index version the last finished pass embedded, or ``None``."""
        progress = self._read_progress()
        return progress.get("index_version") if progress else None

    def _read_progress(self) -> dict[str, Any] | None:
        try:
            found = json.loads((self.directory / PROGRESS_FILE).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None
        return found if isinstance(found, dict) else None

    # Searching --------------------------------------------------------------------------------

    def nearest(self, searcher: Searcher, query: Vectors, limit: int) -> list[tuple[int, float]]:
        """The ``limit`` live passages nearest ``query``: (docnum in ``searcher``, cosine).

        Empty when no set covers enough of the index yet (retrieval then uses BM25 alone).
        A hit whose passage the live index no longer holds with the same title and text is
        skipped.
        """
        current = self.load()
        if current is None or len(current) < MIN_COVERAGE * searcher.doc_count():
            return []
        scores = np.asarray(current.vectors @ query)
        wanted = min(len(scores), limit * OVERFETCH)
        if wanted == 0:
            return []
        rows = np.argpartition(-scores, wanted - 1)[:wanted]
        rows = rows[np.argsort(-scores[rows], kind="stable")]
        found: list[tuple[int, float]] = []
        for row in rows:
            docnum = live_document(searcher, "passage_id", current.passage_ids[row])
            if docnum is None:
                continue  # excluded, or its source retired, since the set was written
            fields = stored_fields(searcher, docnum)
            key = content_key(fields.get("source_title", ""), fields.get("text", ""))
            if key != current.keys[row]:
                continue  # corrected since: its new text has no vector yet
            found.append((docnum, float(scores[row])))
            if len(found) == limit:
                break
        return found

    # Writing ----------------------------------------------------------------------------------

    @contextmanager
    def embedding_lock(self, *, wait: bool = True) -> Iterator[bool]:
        """Hold the pass lock; with ``wait=False`` yield ``False`` at once if another holds it."""
        with file_lock(self.directory / LOCK_FILE, timeout=None if wait else 0) as held:
            yield held

    def write_progress(
        self, embedded: int, total: int, *, running: bool, index_version: str | None = None
    ) -> None:
        """Record a pass's progress (read by ``factcheck index status``); a finished pass also
        records the index version it embedded, so no process repeats it."""
        payload = {
            "embedded": embedded,
            "total": total,
            "running": running,
            "updated": datetime.now(UTC).isoformat(timespec="seconds"),
            "index_version": index_version,
        }
        _write_atomically(self.directory / PROGRESS_FILE, json.dumps(payload).encode())

    def write_set(self, passage_ids: list[str], keys: list[str], vectors: Vectors) -> str:
        """Write a new set, make it live and remove the older ones; return its name."""
        name = f"{SET_PREFIX}{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%f')}"
        with open(self.directory / f"{name}.npy", "wb") as handle:
            np.save(handle, np.ascontiguousarray(vectors, dtype=np.float32))
            handle.flush()
            os.fsync(handle.fileno())
        lines = "".join(f"{pid}\t{key}\n" for pid, key in zip(passage_ids, keys, strict=True))
        _write_atomically(self.directory / f"{name}.keys", lines.encode())
        _write_atomically(self.directory / CURRENT_FILE, f"{name}\n".encode())
        for path in self.directory.glob(f"{SET_PREFIX}*"):
            if not path.name.startswith(name):
                path.unlink(missing_ok=True)
        return name


@dataclass(frozen=True)
class EmbeddingReport:
    """What a pass did."""

    passages: int  # live passages, each with a vector now
    embedded: int  # of which were encoded in this pass (the rest were reused)
    vector_set: str | None  # the set written, or None when another pass held the lock
    seconds: float


def embed_passages(
    index: SearchIndex,
    store: VectorStore,
    *,
    encoder: TextEncoder | None = None,
    progress: Callable[[int, int], None] | None = None,
    wait: bool = True,
) -> EmbeddingReport:
    """Give every live passage of ``index`` a vector, reusing those the store already has.

    ``progress(done, total)`` is called after each batch. With ``wait=False`` the pass is
    skipped when another one (another thread or process) is running.
    """
    started = time.perf_counter()
    with store.embedding_lock(wait=wait) as held:
        if not held:
            return EmbeddingReport(0, 0, None, 0.0)
        version, passage_ids, keys, texts = _live_passages(index)
        current = store.load()
        known = current.by_key() if current is not None else {}
        missing = [row for row, key in enumerate(keys) if key not in known]
        vectors = np.zeros((len(keys), DIMENSIONS), dtype=np.float32)
        for row, key in enumerate(keys):
            if key in known and current is not None:
                vectors[row] = current.vectors[known[key]]
        total = len(missing)
        store.write_progress(0, total, running=True)
        if missing:
            encoder = encoder or get_encoder()
        done = 0
        try:
            for start in range(0, total, EMBED_BATCH):
                rows = missing[start : start + EMBED_BATCH]
                assert encoder is not None
                vectors[rows] = encoder.encode([texts[row] for row in rows])
                done = min(start + EMBED_BATCH, total)
                store.write_progress(done, total, running=True)
                if progress is not None:
                    progress(done, total)
            name = store.write_set(passage_ids, keys, vectors)
        except BaseException:
            store.write_progress(done, total, running=False)
            raise
        store.write_progress(len(keys), len(keys), running=False, index_version=version)
    return EmbeddingReport(len(keys), total, name, time.perf_counter() - started)


def _live_passages(index: SearchIndex) -> tuple[str, list[str], list[str], list[str]]:
    """The live version, and the ids, content keys and texts to embed of its passages."""
    passage_ids: list[str] = []
    keys: list[str] = []
    texts: list[str] = []
    version, rows = index.live_passages()
    for fields in rows:
        title, text = fields.get("source_title", ""), fields.get("text", "")
        passage_ids.append(fields["passage_id"])
        keys.append(content_key(title, text))
        texts.append(embedded_text(title, text))
    return version, passage_ids, keys, texts


class BackgroundEmbedder(BackgroundPass):
    """Runs embedding passes in a daemon thread whenever the index has moved on.

    :meth:`poke` is cheap (two small file reads) and called on each check: it starts a pass
    when the index version differs from the one the last pass saw and no pass is running in
    this process. Across processes the pass lock lets one worker embed while the others skip.
    """

    thread_name = "factcheck-embedder"

    def __init__(self, index: SearchIndex, store: VectorStore) -> None:
        super().__init__()
        self.index = index
        self.store = store
        self._retry_after = 0.0  # monotonic time before which a skipped pass is not retried

    def poke(self) -> None:
        """Start a pass in the background if the index changed since the last one."""
        try:
            version = self.index.version()
        except IndexUnavailable:  # no index yet: nothing to embed (the check reports it)
            return
        if version == self._seen or time.monotonic() < self._retry_after:
            return
        if version == self.store.embedded_version():
            self._seen = version
            return
        self.start_for(version)

    def run(self) -> None:
        """Embed what the index gained; if another process holds the pass, look again later."""
        # On an error the last set keeps serving; the thread's error is logged, a later check
        # retries.
        report = embed_passages(self.index, self.store, wait=False)
        if report.vector_set is None:
            self.forget()
            self._retry_after = time.monotonic() + RETRY_SECONDS
        else:
            logger.info("embedded %d of %d passages", report.embedded, report.passages)


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
