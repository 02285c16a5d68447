"""Review in a browser: a reviewer signs in, pastes a short article, excludes a passage and
signs off a check, in Debian's Chromium driven by Playwright (as in ``test_browser.py``).

The app runs on a free loopback port with its catalog and index under ``tmp_path``; cookies are
not marked Secure there (``SECURE_COOKIES`` off) because the test server speaks plain http.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote_plus

import pytest
from browsing import SCREENSHOTS, assert_fits
from flask import Flask
from werkzeug.serving import make_server

from factcheck.app import create_app
from factcheck.review.reviewers import add_reviewer

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PASSWORD = "correct horse battery"
TITLE = "Northport bridge opens"
ARTICLE = (
    "The mayor of Northport opened the new river bridge on Monday.\n\n"
    "Subscribe to our newsletter for more local news.\n\n"
    "The bridge cost 40 million euros, according to the city council."
)
CLAIM = "The mayor of Northport opened the new river bridge"


@pytest.fixture
def live_url(tmp_path: Path) -> Iterator[str]:
    """The app, with reviewer alice, served on a free loopback port."""
    app: Flask = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "SECURE_COOKIES": False,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'catalog.sqlite3'}",
            "INDEX_DIR": str(tmp_path / "index"),
            "SOURCES_DIR": str(tmp_path / "sources"),
        }
    )
    with app.extensions["factcheck.database"].session() as session:
        add_reviewer(session, "alice", PASSWORD)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    app.extensions["factcheck.search.index"].close()
    app.extensions["factcheck.database"].dispose()


@pytest.fixture
def page(live_url: str):
    """A headless Chromium page on the live app."""
    if not os.path.exists(CHROMIUM) and not shutil.which("chromium"):
        if os.environ.get("CI"):
            pytest.fail("chromium must be installed in CI")
        pytest.skip("chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
            headless=True,
            args=CHROMIUM_ARGS,
        )
        context = browser.new_context(base_url=live_url)
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        browser.close()


def test_a_reviewer_adds_an_article_excludes_a_passage_and_signs_off(page) -> None:
    # Strangers are sent to sign in; signing in returns to the page asked for.
    page.goto("/review/sources/new")
    assert "/login" in page.url
    page.fill("#name", "alice")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url("**/review/sources/new")

    # Paste a short article and preview it: nothing is saved yet.
    page.fill("#title", TITLE)
    page.fill("#text", ARTICLE)
    page.click("button:text-is('Preview')")
    page.wait_for_url("**/review/sources/preview")
    assert page.locator(".preview-passages li").count() == 3
    page.select_option("select[name=reliability]", "high")
    page.click("button:has-text('Save this source')")
    page.wait_for_selector(".flash")
    assert f"Added '{TITLE}'." in page.inner_text(".flash")

    # Exclude the cost sentence from the source page, with a reason.
    item = page.locator(".passages li", has_text="40 million euros")
    item.locator("input[name=reason]").fill("figure not in the council's report")
    item.locator("button:has-text('Exclude')").click()
    page.wait_for_selector(".flash")
    excluded = page.locator(".passages li", has_text="40 million euros")
    assert "excluded: figure not in the council's report" in excluded.inner_text()

    # Someone checks a claim; the reviewer signs it off from the checked claims.
    page.goto("/check?claim=" + quote_plus(CLAIM))
    assert "Reviewer's verdict" not in page.content()
    page.goto("/review/checks")
    page.click(f"a:has-text('{CLAIM}')")
    page.locator("input[name=passage]").first.check()
    page.select_option("#verdict", "supported")
    page.fill("#rationale", "The city council's own release confirms the opening.")
    page.click("button:has-text('Sign off')")
    page.wait_for_url("**/review/checks")
    assert "Supported by alice" in page.inner_text("table.checks")

    # The public result page now shows the reviewer's verdict, labelled as theirs.
    page.goto("/check?claim=" + quote_plus(CLAIM.lower()))
    aside = page.locator(".reviewer-verdict")
    assert "reviewer's verdict" in aside.inner_text().lower()  # the eyebrow is upper-cased
    assert "signed off by alice" in aside.inner_text()


def sign_in_from_the_footer(page) -> None:
    """From a public page, through the footer's link, signed in and back on the review pages."""
    page.goto("/")
    page.click("footer a:has-text('Sign in to review')")
    page.wait_for_url("**/login**")
    page.fill("#name", "alice")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url("**/review/")
    page.goto("/")
    assert page.locator("footer a:has-text('Review pages')").get_attribute("href") == "/review/"


def test_a_reviewer_makes_and_revokes_a_token_with_the_keyboard(page) -> None:
    sign_in_from_the_footer(page)
    page.goto("/review/tokens/")
    page.focus("#token-label")
    page.keyboard.type("nightly script")
    page.keyboard.press("Enter")
    page.wait_for_selector("#new-token-value")
    token = page.input_value("#new-token-value")
    assert token.startswith("fc_")
    assert "nightly script" in page.inner_text(".tokens")
    page.goto("/review/tokens/")
    assert token not in page.content()  # shown once
    page.focus(".tokens button:has-text('Revoke')")
    page.keyboard.press("Enter")
    page.wait_for_selector(".flash")
    assert "Revoked the token “nightly script”." in page.inner_text(".flash")
    assert "You have no live token." in page.inner_text("main")


@pytest.mark.parametrize("width", [375, 1440])
def test_review_pages_fit_the_screen(page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    sign_in_from_the_footer(page)
    page.goto("/review/sources/new")
    page.fill("#title", TITLE)
    page.fill("#text", ARTICLE)
    page.click("button:text-is('Preview')")
    page.wait_for_url("**/review/sources/preview")
    page.click("button:has-text('Save this source')")
    page.wait_for_selector(".flash")
    source_url = page.url.split("#")[0]
    page.goto("/check?claim=" + quote_plus(CLAIM))
    page.goto("/review/tokens/")
    page.fill("#token-label", "a script with a rather long name to wrap on a phone")
    page.click("button:has-text('Create token')")
    page.wait_for_selector("#new-token-value")
    for url in (
        "/review/",
        source_url,
        "/review/checks",
        "/review/sources",
        "/review/audit",
        "/review/tokens/",
    ):
        page.goto(url)
        assert_fits(page, url)
        name = url.rstrip("/").rsplit("/", 1)[-1].split("-")[0] or "review"
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"review-{name}-{width}.png"), full_page=True)
    page.goto("/review/")
    assert "imported “" + TITLE + "”" in page.inner_text(".changes")
