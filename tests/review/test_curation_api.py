"""Curation API: the JSON shape of every endpoint, the 409 conflict, adding by text and by URL
(fetched from this test's loopback server only), and exclusion reaching the next verdict."""

from __future__ import annotations

import ipaddress
import sqlite3
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from factcheck.ingest.fetching import AddressPolicy, Fetcher
from factcheck.review.api import FETCHER_KEY

CLAIM = "Easthaven handled 7,200 ships in 2022"
PAGE = b"""<html><head><title>Bridge opens in Northport</title>
<meta property="og:site_name" content="Northport Post">
<meta property="article:published_time" content="2024-05-06"></head>
<body><nav>Home | News | Sport</nav><article><h1>Bridge opens in Northport</h1>
<p>The mayor of Northport opened the new river bridge on Monday after three years of work.</p>
<p>The bridge cost 40 million euros, according to the city council.</p>
</article><footer>Subscribe to our newsletter</footer></body></html>"""


def first_passage(client, headers) -> dict:
    body = client.get("/api/v1/sources/harbour-report", headers=headers).get_json()
    return body["passages"][0]


def test_list_sources_shape_filters_and_clamped_paging(client, auth_headers, imported) -> None:
    response = client.get("/api/v1/sources?per_page=1000&page=0", headers=auth_headers)
    assert response.status_code == 200
    body = response.get_json()
    assert list(body) == ["page", "per_page", "total", "pages", "items"]
    assert (body["page"], body["per_page"], body["total"]) == (1, 100, 1)
    source = body["items"][0]
    assert list(source) == [
        "id", "title", "publisher", "url", "published", "published_precision", "reliability",
        "retired", "origin", "counts", "created_at", "updated_at",
    ]  # fmt: skip
    assert source["counts"] == {"passages": 4, "excluded": 1, "active": 3}
    assert source["created_at"].endswith("+00:00")
    retired = client.get("/api/v1/sources?status=retired", headers=auth_headers).get_json()
    assert retired["total"] == 0
    bad = client.get("/api/v1/sources?status=gone", headers=auth_headers)
    assert bad.status_code == 422 and "status" in bad.get_json()["error"]["fields"]


def test_source_detail_and_patch(client, auth_headers, imported) -> None:
    detail = client.get("/api/v1/sources/harbour-report", headers=auth_headers).get_json()
    assert len(detail["passages"]) == 4
    assert set(detail["passages"][0]) >= {"id", "text", "original_text", "version", "excluded"}
    response = client.patch(
        "/api/v1/sources/harbour-report",
        json={"reliability": "high", "published": "2023-03"},
        headers=auth_headers,
    )
    assert response.status_code == 200
    body = response.get_json()
    assert (body["reliability"], body["published"], body["published_precision"]) == (
        "high",
        "2023-03",
        "month",
    )
    wrong = client.patch(
        "/api/v1/sources/harbour-report", json={"reliability": "great"}, headers=auth_headers
    )
    assert wrong.status_code == 422
    assert client.get("/api/v1/sources/nope", headers=auth_headers).status_code == 404


def test_retiring_takes_the_passages_out_of_the_verdict(client, auth_headers, imported) -> None:
    assert client.post("/api/v1/verify", json={"claim": CLAIM}).get_json()["verdict"] == "supported"
    response = client.patch(
        "/api/v1/sources/harbour-report", json={"retired": True}, headers=auth_headers
    )
    assert response.status_code == 200 and response.get_json()["counts"]["active"] == 0
    verdict = client.post("/api/v1/verify", json={"claim": CLAIM}).get_json()["verdict"]
    assert verdict == "not_enough_evidence"


def test_excluding_a_passage_changes_the_next_verdict(client, auth_headers, imported) -> None:
    before = client.post("/api/v1/verify", json={"claim": CLAIM}).get_json()
    assert before["verdict"] == "supported"
    relied_on = before["supporting"][0]["passage_id"]
    passage = client.get(f"/api/v1/passages/{relied_on}", headers=auth_headers).get_json()
    response = client.patch(
        f"/api/v1/passages/{relied_on}",
        json={"version": passage["version"], "excluded": True, "reason": "misattributed figure"},
        headers=auth_headers,
    )
    assert response.status_code == 200
    assert response.get_json()["version"] == passage["version"] + 1
    after = client.post("/api/v1/verify", json={"claim": CLAIM}).get_json()
    assert after["verdict"] == "not_enough_evidence"
    assert relied_on not in {e["passage_id"] for e in after["supporting"] + after["conflicting"]}


