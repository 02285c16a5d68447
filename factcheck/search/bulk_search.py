"""Bulk search: a retrieval query scored over whole postings lists at once, as Whoosh scores it.

Whoosh's searcher walks a tree of matchers one posting at a time. For a claim's query (a
dozen words, each with its aliases or synonyms) over 100,000 passages that walk cost about
170 microseconds per matching passage, most of a check's time. Here each term's postings are
read a block at a time into numpy arrays and scored all at once with the same BM25F formula
and the same statistics (the parent searcher's idf and average length, the segment's stored
lengths); ``DisjunctionMax`` keeps each passage's best member, as Whoosh's matcher does (it
ignores the tiebreak), and ``Or`` adds its parts. Phrases, and any other query, are scored by
Whoosh's own matchers, one posting at a time: they match few passages. The result is the top
``limit`` (docnum, score) pairs in Whoosh's order: score, then docnum. ``tests/test_bulk_search.py``
checks it against ``Searcher.search``.

Reading a block uses Whoosh's posting-block layout (``whoosh-reloaded`` is pinned for that
reason): the ids are delta-encoded and decoded here with one cumulative sum.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Hashable, Mapping
from functools import reduce
from typing import Any

import numpy as np
from numpy.typing import NDArray
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.query import DisjunctionMax, Or, Phrase, Query, Term
from whoosh.reading import SegmentReader
from whoosh.scoring import BM25F
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

Ids = NDArray[np.int64]
Floats = NDArray[np.float64]
Hits = tuple[Ids, Floats]  # matching document numbers (sorted, unique) and their scores

# A segment's field lengths are stored as one byte each; this table decodes them.
_BYTE_TO_LENGTH = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)


class _BoundedCache:
    """A thread-safe least-recently-used mapping whose entries have a cost; the least recently
    used go once the costs pass ``budget``. Keys name a segment, which never changes once
    written (deletions aside, which the keys count), so entries never go stale."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._entries: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._cost = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
            return found[0]

    def put(self, key: Hashable, value: Any, cost: int = 1) -> None:
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = (value, cost)
            self._cost += cost
            while self._cost > self.budget and self._entries:
                _key, (_value, old) = self._entries.popitem(last=False)
                self._cost -= old


# Per process. Postings are counted by entries (about 16 bytes each, more with positions):
# enough for every postings list a check at 100,000 passages reads, many checks over.
_POSTINGS = _BoundedCache(budget=2_000_000)
_LENGTHS = _BoundedCache(budget=16)  # segments' length arrays
_STORED = _BoundedCache(budget=50_000)  # passages' stored fields
_TERMS = _BoundedCache(budget=500_000)  # whether a segment has a word at all
_NO_HITS: Hits = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))


def has_term(searcher: Searcher, fieldname: str, text: str | bytes) -> bool:
    """Whether any document of the index has ``text`` in ``fieldname`` (deleted ones too)."""
    word = searcher.schema[fieldname].to_bytes(text)
    return any(_leaf_has(leaf.reader(), fieldname, word) for leaf, _ in searcher.leaf_searchers())


def _leaf_has(reader: SegmentReader, fieldname: str, word: bytes) -> bool:
    segment = reader.segment()
    if segment is None:  # an empty index has a reader without segments
        return False
    key = (segment.segment_id(), fieldname, word)
    found = _TERMS.get(key)
    if found is None:
        found = (fieldname, word) in reader
        _TERMS.put(key, found)
    return bool(found)


def stored_fields(searcher: Searcher, docnum: int) -> Mapping[str, Any]:
    """A document's stored fields (read-only), cached per segment across searchers."""
    leaves = searcher.leaf_searchers()
    offsets = [offset for _leaf, offset in leaves]
    leaf, offset = leaves[bisect_right(offsets, docnum) - 1]
    key = (leaf.reader().segment().segment_id(), docnum - offset)
    found = _STORED.get(key)
    if found is None:
        found = leaf.stored_fields(docnum - offset)
        _STORED.put(key, found)
    return found


def live_document(searcher: Searcher, fieldname: str, text: str) -> int | None:
    """The number of the live (not deleted) document whose unique ``fieldname`` is ``text``."""
    for _reader, offset, postings in _leaf_postings(searcher, fieldname, text):
        if len(postings.ids):
            return offset + int(postings.ids[0])
    return None


def top_documents(searcher: Searcher, query: Query, limit: int) -> list[tuple[int, float]]:
    """The ``limit`` best (docnum, score) pairs for ``query``, best first, ties by docnum."""
    ids, scores = _evaluate(query, searcher)
    keep = scores > 0.0
    ids, scores = ids[keep], scores[keep]
    if len(ids) > limit:
        # Keep every document scoring at least the limit-th best, ties included, then order.
        cut = np.partition(scores, len(scores) - limit)[len(scores) - limit]
        keep = scores >= cut
        ids, scores = ids[keep], scores[keep]
    order = np.lexsort((ids, -scores))[:limit]
    return [(int(ids[i]), float(scores[i])) for i in order]


