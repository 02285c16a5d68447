"""Web: the claim form, the result page and the source pages, through Flask's test client."""

from __future__ import annotations

import re
from html import unescape

import pytest
from flask import Flask
from sqlalchemy import update

from factcheck.catalog.database import get_database
from factcheck.catalog.models import Passage, Source
from factcheck.web.pages import claim_problem, confidence_words, passage_anchor, published_date

SUPPORTED_CLAIM = "The new terminal cost $76.8 billion"
REFUTED_CLAIM = "The new terminal cost $10 billion"
XSS_CLAIMS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]


@pytest.fixture
def loaded(runner, sources_dir) -> None:
    """The tiny fixture article imported and indexed."""
    result = runner.invoke(args=["import", str(sources_dir)])
    assert result.exit_code == 0, result.output


def text_of(response) -> str:
    """The page's visible text, roughly: tags dropped, entities decoded, spaces squeezed."""
    body = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", unescape(body))


def set_excluded(app: Flask, passage_text: str) -> None:
    """Exclude the passage whose text starts with ``passage_text``, as a reviewer would."""
    with get_database(app).session() as session:
        session.execute(
            update(Passage)
            .where(Passage.text.startswith(passage_text))
            .values(excluded=True, excluded_reason="rejected by a reviewer")
        )


def test_form_renders_with_catalog_line_and_examples(client, loaded) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<label for="claim"' in html
    assert re.search(r"<textarea id=\"claim\" name=\"claim\"[^>]*autofocus", html)
    assert 'action="/check" method="get"' in html
    text = text_of(response)
    assert "1 curated news source (3 passages), the newest from 14 March 2023" in text
    assert 'href="/check?claim=Iran+supplied+drones+to+Russia"' in html
    assert 'class="skip-link" href="#main"' in html


