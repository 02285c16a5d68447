"""Submissions: pasted text, uploads and fetched pages become documents with their metadata."""

from __future__ import annotations

import pytest

from factcheck.ingest.fetching import FetchedPage, FetchError
from factcheck.review.curation import CurationError
from factcheck.review.submissions import (
    document_from_page,
    document_from_text,
    document_from_upload,
)

PAGE = """<html><head><title>Bridge opens | Northport Post</title>
<meta property="og:site_name" content="Northport Post">
<meta property="article:published_time" content="2024-05-06T09:00:00Z"></head>
<body><nav>Home | News</nav><article><h1>Bridge opens</h1>
<p>The mayor of Northport opened the new river bridge on Monday after three years of work.</p>
<p>The bridge cost 40 million euros, according to the city council.</p></article>
<footer>Cookie settings</footer></body></html>"""


def test_pasted_text() -> None:
    document = document_from_text(
        " Bridge  opens ", "First.\r\n\r\nSecond.", published="May 2024", publisher=" "
    )
    assert document.title == "Bridge opens"
    assert document.text == "First.\n\nSecond."
    assert (document.published, document.published_precision) == ("2024-05", "month")
    assert document.publisher is None
    assert document.source_id.startswith("bridge-opens-")


@pytest.mark.parametrize(
    ("title", "text", "published", "field"),
    [
        ("", "Text.", None, "title"),
        ("T", " ", None, "text"),
        ("T", "Text.", "someday", "published"),
    ],
)
def test_pasted_text_refusals(title, text, published, field) -> None:
    with pytest.raises(CurationError) as refused:
        document_from_text(title, text, published=published)
    assert field in refused.value.fields


@pytest.mark.parametrize(
    ("name", "data", "title"),
    [
        ("story.txt", b"Bridge opens\n\nThe mayor opened it.", "Bridge opens"),
        ("story.md", b"---\ntitle: Bridge opens\npublisher: Post\n---\n\nThe mayor opened it.",
         "Bridge opens"),
        ("story.html", PAGE.encode(), "Bridge opens | Northport Post"),
    ],
)  # fmt: skip
def test_uploads_read_like_imports(name: str, data: bytes, title: str) -> None:
    document = document_from_upload(name, data)
    assert document.title == title
    assert "mayor" in document.text
    assert document.origin == name
    assert document.source_id != "upload"


def test_an_upload_of_another_type_is_refused() -> None:
    with pytest.raises(CurationError, match=r"\.txt, \.md or \.html"):
        document_from_upload("story.pdf", b"%PDF")


def test_a_fetched_page_goes_through_trafilatura() -> None:
    page = FetchedPage("https://news.example/bridge", "text/html", "utf-8", PAGE.encode())
    document = document_from_page(page)
    assert document.title == "Bridge opens"
    assert document.publisher == "Northport Post"
    assert (document.published, document.published_precision) == ("2024-05-06", "day")
    assert document.text.split("\n\n") == [
        "The mayor of Northport opened the new river bridge on Monday after three years of work.",
        "The bridge cost 40 million euros, according to the city council.",
    ]


def test_a_page_without_an_article_is_refused() -> None:
    page = FetchedPage("https://x.example/", "text/html", None, b"<html><body></body></html>")
    with pytest.raises(FetchError, match="No article text"):
        document_from_page(page)
