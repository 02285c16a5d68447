"""Review pages: sources, adding through a preview, passage edits with the conflict message,
the audit log, the checked claims and sign-off, all as a signed-in reviewer."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from factcheck.catalog.models import ClaimCheck, ClaimReview, Passage, Source

ARTICLE = {
    "title": "Bridge opens",
    "text": "The mayor opened the bridge on Monday.\n\nIt cost 12 million euros.",
    "publisher": "City Post",
    "published": "2024-05-06",
}


def passage_ids(app, source_id: str) -> list[str]:
    with app.extensions["factcheck.database"].session() as session:
        statement = select(Passage.id).where(Passage.source_id == source_id)
        return list(session.scalars(statement.order_by(Passage.position)))


def test_sources_page_lists_counts_and_filters(reviewer_client, imported) -> None:
    page = reviewer_client.get("/review/sources").data.decode()
    assert "Harbour traffic doubles after the new terminal opens" in page
    assert "<td>4</td>" in page and "<td>3</td>" in page
    empty = reviewer_client.get("/review/sources?q=nothing+like+this").data
    assert b"No source matches" in empty
    ignored = reviewer_client.get("/review/sources?status=bogus")
    assert ignored.status_code == 200 and b"were ignored" in ignored.data


def test_paste_preview_then_save(app, reviewer_client) -> None:
    preview = reviewer_client.post("/review/sources/preview", data={"method": "text", **ARTICLE})
    assert preview.status_code == 200
    html = preview.data.decode()
    assert "The mayor opened the bridge on Monday." in html and "Save this source" in html
    assert not passage_ids(app, "bridge-opens")  # nothing saved by a preview
    source_id = re.search(r'name="source_id" value="([^"]+)"', html).group(1)
    saved = reviewer_client.post(
        "/review/sources",
        data={**ARTICLE, "source_url": "", "source_id": source_id, "reliability": "high"},
    )
    assert saved.status_code == 302
    page = reviewer_client.get(saved.headers["Location"]).data.decode()
    assert "Added &#39;Bridge opens&#39;." in page
    assert len(passage_ids(app, source_id)) == 2


def test_upload_preview(reviewer_client) -> None:
    data = {
        "method": "file",
        "file": (io.BytesIO(b"Bridge opens\n\nThe mayor opened the bridge."), "bridge.txt"),
    }
    response = reviewer_client.post(
        "/review/sources/preview", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 200
    assert b"The mayor opened the bridge." in response.data


def test_a_refused_url_says_why(reviewer_client) -> None:
    response = reviewer_client.post(
        "/review/sources/preview", data={"method": "url", "url": "http://169.254.169.254/"}
    )
    assert response.status_code == 422
    assert b"cloud metadata address" in response.data


def test_exclude_from_the_source_page(app, reviewer_client, imported) -> None:
    first = passage_ids(app, "harbour-report")[0]
    response = reviewer_client.post(
        f"/review/passages/{first}",
        data={"version": "1", "action": "exclude", "reason": "wrong figure",
              "next": "/review/sources/harbour-report"},
    )  # fmt: skip
    assert response.status_code == 302
    assert response.headers["Location"] == "/review/sources/harbour-report"
    page = reviewer_client.get("/review/sources/harbour-report").data.decode()
    assert "excluded: wrong figure" in page and "Saved: exclude." in page


def test_a_stale_edit_shows_the_current_text(app, reviewer_client, imported) -> None:
    first = passage_ids(app, "harbour-report")[0]
    url = f"/review/passages/{first}"
    ok = reviewer_client.post(url, data={"version": "1", "action": "correct", "text": "Mine."})
    assert ok.status_code == 302
    late = reviewer_client.post(url, data={"version": "1", "action": "correct", "text": "Theirs."})
    assert late.status_code == 409
    page = late.data.decode()
    assert "someone else changed this passage" in page
    assert "Current text (version 2)" in page and "Mine." in page and "Theirs." in page


def test_a_passage_page_shows_original_and_history(app, reviewer_client, imported) -> None:
    first = passage_ids(app, "harbour-report")[0]
    url = f"/review/passages/{first}"
    reviewer_client.post(url, data={"version": "1", "action": "correct", "text": "Fixed."})
    reviewer_client.post(url, data={"version": "2", "action": "note", "note": "Checked."})
    page = reviewer_client.get(url).data.decode()
    assert "Original" in page and "The port of Easthaven handled 7,200 ships" in page
    assert "<td>correct</td>" in page and "<td>note</td>" in page
    audit = reviewer_client.get("/review/audit?actor=alice").data.decode()
    assert audit.count('?actor=alice">alice</a>') == 2
    assert "<td>correct</td>" in audit and "<td>note</td>" in audit


def test_sign_off_a_checked_claim(app, client, reviewer_client, imported) -> None:
    client.post("/api/v1/verify", json={"claim": "Easthaven handled 7,200 ships in 2022"})
    client.post("/api/v1/verify", json={"claim": "easthaven handled 7,200 ships in 2022."})
    listing = reviewer_client.get("/review/checks").data.decode()
    assert "easthaven handled 7,200 ships in 2022." in listing  # as last asked
    assert "<td>2</td>" in listing
    with app.extensions["factcheck.database"].session() as session:
        check_id = session.scalar(select(ClaimCheck.id))
    page = reviewer_client.get(f"/review/checks/{check_id}").data.decode()
    cited = re.search(r'name="passage" value="([^"]+)"', page).group(1)
    refused = reviewer_client.post(f"/review/checks/{check_id}", data={"verdict": "supported"})
    assert refused.status_code == 422 and b"rationale" in refused.data
    response = reviewer_client.post(
        f"/review/checks/{check_id}",
        data={"verdict": "supported", "rationale": "Matches the port report.", "passage": cited},
    )
    assert response.status_code == 302
    with app.extensions["factcheck.database"].session() as session:
        review = session.scalar(select(ClaimReview))
        assert (review.verdict, review.passage_ids, review.reviewer_name) == (
            "supported",
            [cited],
            "alice",
        )
    assert b"supported by alice" in reviewer_client.get("/review/checks").data.lower()


def test_the_home_page_sums_up(reviewer_client, imported) -> None:
    page = reviewer_client.get("/review/").data.decode()
    assert "1 sources" in page and "Latest changes" in page


@pytest.fixture
def bob_client(app, reviewer):
    """A test client signed in as bob, a reviewer who is not an admin."""
    from factcheck.review.reviewers import add_reviewer

    with app.extensions["factcheck.database"].session() as session:
        add_reviewer(session, "bob", "another long password", is_admin=False)
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    assert client.post("/login", data={"name": "bob", "password": "another long password"})
    return client


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/review/sources/nope", None),
        ("post", "/review/sources/nope", {"title": "Renamed"}),
        ("get", "/review/passages/nope", None),
        ("post", "/review/passages/nope", {"version": "1", "action": "note", "note": "x"}),
        ("get", "/review/checks/999", None),
        ("post", "/review/checks/999", {"verdict": "supported", "rationale": "Because."}),
    ],
)
def test_a_missing_record_is_the_404_page(reviewer_client, imported, method, path, data) -> None:
    response = getattr(reviewer_client, method)(path, data=data)
    assert response.status_code == 404
    assert response.mimetype == "text/html" and b"<h1>404</h1>" in response.data


@pytest.mark.parametrize(
    ("path", "data", "status", "shown"),
    [
        ("/review/sources/preview", {"method": "url", "url": " "}, 422, "Give the URL of a page."),
        (
            "/review/sources/preview",
            {"method": "text", "title": "", "text": "Words."},
            422,
            "The source is not complete: title: required",
        ),
        (
            "/review/sources/harbour-report",
            {"reliability": "excellent"},
            422,
            "Not saved: reliability: Must be one of",
        ),
        ("/review/sources/harbour-report", {"published": "soon"}, 422, "not a date"),
        ("/review/passages/{first}", {"version": "x", "action": "note"}, 422, "Not saved: version"),
        (
            "/review/passages/{first}",
            {"version": "1", "action": "exclude", "reason": ""},
            422,
            "Say why the passage is excluded.: reason: required to exclude",
        ),
        ("/review/passages/{first}", {"version": "1", "action": "dance"}, 400, "Unknown action."),
    ],
)
def test_a_refused_form_comes_back_with_the_reason(
    app, reviewer_client, imported, path, data, status, shown
) -> None:
    path = path.format(first=passage_ids(app, "harbour-report")[0])
    response = reviewer_client.post(path, data=data)
    assert response.status_code == status
    assert response.mimetype == "text/html"
    assert shown in response.data.decode().replace("&#39;", "'")
    assert b"<h1>" + str(status).encode() + b"</h1>" not in response.data  # the form, not the page


def test_a_refused_url_is_said_once(reviewer_client) -> None:
    response = reviewer_client.post(
        "/review/sources/preview", data={"method": "url", "url": "http://127.0.0.1/"}
    )
    assert response.status_code == 422
    assert b"loopback" in response.data and b"url: " not in response.data


def test_a_source_already_there_is_refused_on_the_form(app, reviewer_client) -> None:
    data = {**ARTICLE, "source_url": "", "source_id": "bridge"}
    assert reviewer_client.post("/review/sources", data=data).status_code == 302
    again = reviewer_client.post("/review/sources", data=data)
    assert again.status_code == 409
    page = again.data.decode().replace("&#39;", "'")
    assert "A source with id 'bridge' is already in the catalog." in page
    assert 'value="Bridge opens"' in page  # what was typed is kept
    assert len(passage_ids(app, "bridge")) == 2


def test_only_an_admin_retires_a_source(app, bob_client, imported) -> None:
    response = bob_client.post("/review/sources/harbour-report", data={"retired": "1"})
    assert response.status_code == 403
    assert b"Only an admin reviewer may retire or restore a source." in response.data
    with app.extensions["factcheck.database"].session() as session:
        assert not session.get(Source, "harbour-report").retired


# Issue 12, finding 7: hostile values in pages' parameters answer 4xx or a safe redirect.


@pytest.mark.parametrize("query", ["next=/review/%0D%0AX:1", "next=/review/%0ASet-Cookie:%20x=1"])
def test_sign_in_with_crlf_in_next_redirects_home(
    reviewer_password, app, client, reviewer, query: str
) -> None:
    app.config["WTF_CSRF_ENABLED"] = False
    assert client.get(f"/login?{query}").status_code == 200
    data = {"name": "alice", "password": reviewer_password}
    response = client.post(f"/login?{query}", data=data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/review/")


def test_a_passage_form_with_crlf_in_next_saves_and_redirects_safely(
    app, reviewer_client, imported
) -> None:
    passage = reviewer_client.get("/review/sources/harbour-report")
    passage_id = re.search(rb"/review/passages/([^\"?]+)", passage.data).group(1).decode()
    response = reviewer_client.post(
        f"/review/passages/{passage_id}",
        data={"action": "note", "note": "checked", "version": "1", "next": "/review/\r\nX: 1"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/review/passages/{passage_id}")


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/review/checks/100000000000000000000", 404),
        ("/review/sources?page=100000000000000000000", 200),
        ("/review/audit?page=100000000000000000000", 200),
    ],
)
def test_huge_numbers_in_review_pages(reviewer_client, imported, path: str, status: int) -> None:
    assert reviewer_client.get(path).status_code == status
