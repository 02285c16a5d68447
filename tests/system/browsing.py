"""What the browser tests share: Debian's Chromium, axe-core, a reviewer's catalog, page checks.

Not a test module (pytest does not collect it); the tests import it (tests/system is on their
path). Playwright's own browser download does not work on these machines, so Chromium is
Debian's ``/usr/bin/chromium``; axe-core is the npm package, which ``.ci/run`` installs into
``build/axe`` (``npm install --no-save --prefix build/axe axe-core@VERSION``) and the tests inject
into each page. Without Chromium, Playwright or axe-core the tests are skipped, except under CI
(``CI`` set), where a skip would hide a broken install: there they fail.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from factcheck.app import create_app

REPOSITORY = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Where .ci/run installs axe-core; FACTCHECK_AXE_SCRIPT names another axe.min.js.
AXE_SCRIPT = REPOSITORY / "build" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = (375, 1440)
PASSWORD = "correct horse battery"

# The elements that reach past the right edge of the window (not inside a scrolling box),
# innermost first: what a failure message names.
WIDER_THAN_SCREEN = """
[...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .filter(e => !e.closest('.table-scroll'))
  .reverse().slice(0, 5)
  .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))
"""

# axe-core's serious and critical violations, each with up to five of the elements at fault.
AXE_SERIOUS = """
async () => {
  const results = await axe.run(document, {resultTypes: ['violations']});
  return results.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => v.id + ' (' + v.impact + '): ' + v.help + '\\n    ' + v.nodes.slice(0, 5)
      .map(n => n.target.join(' ') + ' | ' + n.failureSummary.replace(/\\n/g, ' '))
      .join('\\n    '));
}
"""


def unavailable(reason: str) -> None:
    """Skip the test for ``reason``, or fail it under CI, where everything must be installed."""
    if os.environ.get("CI"):
        pytest.fail(f"browser tests must run in CI: {reason}")
    pytest.skip(reason)


def chromium_path() -> str:
    """Debian's Chromium (skip, or fail under CI, when it is missing)."""
    path = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if not path:
        unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    assert path
    return path


def axe_script() -> Path:
    """axe-core's ``axe.min.js`` (skip, or fail under CI, when it is not installed)."""
    path = Path(os.environ.get("FACTCHECK_AXE_SCRIPT") or AXE_SCRIPT)
    if not path.is_file():
        unavailable(
            f"{path} is missing (npm install --no-save --prefix build/axe axe-core; .ci/run does)"
        )
    return path


@contextmanager
def launched_chromium() -> Iterator[Any]:
    """A headless Chromium driven by Playwright."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed (pip install -e '.[test]')")
        raise
    executable = chromium_path()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def reviewer_app(root: Path, sources: Path | None = None) -> Flask:
    """An app under ``root`` for plain-http tests: cookies not Secure, no rate limit."""
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "SECURE_COOKIES": False,
            "RATE_LIMIT": "off",
            "DATABASE_URL": f"sqlite:///{root / 'catalog.sqlite3'}",
            "INDEX_DIR": str(root / "index"),
            "SOURCES_DIR": str(sources or root / "sources"),
        }
    )


@contextmanager
def served(app: Flask) -> Iterator[str]:
    """``app`` on a threaded WSGI server on a free loopback port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="wsgi-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def close_app(app: Flask) -> None:
    """Let the app's background passes end, then close its index and database."""
    rechecker = app.extensions.get("factcheck.review.rechecks")
    if rechecker is not None:
        rechecker.join(timeout=60)
    app.extensions["factcheck.search.index"].close()
    app.extensions["factcheck.database"].dispose()


def sign_in(page: Any, name: str = "alice", password: str = PASSWORD) -> None:
    """Sign ``name`` in through the sign-in page."""
    page.goto("/login")
    page.fill("#name", name)
    page.fill("#password", password)
    page.click("button:has-text('Sign in')")
    page.wait_for_url("**/review/")


def assert_fits(page: Any, what: str) -> None:
    """The page does not scroll sideways."""
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    width = page.viewport_size["width"]
    assert fits, f"{what} scrolls sideways at {width} px: {page.evaluate(WIDER_THAN_SCREEN)}"


def serious_violations(page: Any, script: Path) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now."""
    page.add_script_tag(path=str(script))
    return page.evaluate(AXE_SERIOUS)


def screenshot(page: Any, name: str) -> Path:
    """A full-page screenshot under tests/system/screenshots/ (git-ignored)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}-{page.viewport_size['width']}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 0
    return path


# One Tab stop: whether the focused element is the target, whether it shows where the focus is
# (an outline or a box shadow, as the :focus-visible rule gives), and what it is, for messages.
FOCUS_STOP = """
target => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  const outlined = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const shown = outlined || style.boxShadow !== 'none';
  const text = element.getAttribute('aria-label') || element.textContent || element.name || '';
  const name = element.tagName.toLowerCase() + (element.id ? '#' + element.id : '') + ' '
    + text.trim().slice(0, 40);
  return [element === target, shown, name];
}
"""


def tab_to(page: Any, selector: str, *, limit: int = 300, backwards: bool = False) -> None:
    """Press Tab (Shift+Tab ``backwards``) until ``selector`` has the focus.

    Every element the focus passes on the way must show it (a visible focus indicator).
    """
    target = page.locator(selector).first.element_handle()
    unmarked: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        found, shown, name = page.evaluate(FOCUS_STOP, target)
        if not shown:
            unmarked.append(name)
        if found:
            assert not unmarked, f"the focus was not visible on: {unmarked}"
            return
    raise AssertionError(f"{selector} is not reached with Tab in {limit} presses")


def replace_text(page: Any, text: str) -> None:
    """Type ``text`` over whatever the focused field holds."""
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(text)


def keyboard_sign_in(page: Any, name: str = "alice", password: str = PASSWORD) -> None:
    """Sign in on the sign-in page with the keyboard alone."""
    page.goto("/login")
    tab_to(page, "#name")
    page.keyboard.type(name)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    with page.expect_navigation():
        page.keyboard.press("Enter")