def test_form_on_an_empty_catalog_says_so(client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "No sources have been imported yet" in text_of(response)


def test_supported_claim_shows_verdict_and_cited_excerpt(client, loaded) -> None:
    response = client.get("/check", query_string={"claim": SUPPORTED_CLAIM})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = text_of(response)
    assert "Supported" in text
    assert re.search(r"(very likely|likely|possibly|leaning) supported · 0\.\d\d", text)
    assert "<mark>" in html
    assert "The Coastal Herald" in text and "14 March 2023" in text
    anchor = re.search(r'href="/sources/harbour-report#(passage-harbour-report:[0-9a-f]+)"', html)
    assert anchor, "the excerpt links to its passage on the source page"
    # The paragraph holds a second sentence, so it is offered on demand.
    assert "<details" in html and "Mr. Jones said the U.S. operator" in text
    # The link's anchor exists on the source page.
    source_page = client.get("/sources/harbour-report").get_data(as_text=True)
    assert f'id="{anchor.group(1)}"' in source_page


def test_refuted_claim_puts_the_excerpt_on_the_contradicting_side(client, loaded) -> None:
    html = client.get("/check", query_string={"claim": REFUTED_CLAIM}).get_data(as_text=True)
    assert 'class="badge badge-refuted"' in html
    contradicting = html.split('id="conflicting-heading"', 1)[1]
    assert "excerpt-refutes" in contradicting
    assert "No passage supports the claim." in html


def test_unknown_claim_shows_the_closest_passages(client, loaded) -> None:
    response = client.get("/check", query_string={"claim": "Easthaven elected a new mayor"})
    assert response.status_code == 200
    text = text_of(response)
    assert "Not enough evidence" in text
    assert "Closest passages found" in text


@pytest.mark.parametrize(
    ("claim", "message"),
    [
        ("", "Enter a claim to check."),
        ("   ", "Enter a claim to check."),
        ("ab", "too short"),
        ("x" * 501, "too long"),
    ],
)
def test_invalid_claim_shows_the_form_again_with_a_message(client, loaded, claim, message) -> None:
    response = client.get("/check", query_string={"claim": claim})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert 'aria-describedby="claim-help claim-error"' in html
    assert 'aria-invalid="true"' in html
    assert re.search(r'<p id="claim-error"[^>]*>[^<]*' + re.escape(message), html)


def test_missing_claim_is_a_400_form(client) -> None:
    response = client.get("/check")
    assert response.status_code == 400
    assert "Enter a claim to check." in response.get_data(as_text=True)


OWN_SCRIPT = '<script src="/static/copy-citation.js" defer>'


def only_own_scripts(html: str) -> bool:
    """Whether every script on the page is the site's own file, loaded empty (CSP: 'self')."""
    tags = re.findall(r"<script[^>]*>(.*?)</script>", html, flags=re.S)
    return all(body == "" for body in tags) and all(
        tag == OWN_SCRIPT for tag in re.findall(r"<script[^>]*>", html)
    )


@pytest.mark.parametrize("claim", XSS_CLAIMS)
def test_claim_markup_is_escaped(client, loaded, claim) -> None:
    html = client.get("/check", query_string={"claim": claim}).get_data(as_text=True)
    assert claim not in html
    assert "&lt;" in html and ("&lt;script&gt;" in html or "&lt;img" in html)
    # The page's one script is its own copy-citation file; nothing of the claim's runs.
    assert only_own_scripts(html) and "<img" not in html


@pytest.mark.parametrize("claim", XSS_CLAIMS)
def test_rejected_claim_markup_is_escaped_in_the_form(client, claim) -> None:
    html = client.get("/check", query_string={"claim": claim + "x" * 500}).get_data(as_text=True)
    assert "<script" not in html and "<img" not in html


def test_passage_markup_is_escaped(app, client, runner, tmp_path) -> None:
    directory = tmp_path / "hostile"
    directory.mkdir()
    (directory / "hostile.md").write_text(
        "---\nid: hostile\ntitle: <b>Bold</b> title\n---\n\n"
        "The council approved <script>alert(1)</script> the budget in 2021.\n",
        encoding="utf-8",
    )
    runner.invoke(args=["import", str(directory)])
    result = client.get("/check", query_string={"claim": "The council approved the budget"})
    source = client.get("/sources/hostile")
    for html in (result.get_data(as_text=True), source.get_data(as_text=True)):
        assert only_own_scripts(html) and "<b>" not in html
        assert "&lt;b&gt;Bold&lt;/b&gt; title" in html


def test_sources_list(client, loaded) -> None:
    response = client.get("/sources")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'href="/sources/harbour-report"' in html
    text = text_of(response)
    assert "Harbour traffic doubles after the new terminal opens" in text
    assert "The Coastal Herald · 14 March 2023 · 3 passages" in text


def test_source_page_shows_public_passages_in_order(app, client, loaded) -> None:
    set_excluded(app, "Mr. Jones said")
    response = client.get("/sources/harbour-report")
    assert response.status_code == 200
    text = text_of(response)
    first = text.index("The port of Easthaven handled 7,200 ships")
    second = text.index("The new terminal cost $76.8 billion")
    assert first < second
    assert "Mr. Jones said" not in text  # excluded by a reviewer
    assert "Share this article" not in text  # excluded as page noise at import
    assert "2 passages" in text
    html = response.get_data(as_text=True)
    assert len(re.findall(r'<span class="passage" id="passage-harbour-report:', html)) == 2


def test_retired_and_unknown_sources_are_404(app, client, loaded) -> None:
    assert client.get("/sources/no-such-source").status_code == 404
    with get_database(app).session() as session:
        session.execute(update(Source).where(Source.id == "harbour-report").values(retired=True))
    response = client.get("/sources/harbour-report")
    assert response.status_code == 404
    assert "text/html" in response.content_type
    assert "harbour-report" not in client.get("/sources").get_data(as_text=True)


def test_static_stylesheet_is_served(client) -> None:
    response = client.get("/static/style.css")
    assert response.status_code == 200
    assert ":focus-visible" in response.get_data(as_text=True)


def contrast(foreground: str, background: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_stylesheet_colours_meet_wcag_aa(client) -> None:
    css = client.get("/static/style.css").get_data(as_text=True)
    colours = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-f]{6});", css))
    pairs = [
        ("ink", "paper"),
        ("muted", "paper"),
        ("muted", "card"),
        ("link", "paper"),
        ("link", "card"),
        ("ink", "mark"),
        ("refuted-ink", "paper"),  # the form's error message
    ]
    verdicts = ("supported", "refuted", "conflicting", "unknown")
    pairs += [(f"{name}-ink", f"{name}-bg") for name in verdicts]
    for foreground, background in pairs:
        ratio = contrast(colours[foreground], colours[background])
        assert ratio >= 4.5, f"{foreground} on {background}: {ratio:.2f}"


