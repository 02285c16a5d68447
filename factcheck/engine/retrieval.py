"""Retrieval: the passages worth judging for a claim, found with BM25F in the Whoosh index.

The claim is text, never query syntax: it is analysed (:mod:`factcheck.engine.claim_analysis`) and
the query is built from its parts as Whoosh query objects, so "NOT", quotes or colons in a
claim are words like any other. Names and numbers weigh more than other words; an entity is
sought under all its aliases (Moscow, Kremlin, Russian for Russia) and a predicate under its
synonyms (sold, provided for supplied), each group scored by its best member so that a
passage naming Russia three ways is not thrice as relevant.

With a :class:`~factcheck.search.vectors.VectorStore` (dense retrieval on), the claim is also
embedded and its nearest passages by meaning are ranked beside BM25F's; the two rankings are
fused by reciprocal rank (:func:`fuse_rankings`), which needs no common scale between a BM25F
score and a cosine, and the fused top ``limit`` go to stance analysis. A paraphrase that shares
few of the claim's words ("Tehran sold unmanned aircraft to Moscow") is found that way. The
claim's vector (:func:`with_vector`) and each candidate's stored vector travel on with the claim
and the evidence, so the ``meaning`` analyzer reads them instead of encoding again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import NamedTuple

from whoosh.query import DisjunctionMax, Or, Phrase, Query, Term
from whoosh.searching import Searcher

from factcheck.engine.claim_analysis import Claim
from factcheck.engine.evidence import Evidence
from factcheck.language import lexicon
from factcheck.language.encoder import get_encoder
from factcheck.language.entities import Entity, aliases_of
from factcheck.language.text_analysis import Token
from factcheck.search.bulk_search import has_term, stored_fields, top_documents
from factcheck.search.vectors import VectorStore

# Passages handed to stance analysis. 25 and 30 give the same accuracy on every claim set
# (dev and held-out on the seed corpus, dev at 100,000 passages, CLIMATE-FEVER); 20 lost a
# held-out claim. Each candidate costs about a millisecond of stance analysis.
CANDIDATES = 25
ENTITY_BOOST = 2.5  # the claim's subject
OBJECT_ENTITY_BOOST = 1.5  # other entities the claim names
VERB_BOOST = 2.0  # the claim's main verb
NUMBER_BOOST = 2.0
WORD_BOOST = 1.0
SYNONYM_BOOST = 0.4
SELECTIVE_FROM = 8_000  # passages from which very common words are left out of the query
MAX_TERM_SHARE = 0.01  # a word in more than this share of passages is left out
MAX_WORD_GROUPS = 6  # in a large corpus, only the claim's rarest words (and its verb) are sought
FIELD = "text"
# Reciprocal rank fusion: a passage scores the sum of 1 / (RRF_K + rank) over the rankings that
# hold it. 60 is the constant of Cormack, Clarke and Büttcher (2009), used by most hybrid search
# engines; it keeps one ranking's first place from outweighing a passage both rankings rate well.
RRF_K = 60
# Passages read from each ranking before fusion: twice the candidates, so a passage ranked
# 26th by one side and 3rd by the other can still be handed on.
FUSION_DEPTH = 2 * CANDIDATES


def build_query(claim: Claim, searcher: Searcher) -> Query | None:
    """A Whoosh query for ``claim``, or None when the claim has nothing to search for.

    One scoring group per entity, number, year and content word, in that order.
    """
    vocabulary = _Vocabulary(searcher)
    groups = [
        *_entity_groups(claim, vocabulary),
        *_number_groups(claim, vocabulary),
        *_year_groups(claim, vocabulary),
        *_word_groups(claim, vocabulary),
    ]
    if not groups:
        return None
    return Or(groups)


class _Vocabulary:
    """What the index knows of a claim's words: how it splits them, which it holds, how often."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.analyzer = searcher.schema[FIELD].analyzer
        self.documents = max(self.reader.doc_count(), 1)

    @property
    def large(self) -> bool:
        """Whether the corpus is large enough for very common words to be left out."""
        return self.documents >= SELECTIVE_FROM

    def terms(self, text: str) -> list[str]:
        """``text`` as the index's analyzer splits it."""
        return [token.text for token in self.analyzer(text)]

    def indexed(self, forms: set[str]) -> set[str]:
        """The terms the index has seen: others only make the matcher tree bigger."""
        return {form for form in forms if has_term(self.searcher, FIELD, form)}

    def whole(self, forms: set[tuple[str, ...]]) -> set[tuple[str, ...]]:
        """Names and numbers (a word or a phrase) whose every word the index has."""
        return {form for form in forms if form and self.indexed(set(form)) == set(form)}

    def frequency(self, term: str) -> int:
        """How many passages hold ``term``."""
        return self.reader.doc_frequency(FIELD, term)

    def selective(self, forms: set[str]) -> set[str]:
        """``forms`` without the words in a large share of passages.

        Such a word ("climate" in a climate corpus) tells little and costs the most: every
        passage holding it must be scored. Small corpora keep all.
        """
        if not self.large:
            return forms
        limit = self.documents * MAX_TERM_SHARE
        return {form for form in forms if self.frequency(form) <= limit}


