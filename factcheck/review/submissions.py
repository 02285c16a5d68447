"""Submissions: what a reviewer hands in (pasted text, an uploaded file, a fetched page) as a
:class:`~factcheck.ingest.documents.Document`, ready to preview and to add with
:func:`factcheck.review.curation.add_source`.

A fetched HTML page goes through trafilatura, which finds the article's title, publisher, date and
main text among the page's menus, teasers and comments far better than a tag-by-tag parser would.
Uploaded files go through the importer's own readers, so an upload reads exactly as the same file
would with ``factcheck import``. Nothing here imports Flask.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import trafilatura

from factcheck.ingest.documents import Document, DocumentError, normalise_published, read_documents
from factcheck.ingest.fetching import FetchedPage, FetchError
from factcheck.review.curation import CurationError, source_id_for

UPLOAD_SUFFIXES = (".txt", ".md", ".html", ".htm")
MAX_TITLE_LENGTH = 300


def document_from_text(
    title: str,
    text: str,
    *,
    publisher: str | None = None,
    url: str | None = None,
    published: str | None = None,
    origin: str = "pasted",
    source_id: str | None = None,
) -> Document:
    """A document from fields a reviewer typed or pasted; blank fields are unknown."""
    title = " ".join((title or "").split())
    text = (text or "").replace("\r\n", "\n").strip()
    problems: dict[str, list[str]] = {}
    if not title:
        problems["title"] = ["required"]
    elif len(title) > MAX_TITLE_LENGTH:
        problems["title"] = [f"at most {MAX_TITLE_LENGTH} characters"]
    if not text:
        problems["text"] = ["required"]
    published_value, precision = normalise_published((published or "").strip() or None)
    if (published or "").strip() and published_value is None:
        problems["published"] = ["a date such as 2023-02-24, 2023-02 or 2023"]
    if problems:
        raise CurationError("The source is not complete: see fields.", fields=problems)
    url = (url or "").strip() or None
    return Document(
        source_id=source_id or source_id_for(title, text, url),
        title=title,
        text=text,
        publisher=(publisher or "").strip() or None,
        url=url,
        published=published_value,
        published_precision=precision,
        origin=origin,
    )


def document_from_upload(filename: str, data: bytes) -> Document:
    """A document from an uploaded ``.txt``, ``.md`` or ``.html`` file, read like an import."""
    suffix = Path(filename or "").suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise CurationError(
            "Upload a .txt, .md or .html file.",
            fields={"file": ["one of: " + ", ".join(UPLOAD_SUFFIXES)]},
        )
    with tempfile.TemporaryDirectory(prefix="factcheck-upload-") as directory:
        path = Path(directory) / f"upload{suffix}"
        path.write_bytes(data)
        try:
            documents = list(read_documents(path))
        except DocumentError as error:
            raise CurationError(
                f"The file cannot be read: {error.reason}.", fields={"file": [error.reason]}
            ) from error
    if not documents:
        raise CurationError("The file holds no document.", fields={"file": ["empty"]})
    document = documents[0]
    # The readers name a source after its file; a temporary file's name means nothing.
    stated_id = document.source_id if document.source_id != "upload" else None
    return document_from_text(
        document.title,
        document.text,
        publisher=document.publisher,
        url=document.url,
        published=document.published,
        origin=Path(filename).name,
        source_id=stated_id,
    )


def document_from_page(page: FetchedPage) -> Document:
    """A document from a fetched page: trafilatura's title, site, date and main text."""
    if page.content_type == "text/plain":
        lines = page.text().strip().splitlines()
        title = lines[0].strip() if lines else ""
        return document_from_text(title, "\n".join(lines[1:]), url=page.url, origin=page.url)
    extracted = trafilatura.bare_extraction(
        page.text(),
        url=page.url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
    )
    # Without as_dict=True the result is a Document or None; its type also admits a dict.
    text = "" if extracted is None or isinstance(extracted, dict) else extracted.text or ""
    if extracted is None or isinstance(extracted, dict) or not text.strip():
        raise FetchError("No article text was found on the page.", page.url)
    title = (extracted.title or "").strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if lines and title and lines[0] == title:
        lines = lines[1:]  # trafilatura repeats the headline as the first line
    return document_from_text(
        title or (lines[0] if lines else ""),
        "\n\n".join(lines),  # one paragraph per line; the splitter reads blank-line paragraphs
        publisher=extracted.sitename,
        url=extracted.url or page.url,
        published=extracted.date,
        origin=page.url,
    )
