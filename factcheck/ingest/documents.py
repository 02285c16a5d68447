"""Documents: what a curated source is before it is split into passages.

A :class:`Document` carries the text of one source and what is known of its provenance.
Readers for each supported file format turn a path into documents; nothing here touches the
catalog or the index. :func:`read_documents` is the one entry point: it picks a reader by the
file's suffix and raises :class:`DocumentError` (with the path, and the line where one applies)
for anything it cannot read, so an importer can report the file and carry on with the others.
"""

from __future__ import annotations

import datetime as dt
import json
import pathlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

import frontmatter


@dataclass(frozen=True)
class Document:
    """One source document and its provenance; unknown fields stay ``None``."""

    source_id: str  # stable key: front-matter id, file stem, or a slug of a JSONL title
    title: str
    text: str  # the body as written, paragraphs separated by blank lines
    publisher: str | None = None
    url: str | None = None
    published: str | None = None  # ISO 8601 prefix: "2023-02-24", "2023-02", "2023" or None
    published_precision: str = "unknown"  # "day", "month", "year" or "unknown"
    origin: str | None = None  # the file it came from, e.g. the seed file name
    # Pre-split passages (JSON Lines collections): (passage_id, text) pairs kept as given.
    given_passages: tuple[tuple[str, str], ...] = field(default=())


class DocumentError(ValueError):
    """A file that cannot be read as a source; the message says where and what is wrong."""

    def __init__(self, message: str, path: pathlib.Path | None = None, line: int | None = None):
        self.path = path
        self.line = line
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        super().__init__(f"{where}{message}")
        self.reason = message


# Characters no catalog can store: lone UTF-16 surrogates (JSON's "\ud800" decodes to one, and
# UTF-8 cannot encode it) and NUL (PostgreSQL refuses it in text). Refused where text comes in:
# here for files, in the request schemas for the API.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
UNSTORABLE_TEXT = "holds a lone surrogate or a NUL character"


def unstorable(text: str) -> bool:
    """Whether ``text`` holds a character no catalog can store."""
    return _UNSTORABLE.search(text) is not None


def read_documents(path: pathlib.Path) -> Iterator[Document]:
    """Yield the documents in ``path``, choosing the reader by the file's suffix.

    Markdown, plain text and HTML files hold one document each; a JSON Lines file holds one
    document per distinct ``title``. Text the catalog could not store is a :class:`DocumentError`.
    """
    path = pathlib.Path(path)
    suffix = path.suffix.lower()
    reader = _READERS.get(suffix)
    if reader is None:
        supported = ", ".join(sorted(_READERS))
        raise DocumentError(
            f"unsupported file type {suffix or '(no suffix)'!r}; expected one of {supported}", path
        )
    for document in reader(path):
        for name in ("source_id", "title", "text", "publisher", "url", "origin"):
            value = getattr(document, name)
            if isinstance(value, str) and unstorable(value):
                raise DocumentError(f"the {name} {UNSTORABLE_TEXT}", path)
        yield document


# ---------------------------------------------------------------------------------------------
# Published dates

PRECISIONS = ("day", "month", "year", "unknown")

_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:$|[T ])")
_MONTHS = {
    name: number
    for number in range(1, 13)
    for name in (
        dt.date(2000, number, 1).strftime("%B").lower(),
        dt.date(2000, number, 1).strftime("%b").lower(),
    )
}
_MONTH_NAME = r"(?P<month>[A-Za-z]{3,9})\.?"
_WORDY_DATES = (
    re.compile(rf"^(?P<day>\d{{1,2}})(?:st|nd|rd|th)? {_MONTH_NAME},? (?P<year>\d{{4}})$"),
    re.compile(rf"^{_MONTH_NAME} (?P<day>\d{{1,2}})(?:st|nd|rd|th)?,? (?P<year>\d{{4}})$"),
    re.compile(rf"^{_MONTH_NAME},? (?P<year>\d{{4}})$"),
)


