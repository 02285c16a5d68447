"""Every form used with the keyboard alone, in Debian's Chromium through Playwright.

Each test reaches its fields with Tab (every element the focus passes must show it: a
``:focus-visible`` outline), types, picks options with the keys a person would use (Space on a
checkbox, letters or arrows on a select) and submits with Enter or Space, then checks what the
person sees next. No mouse, no ``fill``. The app serves the seed sources (imported into a
temporary directory) to reviewer alice, an admin.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import quote_plus

import pytest
from browsing import (
    PASSWORD,
    REPOSITORY,
    close_app,
    keyboard_sign_in,
    launched_chromium,
    replace_text,
    reviewer_app,
    served,
    tab_to,
)
from flask import Flask

from factcheck.review.reviewers import add_reviewer

pytestmark = pytest.mark.browser

CLAIM = "Iran supplied drones to Russia"
TITLE = "Northport bridge opens"
ARTICLE = (
    "The mayor of Northport opened the new river bridge on Monday.\n\n"
    "Subscribe to our newsletter for more local news.\n\n"
    "The bridge cost 40 million euros, according to the city council."
)


@pytest.fixture(scope="module")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = reviewer_app(tmp_path_factory.mktemp("keyboard"), REPOSITORY / "sources")
    result = app.test_cli_runner().invoke(args=["import", str(REPOSITORY / "sources")])
    assert result.exit_code == 0, result.output
    with app.extensions["factcheck.database"].session() as session:
        add_reviewer(session, "alice", PASSWORD, is_admin=True)
    yield app
    close_app(app)


@pytest.fixture(scope="module")
def base_url(live_app: Flask) -> Iterator[str]:
    with served(live_app) as url:
        yield url


@pytest.fixture(scope="module")
def chromium() -> Iterator:
    with launched_chromium() as browser:
        yield browser


@pytest.fixture
def page(chromium, base_url) -> Iterator:
    """A fresh page at 1440 × 900 (US English, so a date field reads month, day, year)."""
    context = chromium.new_context(
        viewport={"width": 1440, "height": 900},
        base_url=base_url,
        locale="en-US",
        accept_downloads=True,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def reviewer(page):
    """The page, signed in as alice with the keyboard."""
    keyboard_sign_in(page)
    assert page.url.endswith("/review/")
    return page


def press_and_wait(page, key: str = "Enter") -> None:
    """Press ``key`` on the focused control and wait for the page it submits to."""
    with page.expect_navigation():
        page.keyboard.press(key)


def add_article(page, title: str = TITLE) -> str:
    """Paste the Northport article as ``title``, preview it and save it, all by keyboard; the
    source page's URL."""
    page.goto("/review/sources/new")
    tab_to(page, "#title")
    page.keyboard.type(title)
    page.keyboard.press("Tab")
    page.keyboard.type(ARTICLE)  # Enter in a textarea is a new line, not a submit
    tab_to(page, "button:text-is('Preview')")
    press_and_wait(page)
    assert page.url.endswith("/review/sources/preview")
    assert page.locator(".preview-passages li").count() == 3
    tab_to(page, "select[name=reliability]")
    page.keyboard.type("high")  # a select jumps to the option starting with what is typed
    assert page.locator("select[name=reliability]").input_value() == "high"
    tab_to(page, "button:has-text('Save this source')")
    press_and_wait(page)
    return page.url.split("#")[0]


def test_check_a_claim_from_the_result_page(page) -> None:
    page.goto("/check?claim=" + quote_plus("Cuba sent troops to Ukraine"))
    tab_to(page, "#claim")
    replace_text(page, CLAIM)
    page.keyboard.press("Tab")
    press_and_wait(page)
    assert page.locator(".claim-text").inner_text() == CLAIM
    assert page.locator(".badge").inner_text().strip().endswith("Supported")


def test_sign_in_from_the_footer_and_sign_out(page) -> None:
    page.goto("/")
    tab_to(page, "footer a")
    press_and_wait(page)
    assert "/login" in page.url
    # A wrong password is refused beside the form, the name kept.
    tab_to(page, "#name")
    page.keyboard.type("alice")
    page.keyboard.press("Tab")
    page.keyboard.type("not the password")
    press_and_wait(page)
    assert "do not match" in page.inner_text("[role=alert]")
    tab_to(page, "#password")
    page.keyboard.type(PASSWORD)
    press_and_wait(page)
    assert page.url.endswith("/review/")
    assert "Signed in as alice." in page.inner_text(".flash")
    # Sign out from the header, with Space on the button.
    tab_to(page, "button:has-text('Sign out')")
    press_and_wait(page, "Space")
    assert "/login" in page.url
    assert "Signed out." in page.inner_text(".flash")
    page.goto("/review/")
    assert "/login" in page.url  # the session is gone


