"""History: the home page's latest changes read as sentences with a compact diff, an import as
one line, paged; and no Python repr of a stored value on the review pages."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import select

from factcheck.catalog.models import AuditEntry, Passage, utc_now
from factcheck.review.history import diff, tell, words

RAW_VALUES = re.compile(r"\{'|': |\bTrue\b|\bFalse\b|\bNone\b|\[\]|\['")


def text_of(html: str) -> str:
    """Visible text, roughly: block tags become spaces, inline tags vanish, spaces squeezed."""
    html = re.sub(r"</?(?:p|div|li|ul|ol|td|th|tr|h\d|table)\b[^>]*>", " ", html)
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


def latest_changes(page: str) -> str:
    """The text of the home page's Latest changes section."""
    start = page.index('id="latest-changes"')
    return text_of(page[start : page.index("The whole audit log", start)])


def first_passage(app) -> str:
    with app.extensions["factcheck.database"].session() as session:
        statement = select(Passage.id).where(Passage.source_id == "harbour-report")
        return session.scalars(statement.order_by(Passage.position)).first()


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "none"),
        ("", "none"),
        (True, "yes"),
        (False, "no"),
        (["a", "b"], "a, b"),
        (["a", "b", "c", "d", "e"], "a, b, c and 2 more"),
        ({"url": None, "is_admin": False}, "URL none; admin no"),
        ("word " * 40, ("word " * 16).strip() + "…"),
        (3, "3"),
    ],
)
def test_values_are_told_in_words(value, shown: str) -> None:
    assert words(value) == shown
    assert not RAW_VALUES.search(words(value))


def test_a_diff_names_only_the_fields_that_changed() -> None:
    changes = diff(
        {"title": "Old", "publisher": None, "version": 1, "url": "x"},
        {"title": "New", "publisher": "Post", "version": 2, "url": "x"},
    )
    assert [(c.name, c.before, c.after) for c in changes] == [
        ("title", "Old", "New"),
        ("publisher", "none", "Post"),
    ]


def entry(action: str, entity_type: str, entity_id: str, minutes: int = 0, **after) -> AuditEntry:
    return AuditEntry(
        at=utc_now() - timedelta(minutes=minutes),
        actor="importer",
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        before=None,
        after=after,
    )


def test_the_entries_of_one_import_make_one_line_and_imports_apart_two(database) -> None:
    run = [
        entry("import", "source", "a", added=["a:1", "a:2", "a:3"], excluded_as_noise=1),
        entry("import", "source", "b", added=["b:1"], excluded_as_noise=0),
        entry("import", "source", "c", minutes=60, added=["c:1", "c:2"], excluded_as_noise=2),
    ]
    with database.session() as session:
        lines = [change.sentence for change in tell(session, run)]
    assert lines == [
        "importer imported 2 sources: 4 passages, 1 excluded as noise",
        "importer imported “c”: 2 passages, 2 excluded as noise",
    ]


def test_the_home_page_tells_changes_as_sentences(app, reviewer_client, imported) -> None:
    passage = first_passage(app)
    reviewer_client.post(
        "/review/sources/harbour-report",
        data={"title": "Harbour report", "publisher": "", "url": "", "published": "",
              "reliability": "high"},
    )  # fmt: skip
    reviewer_client.post(
        f"/review/passages/{passage}",
        data={"version": "1", "action": "exclude", "reason": "a caption"},
    )
    reviewer_client.post(
        f"/review/passages/{passage}",
        data={"version": "2", "action": "correct", "text": "The port handled 7,300 ships."},
    )
    reviewer_client.post("/review/tokens/", data={"label": "nightly script"})
    page = reviewer_client.get("/review/").get_data(as_text=True)
    changes = latest_changes(page)
    assert "alice created an API token “nightly script”" in changes
    assert "alice corrected a passage of “Harbour report” text: " in changes
    assert "→ The port handled 7,300 ships." in changes
    assert "alice excluded a passage of “Harbour report”: a caption" in changes
    assert "alice edited the source “Harbour report” title: " in changes
    assert "reliability: none → high" in changes
    assert "cli added the reviewer “alice” as an admin" in changes
    assert re.search(r"importer imported “[^”]+”: \d+ passages, 1 excluded as noise", changes)
    assert passage not in changes  # passages are named by their source, linked by id
    assert f'href="/review/passages/{passage}"' in page
    assert not RAW_VALUES.search(changes), RAW_VALUES.search(changes)


def test_the_audit_page_shows_no_python_values(reviewer_client, imported) -> None:
    reviewer_client.post("/review/tokens/", data={"label": "script"})
    page = reviewer_client.get("/review/audit").get_data(as_text=True)
    table = text_of(page[page.index("<table") : page.index("</table>")])
    assert "label: script" in table
    assert not RAW_VALUES.search(table), RAW_VALUES.search(table)


def test_the_latest_changes_are_paged(app, reviewer_client, imported) -> None:
    passage = first_passage(app)
    for version in range(1, 16):
        reviewer_client.post(
            f"/review/passages/{passage}",
            data={"version": str(version), "action": "note", "note": f"Note {version}."},
        )
    first = reviewer_client.get("/review/").get_data(as_text=True)
    assert "Note 15." in latest_changes(first) and "Note 1." not in latest_changes(first)
    assert 'href="/review/?page=2"' in first
    second = reviewer_client.get("/review/?page=2").get_data(as_text=True)
    assert "Note 1." in latest_changes(second)
    assert "importer imported" in latest_changes(second)


def test_a_source_page_tells_its_changes_as_sentences(app, reviewer_client, imported) -> None:
    passage = first_passage(app)
    reviewer_client.post(
        f"/review/passages/{passage}",
        data={"version": "1", "action": "exclude", "reason": "wrong figure"},
    )
    page = reviewer_client.get("/review/sources/harbour-report").get_data(as_text=True)
    start = page.index("<h2>Changes</h2>")
    changes = text_of(page[start : page.index("All changes to this source", start)])
    assert "alice excluded a passage of “" in changes and "”: wrong figure" in changes
    assert re.search(r"importer imported “[^”]+”: \d+ passages", changes)
    assert not RAW_VALUES.search(changes), RAW_VALUES.search(changes)
