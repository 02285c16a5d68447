"""Browser: the web pages driven in Debian's Chromium through Playwright, as a person uses them.

The app runs under a real WSGI server (Werkzeug's, threaded) on a free loopback port in a
background thread, over a catalog and index under a temporary directory, filled from the
repository's ``sources/`` (read only). Playwright's own browser download does not work on these
machines, so it launches ``/usr/bin/chromium``. Screenshots of the result page at 375 and 1440 px
go to ``tests/screenshots/`` (git-ignored) for a person to look at.

Without Chromium or Playwright the tests are skipped, except under CI (``CI`` set), where
``.ci/run`` installs both and a skip would hide a broken install.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from urllib.parse import quote_plus

import pytest
from browsing import CHROMIUM, CHROMIUM_ARGS, REPOSITORY, SCREENSHOTS
from flask import Flask
from werkzeug.serving import make_server

from factcheck.app import create_app

pytestmark = pytest.mark.browser

CLAIM = "Iran supplied drones to Russia"
XSS_CLAIMS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]


def _missing_browser() -> str | None:
    """Why the browser tests cannot run here, or ``None`` if they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    return None


@pytest.fixture(scope="module")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An app over the seed sources, with its catalog and index in a temporary directory."""
    root = tmp_path_factory.mktemp("browser")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DATABASE_URL": f"sqlite:///{root / 'catalog.sqlite3'}",
            "INDEX_DIR": str(root / "index"),
            "SOURCES_DIR": str(REPOSITORY / "sources"),
        }
    )
    result = app.test_cli_runner().invoke(args=["import", str(REPOSITORY / "sources")])
    assert result.exit_code == 0, result.output
    yield app
    app.extensions["factcheck.search.index"].close()
    app.extensions["factcheck.database"].dispose()


@pytest.fixture(scope="module")
def base_url(live_app: Flask) -> Iterator[str]:
    """The app served by a threaded WSGI server on a free loopback port."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="wsgi-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, launched once for the module."""
    reason = _missing_browser()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests must run in CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    executable = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, base_url):
    """A fresh page at 1440 × 900 that fails the test if any dialog opens."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, base_url=base_url)
    page = context.new_page()
    dialogs: list[str] = []

    def refuse(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", refuse)
    page.set_default_timeout(15_000)
    yield page
    context.close()
    assert not dialogs, f"a dialog opened: {dialogs}"


def check_url(claim: str) -> str:
    """The result page's address for ``claim``."""
    return "/check?claim=" + quote_plus(claim)


def test_paste_a_claim_and_read_the_verdict_and_an_excerpt(page) -> None:
    page.goto("/")
    page.get_by_label("Claim to check").fill(CLAIM)
    page.get_by_role("button", name="Check claim").click()
    page.wait_for_url("**/check?claim=*")
    badge = page.locator(".badge")
    assert badge.inner_text().strip().endswith("Supported")
    assert "supported · 0." in page.locator(".confidence").inner_text()
    supporting = page.locator(".evidence-side").first
    first = supporting.locator(".excerpt").first
    assert first.is_visible()
    assert "Iran" in " ".join(first.locator("mark").all_inner_texts())
    assert first.locator(".citation a").is_visible()
    # Two articles say so: the excerpts cite both.
    cited = set(supporting.locator(".citation a").evaluate_all("links => links.map(a => a.href)"))
    assert len({href.split("#")[0] for href in cited}) >= 2


def test_submit_with_the_keyboard_only(page) -> None:
    page.goto("/")
    # The claim box has the focus when the page opens.
    assert page.evaluate("document.activeElement.id") == "claim"
    page.keyboard.type(CLAIM)
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.tagName, document.activeElement.textContent]")
    assert focused == ["BUTTON", "Check claim"]
    # The focused button shows a visible outline.
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".badge").inner_text().strip().endswith("Supported")


def test_skip_link_is_the_first_stop(page) -> None:
    page.goto("/sources")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    assert page.locator(".skip-link").is_visible()


