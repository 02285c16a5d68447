"""Retrieval: the passages worth judging for a claim, found with BM25F in the Whoosh index.

The claim is text, never query syntax: it is analysed (:mod:`factcheck.engine.claim_analysis`) and
the query is built from its parts as Whoosh query objects, so "NOT", quotes or colons in a
claim are words like any other. Names and numbers weigh more than other words; an entity is
sought under all its aliases (Moscow, Kremlin, Russian for Russia) and a predicate under its
synonyms (sold, provided for supplied), each group scored by its best member so that a
passage naming Russia three ways is not thrice as relevant.
"""

from __future__ import annotations

from whoosh.query import DisjunctionMax, Or, Phrase, Query, Term
from whoosh.searching import Searcher

from factcheck.engine.claim_analysis import Claim
from factcheck.engine.evidence import Evidence
from factcheck.language import lexicon
from factcheck.language.entities import aliases_of
from factcheck.search.bulk_search import has_term, stored_fields, top_documents

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


def build_query(claim: Claim, searcher: Searcher) -> Query | None:
    """A Whoosh query for ``claim``, or None when the claim has nothing to search for."""
    analyzer = searcher.schema[FIELD].analyzer
    reader = searcher.reader()

    def terms(text: str) -> list[str]:
        return [token.text for token in analyzer(text)]

    documents = max(reader.doc_count(), 1)

    def indexed(forms: set[str]) -> set[str]:
        # Terms the index has never seen only make the matcher tree bigger.
        return {form for form in forms if has_term(searcher, FIELD, form)}

    def whole(forms: set[tuple[str, ...]]) -> set[tuple[str, ...]]:
        # Names and numbers (a word or a phrase) whose every word the index has.
        return {form for form in forms if form and indexed(set(form)) == set(form)}

    def frequency(term: str) -> int:
        return reader.doc_frequency(FIELD, term)

    def selective(forms: set[str]) -> set[str]:
        # A word in a large share of passages ("climate" in a climate corpus) tells little and
        # costs the most: every passage holding it must be scored. Small corpora keep all.
        if documents < SELECTIVE_FROM:
            return forms
        limit = documents * MAX_TERM_SHARE
        return {form for form in forms if frequency(form) <= limit}

    groups: list[Query] = []
    for entity in claim.analysis.entities:
        # The subject must be there; other entities are details ("Russia" in most passages).
        boost = ENTITY_BOOST if entity.key in claim.subject else OBJECT_ENTITY_BOOST
        names = set(aliases_of(entity.key))
        if entity.country:
            names |= set(aliases_of(entity.country))
        forms = whole({tuple(terms(name)) for name in names})
        if entity.key not in claim.subject:
            # A detail named in a large share of passages ("Russia" in a corpus about it)
            # is left to the stance rules, which read every candidate's names anyway.
            forms = {form for form in forms if selective({min(form, key=frequency)})}
        if forms:
            groups.append(_group(forms, boost))
    for quantity in claim.quantities:
        token = claim.analysis.tokens[quantity.index]
        forms = whole({tuple(terms(token.text))})
        if forms:
            groups.append(_group(forms, NUMBER_BOOST))
    for year in claim.analysis.years:
        if has_term(searcher, FIELD, str(year)):
            groups.append(Term(FIELD, str(year), boost=NUMBER_BOOST / 2))
    word_groups: list[tuple[bool, set[str], Query]] = []  # (is the verb, its terms, group)
    for index, token in claim.content_tokens:
        weight = VERB_BOOST if index == claim.verb_index else WORD_BOOST
        own = set(terms(token.text)) | set(terms(token.lemma))
        synonyms = set()
        if index == claim.verb_index:
            # What the claim says was done, in any of its words ("sold" for "supplied");
            # other words are matched as written, which keeps the query small.
            for concept in token.concepts:
                for word in lexicon.synonym_classes().get(concept, ()):
                    synonyms |= set(terms(word))
        own, synonyms = selective(indexed(own)), selective(indexed(synonyms - own))
        if not own and not synonyms:
            continue
        parts: list[Query] = [Term(FIELD, t, boost=weight) for t in sorted(own)]
        parts += [Term(FIELD, t, boost=SYNONYM_BOOST) for t in sorted(synonyms)]
        group = DisjunctionMax(parts) if len(parts) > 1 else parts[0]
        word_groups.append((index == claim.verb_index, own | synonyms, group))
    if documents >= SELECTIVE_FROM and len(word_groups) > MAX_WORD_GROUPS:
        # Each group costs the length of its postings: keep the verb and the rarest words.
        word_groups.sort(key=lambda item: (not item[0], min(map(frequency, item[1]))))
        word_groups = word_groups[:MAX_WORD_GROUPS]
    groups += [group for _verb, _terms, group in word_groups]
    if not groups:
        return None
    return Or(groups)


def _group(forms: set[tuple[str, ...]], boost: float) -> Query:
    """One scoring group: any of ``forms`` (each a word or a phrase) counts, the best one wins."""
    parts: list[Query] = [
        Term(FIELD, form[0], boost=boost)
        if len(form) == 1
        else Phrase(FIELD, list(form), boost=boost)
        for form in sorted(forms)
    ]
    return DisjunctionMax(parts) if len(parts) > 1 else parts[0]


def retrieve(claim: Claim, searcher: Searcher, limit: int = CANDIDATES) -> list[Evidence]:
    """The ``limit`` passages that best match ``claim``, strongest first."""
    query = build_query(claim, searcher)
    if query is None:
        return []
    hits = top_documents(searcher, query, limit)
    top = hits[0][1] if hits else 1.0
    found: list[Evidence] = []
    for docnum, score in hits:
        fields = stored_fields(searcher, docnum)
        found.append(
            Evidence(
                passage_id=fields["passage_id"],
                text=fields.get("text", ""),
                context=fields.get("context", ""),
                previous=fields.get("previous", ""),
                source_id=fields.get("source_id", ""),
                source_title=fields.get("source_title", ""),
                publisher=fields.get("publisher"),
                url=fields.get("url"),
                published=fields.get("published"),
                retrieval_score=round(score / top, 4) if top else 0.0,
            )
        )
    return found