def normalise_published(value: object, precision: object = None) -> tuple[str | None, str]:
    """Return ``(iso_prefix, precision)`` for a publication date, or ``(None, "unknown")``.

    Accepts dates, datetimes, years as integers and strings such as "2023-02-24T10:00Z",
    "2023-02", "24 February 2023" or "Feb 2023". A stated ``precision`` coarser than the value
    truncates it (a source may know only the month even if a day was written down).
    """
    year = month = day = None
    if isinstance(value, dt.datetime | dt.date):
        year, month, day = value.year, value.month, value.day
    elif isinstance(value, int) and not isinstance(value, bool):
        year = value
    elif isinstance(value, str):
        year, month, day = _parse_date_text(value.strip())
    if year is None or not 1 <= year <= 9999:
        return None, "unknown"
    if month is not None and not 1 <= month <= 12:
        month = day = None
    if day is not None:
        try:
            dt.date(year, month or 1, day)
        except ValueError:
            day = None
    parts = [f"{year:04d}"]
    if month is not None:
        parts.append(f"{month:02d}")
        if day is not None:
            parts.append(f"{day:02d}")
    found = ("year", "month", "day")[len(parts) - 1]
    stated = precision if isinstance(precision, str) else None
    if stated in ("year", "month", "day") and PRECISIONS.index(stated) > PRECISIONS.index(found):
        parts = parts[: ("year", "month", "day").index(stated) + 1]
        found = stated
    return "-".join(parts), found


def _parse_date_text(text: str) -> tuple[int | None, int | None, int | None]:
    """Split a date string into year, month and day (each ``None`` when absent)."""
    match = _ISO_DATE.match(text)
    if match:
        year, month, day = match.groups()
        return int(year), int(month) if month else None, int(day) if day else None
    for pattern in _WORDY_DATES:
        match = pattern.match(text)
        if match:
            month = _MONTHS.get(match["month"].lower())
            if month is None:
                continue
            day = match.groupdict().get("day")
            return int(match["year"]), month, int(day) if day else None
    return None, None, None


# ---------------------------------------------------------------------------------------------
# Shared helpers


def _read_text(path: pathlib.Path) -> str:
    """Decode a file as UTF-8 (a byte-order mark is dropped), or raise DocumentError."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise DocumentError(f"cannot read file: {error.strerror or error}", path) from error
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DocumentError(
            f"not UTF-8 text: undecodable byte at offset {error.start}", path
        ) from error


def _first_line_and_rest(text: str) -> tuple[str, str]:
    """Split off the first non-empty line; the rest is returned as written."""
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        if line.strip():
            return line.strip(), "".join(lines[index + 1 :])
    return "", ""


def _optional_text(
    value: object, name: str, path: pathlib.Path, line: int | None = None
) -> str | None:
    """Return a stripped string or ``None``; anything but a string is an error."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise DocumentError(f"{name!r} must be a string, not {type(value).__name__}", path, line)
    return value.strip() or None