def _evaluate(query: Query, searcher: Searcher) -> Hits:
    """The documents ``query`` matches and their scores."""
    if isinstance(query, Term) and isinstance(searcher.weighting, BM25F):
        ids, scores = _term_hits(query.fieldname, query.text, searcher)
    elif isinstance(query, Phrase) and isinstance(searcher.weighting, BM25F):
        ids, scores = _phrase_hits(query, searcher)
    elif isinstance(query, DisjunctionMax) and query.subqueries:
        ids, scores = _combine([_evaluate(sub, searcher) for sub in query.subqueries], best=True)
    elif isinstance(query, Or) and query.subqueries:
        ids, scores = _combine([_evaluate(sub, searcher) for sub in query.subqueries], best=False)
    else:
        return _matcher_hits(query, searcher)
    if query.boost != 1.0:
        scores = scores * query.boost
    return ids, scores


def _combine(parts: list[Hits], *, best: bool) -> Hits:
    """The union of ``parts``: each document's best score (``best``) or the sum of its scores."""
    parts = [part for part in parts if len(part[0])]
    if not parts:
        return _NO_HITS
    if len(parts) == 1:
        return parts[0]
    ids = np.concatenate([part[0] for part in parts])
    scores = np.concatenate([part[1] for part in parts])
    if best:
        order = np.lexsort((-scores, ids))  # by document, its best score first
        ids, scores = ids[order], scores[order]
        first = np.ones(len(ids), dtype=bool)
        first[1:] = ids[1:] != ids[:-1]
        return ids[first], scores[first]
    unique, inverse = np.unique(ids, return_inverse=True)
    totals = np.bincount(inverse, weights=scores, minlength=len(unique)).astype(np.float64)
    return unique.astype(np.int64), totals


def _term_hits(fieldname: str, text: str | bytes, searcher: Searcher) -> Hits:
    """BM25F scores of one term, as Whoosh's ``BM25FScorer`` computes them, unboosted."""
    found = [
        (offset + postings.ids, _bm25(searcher, fieldname, text, reader, postings))
        for reader, offset, postings in _leaf_postings(searcher, fieldname, text)
    ]
    return _concatenate(found)


def _phrase_hits(phrase: Phrase, searcher: Searcher) -> Hits:
    """Documents holding the phrase's words in order, one after another (Whoosh's slop 1),
    scored as the sum of the words' scores, as Whoosh's phrase matcher does."""
    if phrase.slop != 1 or not phrase.words:
        return _matcher_hits(phrase, searcher)
    fieldname = phrase.fieldname
    field = searcher.schema[fieldname]
    words = [field.to_bytes(word) for word in phrase.words]
    found = []
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        if not all(_leaf_has(reader, fieldname, word) for word in words):
            continue
        postings = [_Postings.read(reader, fieldname, word, positions=True) for word in words]
        common = reduce(np.intersect1d, [p.ids for p in postings])
        if not len(common):
            continue
        rows = [np.searchsorted(p.ids, common) for p in postings]
        decode = field.format.decode_positions
        keep = np.zeros(len(common), dtype=bool)
        for j in range(len(common)):
            starts = set(decode(postings[0].values[rows[0][j]]))
            for k in range(1, len(words)):
                if not starts:
                    break
                here = set(decode(postings[k].values[rows[k][j]]))
                starts = {start for start in starts if start + k in here}
            keep[j] = bool(starts)
        if not keep.any():
            continue
        scores = np.zeros(int(keep.sum()), dtype=np.float64)
        for p, row in zip(postings, rows, strict=True):
            chosen = p.take(row[keep])
            scores += _bm25(searcher, fieldname, chosen.word, reader, chosen)
        found.append((offset + common[keep], scores))
    return _concatenate(found)


def _concatenate(found: list[Hits]) -> Hits:
    if not found:
        return _NO_HITS
    return np.concatenate([f[0] for f in found]), np.concatenate([f[1] for f in found])


def _bm25(
    searcher: Searcher,
    fieldname: str,
    text: str | bytes,
    reader: SegmentReader,
    postings: _Postings,
) -> Floats:
    """Whoosh's BM25F formula over a segment's postings, with the whole index's statistics."""
    weighting = searcher.weighting
    b = weighting._field_B.get(fieldname, weighting.B)
    k1 = weighting.K1
    idf = searcher.idf(fieldname, text)
    average = searcher.avg_field_length(fieldname) or 1
    lengths = _field_lengths(reader, fieldname)[postings.ids]
    tf = postings.frequencies
    return idf * (tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * lengths / average))


