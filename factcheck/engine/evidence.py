"""Evidence: a candidate passage as retrieval hands it to stance analysis and the verdict.

It carries the passage's words, the words around it (its paragraph and the sentence before,
which stance rules read for context) and its source's provenance, which the verdict cites.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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
    # The passage's stored vector (of its source's title and its text, a float32 array) when the
    # vector store holds one for its current words; the ``meaning`` analyzer reads it instead of
    # encoding the passage. Not part of the passage's identity.
    vector: Any = field(default=None, compare=False, repr=False)
