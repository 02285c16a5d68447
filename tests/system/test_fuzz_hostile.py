"""Hostile input drawn by hypothesis (issue 12): lone surrogates, deep nesting, huge integers and
very long single paragraphs, for the verify and curation request schemas, the importer's
readers and the paste path. Nothing answers 5xx, nothing raises but ``DocumentError``, and a
long paste is answered within seconds.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factcheck.ingest.documents import DocumentError, read_documents
from factcheck.ingest.passages import build_passages

FUZZ = settings(
    max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)

lone_surrogate = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
plain = st.text(st.characters(codec="utf-8"), max_size=40)
hostile_text = st.builds(lambda a, s, b: a + s + b, plain, lone_surrogate, plain) | st.just("\x00")
huge_integer = st.one_of(st.integers(10**18, 10**40), st.integers(-(10**40), -(10**18)))
depth = st.integers(65, 3_000)
sentence = st.sampled_from(
    ["Iran sold drones. ", "U.S. Navy ", "a.", "(AP ", "Contact a.", "...", "Mr. Jones said so. "]
)
long_paragraph = st.builds(lambda words, count: words * count, sentence, st.integers(1, 12_000))


def nested(levels: int, opener: str = "[", closer: str = "]") -> str:
    return opener * levels + closer * levels


@pytest.mark.usefixtures("imported")
@FUZZ
@given(text=hostile_text, levels=depth, number=huge_integer)
def test_verify_answers_hostile_bodies_with_4xx(client, text: str, levels: int, number: int):
    bodies = [
        json.dumps({"claim": text}),
        json.dumps({"claim": "Easthaven handled ships", "limit": number}),
        nested(levels),
        '{"claim": ' + nested(levels, '{"a": ', "}").replace("}", "1}", 1) + "}",
    ]
    for body in bodies:
        response = client.post("/api/v1/verify", data=body, content_type="application/json")
        assert 400 <= response.status_code < 500, (body[:80], response.status_code)
        assert set(response.get_json()["error"]) == {"code", "message", "fields"}


@pytest.mark.usefixtures("imported")
@FUZZ
@given(text=hostile_text, number=huge_integer, levels=depth)
def test_curation_answers_hostile_bodies_with_4xx(
    client, auth_headers, text: str, number: int, levels: int
):
    passage_id = client.get("/api/v1/sources/harbour-report", headers=auth_headers).get_json()[
        "passages"
    ][0]["id"]
    calls = [
        ("post", "/api/v1/sources", {"title": text, "text": "Words."}),
        ("post", "/api/v1/sources", {"title": "T", "text": text, "preview": True}),
        ("patch", "/api/v1/sources/harbour-report", {"publisher": text}),
        ("patch", f"/api/v1/passages/{passage_id}", {"version": number, "note": "n"}),
        ("patch", f"/api/v1/passages/{passage_id}", {"version": 1, "note": text}),
        ("get", f"/api/v1/sources?page={number}", None),
        ("get", f"/api/v1/audit?page={number}&per_page={number}", None),
        ("get", f"/api/v1/reviews/{abs(number)}", None),
    ]
    for method, path, body in calls:
        response = getattr(client, method)(path, json=body, headers=auth_headers)
        assert response.status_code < 500, (method, path, response.status_code)
    response = client.post(
        "/api/v1/sources",
        data=nested(levels),
        content_type="application/json",
        headers=auth_headers,
    )
    assert response.status_code == 400


@settings(FUZZ, max_examples=15)
@given(paragraph=long_paragraph)
def test_the_paste_path_answers_any_long_paragraph_in_seconds(client, auth_headers, paragraph):
    started = time.perf_counter()
    response = client.post(
        "/api/v1/sources",
        json={"title": "Fuzzed", "text": paragraph, "preview": True},
        headers=auth_headers,
    )
    assert response.status_code in (200, 413, 422), response.status_code
    assert time.perf_counter() - started < 20


@FUZZ
@given(text=hostile_text, levels=depth)
def test_a_hostile_jsonl_line_is_refused_with_its_line_number(text: str, levels: int) -> None:
    good = json.dumps({"id": "g", "title": "T", "text": "Fine."})
    for bad in (
        json.dumps({"id": "b", "title": "T", "text": text}),
        '{"id": "b", "title": "T", "text": ' + nested(levels) + "}",
    ):
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "hostile.jsonl"
            path.write_text(good + "\n" + bad + "\n", encoding="utf-8")
            with pytest.raises(DocumentError) as refused:
                for document in read_documents(path):
                    build_passages(document)
            assert refused.value.line == 2 or "text" in refused.value.reason