def _leaf_postings(
    searcher: Searcher, fieldname: str, text: str | bytes
) -> list[tuple[SegmentReader, int, _Postings]]:
    word = searcher.schema[fieldname].to_bytes(text)
    return [
        (leaf.reader(), offset, _Postings.read(leaf.reader(), fieldname, word))
        for leaf, offset in searcher.leaf_searchers()
        if _leaf_has(leaf.reader(), fieldname, word)
    ]


class _Postings:
    """One segment's postings of a word: document numbers, term frequencies and (when asked)
    the encoded positions, deleted documents left out."""

    def __init__(self, word: bytes, ids: Ids, frequencies: Floats, values: list[bytes]) -> None:
        self.word, self.ids, self.frequencies, self.values = word, ids, frequencies, values

    def take(self, rows: Ids) -> _Postings:
        return _Postings(self.word, self.ids[rows], self.frequencies[rows], [])

    @classmethod
    def read(
        cls, reader: SegmentReader, fieldname: str, word: bytes, *, positions: bool = False
    ) -> _Postings:
        """Read from the segment, or from the cache when a check read them before."""
        key = (reader.segment().segment_id(), reader.doc_count(), fieldname, word, positions)
        found = _POSTINGS.get(key)
        if found is None:
            found = cls._read(reader, fieldname, word, positions=positions)
            _POSTINGS.put(key, found, cost=len(found.ids) * (4 if positions else 1) + 1)
        return found

    @classmethod
    def _read(
        cls, reader: SegmentReader, fieldname: str, word: bytes, *, positions: bool
    ) -> _Postings:
        matcher = reader.postings(fieldname, word)
        deleted: frozenset[int] | set[int] = frozenset()
        if isinstance(matcher, FilterMatcher):
            # The filter has moved its child past the deleted documents at the start: whole
            # blocks of them are gone, and the current block is read from its beginning.
            deleted = reader.deleted_docs_set
            matcher = matcher.child
        if not isinstance(matcher, W3LeafMatcher):
            raise TypeError(f"unexpected postings reader {type(matcher).__name__}")
        id_blocks: list[Ids] = []
        weight_blocks: list[Floats] = []
        values: list[bytes] = []
        while matcher.is_active():
            matcher._read_data()
            deltas, weights, block_values = matcher._data
            count = matcher._blocklength
            id_blocks.append(np.cumsum(np.asarray(deltas, dtype=np.int64)))
            if weights is None:
                weight_blocks.append(np.ones(count, dtype=np.float64))
            elif isinstance(weights, float):
                weight_blocks.append(np.full(count, weights, dtype=np.float64))
            else:
                # Whoosh keeps weights as 32-bit floats; round alike so scores agree exactly.
                weight_blocks.append(np.asarray(weights, dtype=np.float32).astype(np.float64))
            if positions:
                values.extend(block_values)
            matcher._next_block()
        if not id_blocks:  # every posting was of a deleted document
            return cls(word, _NO_HITS[0], _NO_HITS[1], [])
        ids, frequencies = np.concatenate(id_blocks), np.concatenate(weight_blocks)
        if deleted:
            keep = ~np.isin(ids, np.fromiter(deleted, dtype=np.int64))
            ids, frequencies = ids[keep], frequencies[keep]
            if positions:
                values = [v for v, kept in zip(values, keep, strict=True) if kept]
        return cls(word, ids, frequencies, values)


def _field_lengths(reader: SegmentReader, fieldname: str) -> Floats:
    """Every document's length in ``fieldname`` within one segment, cached per segment."""
    key = (reader.segment().segment_id(), fieldname, reader.doc_count_all())
    found = _LENGTHS.get(key)
    if found is None:
        length_bytes = np.zeros(reader.doc_count_all(), dtype=np.uint8)
        stored = np.frombuffer(reader._perdoc.field_length_bytes(fieldname), dtype=np.uint8)
        length_bytes[: len(stored)] = stored[: len(length_bytes)]
        found = _BYTE_TO_LENGTH[length_bytes]
        _LENGTHS.put(key, found)
    return found


def _matcher_hits(query: Query, searcher: Searcher) -> Hits:
    """Scores from Whoosh's own matchers, one posting at a time (queries of other kinds)."""
    ids: list[int] = []
    scores: list[float] = []
    context = searcher.context()
    for leaf, offset in searcher.leaf_searchers():
        matcher = query.matcher(leaf, context)
        while matcher.is_active():
            ids.append(matcher.id() + offset)
            scores.append(matcher.score())
            matcher.next()
    return np.asarray(ids, dtype=np.int64), np.asarray(scores, dtype=np.float64)
