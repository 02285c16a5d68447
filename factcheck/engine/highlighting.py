"""Highlighting: a passage as escaped HTML with the words that match the claim in ``<mark>``.

Passage text is untrusted (it comes from imported pages): every character outside the marks
is escaped, so nothing in a passage can become markup.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape


def highlight(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """``text`` escaped, with each (start, end) character span wrapped in ``<mark>``."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if not 0 <= start < end <= len(text):
            continue
        if merged and start <= merged[-1][1] + 1 and not text[merged[-1][1] : start].strip():
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    pieces: list[str] = []
    cursor = 0
    for start, end in merged:
        if start < cursor:
            continue
        pieces.append(escape(text[cursor:start]))
        pieces.append(f"<mark>{escape(text[start:end])}</mark>")
        cursor = end
    pieces.append(escape(text[cursor:]))
    return "".join(pieces)