def test_a_correction_is_searchable_at_once(client, auth_headers, imported) -> None:
    passage = first_passage(client, auth_headers)
    corrected = "The port of Easthaven handled 9,100 ships in 2022."
    response = client.patch(
        f"/api/v1/passages/{passage['id']}",
        json={"version": passage["version"], "text": corrected},
        headers=auth_headers,
    )
    body = response.get_json()
    assert body["text"] == corrected and body["corrected"] is True
    assert body["original_text"] == passage["text"]
    result = client.post("/api/v1/verify", json={"claim": "Easthaven handled 9,100 ships"})
    assert corrected in [e["text"] for e in result.get_json()["supporting"]]


def test_a_stale_edit_is_a_409_with_the_current_text(client, auth_headers, imported) -> None:
    passage = first_passage(client, auth_headers)
    url = f"/api/v1/passages/{passage['id']}"
    first = client.patch(url, json={"version": 1, "text": "Edited first."}, headers=auth_headers)
    assert first.status_code == 200
    second = client.patch(url, json={"version": 1, "note": "late"}, headers=auth_headers)
    assert second.status_code == 409
    error = second.get_json()["error"]
    assert list(second.get_json()) == ["error"]
    assert error["code"] == "conflict"
    assert "Edited first." in error["message"] and "version 2" in error["message"]
    assert error["fields"] == {"version": ["stale: the current version is 2; reload it"]}
    assert client.get(url, headers=auth_headers).get_json()["note"] is None


def test_patch_passage_needs_a_version(client, auth_headers, imported) -> None:
    passage = first_passage(client, auth_headers)
    response = client.patch(
        f"/api/v1/passages/{passage['id']}", json={"note": "x"}, headers=auth_headers
    )
    assert response.status_code == 422
    assert "version" in response.get_json()["error"]["fields"]


def test_add_a_source_by_text_with_a_preview_first(client, auth_headers, imported) -> None:
    article = {
        "title": "Bridge opens",
        "text": "The mayor opened the bridge on Monday.\n\nIt cost 12 million euros.",
        "publisher": "City Post",
        "published": "2024-05-06",
        "reliability": "mixed",
    }
    preview = client.post(
        "/api/v1/sources", json={**article, "preview": True}, headers=auth_headers
    )
    assert preview.status_code == 200
    assert preview.get_json()["saved"] is False
    assert [p["text"] for p in preview.get_json()["passages"]] == [
        "The mayor opened the bridge on Monday.",
        "It cost 12 million euros.",
    ]
    total = client.get("/api/v1/sources", headers=auth_headers).get_json()["total"]
    assert total == 1
    response = client.post("/api/v1/sources", json=article, headers=auth_headers)
    assert response.status_code == 201
    body = response.get_json()
    assert body["saved"] is True and body["source"]["reliability"] == "mixed"
    assert response.headers["Location"].endswith("/api/v1/sources/" + body["source"]["id"])
    again = client.post("/api/v1/sources", json=article, headers=auth_headers)
    assert again.status_code == 409
    verdict = client.post("/api/v1/verify", json={"claim": "The mayor opened the bridge"})
    assert verdict.get_json()["verdict"] == "supported"


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "url"), ({"text": "Words."}, "title"), ({"title": "T", "text": "  "}, "text")],
)
def test_add_a_source_refuses_incomplete_bodies(client, auth_headers, body, field) -> None:
    response = client.post("/api/v1/sources", json=body, headers=auth_headers)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1/", "http://localhost/", "http://10.0.0.1/", "http://[::1]/",
     "http://169.254.169.254/latest/meta-data/", "file:///etc/passwd"],
)  # fmt: skip
def test_add_by_url_refuses_unsafe_urls(client, auth_headers, url: str) -> None:
    response = client.post("/api/v1/sources", json={"url": url}, headers=auth_headers)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "fetch_refused" and error["fields"]["url"] == [error["message"]]


class ArticleHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, *_args) -> None:
        """Quiet."""


@pytest.fixture
def article_url(app) -> Iterator[str]:
    """A news page on this test's loopback server, which the app's fetcher may reach."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), ArticleHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    app.extensions[FETCHER_KEY] = Fetcher(
        AddressPolicy(allowed_networks=(ipaddress.ip_network("127.0.0.1/32"),))
    )
    yield f"http://127.0.0.1:{server.server_address[1]}/bridge"
    server.shutdown()
    server.server_close()


def test_add_a_source_by_url(client, auth_headers, article_url: str) -> None:
    response = client.post("/api/v1/sources", json={"url": article_url}, headers=auth_headers)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    source = body["source"]
    assert source["title"] == "Bridge opens in Northport"
    assert source["publisher"] == "Northport Post"
    assert source["published"] == "2024-05-06"
    assert source["url"] == article_url
    texts = [p["text"] for p in body["passages"]]
    assert texts[0].startswith("The mayor of Northport opened the new river bridge")
    assert not any("newsletter" in text or "Sport" in text for text in texts)


def test_audit_feed_shape_and_filters(client, auth_headers, imported) -> None:
    passage = first_passage(client, auth_headers)
    client.patch(
        f"/api/v1/passages/{passage['id']}", json={"version": 1, "note": "n"}, headers=auth_headers
    )
    body = client.get("/api/v1/audit", headers=auth_headers).get_json()
    entry = body["items"][0]
    assert list(entry) == [
        "id", "at", "actor", "action", "entity_type", "entity_id", "before", "after",
    ]  # fmt: skip
    assert (entry["actor"], entry["action"], entry["entity_id"]) == ("alice", "note", passage["id"])
    per_source = client.get(
        "/api/v1/audit?source_id=harbour-report", headers=auth_headers
    ).get_json()
    assert [e["action"] for e in per_source["items"]] == ["note", "import"]
    by_actor = client.get("/api/v1/audit?actor=importer", headers=auth_headers).get_json()
    assert [e["action"] for e in by_actor["items"]] == ["import"]


def test_the_openapi_document_has_every_curation_endpoint(client) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    paths = document["paths"]
    assert set(paths["/api/v1/sources"]) >= {"get", "post"}
    assert set(paths["/api/v1/sources/{source_id}"]) >= {"get", "patch"}
    assert set(paths["/api/v1/passages/{passage_id}"]) >= {"get", "patch"}
    assert "get" in paths["/api/v1/audit"]
    assert "get" in paths["/api/v1/reviews/{review_id}"]
    patch = paths["/api/v1/passages/{passage_id}"]["patch"]
    assert patch["security"] == [{"bearerAuth": []}]
    assert set(patch["responses"]) >= {"200", "401", "409", "422"}
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    schemas = document["components"]["schemas"]
    assert "version" in schemas["PassagePatch"]["required"]


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code", "fields"),
    [
        ("get", "/api/v1/passages/nope", None, 404, "not_found", {}),
        ("patch", "/api/v1/sources/nope", {"title": "New"}, 404, "not_found", {}),
        ("patch", "/api/v1/passages/nope", {"version": 1, "note": "x"}, 404, "not_found", {}),
        (
            "patch",
            "/api/v1/sources/harbour-report",
            {"published": "soon"},
            422,
            "validation_error",
            {"published": ["a date such as 2023-02-24, 2023-02 or 2023"]},
        ),
        (
            "patch",
            "/api/v1/passages/{first}",
            {"version": 1, "excluded": True, "reason": " "},
            422,
            "validation_error",
            {"reason": ["required to exclude"]},
        ),
        (
            "post",
            "/api/v1/sources",
            {"title": "Harbour", "text": "Ships.", "id": "x"},
            422,
            "validation_error",
            None,
        ),
    ],
)
def test_a_refusal_is_the_standard_error(
    client, auth_headers, imported, method, path, body, status, code, fields
) -> None:
    path = path.format(first=first_passage(client, auth_headers)["id"])
    response = getattr(client, method)(path, json=body, headers=auth_headers)
    assert response.status_code == status
    error = response.get_json()["error"]
    assert list(response.get_json()) == ["error"] and error["code"] == code
    if fields is not None:
        assert error["fields"] == fields


@pytest.fixture
def bob_headers(app, reviewer) -> dict[str, str]:
    """The headers of a curation API call as bob, a reviewer who is not an admin."""
    from factcheck.review.reviewers import add_reviewer, issue_token

    with app.extensions["factcheck.database"].session() as session:
        add_reviewer(session, "bob", "another long password", is_admin=False)
    with app.extensions["factcheck.database"].session() as session:
        return {"Authorization": f"Bearer {issue_token(session, 'bob')}"}


def test_a_refused_change_leaves_nothing_behind(client, auth_headers, bob_headers, imported):
    before = client.get("/api/v1/audit", headers=auth_headers).get_json()["total"]
    # The title is applied and audited before the retirement is refused: both are undone.
    patch = {"title": "Renamed", "retired": True}
    response = client.patch("/api/v1/sources/harbour-report", json=patch, headers=bob_headers)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    source = client.get("/api/v1/sources/harbour-report", headers=auth_headers).get_json()
    assert source["title"] != "Renamed" and not source["retired"]
    assert client.get("/api/v1/audit", headers=auth_headers).get_json()["total"] == before


# Hostile input (issue 12, finding 1) ---------------------------------------------------------

MEGABYTE_OF_ONE_SENTENCE = "Iran supplied drones to Russia in 2022, officials said. " * 17_800


@pytest.mark.parametrize("preview", [False, True])
def test_a_megabyte_paste_is_refused_at_once(client, auth_headers, preview: bool) -> None:
    body = {"title": "x", "text": MEGABYTE_OF_ONE_SENTENCE, "preview": preview}
    started = time.perf_counter()
    response = client.post("/api/v1/sources", json=body, headers=auth_headers)
    assert time.perf_counter() - started < 20
    assert response.status_code == 413, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "payload_too_large"
    assert "200,000" in error["message"] and "text" in error["fields"]
    listed = client.get("/api/v1/sources?status=all", headers=auth_headers).get_json()
    assert listed["total"] == 0


def test_a_source_of_too_many_passages_is_refused_before_it_is_saved(
    app, client, auth_headers
) -> None:
    app.config["MAX_SOURCE_PASSAGES"] = 50
    text = " ".join(f"Sentence number {number} is about drones." for number in range(51))
    response = client.post(
        "/api/v1/sources", json={"title": "x", "text": text}, headers=auth_headers
    )
    assert response.status_code == 422
    assert "51 passages" in response.get_json()["error"]["message"]
    assert client.get("/api/v1/sources", headers=auth_headers).get_json()["total"] == 0
    text = " ".join(f"Sentence number {number} is about drones." for number in range(50))
    response = client.post(
        "/api/v1/sources", json={"title": "x", "text": text}, headers=auth_headers
    )
    assert response.status_code == 201
    assert response.get_json()["source"]["counts"]["passages"] == 50


def test_the_review_paste_form_refuses_a_megabyte_too(app, reviewer_client) -> None:
    form = {"method": "text", "title": "x", "text": MEGABYTE_OF_ONE_SENTENCE}
    started = time.perf_counter()
    response = reviewer_client.post("/review/sources/preview", data=form)
    assert time.perf_counter() - started < 20
    assert response.status_code == 413
    assert b"too long to add as one source" in response.data


def test_the_token_check_never_waits_for_another_writer(app, client, auth_headers) -> None:
    """A GET with a token answers while someone else holds the catalog's write lock."""
    database = app.config["DATABASE_URL"].removeprefix("sqlite:///")
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # the write lock, as a long import holds it
    try:
        started = time.perf_counter()
        response = client.get("/api/v1/sources", headers=auth_headers)
        assert response.status_code == 200, response.get_json()
        assert time.perf_counter() - started < 5
    finally:
        holder.execute("ROLLBACK")
        holder.close()