def _entity_groups(claim: Claim, vocabulary: _Vocabulary) -> list[Query]:
    """One group per entity: any of its names (a leader's country's too) counts."""
    groups = [_entity_group(claim, entity, vocabulary) for entity in claim.analysis.entities]
    return [group for group in groups if group is not None]


def _entity_group(claim: Claim, entity: Entity, vocabulary: _Vocabulary) -> Query | None:
    """One entity's names as one group, or None when the index lacks them all.

    The subject weighs more: it must be there; other entities are details ("Russia" in most
    passages).
    """
    is_subject = entity.key in claim.subject
    names = set(aliases_of(entity.key))
    if entity.country:
        names |= set(aliases_of(entity.country))
    forms = vocabulary.whole({tuple(vocabulary.terms(name)) for name in names})
    if not is_subject:
        # A detail named in a large share of passages ("Russia" in a corpus about it)
        # is left to the stance rules, which read every candidate's names anyway.
        forms = {
            form for form in forms if vocabulary.selective({min(form, key=vocabulary.frequency)})
        }
    if not forms:
        return None
    return _group(forms, ENTITY_BOOST if is_subject else OBJECT_ENTITY_BOOST)


def _number_groups(claim: Claim, vocabulary: _Vocabulary) -> list[Query]:
    """One group per quantity the claim states, as written."""
    groups: list[Query] = []
    for quantity in claim.quantities:
        token = claim.analysis.tokens[quantity.index]
        forms = vocabulary.whole({tuple(vocabulary.terms(token.text))})
        if forms:
            groups.append(_group(forms, NUMBER_BOOST))
    return groups


def _year_groups(claim: Claim, vocabulary: _Vocabulary) -> list[Query]:
    """One term per year the claim names and the index holds, at half a number's weight."""
    return [
        Term(FIELD, str(year), boost=NUMBER_BOOST / 2)
        for year in claim.analysis.years
        if has_term(vocabulary.searcher, FIELD, str(year))
    ]


class _WordGroup(NamedTuple):
    """A content word's group, with what decides whether a large corpus keeps it."""

    is_verb: bool
    terms: set[str]
    query: Query


def _word_groups(claim: Claim, vocabulary: _Vocabulary) -> list[Query]:
    """One group per content word; in a large corpus, only the verb and the rarest words."""
    groups = [_word_group(claim, index, token, vocabulary) for index, token in claim.content_tokens]
    kept = _rarest([group for group in groups if group is not None], vocabulary)
    return [group.query for group in kept]


def _word_group(
    claim: Claim, index: int, token: Token, vocabulary: _Vocabulary
) -> _WordGroup | None:
    """The word as written and as its lemma; the main verb also in its synonyms, weighed less.

    What the claim says was done counts in any of its words ("sold" for "supplied"); other
    words are matched as written, which keeps the query small.
    """
    is_verb = index == claim.verb_index
    own = set(vocabulary.terms(token.text)) | set(vocabulary.terms(token.lemma))
    synonyms: set[str] = set()
    if is_verb:
        for concept in token.concepts:
            for word in lexicon.synonym_classes().get(concept, ()):
                synonyms |= set(vocabulary.terms(word))
    # Synonyms that are also the word's own forms are its own (before either is filtered).
    own, synonyms = (
        vocabulary.selective(vocabulary.indexed(own)),
        vocabulary.selective(vocabulary.indexed(synonyms - own)),
    )
    if not own and not synonyms:
        return None
    weight = VERB_BOOST if is_verb else WORD_BOOST
    parts: list[Query] = [Term(FIELD, t, boost=weight) for t in sorted(own)]
    parts += [Term(FIELD, t, boost=SYNONYM_BOOST) for t in sorted(synonyms)]
    return _WordGroup(
        is_verb, own | synonyms, DisjunctionMax(parts) if len(parts) > 1 else parts[0]
    )