def test_templates_are_autoescaped(app) -> None:
    for name in ("base.html", "web/index.html", "web/check.html", "web/_excerpt.html"):
        assert app.jinja_env.autoescape(name) is True


def test_pages_have_no_inline_script_or_style(client, loaded) -> None:
    for url in ("/", f"/check?claim={SUPPORTED_CLAIM}", "/sources", "/sources/harbour-report"):
        html = client.get(url).get_data(as_text=True)
        assert only_own_scripts(html)
        assert " style=" not in html and "<style" not in html


@pytest.mark.parametrize(
    ("verdict", "confidence", "words"),
    [
        ("supported", 0.94, "very likely supported · 0.94"),
        ("supported", 0.82, "likely supported · 0.82"),
        ("refuted", 0.6, "possibly refuted · 0.60"),
        ("supported", 0.45, "uncertain, leaning supported · 0.45"),
        ("conflicting", 0.8, "fair confidence · 0.80"),
        ("not_enough_evidence", 0.9, "high confidence · 0.90"),
    ],
)
def test_confidence_words(verdict, confidence, words) -> None:
    assert confidence_words(verdict, confidence) == words


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("2023-03-14", "14 March 2023"),
        ("2023-02", "February 2023"),
        ("2022", "2022"),
        (None, "date unknown"),
        ("someday", "someday"),
    ],
)
def test_published_date(value, shown) -> None:
    assert published_date(value) == shown


def test_passage_anchor_has_no_white_space() -> None:
    assert passage_anchor("doc 1:a") == "passage-doc_1:a"


def test_claim_problem_reads_the_schema_limits() -> None:
    assert claim_problem("") == "Enter a claim to check."
    assert "at least 3" in claim_problem("ab")
    assert "keep it to 500" in claim_problem("x" * 501)


@pytest.mark.parametrize("path", ["/", "/sources", "/check?claim=Tides+follow+the+moon"])
def test_public_pages_link_to_reviewer_sign_in(client, path: str) -> None:
    page = client.get(path).get_data(as_text=True)
    assert '<a href="/login">Sign in to review</a>' in page
    assert 'href="/review/"' not in page


def test_a_signed_in_reviewer_sees_a_link_to_the_review_pages(reviewer_client) -> None:
    page = reviewer_client.get("/").get_data(as_text=True)
    assert '<a href="/review/">Review pages</a>' in page
    assert "Sign in to review" not in page


def test_the_result_page_says_what_the_confidence_means(client, loaded) -> None:
    page = client.get("/check", query_string={"claim": SUPPORTED_CLAIM}).get_data(as_text=True)
    assert "How this verdict was reached" in page
    assert "estimated chance that this verdict is right" in page
    assert "Each source counts once" in page


def test_an_excerpt_shows_its_sources_reliability_rating(app, client, loaded) -> None:
    page = client.get("/check", query_string={"claim": SUPPORTED_CLAIM}).get_data(as_text=True)
    assert "reliability" not in text_of_excerpts(page)  # unrated: nothing said
    with get_database(app).session() as session:
        session.execute(update(Source).values(reliability="very_high"))
    page = client.get("/check", query_string={"claim": SUPPORTED_CLAIM}).get_data(as_text=True)
    assert "rated very high reliability by our reviewers" in text_of_excerpts(page)


def text_of_excerpts(page: str) -> str:
    return " ".join(re.findall(r'<p class="citation">(.*?)</p>', page, flags=re.S))