# Issue 12, finding 2: text the catalog cannot store is refused by every request schema.
@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("post", "/api/v1/sources", {"title": "Bad \ud800 title", "text": "Words."}, "title"),
        ("post", "/api/v1/sources", {"title": "Title", "text": "Bad \udc00 text."}, "text"),
        ("post", "/api/v1/sources", {"title": "Title", "text": "Nul\x00 text."}, "text"),
        ("post", "/api/v1/sources", {"url": "https://example.org/\ud800"}, "url"),
        ("patch", "/api/v1/sources/harbour-report", {"publisher": "\ud800"}, "publisher"),
        ("patch", "/api/v1/sources/harbour-report", {"published": "2023\ud800"}, "published"),
        ("patch", "/api/v1/passages/PASSAGE", {"version": 1, "note": "\ud800"}, "note"),
        ("patch", "/api/v1/passages/PASSAGE", {"version": 1, "text": "A \udfff b."}, "text"),
        (
            "patch",
            "/api/v1/passages/PASSAGE",
            {"version": 1, "excluded": True, "reason": "\ud800"},
            "reason",
        ),
    ],
)
def test_unstorable_text_is_a_422_at_the_schema(
    client, auth_headers, imported, method: str, path: str, body: dict, field: str
) -> None:
    path = path.replace("PASSAGE", first_passage(client, auth_headers)["id"])
    response = getattr(client, method)(path, json=body, headers=auth_headers)
    assert response.status_code == 422, response.data
    error = response.get_json()["error"]
    assert error["code"] == "validation_error" and field in error["fields"]