def _rarest(groups: list[_WordGroup], vocabulary: _Vocabulary) -> list[_WordGroup]:
    """In a large corpus, the verb and the rarest words: each group costs its postings' length."""
    if not vocabulary.large or len(groups) <= MAX_WORD_GROUPS:
        return groups
    ranked = sorted(
        groups, key=lambda group: (not group.is_verb, min(map(vocabulary.frequency, group.terms)))
    )
    return ranked[:MAX_WORD_GROUPS]


def _group(forms: set[tuple[str, ...]], boost: float) -> Query:
    """One scoring group: any of ``forms`` (each a word or a phrase) counts, the best one wins."""
    parts: list[Query] = [
        Term(FIELD, form[0], boost=boost)
        if len(form) == 1
        else Phrase(FIELD, list(form), boost=boost)
        for form in sorted(forms)
    ]
    return DisjunctionMax(parts) if len(parts) > 1 else parts[0]


def with_vector(claim: Claim, vectors: VectorStore | None) -> Claim:
    """``claim`` with its sentence vector when dense retrieval is on (it embeds the claim)."""
    if vectors is None or claim.vector is not None or not claim.text.strip():
        return claim
    return replace(claim, vector=get_encoder().encode_one(claim.text))


def retrieve(
    claim: Claim,
    searcher: Searcher,
    limit: int = CANDIDATES,
    *,
    vectors: VectorStore | None = None,
) -> list[Evidence]:
    """The ``limit`` passages that best match ``claim``, strongest first.

    Without ``vectors`` (or before they cover the index) the ranking is BM25F's alone; with
    them, BM25F's and the dense ranking are fused, and each passage the store holds a vector
    for carries it.
    """
    query = build_query(claim, searcher)
    depth = max(limit, FUSION_DEPTH) if vectors is not None else limit
    lexical = top_documents(searcher, query, depth) if query is not None else []
    dense: list[tuple[int, float]] = []
    if vectors is not None and claim.text.strip():
        dense = vectors.nearest(searcher, with_vector(claim, vectors).vector, depth)
    if dense:
        hits = fuse_rankings([[d for d, _ in lexical], [d for d, _ in dense]])[:limit]
    else:
        hits = lexical[:limit]
    top = hits[0][1] if hits else 1.0
    found = [
        _evidence(searcher, docnum, round(score / top, 4) if top else 0.0) for docnum, score in hits
    ]
    if vectors is None:
        return found
    return [replace(e, vector=vectors.vector_of(e.source_title, e.text)) for e in found]


def fuse_rankings(rankings: Sequence[Sequence[int]], k: int = RRF_K) -> list[tuple[int, float]]:
    """Reciprocal rank fusion of ``rankings`` (document numbers, best first): (docnum, score),
    best first; ties go to the passage ranked higher in the earlier ranking."""
    scores: dict[int, float] = {}
    first_seen: dict[int, tuple[int, int]] = {}
    for which, ranking in enumerate(rankings):
        for rank, docnum in enumerate(ranking, start=1):
            scores[docnum] = scores.get(docnum, 0.0) + 1.0 / (k + rank)
            first_seen.setdefault(docnum, (which, rank))
    return sorted(scores.items(), key=lambda item: (-item[1], first_seen[item[0]]))


def _evidence(searcher: Searcher, docnum: int, score: float) -> Evidence:
    """A hit as stance analysis reads it."""
    fields = stored_fields(searcher, docnum)
    return Evidence(
        passage_id=fields["passage_id"],
        text=fields.get("text", ""),
        context=fields.get("context", ""),
        previous=fields.get("previous", ""),
        source_id=fields.get("source_id", ""),
        source_title=fields.get("source_title", ""),
        publisher=fields.get("publisher"),
        url=fields.get("url"),
        published=fields.get("published"),
        retrieval_score=score,
    )
