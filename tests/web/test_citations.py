"""Copy citation: each excerpt on the result page carries its plain-text citation (quote, source,
publisher, date, link), for the copy button and, without script, in a "Citation" details."""

from __future__ import annotations

import html
import re

from flask import render_template

from factcheck.engine.verify import Excerpt
from factcheck.web.pages import citation_text

CLAIM = "Easthaven handled 7,200 ships in 2022"
CITATION = (
    "“The port of Easthaven handled 7,200 ships in 2022, twice as many as in 2020.” — "
    "Harbour traffic doubles after the new terminal opens, The Coastal Herald, 14 March 2023. "
    "https://example.org/harbour"
)


def citations(page: str) -> tuple[list[str], list[str]]:
    """The copy buttons' data-citation values and the visible citation texts, unescaped."""
    buttons = re.findall(r'<button[^>]*class="copy-citation"[^>]*data-citation="([^"]*)"', page)
    texts = re.findall(r'<p class="citation-text">([^<]*)</p>', page)
    return [html.unescape(b) for b in buttons], [html.unescape(t) for t in texts]


def test_each_excerpt_has_its_citation_for_the_button_and_without_script(client, imported) -> None:
    page = client.get("/check", query_string={"claim": CLAIM}).data.decode()
    buttons, texts = citations(page)
    assert buttons and buttons == texts
    assert buttons[0] == CITATION
    assert page.count('class="copy-citation"') == page.count('class="excerpt ')
    assert re.search(r'<button[^>]*class="copy-citation"[^>]*\bhidden>Copy citation', page)
    assert '<details class="citation-details">' in page  # the text without script


def excerpt(**source) -> Excerpt:
    return Excerpt(
        passage_id="harbour-report:abc 1",
        text="  The port handled\n 7,200 ships. ",
        highlight="",
        context="",
        stance="supports",
        score=1.0,
        reasons=(),
        source={"id": "harbour-report", "title": "Harbour", "publisher": None, "url": None,
                "published": None, **source},
    )  # fmt: skip


def test_the_citation_links_to_the_source_page_when_it_has_no_web_address(app) -> None:
    with app.test_request_context("/", base_url="https://factcheck.example"):
        no_address = citation_text(excerpt(url="javascript:alert(1)"))
        assert no_address == (
            "“The port handled 7,200 ships.” — Harbour, publisher unknown, date unknown. "
            "https://factcheck.example/sources/harbour-report#passage-harbour-report:abc_1"
        )
        dated = citation_text(excerpt(url="https://example.org/h", published="2023-02"))
        assert dated.endswith(", February 2023. https://example.org/h")


def test_the_citation_is_escaped_on_the_page(app, client, imported) -> None:
    hostile = 'He said "<b>7,200</b>" & more'
    with app.test_request_context("/"):
        rendered = render_template("web/_excerpt.html", excerpt=excerpt(title=hostile))
    assert "<b>" not in rendered
    buttons, texts = citations(rendered)
    assert buttons == texts and hostile in buttons[0]


def test_the_script_is_served(client) -> None:
    script = client.get("/static/copy-citation.js")
    assert script.status_code == 200
    assert b"navigator.clipboard" in script.data and b"data-citation" in script.data
