"""Segmentation: a document's text split into paragraphs, and paragraphs into sentences.

The seeds are "one paragraph per line" with blank lines between, so every non-blank line starts
a paragraph unless it is an indented continuation of the line above (as in a bulleted widget
whose item wraps onto indented lines). Sentences are found by a small rule-based splitter: it is
deterministic, needs no model and splits thousands of short passages in milliseconds, which is
what the importer and the benchmark need. Sentences keep their original characters.
"""

from __future__ import annotations

import re


def _word_set(words: str) -> frozenset[str]:
    """A set from a whitespace-separated word list (easier to read than a list literal)."""
    return frozenset(words.split())


_BULLET = re.compile(r"^[•·▪◦‣●*\-–]\s")
# A terminator run, any closing quotes or brackets that belong with it, then whitespace. The
# run starts where no terminator precedes it and its quantifiers are possessive: a long run of
# dots not followed by a space is then rejected in one pass (a nested ``(?:\.{2,}|[.])+``
# backtracked exponentially, and retrying inside the run made it quadratic).
_CANDIDATE = re.compile(r"(?<![.!?…])[.!?…]++[\"'”’\])]*+(?=\s)")
_OPENING_QUOTES = "\"'“‘"
# Abbreviations after which a full stop never ends a sentence: titles precede a name, month
# abbreviations precede a day or year, and the rest are used mid-sentence.
_ABBREVIATIONS = _word_set(
    """mr mrs ms mx dr prof st gen sen rep gov lt col sgt capt cmdr adm maj cpl pvt rev hon pres
    supt insp gov jan feb mar apr jun jul aug sep sept oct nov dec vs approx fig figs vol pp ca
    cf al e.g i.e viz mt ft ave blvd rd"""
)
# Abbreviations that end a sentence only when a number does not follow (No. 5, Art. 12).
_NUMBER_ABBREVIATIONS = frozenset({"no", "nos", "art", "p", "para", "sec", "ch"})
# After a dotted acronym ("U.S.") or an initial ("J."), a new sentence is assumed only when the
# next word is one that commonly opens a sentence; "U.S. President" and "J. R. R. Tolkien" stay.
_SENTENCE_OPENERS = _word_set(
    """The A An It Its He She His Her They Their Them We Our I This That These Those There
    But And Or So Yet In On At As If When While After Before Since Meanwhile However Some Many
    Most Both Another Other Also What Which Who Why How Now Then Still Earlier Later"""
)
_DOTTED_ACRONYM = re.compile(r"^(?:[A-Za-z]\.)+[A-Za-z]$|^[A-Z]$")
# The word after a terminator, skipping opening quotes; matched in place (``pattern.match(text,
# position)``), never on a copy of the rest of the paragraph.
_NEXT_WORD = re.compile(r"[\"'“‘]*+([\w'’]+)")
_ENUMERATOR = re.compile(r"^\d{1,3}$")


def normalise_whitespace(text: str) -> str:
    """Collapse every run of whitespace to one space and trim the ends."""
    return " ".join(text.split())


def split_paragraphs(text: str) -> list[str]:
    """Split a body into paragraphs with whitespace normalised inside each.

    Each non-blank line is a paragraph, except an indented line that is not a bullet: that
    continues the line above it.
    """
    paragraphs: list[list[str]] = []
    previous_blank = True
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            previous_blank = True
            continue
        indented = line[:1].isspace()
        if indented and not previous_blank and not _BULLET.match(stripped) and paragraphs:
            paragraphs[-1].append(stripped)
        else:
            paragraphs.append([stripped])
        previous_blank = False
    return [normalise_whitespace(" ".join(lines)) for lines in paragraphs]


def split_sentences(paragraph: str) -> list[str]:
    """Split a paragraph into sentences, keeping each sentence's characters as written."""
    sentences: list[str] = []
    start = 0
    for match in _CANDIDATE.finditer(paragraph):
        next_start = _next_non_space(paragraph, match.end())
        if next_start is None:
            break
        if _is_boundary(paragraph, start, match, next_start):
            sentence = paragraph[start : match.end()].strip()
            if sentence:
                sentences.append(sentence)
            start = next_start
    rest = paragraph[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences


def _next_non_space(text: str, index: int) -> int | None:
    """Index of the first non-whitespace character at or after ``index``, if any."""
    while index < len(text) and text[index].isspace():
        index += 1
    return index if index < len(text) else None


def _is_boundary(paragraph: str, start: int, match: re.Match[str], next_start: int) -> bool:
    """Decide whether the terminator in ``match`` ends the sentence begun at ``start``."""
    following = paragraph[next_start]
    opens = following.isupper() or following.isdigit() or following in _OPENING_QUOTES
    if not opens:
        # Lower case ("companies... provide"), a parenthesis (a trailing photo credit such as
        # "(Reuters)" belongs with its caption) or punctuation: the sentence goes on.
        return False
    terminator = match.group().rstrip("\"'”’])")
    if terminator != ".":
        return True  # "?", "!", an ellipsis or "?!" followed by a capital ends a sentence
    word_start = paragraph.rfind(" ", start, match.start()) + 1
    word = paragraph[max(word_start, start) : match.start()].lstrip("\"'“‘([")
    if not word:
        return True
    lowered = word.lower()
    if lowered in _ABBREVIATIONS:
        return False
    if lowered in _NUMBER_ABBREVIATIONS and following.isdigit():
        return False
    if _DOTTED_ACRONYM.match(word):
        next_word = _NEXT_WORD.match(paragraph, next_start)
        return next_word is not None and next_word.group(1) in _SENTENCE_OPENERS
    # A list number opening the paragraph ("1. Belarus") is not a sentence of its own.
    return not (_ENUMERATOR.match(word) and paragraph[start:word_start].strip() == "")
