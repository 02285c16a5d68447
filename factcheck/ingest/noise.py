"""Noise: page furniture that a scraped article carries but that is not evidence.

Scraped news pages keep widget text, photo captions and credits, share prompts, feed metadata,
bylines and related-article links between the paragraphs. The rules here recognise those
*patterns* (not particular sentences) and give a short human reason, so the importer can mark a
passage as excluded while keeping it in the catalog for a reviewer to restore. A false exclusion
hides evidence, so each rule is anchored (a whole paragraph, the start of a line, a credit in
trailing parentheses) rather than matching a word anywhere.

:func:`noise_reason` judges one sentence in its paragraph; :func:`document_noise` adds the rules
that need the whole document (a repeated headline, a truncated caption title, duplicates).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from factcheck.ingest.segmentation import split_sentences as _split_sentences

# A person's name: one to four capitalised words. Case-sensitive inside the case-insensitive
# rules below, so "By the next day" is not a byline.
_NAME = r"(?-i:[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3})"

# Whole-paragraph rules: (reason, pattern matched against the normalised paragraph).
_PARAGRAPH_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (reason, re.compile(pattern, re.IGNORECASE))
    for reason, pattern in (
        # Error and loading placeholders of script-driven widgets.
        ("widget text", r"^(?:[•·*-]\s*)?oops!?\s+something went wrong\b.*"),
        ("widget text", r"^(?:[•·*-]\s*)?(?:something went wrong|please try again later|"
                        r"loading(?:\.{3}|…)?|this (?:content|video) is not available.*)\.?$"),
        ("navigation", r"^(?:skip to (?:main )?content|skip navigation|most popular|most read|"
                       r"back to top|main menu|menu|top stories|trending now|sign in|log in)$"),
        ("advertisement", r"^(?:advertisement|sponsored content|story continues below)$"),
        ("feed metadata", r"^(?:external content|source rss or atom feed|feed title|feed link)$"),
        ("feed metadata", r"^feed (?:location|title|link)\s+\S+.*$"),
        ("feed metadata", r"^from\b.{0,60}\(#\w+\)$"),
        ("image file name", r"^[\w .()-]{1,80}\.(?:jpe?g|png|gif|webp|svg|avif)$"),
        ("byline", r"^by$"),
        ("byline", rf"^by\s+{_NAME}(?:\s*(?:,|and)\s+{_NAME})*$"),
        ("byline", rf"^{_NAME}\s+[-–—|,]\s+(?:senior\s+|staff\s+)?"
                   r"(?:reporter|writer|correspondent|editor|columnist|contributor)$"),
        ("share/follow prompt", r"^share (?:this|the) (?:article|story|page|post)\b.{0,20}$"),
        ("share/follow prompt", r"^follow\s+[\w .'’-]{1,40}\s+(?:across|on)\s+(?:our|its|their)\b"
                                r".{0,80}$"),
        ("share/follow prompt", r"^share your (?:views|thoughts|comments)\b.{0,40}$"),
        ("share/follow prompt", r"^(?:reply\s+)?\d+\s+comments?$"),
        ("share/follow prompt", r"^(?:view|show|load|read) (?:\d+ )?comments?$"),
        ("newsletter prompt", r"^(?:get|sign up for|subscribe to) (?:your|our)\b.{0,80}"
                              r"\b(?:news|newsletter|stories|updates|analysis)\b.{0,40}$"),
        ("related-article link", r"^(?:watch|look|more|read more|read also|also read|related|"
                                 r"see also|recommended|listen)\s*:\s*\S.{0,200}$"),
        ("related-article link", r"^[^.!?]{0,80}:\s+everything you need to know$"),
        ("source credit", r"^source:\s*[\w .&'’-]{1,40}$"),
    )
)  # fmt: skip

_LONGEST_FURNITURE = 300

# Photo-agency credits. Each is anchored so that a news sentence naming an agency ("told
# Reuters", "the Sputnik agency reported") is not caught.
_CREDIT_MARKERS = re.compile(
    r"ATTENTION EDITORS|\bvia (?:REUTERS|AP|AFP|Getty Images|EPA)\b|\bPhoto via\b|"
    r"\bCredit(?: Image)?\s*:|\b(?:Getty Images|Alamy(?: Live News)?|ZUMA Press|ZUMA Wire|"
    r"Shutterstock|EYEPRESS)\b|\bEDITORIAL USAGE ONLY\b|\bNot for Commercial USAGE\b",
)
# A cheap literal pre-check: a leading ``\b`` defeats the regex engine's literal search, and
# the benchmark corpus runs every passage through here.
_CREDIT_HINT = re.compile(r"EDITORS|via |Credit|Getty|Alamy|ZUMA|Shutterstock|EYEPRESS|USAGE")
_AGENCY = (
    r"Reuters|REUTERS|AP|AFP|Alamy|Getty(?: Images)?|Sputnik|SPUTNIK|ZUMA|EPA|EFE|Xinhua|"
    r"Pool|POOL|Shutterstock|Bloomberg|TASS|Anadolu|PA|Press Office|handout|HANDOUT"
)
# A caption ends with its credit in parentheses: "(Reuters)", "(NAME / SPUTNIK / AFP /)".
_TRAILING_CREDIT = re.compile(rf"\((?:[^()]*[\s/,])?(?:{_AGENCY})(?:[\s/,][^()]*)?\)\s*$")

_BYLINE_SENTENCES = re.compile(
    r"^(?:reach\s+[\w .'’-]{1,40}\s+(?:via|by|at)\s+(?:e-?mail|twitter|phone)\b.*|"
    r"with files from\b.*)$",
    re.IGNORECASE,
)
# "X is a reporter for ..." is an author note only beside contact details: on its own it may be
# news (a detained journalist, say).
_AUTHOR_NOTE = re.compile(
    rf"^{_NAME} is an? (?:[\w'’-]+\s+){{0,3}}"
    r"(?:reporter|writer|journalist|correspondent|editor|columnist)\b.{0,120}$",
    re.IGNORECASE,
)
_EDITOR_NOTE = re.compile(
    r"^(?:this (?:story|article) (?:has been|was) (?:updated|corrected)\b.*|"
    r"editor'?s note:.*|correction:.*)$",
    re.IGNORECASE,
)
_CONTACT = re.compile(r"(?:reach|contact|e-?mail)\b", re.IGNORECASE)
# Bounded parts (an address's local part is at most 64 characters, a domain label 63): an
# unbounded ``[\w.+-]+@`` retried from every word of a long dotted run was quadratic.
_EMAIL = re.compile(r"\b[\w.+-]{1,64}@[\w-]{1,63}\.[\w.-]{1,253}\b")
_TERMINAL = re.compile(r"[.!?…][\"'”’)\]]*$")


class _Paragraph:
    """What the rules need to know of one paragraph, each fact worked out once.

    A paragraph may hold thousands of sentences (a paste with no blank lines): judging each
    sentence must not re-read the whole paragraph, or the work grows with its square.
    """

    def __init__(self, paragraph: str) -> None:
        self.text = " ".join(paragraph.split())
        self.furniture = _furniture_reason(self.text)
        self.has_credit = self.furniture is None and _has_credit(self.text)
        self._has_contact: bool | None = None

    @property
    def has_contact(self) -> bool:
        """Whether one of its sentences gives contact details (worked out when first asked)."""
        if self._has_contact is None:
            self._has_contact = any(_is_contact(other) for other in _split_sentences(self.text))
        return self._has_contact


def noise_reason(sentence: str, paragraph: str) -> str | None:
    """Return why ``sentence`` (in ``paragraph``) is page noise, or ``None`` if it is content."""
    return _sentence_reason(sentence, _Paragraph(paragraph))


def _furniture_reason(paragraph_text: str) -> str | None:
    """The whole-paragraph rule a (normalised) paragraph matches, if any."""
    # Page furniture is short; skipping the whole-paragraph rules for long paragraphs keeps a
    # large corpus fast and cannot exclude a long paragraph of prose by accident.
    if len(paragraph_text) <= _LONGEST_FURNITURE:
        for reason, pattern in _PARAGRAPH_RULES:
            if pattern.match(paragraph_text):
                return reason
    return None


def _sentence_reason(sentence: str, paragraph: _Paragraph) -> str | None:
    """Why ``sentence`` of ``paragraph`` is page noise, or ``None``."""
    if paragraph.furniture is not None:
        return paragraph.furniture
    sentence_text = " ".join(sentence.split())
    # A paragraph carrying a photo credit is a caption as a whole: its sentences describe a
    # picture, even the ones that read like news.
    if paragraph.has_credit:
        if _has_credit(sentence_text):
            return "photo credit" if _is_mostly_credit(sentence_text) else "photo caption"
        return "photo caption"
    if _BYLINE_SENTENCES.match(sentence_text) or _is_contact(sentence_text):
        return "byline"
    if _AUTHOR_NOTE.match(sentence_text) and paragraph.has_contact:
        return "byline"
    if _EDITOR_NOTE.match(sentence_text):
        return "editor's note"
    return None


def _is_contact(sentence: str) -> bool:
    """True for "Reach/Contact/Email <someone> ... name@example.org" lines."""
    return bool(_CONTACT.match(sentence) and _EMAIL.search(sentence))


def _trailing_credit(text: str) -> re.Match[str] | None:
    """The credit in parentheses that ends ``text``, if any.

    Such a credit holds no parenthesis, so it can only open at the last "(": matching there
    alone is linear, where searching from every "(" backtracked over long open parentheses.
    """
    opening = text.rfind("(")
    if opening < 0 or text.find(")", opening) != len(text.rstrip()) - 1:
        return None  # no "(...)" closes the text: checked here, as backtracking it is quadratic
    return _TRAILING_CREDIT.match(text, opening)


def _has_credit(text: str) -> bool:
    """True when ``text`` carries a photo-agency credit."""
    if _trailing_credit(text):
        return True
    return bool(_CREDIT_HINT.search(text) and _CREDIT_MARKERS.search(text))


def _is_mostly_credit(sentence: str) -> bool:
    """True when a sentence is only a credit line, not a described scene with a credit."""
    credit = _trailing_credit(sentence)
    without = sentence[: credit.start()] if credit else sentence
    without = _CREDIT_MARKERS.split(without)[0]
    return not without.strip() or bool(re.match(r"^[\w .,-]+(?:/[\w .,-]+)+$", without.strip()))


def comparable(text: str) -> str:
    """Text folded for comparisons: NFKC, typographic quotes made plain, case and spaces folded."""
    folded = unicodedata.normalize("NFKC", text)
    folded = folded.translate(str.maketrans("‘’“”", "''\"\""))
    return " ".join(folded.casefold().split())


def document_noise(paragraphs: Sequence[Sequence[str]], title: str) -> list[list[str | None]]:
    """Reasons for every sentence of a document, given as paragraphs of sentences.

    Adds to :func:`noise_reason` the rules that need the whole document: a first paragraph
    repeating the headline, a truncated caption title that the next (credited) caption repeats
    in full, and an exact repeat of an earlier sentence.
    """
    joined = [" ".join(sentences) for sentences in paragraphs]
    reasons = []
    for sentences, paragraph_text in zip(paragraphs, joined, strict=True):
        facts = _Paragraph(paragraph_text)
        reasons.append([_sentence_reason(sentence, facts) for sentence in sentences])
    folded_title = comparable(title).rstrip(".!?")
    for index, paragraph in enumerate(joined[:5]):
        folded = comparable(paragraph).rstrip(".!?")
        if folded and folded_title and (folded == folded_title):
            reasons[index] = [reason or "duplicate headline" for reason in reasons[index]]
            break
    for index in range(len(joined) - 1):
        paragraph, following = comparable(joined[index]), comparable(joined[index + 1])
        caption_next = all(reason in ("photo caption", "photo credit") for reason in
                           reasons[index + 1]) and reasons[index + 1]  # fmt: skip
        if (
            caption_next
            and not _TERMINAL.search(joined[index])
            and following.startswith(paragraph)
            and len(following) > len(paragraph)
        ):
            reasons[index] = [reason or "photo caption" for reason in reasons[index]]
    seen: set[str] = set()
    for sentences, paragraph_reasons in zip(paragraphs, reasons, strict=True):
        for position, sentence in enumerate(sentences):
            key = comparable(sentence)
            if paragraph_reasons[position] is None and key in seen:
                paragraph_reasons[position] = "duplicate of an earlier passage"
            if paragraph_reasons[position] is None:
                seen.add(key)
    return reasons
