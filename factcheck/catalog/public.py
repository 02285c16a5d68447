"""Public: what readers may see of the catalog, for the web pages.

Readers see sources that are not retired and, of those, the passages that are not excluded: the
same set the search index holds, so every excerpt a check shows can be found on its source page.
Excluded passages (page noise, withdrawn or rejected sentences) and retired sources never leave
this module. Nothing here imports Flask; each function takes a SQLAlchemy session.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factcheck.catalog.models import Passage, Source


@dataclass(frozen=True)
class Overview:
    """What a check is made against: counts and the newest source's date."""

    sources: int
    passages: int
    newest_published: str | None  # ISO 8601 prefix ("2023-02"), or None when no source has one


@dataclass(frozen=True)
class SourceSummary:
    """One source as the list of sources shows it."""

    id: str
    title: str
    publisher: str | None
    published: str | None
    url: str | None
    passages: int  # public passages only


@dataclass(frozen=True)
class PublicPassage:
    """One sentence of a source page."""

    id: str
    paragraph: int
    text: str


@dataclass(frozen=True)
class SourceDocument:
    """A source with its public passages in document order."""

    source: SourceSummary
    passages: tuple[PublicPassage, ...]

    def paragraphs(self) -> list[list[PublicPassage]]:
        """The passages grouped by the paragraph they came from, in order."""
        groups: list[list[PublicPassage]] = []
        for passage in self.passages:
            if groups and groups[-1][0].paragraph == passage.paragraph:
                groups[-1].append(passage)
            else:
                groups.append([passage])
        return groups


def _public_passage_counts():  # type: ignore[no-untyped-def]
    """A subquery: public passages per source id."""
    return (
        select(Passage.source_id, func.count().label("passages"))
        .where(Passage.excluded.is_(False))
        .group_by(Passage.source_id)
        .subquery()
    )


def overview(session: Session) -> Overview:
    """Count public sources and passages, and find the newest source's date."""
    sources, newest = session.execute(
        select(func.count(), func.max(Source.published)).where(Source.retired.is_(False))
    ).one()
    passages = session.scalar(
        select(func.count())
        .select_from(Passage)
        .join(Source, Source.id == Passage.source_id)
        .where(Passage.excluded.is_(False), Source.retired.is_(False))
    )
    return Overview(sources=sources, passages=passages or 0, newest_published=newest)


def list_sources(session: Session) -> list[SourceSummary]:
    """Every public source, newest first, then by title."""
    counts = _public_passage_counts()
    statement = (
        select(Source, func.coalesce(counts.c.passages, 0))
        .outerjoin(counts, counts.c.source_id == Source.id)
        .where(Source.retired.is_(False))
        .order_by(Source.published.desc().nulls_last(), Source.title, Source.id)
    )
    return [_summary(source, count) for source, count in session.execute(statement)]


def find_source(session: Session, source_id: str) -> SourceDocument | None:
    """A public source and its public passages, or ``None`` if there is no such source."""
    source = session.get(Source, source_id)
    if source is None or source.retired:
        return None
    rows = session.execute(
        select(Passage.id, Passage.paragraph, Passage.text)
        .where(Passage.source_id == source_id, Passage.excluded.is_(False))
        .order_by(Passage.position)
    )
    passages = tuple(PublicPassage(row.id, row.paragraph, row.text) for row in rows)
    return SourceDocument(source=_summary(source, len(passages)), passages=passages)


def _summary(source: Source, passages: int) -> SourceSummary:
    return SourceSummary(
        id=source.id,
        title=source.title,
        publisher=source.publisher,
        published=source.published,
        url=source.url,
        passages=passages,
    )


# A source's reliability rating as readers see it beside an excerpt (the reviewers set it).
RATING_WORDS = {
    "very_high": "very high reliability",
    "high": "high reliability",
    "mixed": "mixed reliability",
    "low": "low reliability",
    "very_low": "very low reliability",
}


def source_ratings(session: Session, source_ids: Iterable[str]) -> dict[str, str]:
    """The reliability rating, in words, of each of ``source_ids`` that reviewers have rated."""
    wanted = set(source_ids)
    if not wanted:
        return {}
    rows = session.execute(
        select(Source.id, Source.reliability).where(
            Source.id.in_(wanted), Source.reliability.is_not(None)
        )
    )
    return {source_id: RATING_WORDS[rating] for source_id, rating in rows if rating in RATING_WORDS}
