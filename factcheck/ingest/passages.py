"""Passages: a document split into sentence-level passages with stable ids.

:func:`build_passages` turns a :class:`~factcheck.ingest.documents.Document` into
:class:`PassageDraft` objects: one per given passage for pre-split collections, otherwise one per
sentence of each paragraph. A passage id depends only on the source id, the passage's normalised
text and how many identical passages came before it in the same document, so editing or adding
one paragraph never changes the id of another and a re-import keeps every reviewer's decision
attached to the same passage.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from factcheck.ingest.documents import Document
from factcheck.ingest.noise import document_noise, noise_reason
from factcheck.ingest.segmentation import split_paragraphs, split_sentences

# How many sentences a passage's context holds at most: the whole paragraph when it has no
# more (the seed articles' paragraphs have at most 5; news paragraphs rarely pass 8), otherwise
# a window of this many sentences around the passage. A paste with no blank lines is one
# paragraph: had each of its sentences kept all of it, the catalog would grow with its square.
CONTEXT_SENTENCES = 13


@dataclass(frozen=True)
class PassageDraft:
    """A passage as the splitter produces it, before it enters the catalog."""

    passage_id: str  # stable: depends on the source id and this passage's own text only
    source_id: str
    position: int  # 0-based order within the document
    paragraph: int  # 0-based paragraph number within the document
    text: str  # the sentence, as written
    context: str  # its paragraph, or a window of CONTEXT_SENTENCES sentences of a long one
    content_hash: str  # sha256 hex of the normalised text
    excluded_reason: str | None = None  # set when the importer judges it page noise


def normalise_text(text: str) -> str:
    """Text as hashed: Unicode NFC, every whitespace run collapsed to one space, trimmed."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def content_hash(text: str) -> str:
    """The sha256 hex digest of the normalised text."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


def passage_id(source_id: str, text: str, occurrence: int = 0) -> str:
    """A stable id for the ``occurrence``-th (0-based) passage with this text in a source."""
    key = f"{source_id}\n{normalise_text(text)}\n{occurrence}".encode()
    return f"{source_id}:{hashlib.sha1(key).hexdigest()[:12]}"


def build_passages(document: Document) -> list[PassageDraft]:
    """Split ``document`` into passage drafts, with noise marked by ``excluded_reason``."""
    if document.given_passages:
        return [
            PassageDraft(
                passage_id=given_id,
                source_id=document.source_id,
                position=position,
                paragraph=position,
                text=text,
                context=text,
                content_hash=content_hash(text),
                excluded_reason=noise_reason(text, text),
            )
            for position, (given_id, text) in enumerate(document.given_passages)
        ]
    paragraphs = [split_sentences(paragraph) for paragraph in split_paragraphs(document.text)]
    reasons = document_noise(paragraphs, document.title)
    occurrences: Counter[str] = Counter()
    drafts: list[PassageDraft] = []
    for paragraph_number, sentences in enumerate(paragraphs):
        whole = " ".join(sentences) if len(sentences) <= CONTEXT_SENTENCES else None
        for number, (sentence, reason) in enumerate(
            zip(sentences, reasons[paragraph_number], strict=True)
        ):
            normalised = normalise_text(sentence)
            drafts.append(
                PassageDraft(
                    passage_id=passage_id(document.source_id, normalised, occurrences[normalised]),
                    source_id=document.source_id,
                    position=len(drafts),
                    paragraph=paragraph_number,
                    text=sentence,
                    context=whole if whole is not None else context_window(sentences, number),
                    content_hash=content_hash(normalised),
                    excluded_reason=reason,
                )
            )
            occurrences[normalised] += 1
    return drafts


def context_window(sentences: Sequence[str], number: int) -> str:
    """The context of sentence ``number``: :data:`CONTEXT_SENTENCES` sentences around it.

    The window is centred on the sentence and slid back inside the paragraph at either end, so
    it always holds that many sentences (or the whole paragraph, when it has fewer).
    """
    before = (CONTEXT_SENTENCES - 1) // 2
    start = max(0, min(number - before, len(sentences) - CONTEXT_SENTENCES))
    return " ".join(sentences[start : start + CONTEXT_SENTENCES])