def slugify(text: str) -> str:
    """Return ``text`` as lower-case words joined by dashes (ASCII letters and digits only)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


# ---------------------------------------------------------------------------------------------
# Markdown with YAML front matter

# The closing fence is matched by hand (not frontmatter.parse) because that strips the body,
# and the seed bodies are kept byte for byte.
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*(?:\r?\n|\Z)", re.DOTALL | re.MULTILINE)


def _read_markdown(path: pathlib.Path) -> Iterator[Document]:
    """One document from a Markdown file with optional YAML front matter."""
    raw = _read_text(path)
    metadata: dict[str, object] = {}
    body = raw
    match = _FRONT_MATTER.match(raw)
    if match:
        try:
            loaded = frontmatter.YAMLHandler().load(match.group(1))
        except Exception as error:  # PyYAML raises many types; all mean "bad front matter"
            raise DocumentError(f"invalid YAML front matter: {error}", path) from error
        if loaded is not None and not isinstance(loaded, dict):
            raise DocumentError("front matter must be a mapping of keys to values", path)
        metadata = loaded or {}
        body = raw[match.end() :]
    elif raw.startswith("---"):
        raise DocumentError("front matter is not closed by a '---' line", path)
    if not body.strip():
        raise DocumentError("empty document: no body text", path)
    source_id = metadata.get("id", path.stem)
    if isinstance(source_id, int) and not isinstance(source_id, bool):
        # An unquoted numeric YAML id (e.g. 000) has lost its digits; refuse rather than guess.
        raise DocumentError("'id' must be a string; quote numeric ids in the front matter", path)
    source_id = _optional_text(source_id, "id", path)
    if not source_id:
        raise DocumentError("'id' is empty", path)
    title = _optional_text(metadata.get("title"), "title", path) or _first_line_and_rest(body)[0]
    published, precision = normalise_published(
        metadata.get("published"), metadata.get("published_precision")
    )
    yield Document(
        source_id=source_id,
        title=title,
        text=body,
        publisher=_optional_text(metadata.get("publisher"), "publisher", path),
        url=_optional_text(metadata.get("url"), "url", path),
        published=published,
        published_precision=precision,
        origin=_optional_text(metadata.get("origin"), "origin", path) or path.name,
    )


# ---------------------------------------------------------------------------------------------
# Plain text


def _read_plain_text(path: pathlib.Path) -> Iterator[Document]:
    """One document from a text file whose first non-empty line is the title."""
    title, body = _first_line_and_rest(_read_text(path))
    if not title:
        raise DocumentError("empty document: no text", path)
    if not body.strip():
        raise DocumentError("empty document: a title line but no body text", path)
    yield Document(source_id=path.stem, title=title, text=body, origin=path.name)


# ---------------------------------------------------------------------------------------------
# HTML

_SKIPPED_TAGS = frozenset({"script", "style", "nav", "footer", "noscript", "template", "svg"})
_BLOCK_TAGS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "figcaption", "td",
     "th", "dt", "dd", "div", "section", "article", "header", "aside", "main", "figure", "ul",
     "ol", "table", "tr", "br", "hr", "body", "title", "caption", "address"}
)  # fmt: skip
_VOID_TAGS = frozenset({"br", "hr", "img", "meta", "link", "input", "source", "wbr", "area"})


class _ArticleParser(HTMLParser):
    """Collect the title, metadata and block texts of an HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.first_h1 = ""
        self.meta: dict[str, str] = {}
        self.canonical: str | None = None
        self.blocks: list[str] = []
        self._skip_depth = 0
        self._in_title = False
        self._in_h1 = False
        self._buffer: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "meta":
            key = attributes.get("property") or attributes.get("name")
            if key and "content" in attributes:
                self.meta.setdefault(key.lower(), attributes["content"].strip())
            return
        if tag == "link" and "canonical" in attributes.get("rel", "").lower().split():
            self.canonical = self.canonical or attributes.get("href", "").strip() or None
            return
        if tag in _SKIPPED_TAGS:
            self._skip_depth += 1
            return
        if tag in _BLOCK_TAGS:
            self._flush()
        if tag == "title":
            self._in_title = True
        elif tag == "h1" and not self.first_h1:
            self._in_h1 = True

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skip_depth = max(0, self._skip_depth - 1)
            return
        if tag == "title" and self._in_title:
            self.title = " ".join("".join(self._buffer).split())
            self._buffer = []  # the <title> is metadata, not body text
            self._in_title = False
            return
        if tag in _BLOCK_TAGS:
            text = self._flush()
            if tag == "h1" and self._in_h1:
                self.first_h1 = text
                self._in_h1 = False

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self._buffer.append(data)

    def _flush(self) -> str:
        text = " ".join("".join(self._buffer).split())
        self._buffer = []
        if text and not self._in_title:
            self.blocks.append(text)
        return text

    def close(self) -> None:
        super().close()
        self._flush()