# Issue 12, finding 7: inputs that answered 500.
HUGE = "100000000000000000000"


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/sources?page={HUGE}",
        f"/api/v1/sources?per_page={HUGE}",
        f"/api/v1/audit?page={HUGE}",
        f"/api/v1/audit?page=-{HUGE}",
    ],
)
def test_huge_page_numbers_are_clamped(client, auth_headers, imported, path: str) -> None:
    response = client.get(path, headers=auth_headers)
    assert response.status_code == 200
    assert response.get_json()["items"] == [] or response.get_json()["page"] == 1


def test_a_huge_review_id_is_a_404(client) -> None:
    response = client.get(f"/api/v1/reviews/{HUGE}")
    assert response.status_code == 404
    assert list(response.get_json()["error"]) == ["code", "message", "fields"]


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("patch", "/api/v1/passages/PASSAGE", {"version": 1, "excluded": 0}, "excluded"),
        (
            "patch",
            "/api/v1/passages/PASSAGE",
            {"version": 1, "excluded": 1, "reason": "x"},
            "excluded",
        ),
        ("patch", "/api/v1/sources/harbour-report", {"retired": 0}, "retired"),
        ("post", "/api/v1/sources", {"title": "T", "text": "Words.", "preview": 1}, "preview"),
        ("patch", "/api/v1/passages/PASSAGE", {"version": 1e20, "note": "n"}, "version"),
    ],
)
def test_numbers_are_not_booleans_and_versions_are_bounded(
    client, auth_headers, imported, method: str, path: str, body: dict, field: str
) -> None:
    path = path.replace("PASSAGE", first_passage(client, auth_headers)["id"])
    response = getattr(client, method)(path, json=body, headers=auth_headers)
    assert response.status_code == 422, response.data
    assert field in response.get_json()["error"]["fields"]


@pytest.mark.parametrize(
    "query", ["page=1&page=2", "status=active&status=retired", "per_page=5&per_page=5"]
)
def test_a_repeated_query_parameter_is_a_422(client, auth_headers, query: str) -> None:
    response = client.get(f"/api/v1/sources?{query}", headers=auth_headers)
    assert response.status_code == 422
    assert query.split("=")[0] in response.get_json()["error"]["fields"]


def test_a_refused_fetch_never_names_the_resolved_address(app, client, auth_headers) -> None:
    def resolve(host, port, **_kwargs):
        return [(2, 1, 6, "", ("10.1.2.3", port))]

    app.extensions[FETCHER_KEY] = Fetcher(AddressPolicy(resolve=resolve))
    response = client.post(
        "/api/v1/sources", json={"url": "http://evil-private.test/"}, headers=auth_headers
    )
    assert response.status_code == 422
    assert b"10.1.2.3" not in response.data