def test_follow_an_excerpt_to_its_source_passage(page) -> None:
    page.goto(check_url(CLAIM))
    link = page.locator(".evidence-side .excerpt .citation a").first
    href = link.get_attribute("href")
    assert href and "#passage-" in href
    quoted = page.locator(".evidence-side .excerpt .excerpt-text").first.inner_text()
    link.click()
    page.wait_for_url("**/sources/**")
    anchor = href.split("#", 1)[1]
    target = page.locator(f'[id="{anchor}"]')
    assert target.inner_text() == quoted
    assert page.evaluate("document.querySelector(':target').id") == anchor
    box = target.bounding_box()
    viewport = page.viewport_size
    assert box and box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"]


def test_paragraph_opens_on_demand(page) -> None:
    # The Assad sentence sits in a two-sentence paragraph, so its excerpt offers the paragraph.
    page.goto(check_url("Bashar al-Assad hailed Russia's invasion of Ukraine"))
    details = page.locator(".excerpt details.context").first
    paragraph = details.locator("p")
    assert not paragraph.is_visible()
    details.locator("summary").focus()
    page.keyboard.press("Enter")
    assert paragraph.is_visible()
    assert "civil war" in paragraph.inner_text()


def test_copy_citation_copies_the_plain_text(page) -> None:
    page.goto(check_url(CLAIM))
    excerpt = page.locator(".evidence-side .excerpt").first
    # The details are closed (not rendered): read the citation's text content.
    text = (excerpt.locator("details.citation-details .citation-text").text_content() or "").strip()
    assert text.startswith("“") and " — " in text and "http" in text
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    button = excerpt.locator("button.copy-citation")
    assert button.is_visible()
    button.focus()
    page.keyboard.press("Enter")
    excerpt.locator(".copy-status", has_text="Citation copied.").wait_for()  # it is async
    assert page.evaluate("navigator.clipboard.readText()") == text


def test_the_citation_is_there_without_script(browser, base_url) -> None:
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(check_url(CLAIM))
        excerpt = page.locator(".evidence-side .excerpt").first
        assert not excerpt.locator("button.copy-citation").is_visible()
        details = excerpt.locator("details.citation-details")
        details.locator("summary").click()
        text = details.locator(".citation-text").inner_text()
        assert text.startswith("“") and " — " in text and "http" in text
    finally:
        context.close()


@pytest.mark.parametrize("claim", XSS_CLAIMS)
def test_xss_claim_renders_inert(page, claim) -> None:
    page.goto(check_url(claim))
    assert page.locator(".claim-text").inner_text() == claim
    assert page.locator("main img").count() == 0
    assert page.locator("main script").count() == 0
    # And typed into the form, too.
    page.goto("/")
    page.get_by_label("Claim to check").fill(claim)
    page.get_by_role("button", name="Check claim").click()
    page.wait_for_url("**/check?claim=*")
    assert page.locator(".claim-text").inner_text() == claim


def test_invalid_claim_shows_the_message_beside_the_box(page) -> None:
    response = page.goto(check_url("ab"))
    assert response and response.status == 400
    box = page.get_by_label("Claim to check")
    assert box.get_attribute("aria-invalid") == "true"
    message = page.locator("#claim-error")
    assert "too short" in message.inner_text()
    assert "claim-error" in (box.get_attribute("aria-describedby") or "")


@pytest.mark.parametrize("width", [375, 1440])
def test_result_page_fits_and_is_saved_as_a_screenshot(browser, base_url, width) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900}, base_url=base_url)
    page = context.new_page()
    try:
        for url in ("/", check_url(CLAIM), "/sources", check_url("Cuba sent troops to Ukraine")):
            page.goto(url)
            fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            assert fits, f"{url} scrolls sideways at {width} px"
        page.goto(check_url(CLAIM))
        columns = page.evaluate(
            "getComputedStyle(document.querySelector('.evidence')).gridTemplateColumns"
        )
        # Side by side on a wide screen, stacked on a narrow one.
        assert len(columns.split()) == (2 if width >= 1000 else 1)
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"result-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 0
        page.goto("/")
        page.screenshot(path=str(SCREENSHOTS / f"form-{width}.png"), full_page=True)
        page.goto(check_url("Cuba sent troops to Ukraine"))
        page.screenshot(path=str(SCREENSHOTS / f"not-enough-evidence-{width}.png"), full_page=True)
    finally:
        context.close()