def _read_html(path: pathlib.Path) -> Iterator[Document]:
    """One document from an HTML page: its title, text blocks and Open Graph metadata."""
    parser = _ArticleParser()
    parser.feed(_read_text(path))
    parser.close()
    if not parser.blocks:
        raise DocumentError("empty document: no text in the page body", path)
    title = parser.title or parser.first_h1 or parser.blocks[0]
    published, precision = normalise_published(
        parser.meta.get("article:published_time") or parser.meta.get("date")
    )
    yield Document(
        source_id=path.stem,
        title=title,
        text="\n\n".join(parser.blocks),
        publisher=parser.meta.get("og:site_name") or None,
        url=parser.meta.get("og:url") or parser.canonical or None,
        published=published,
        published_precision=precision,
        origin=path.name,
    )


# ---------------------------------------------------------------------------------------------
# JSON Lines collections


@dataclass
class _Group:
    """The lines of one JSONL title, gathered in file order."""

    title: str
    passages: list[tuple[str, str]] = field(default_factory=list)
    url: str | None = None
    publisher: str | None = None
    published: object = None


def _read_json_lines(path: pathlib.Path) -> Iterator[Document]:
    """One document per distinct ``title``, keeping each line's passage id and text.

    A bad line raises with its line number rather than being skipped: a collection imported
    with silent holes would look complete when it is not.
    """
    groups: dict[str, _Group] = {}
    seen_ids: dict[str, int] = {}
    for number, line in enumerate(_read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise DocumentError(f"invalid JSON: {error.msg}", path, number) from error
        except RecursionError as error:  # the parser recurses once per level
            raise DocumentError("invalid JSON: nested too deeply", path, number) from error
        if not isinstance(record, dict):
            raise DocumentError("each line must be a JSON object", path, number)
        for name, value in record.items():
            if isinstance(value, str) and unstorable(value):
                raise DocumentError(f"{name!r} {UNSTORABLE_TEXT}", path, number)
        passage_id = _optional_text(record.get("id"), "id", path, number)
        text = _optional_text(record.get("text"), "text", path, number)
        if not passage_id:
            raise DocumentError("missing or empty 'id'", path, number)
        if not text:
            raise DocumentError("missing or empty 'text'", path, number)
        if passage_id in seen_ids:
            raise DocumentError(
                f"duplicate id {passage_id!r} (first on line {seen_ids[passage_id]})", path, number
            )
        seen_ids[passage_id] = number
        title = _optional_text(record.get("title"), "title", path, number) or path.stem
        group = groups.get(title)
        if group is None:
            group = groups[title] = _Group(title)
        group.passages.append((passage_id, record["text"].strip()))
        # Provenance comes from the first line of a title that states it.
        group.url = group.url or _optional_text(record.get("url"), "url", path, number)
        group.publisher = group.publisher or _optional_text(
            record.get("publisher"), "publisher", path, number
        )
        if group.published is None:
            group.published = record.get("published")
    if not groups:
        raise DocumentError("empty document: no JSON lines", path)
    used_ids: set[str] = set()
    for group in groups.values():
        base = slugify(group.title) or "untitled"
        source_id, counter = base, 1
        while source_id in used_ids:  # titles that slug alike: first seen keeps the plain slug
            counter += 1
            source_id = f"{base}-{counter}"
        used_ids.add(source_id)
        published, precision = normalise_published(group.published)
        yield Document(
            source_id=source_id,
            title=group.title,
            text="\n\n".join(text for _, text in group.passages),
            publisher=group.publisher,
            url=group.url,
            published=published,
            published_precision=precision,
            origin=path.name,
            given_passages=tuple(group.passages),
        )


_READERS = {
    ".md": _read_markdown,
    ".markdown": _read_markdown,
    ".txt": _read_plain_text,
    ".html": _read_html,
    ".htm": _read_html,
    ".jsonl": _read_json_lines,
}