def test_sign_out_from_the_sign_out_page(reviewer) -> None:
    reviewer.goto("/logout")
    tab_to(reviewer, "main button:has-text('Sign out')")
    press_and_wait(reviewer)
    assert "Signed out." in reviewer.inner_text(".flash")


def test_add_a_source_by_pasting_it(reviewer) -> None:
    add_article(reviewer)
    assert f"Added '{TITLE}'." in reviewer.inner_text(".flash")
    assert reviewer.locator("h1").inner_text() == TITLE
    assert reviewer.locator("select[name=reliability]").input_value() == "high"


def test_a_refused_url_is_explained(reviewer) -> None:
    reviewer.goto("/review/sources/new")
    tab_to(reviewer, "#url")
    reviewer.keyboard.type("http://127.0.0.1/private")
    press_and_wait(reviewer)  # Enter in a text field submits its form
    assert reviewer.locator("[role=alert]").is_visible()
    assert "127.0.0.1" in reviewer.inner_text("[role=alert]") or "refused" in (
        reviewer.inner_text("[role=alert]").lower()
    )


def test_edit_a_sources_metadata(reviewer) -> None:
    source_url = add_article(reviewer, "Northport bridge: metadata")
    reviewer.goto(source_url)
    tab_to(reviewer, "input[name=publisher]")
    replace_text(reviewer, "Northport Daily")
    tab_to(reviewer, "input[name=published]")
    replace_text(reviewer, "2024-05-06")
    tab_to(reviewer, "button:has-text('Save metadata')")
    press_and_wait(reviewer, "Space")
    assert "Saved:" in reviewer.inner_text(".flash")
    assert reviewer.locator("input[name=publisher]").input_value() == "Northport Daily"
    assert reviewer.locator("input[name=published]").input_value() == "2024-05-06"


def test_exclude_and_include_a_passage(reviewer) -> None:
    source_url = add_article(reviewer, "Northport bridge: exclusion")
    reviewer.goto(source_url)
    cost = reviewer.locator(".passages li", has_text="40 million euros")
    reason = cost.locator("input[name=reason]").get_attribute("id")
    tab_to(reviewer, f"#{reason}")
    reviewer.keyboard.type("figure not in the council's report")
    press_and_wait(reviewer)
    assert "Saved:" in reviewer.inner_text(".flash")
    cost = reviewer.locator(".passages li", has_text="40 million euros")
    assert "excluded: figure not in the council's report" in cost.inner_text()
    item = cost.get_attribute("id")
    tab_to(reviewer, f"#{item} button:has-text('Include')")
    press_and_wait(reviewer, "Space")
    cost = reviewer.locator(".passages li", has_text="40 million euros")
    assert "excluded" not in cost.inner_text()


def test_correct_and_annotate_a_passage(reviewer) -> None:
    source_url = add_article(reviewer, "Northport bridge: correction")
    reviewer.goto(source_url)
    item = reviewer.locator(".passages li", has_text="40 million euros").get_attribute("id")
    tab_to(reviewer, f"#{item} a:has-text('Edit')")
    press_and_wait(reviewer)
    assert "/review/passages/" in reviewer.url
    tab_to(reviewer, "#text")
    replace_text(reviewer, "The bridge cost 41 million euros, according to the city council.")
    tab_to(reviewer, "button:has-text('Save the correction')")
    press_and_wait(reviewer)
    assert "41 million euros" in reviewer.inner_text("blockquote.passage-text")
    assert "40 million euros" in reviewer.inner_text("dl.facts")  # the original is kept
    tab_to(reviewer, "#note")
    reviewer.keyboard.type("Figure from the council's press release of 6 May.")
    tab_to(reviewer, "button:has-text('Save the note')")
    press_and_wait(reviewer, "Space")
    assert "council's press release" in reviewer.inner_text("dl.facts")
    # Exclude it from its own page: Enter in the reason field submits that form.
    tab_to(reviewer, "#reason", backwards=True)
    reviewer.keyboard.type("superseded")
    press_and_wait(reviewer)
    assert "excluded: superseded" in reviewer.inner_text("dl.facts")


