"""A claim of several assertions over the API, the result page and ``factcheck verify``: the
``parts`` field, its schema and its display, over a small corpus composed for the tests."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from marshmallow import ValidationError

from factcheck.web.schemas import VerifyResponseSchema

OUTLET = """---
id: outlet-a
title: Harbour deal signed
publisher: The Coastal Herald
published: 2023-03-14
---

Norway sold three patrol boats to Ghana in March.

Ghana has not joined the fishing pact.
"""

TWO_PARTS = "Norway sold three patrol boats to Ghana and Ghana has joined the fishing pact"
PART_KEYS = ["claim", "verdict", "confidence", "explanation"]


@pytest.fixture
def corpus(runner, tmp_path: Path) -> None:
    directory = tmp_path / "corpus"
    directory.mkdir()
    (directory / "outlet-a.md").write_text(OUTLET, encoding="utf-8")
    result = runner.invoke(args=["import", str(directory)])
    assert result.exit_code == 0, result.output


def verify(client, claim: str) -> dict:
    response = client.post("/api/v1/verify", json={"claim": claim})
    assert response.status_code == 200
    return response.get_json()


def test_a_two_part_claim_answers_its_parts(client, corpus) -> None:
    body = verify(client, TWO_PARTS)
    assert [part["claim"] for part in body["parts"]] == [
        "Norway sold three patrol boats to Ghana",
        "Ghana has joined the fishing pact",
    ]
    assert [list(part) for part in body["parts"]] == [PART_KEYS, PART_KEYS]
    assert [part["verdict"] for part in body["parts"]] == ["supported", "refuted"]
    # The refuted part refutes the whole, with its confidence, and the explanation names it.
    assert body["verdict"] == "refuted"
    assert body["confidence"] == body["parts"][1]["confidence"]
    assert 'Part 2 of 2, "Ghana has joined the fishing pact", is refuted' in body["explanation"]
    # The excerpts are both parts', each passage once.
    assert [e["stance"] for e in body["supporting"]] == ["supports"]
    assert [e["stance"] for e in body["conflicting"]] == ["refutes"]
    assert VerifyResponseSchema().validate(body) == {}


def test_a_claim_of_one_assertion_has_no_parts(client, corpus) -> None:
    body = verify(client, "Norway sold three patrol boats to Ghana")
    assert "parts" not in body
    assert body["verdict"] == "supported"


def test_the_schema_holds_parts_to_the_verdicts() -> None:
    part = {"claim": "Ghana joined", "verdict": "true", "confidence": 0.9, "explanation": ""}
    with pytest.raises(ValidationError) as raised:
        VerifyResponseSchema().load(
            {
                "claim": "c",
                "verdict": "refuted",
                "confidence": 0.9,
                "explanation": "",
                "supporting": [],
                "conflicting": [],
                "index_version": "v",
                "took_ms": 1.0,
                "parts": [part],
            }
        )
    assert "parts" in raised.value.messages


def test_parts_are_in_the_openapi_document(client) -> None:
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert "parts" in schemas["VerifyResponse"]["properties"]
    assert "parts" not in schemas["VerifyResponse"].get("required", [])
    assert set(schemas["Part"]["properties"]) == set(PART_KEYS)


def test_the_page_shows_the_parts_escaped(client, corpus) -> None:
    claim = "Norway sold three <b>patrol</b> boats to Ghana and Ghana has joined the fishing pact"
    html = client.get("/check", query_string={"claim": claim}).get_data(as_text=True)
    section = re.search(r'<section class="parts".*?</section>', html, re.DOTALL)
    assert section is not None
    parts = section.group()
    assert "Norway sold three &lt;b&gt;patrol&lt;/b&gt; boats to Ghana" in parts
    assert "<b>" not in html
    assert parts.count('<li class="part">') == 2
    assert "badge-refuted" in parts and "badge-supported" in parts


def test_the_page_of_a_one_part_claim_lists_no_parts(client, corpus) -> None:
    html = client.get("/check", query_string={"claim": "Ghana has joined the fishing pact"})
    assert 'class="parts"' not in html.get_data(as_text=True)


def test_verify_command_prints_the_parts(runner, corpus) -> None:
    result = runner.invoke(args=["verify", TWO_PARTS])
    assert result.exit_code == 0
    assert "  1. SUPPORTED (" in result.output
    assert "  2. REFUTED (" in result.output
    body = json.loads(runner.invoke(args=["verify", "--json", TWO_PARTS]).output)
    assert [part["verdict"] for part in body["parts"]] == ["supported", "refuted"]
