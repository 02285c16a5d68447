"""Evidence: a candidate passage as retrieval hands it to stance analysis and the verdict.

It carries the passage's words, the words around it (its paragraph and the sentence before,
which stance rules read for context) and its source's provenance, which the verdict cites.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Evidence:
    """One retrieved passage with its context and provenance."""

    passage_id: str
    text: str
    context: str = ""  # its paragraph
    previous: str = ""  # the sentence before it in its document
    source_id: str = ""
    source_title: str = ""
    publisher: str | None = None
    url: str | None = None
    published: str | None = None  # ISO 8601 prefix ("2023-02") or None when unknown
    retrieval_score: float = 0.0