def test_retire_and_restore_a_source(reviewer) -> None:
    source_url = add_article(reviewer, "Northport bridge: retirement")
    reviewer.goto(source_url)
    tab_to(reviewer, "button:has-text('Retire this source')")
    press_and_wait(reviewer)
    assert "retired" in reviewer.inner_text("h1")
    tab_to(reviewer, "button:has-text('Restore this source')")
    press_and_wait(reviewer)
    assert "retired" not in reviewer.inner_text("h1")


def test_filter_the_sources(reviewer) -> None:
    reviewer.goto("/review/sources")
    tab_to(reviewer, "input[name=q]")
    reviewer.keyboard.type("Russia")
    tab_to(reviewer, "select[name=status]")
    reviewer.keyboard.type("all")
    tab_to(reviewer, "form.filters button")
    press_and_wait(reviewer)
    rows = reviewer.locator("table.sources tbody tr")
    assert rows.count() >= 1
    assert "q=Russia" in reviewer.url and "status=all" in reviewer.url


def test_sign_off_a_checked_claim(reviewer) -> None:
    reviewer.goto("/check?claim=" + quote_plus(CLAIM))
    reviewer.goto("/review/checks")
    tab_to(reviewer, f"table.checks a:text-is('{CLAIM}')")
    press_and_wait(reviewer)
    assert reviewer.locator("h1").inner_text() == "Sign off a claim"
    tab_to(reviewer, "input[name=passage]")
    reviewer.keyboard.press("Space")
    assert reviewer.locator("input[name=passage]").first.is_checked()
    tab_to(reviewer, "#verdict")
    reviewer.keyboard.type("Conflicting")
    assert reviewer.locator("#verdict").input_value() == "conflicting"
    page_rationale = "Two agencies disagree on the dates."
    tab_to(reviewer, "#rationale")
    reviewer.keyboard.type(page_rationale)
    tab_to(reviewer, "button:text-is('Sign off')")
    press_and_wait(reviewer)
    assert reviewer.url.endswith("/review/checks")
    assert "Conflicting by alice" in reviewer.inner_text("table.checks")


def test_create_and_revoke_a_token(reviewer) -> None:
    reviewer.goto("/review/tokens/")
    tab_to(reviewer, "#token-label")
    reviewer.keyboard.type("keyboard script")
    press_and_wait(reviewer)
    token = reviewer.input_value("#new-token-value")
    assert token.startswith("fc_")
    assert "keyboard script" in reviewer.inner_text(".tokens")
    tab_to(reviewer, "button[aria-label='Revoke keyboard script']")
    press_and_wait(reviewer, "Space")
    assert "Revoked the token “keyboard script”." in reviewer.inner_text(".flash")
    assert "keyboard script" not in reviewer.inner_text("main .tokens, main .empty")


def test_filter_the_checked_claims_by_period(reviewer) -> None:
    reviewer.goto("/check?claim=" + quote_plus(CLAIM))
    reviewer.goto("/review/checks")
    tab_to(reviewer, "select[name=period]")
    reviewer.keyboard.press("End")  # the longest period
    last = reviewer.locator("select[name=period] option").last.get_attribute("value")
    tab_to(reviewer, "form.filters button")
    press_and_wait(reviewer)
    assert f"period={quote_plus(last or '')}" in reviewer.url
    assert CLAIM in reviewer.inner_text("table.checks")


def test_export_the_checks_filtered_by_date_and_verdict(reviewer) -> None:
    reviewer.goto("/check?claim=" + quote_plus(CLAIM))
    reviewer.goto("/check?claim=" + quote_plus("Cuba sent troops to Ukraine"))
    reviewer.goto("/review/checks")
    today = datetime.now(UTC).date()
    tab_to(reviewer, "#export-since")
    reviewer.keyboard.type(today.strftime("%m%d%Y"))  # the date field reads month, day, year
    assert reviewer.locator("#export-since").input_value() == today.isoformat()
    tab_to(reviewer, "#export-verdict")
    reviewer.keyboard.type("Not enough")
    assert reviewer.locator("#export-verdict").input_value() == "not_enough_evidence"
    tab_to(reviewer, "button:has-text('Download JSON')")
    with reviewer.expect_download() as download:
        reviewer.keyboard.press("Enter")
    body = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert body["filters"] == {"since": today.isoformat(), "verdict": "not_enough_evidence"}
    claims = [row["claim"] for row in body["checks"]]
    assert "Cuba sent troops to Ukraine" in claims and CLAIM not in claims
