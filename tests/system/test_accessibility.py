"""Every page, public and review, in Debian's Chromium at 375 and 1440 px: it does not scroll
sideways, axe-core finds no serious or critical accessibility violation, and a screenshot of it
is written to tests/system/screenshots/ (git-ignored) for a person to look at.

The catalog is a newsroom's after a while: the five seed sources imported, 50 edits by a
reviewer through the curation API (exclusions, notes, corrections, ratings), claims checked, one
signed off and then moved by an exclusion (so it needs another look and ``/review/changes``
lists it), and an API token. The review home page must fit in two screens on a laptop
(1440 × 900) with that history.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote_plus

import pytest
from browsing import (
    PASSWORD,
    REPOSITORY,
    WIDTHS,
    assert_fits,
    axe_script,
    close_app,
    launched_chromium,
    reviewer_app,
    screenshot,
    serious_violations,
    served,
    sign_in,
)
from flask import Flask
from flask.testing import FlaskClient

from factcheck.catalog.models import Passage, Source, VerdictChange
from factcheck.review.rechecks import get_rechecker, recheck_recent
from factcheck.review.reviewers import add_reviewer, issue_token
from factcheck.web import check_log
from factcheck.web.checks import check_claim

pytestmark = pytest.mark.browser

CLAIM = "Iran supplied drones to Russia"
OTHER_CLAIMS = [
    "Cuba sent troops to Ukraine",
    "Bashar al-Assad hailed Russia's invasion of Ukraine",
]
EDITS = 50


@dataclass
class Catalog:
    """What the pages show: ids of a source, a passage, the signed-off check and the rest."""

    source_id: str
    passage_id: str
    check_id: int
    edits: int


def api(client: FlaskClient, token: str, method: str, url: str, **json: object) -> dict:
    """One curation API call that must succeed; its JSON body."""
    response = client.open(
        url, method=method, json=json or None, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code < 300, response.get_data(as_text=True)
    return response.get_json()


def make_edits(client: FlaskClient, token: str, count: int) -> int:
    """``count`` edits a reviewer might make in a week: exclusions, notes, corrections, ratings."""
    sources = api(client, token, "GET", "/api/v1/sources?per_page=100")["items"]
    passages = [
        passage
        for source in sources[:-1]  # the last is retired below
        for passage in api(client, token, "GET", f"/api/v1/sources/{source['id']}")["passages"]
        if not passage["excluded"]
    ]
    ratings = ["high", "very_high", "mixed", "high", "low"]
    made = 0
    for number, source in enumerate(sources):
        api(client, token, "PATCH", f"/api/v1/sources/{source['id']}", reliability=ratings[number])
        made += 1
    api(client, token, "PATCH", f"/api/v1/sources/{sources[-1]['id']}", retired=True)
    made += 1
    for number, passage in enumerate(passages[: count - made]):
        url = f"/api/v1/passages/{passage['id']}"
        version = api(client, token, "GET", url)["version"]
        if number % 3 == 0:
            change = {"excluded": True, "reason": f"not a statement of fact ({number})"}
        elif number % 3 == 1:
            change = {"note": f"Checked against the agency's own release, item {number}."}
        else:
            change = {"text": passage["text"].rstrip(".") + " (corrected)."}
        api(client, token, "PATCH", url, version=version, **change)
        made += 1
    return made


@pytest.fixture(scope="module")
def catalog_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, Catalog]]:
    """The seed sources imported, 50 edits, checks, a sign-off that an exclusion then moved."""
    root = tmp_path_factory.mktemp("accessibility")
    app = reviewer_app(root, REPOSITORY / "sources")
    result = app.test_cli_runner().invoke(args=["import", str(REPOSITORY / "sources")])
    assert result.exit_code == 0, result.output
    with app.extensions["factcheck.database"].session() as session:
        add_reviewer(session, "alice", PASSWORD, is_admin=True)
        token = issue_token(session, "alice", label="nightly script")
    client = app.test_client()
    for claim in (CLAIM, *OTHER_CLAIMS):
        assert client.get("/check?claim=" + quote_plus(claim)).status_code == 200
    check_log.flush(app)
    with app.app_context():
        result = check_claim(CLAIM, app=app)  # not logged: the log keeps the verdict it had
    review = api(
        client,
        token,
        "POST",
        "/api/v1/reviews",
        claim=CLAIM,
        verdict="supported",
        rationale="Two agencies report the deliveries.",
        passage_ids=[excerpt.passage_id for excerpt in result.supporting[:2]],
    )
    edits = 0
    while result.verdict == "supported" and edits < EDITS // 2:  # until its verdict moves
        for excerpt in result.supporting:
            url = f"/api/v1/passages/{excerpt.passage_id}"
            version = api(client, token, "GET", url)["version"]
            api(client, token, "PATCH", url, version=version, excluded=True, reason="misread")
            edits += 1
        with app.app_context():
            result = check_claim(CLAIM, app=app)
    edits += make_edits(client, token, EDITS - edits)
    get_rechecker(app).join(timeout=120)
    recheck_recent(app)  # a pass the background skipped while another ran
    with app.extensions["factcheck.database"].session() as session:
        assert session.query(VerdictChange).count() >= 1
        source = session.query(Source).order_by(Source.id).first()
        passage = session.query(Passage).filter_by(source_id=source.id).first()
        ids = Catalog(source.id, passage.id, review["check_id"], edits)
    yield app, ids
    close_app(app)


@pytest.fixture(scope="module")
def base_url(catalog_app: tuple[Flask, Catalog]) -> Iterator[str]:
    with served(catalog_app[0]) as url:
        yield url


@pytest.fixture(scope="module")
def chromium() -> Iterator:
    with launched_chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def axe() -> Path:
    return axe_script()


@pytest.fixture(scope="module", params=WIDTHS, ids=lambda width: f"{width}px")
def signed_in(request, chromium, base_url) -> Iterator:
    """A page signed in as alice, at one of the widths (scripts' CSP bypassed to inject axe)."""
    context = chromium.new_context(
        viewport={"width": request.param, "height": 900}, base_url=base_url, bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page)
    yield page
    context.close()


@pytest.fixture(params=WIDTHS, ids=lambda width: f"{width}px")
def stranger(request, chromium, base_url) -> Iterator:
    """A page of someone not signed in, at one of the widths."""
    context = chromium.new_context(
        viewport={"width": request.param, "height": 900}, base_url=base_url, bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def check_url(claim: str) -> str:
    return "/check?claim=" + quote_plus(claim)


PUBLIC_PAGES = {
    "home": "/",
    "result": check_url(CLAIM),
    "result-not-enough-evidence": check_url(OTHER_CLAIMS[0]),
    "result-invalid-claim": check_url("ab"),
    "sources": "/sources",
    "source": "/sources/{source_id}",
    "not-found": "/sources/no-such-source",
    "sign-in": "/login",
}

REVIEW_PAGES = {
    "review-home": "/review/",
    "review-home-page-2": "/review/?page=2",
    "review-sources": "/review/sources",
    "review-sources-filtered": "/review/sources?q=russia&status=all&reliability=high",
    "review-source": "/review/sources/{source_id}",
    "review-new-source": "/review/sources/new",
    "review-passage": "/review/passages/{passage_id}",
    "review-checks": "/review/checks",
    "review-sign-off": "/review/checks/{check_id}",
    "review-changes": "/review/changes",
    "review-audit": "/review/audit",
    "review-audit-of-a-reviewer": "/review/audit?actor=alice",
    "review-tokens": "/review/tokens/",
    "sign-out": "/logout",
    "result-reviewed": check_url(CLAIM.lower()),
}


# Pages reached by posting a form (tested below), and routes that answer no HTML page of their own.
POSTED_PAGES = {"review.preview_source", "tokens.create_token"}
NOT_PAGES = {
    "static",
    "review.export_checks",  # a CSV or JSON download (tests/system/test_keyboard.py)
    "review.add_source",  # redirects to the new source's page
    "review.edit_source",  # redirects to the source's page
    "review.edit_passage",  # redirects to the passage's or source's page
    "tokens.revoke_token",  # redirects to the tokens page
}
NOT_PAGE_BLUEPRINTS = {"api", "api-docs", "curation_api", "reviews_api"}  # JSON


def test_every_page_is_on_the_list(catalog_app) -> None:
    """A new page fails here until it is added to PUBLIC_PAGES or REVIEW_PAGES."""
    app, catalog = catalog_app
    adapter = app.url_map.bind("localhost")
    listed = {
        adapter.match(address(url, catalog).split("?")[0])[0]
        for url in (*PUBLIC_PAGES.values(), *REVIEW_PAGES.values())
    }
    pages = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.split(".")[0] not in NOT_PAGE_BLUEPRINTS and rule.endpoint not in NOT_PAGES
    }
    assert pages - listed - POSTED_PAGES == set()


def address(template: str, catalog: Catalog) -> str:
    return template.format(
        source_id=catalog.source_id, passage_id=catalog.passage_id, check_id=catalog.check_id
    )


def assert_accessible(page, name: str, axe: Path) -> None:
    """Fits the width, no serious or critical axe violation, and a screenshot."""
    assert_fits(page, name)
    violations = serious_violations(page, axe)
    screenshot(page, f"page-{name}")  # page-…: apart from the other browser tests' shots
    assert not violations, f"{name}: " + "\n".join(violations)


def test_axe_reports_what_it_should(chromium, axe) -> None:
    """The check itself: a nameless button and an image without text are reported."""
    page = chromium.new_page()
    try:
        page.set_content('<html lang="en"><title>t</title><main><img src="x.png"><button></button>')
        found = "\n".join(serious_violations(page, axe))
        assert "image-alt (critical)" in found and "button-name (critical)" in found
    finally:
        page.close()


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_page(stranger, catalog_app, axe, name: str) -> None:
    stranger.goto(address(PUBLIC_PAGES[name], catalog_app[1]))
    assert_accessible(stranger, name, axe)


@pytest.mark.parametrize("name", REVIEW_PAGES)
def test_review_page(signed_in, catalog_app, axe, name: str) -> None:
    response = signed_in.goto(address(REVIEW_PAGES[name], catalog_app[1]))
    assert response and response.ok, f"{name}: {response and response.status}"
    assert "/login" not in signed_in.url
    assert_accessible(signed_in, name, axe)


def test_source_preview_page(signed_in, axe) -> None:
    """The preview a reviewer reaches by posting the new-source form."""
    signed_in.goto("/review/sources/new")
    signed_in.fill("#title", "Northport bridge opens")
    signed_in.fill("#text", "The mayor of Northport opened the new river bridge on Monday.")
    signed_in.click("button:text-is('Preview')")
    signed_in.wait_for_url("**/review/sources/preview")
    assert_accessible(signed_in, "review-source-preview", axe)


def test_refused_sign_in_page(stranger, axe) -> None:
    """The sign-in page as it refuses a wrong password."""
    stranger.goto("/login")
    stranger.fill("#name", "alice")
    stranger.fill("#password", "not the password")
    stranger.click("button:has-text('Sign in')")
    stranger.wait_for_selector(".problem")
    assert_accessible(stranger, "sign-in-refused", axe)


def test_new_token_page(signed_in, axe) -> None:
    """The tokens page as it shows a new token, once."""
    signed_in.goto("/review/tokens/")
    signed_in.fill("#token-label", "a script with a rather long name to wrap on a phone")
    signed_in.click("button:has-text('Create token')")
    signed_in.wait_for_selector("#new-token-value")
    assert_accessible(signed_in, "review-token-created", axe)


def test_the_review_home_fits_in_two_screens(chromium, base_url, catalog_app) -> None:
    """With the seeds imported and 50 edits, /review/ is at most two screens tall at 1440 × 900."""
    assert catalog_app[1].edits == EDITS
    context = chromium.new_context(viewport={"width": 1440, "height": 900}, base_url=base_url)
    page = context.new_page()
    try:
        sign_in(page)
        page.goto("/review/")
        height = page.evaluate("document.documentElement.scrollHeight")
        screenshot(page, "page-review-home-history")
        assert height <= 2 * 900, f"/review/ is {height} px tall"
        # What it must still show: the review that needs another look, and the way to the rest.
        assert "Needs another look" in page.inner_text("main")
        assert page.locator("a[href='/review/changes']").count() >= 1
        assert page.locator("nav.pager").count() == 1
    finally:
        context.close()
