"""POST /api/v1/verify: the JSON shape of success and of every kind of error, end to end
over a small corpus composed for the tests (two outlets that agree on one thing and
disagree on another)."""

from __future__ import annotations

from pathlib import Path

import pytest

OUTLET_A = """---
id: outlet-a
title: Harbour deal signed
publisher: The Coastal Herald
published: 2023-03-14
---

Norway sold three patrol boats to Ghana in March.

The contract was worth 240 million dollars, officials said.

Ghana has not joined the fishing pact.
"""

OUTLET_B = """---
id: outlet-b
title: Ghana expands its navy
publisher: West Africa Daily
published: 2023-04-02
---

Oslo delivered three patrol boats to the Ghanaian navy this spring.

The contract was worth 310 million dollars, according to the navy.

Sweden has accused Ghana of hiring foreign pilots, although Accra has denied the accusation.
"""

EXCERPT_KEYS = ["passage_id", "text", "highlight", "context", "stance", "score", "source"]
SOURCE_KEYS = ["id", "title", "publisher", "url", "published"]


@pytest.fixture
def corpus(runner, tmp_path: Path) -> None:
    directory = tmp_path / "corpus"
    directory.mkdir()
    (directory / "outlet-a.md").write_text(OUTLET_A, encoding="utf-8")
    (directory / "outlet-b.md").write_text(OUTLET_B, encoding="utf-8")
    result = runner.invoke(args=["import", str(directory)])
    assert result.exit_code == 0, result.output


def verify(client, **body):
    return client.post("/api/v1/verify", json=body)


def test_success_shape(client, corpus) -> None:
    response = verify(client, claim="Norway supplied patrol boats to Ghana")
    assert response.status_code == 200
    body = response.get_json()
    assert list(body) == [
        "claim",
        "verdict",
        "confidence",
        "explanation",
        "supporting",
        "conflicting",
        "index_version",
        "took_ms",
    ]
    assert body["verdict"] == "supported"
    assert 0.5 < body["confidence"] <= 1
    assert len(body["supporting"]) == 2  # both outlets say so
    for excerpt in body["supporting"]:
        assert list(excerpt) == EXCERPT_KEYS
        assert list(excerpt["source"]) == SOURCE_KEYS
        assert excerpt["stance"] == "supports"
        assert "<mark>" in excerpt["highlight"]
    assert body["supporting"][0]["score"] >= body["supporting"][1]["score"]


@pytest.mark.parametrize(
    ("claim", "verdict"),
    [
        ("Norway supplied patrol boats to Ghana", "supported"),
        ("Ghana has joined the fishing pact", "refuted"),
        ("The contract was worth 240 million dollars", "conflicting"),
        ("Ghana hired foreign pilots", "conflicting"),
        ("Kenya bought patrol boats from Norway", "not_enough_evidence"),
    ],
)
def test_verdicts_over_the_corpus(client, corpus, claim: str, verdict: str) -> None:
    assert verify(client, claim=claim).get_json()["verdict"] == verdict


def test_limit_caps_excerpts_per_side(client, corpus) -> None:
    body = verify(client, claim="Norway supplied patrol boats to Ghana", limit=1).get_json()
    assert len(body["supporting"]) == 1


def test_highlight_escapes_passage_markup(client, runner, tmp_path: Path) -> None:
    directory = tmp_path / "markup"
    directory.mkdir()
    (directory / "m.txt").write_text(
        "Markup test\n\nPeru sold <b>copper</b> to Japan & Korea.\n", encoding="utf-8"
    )
    runner.invoke(args=["import", str(directory)])
    excerpt = verify(client, claim="Peru sold copper to Japan").get_json()["supporting"][0]
    assert "<b>" not in excerpt["highlight"]
    assert "&lt;b&gt;" in excerpt["highlight"] and "&amp;" in excerpt["highlight"]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({}, 422, "claim"),
        ({"claim": ""}, 422, "claim"),
        ({"claim": "   ab   "}, 422, "claim"),
        ({"claim": "x" * 501}, 422, "claim"),
        ({"claim": 42}, 422, "claim"),
        ({"claim": "Norway sold boats", "limit": 0}, 422, "limit"),
        ({"claim": "Norway sold boats", "limit": 21}, 422, "limit"),
        ({"claim": "Norway sold boats", "limit": "five"}, 422, "limit"),
        ({"claim": "Iran \ud800 drones"}, 422, "claim"),  # a lone surrogate (issue 12)
        ({"claim": "Iran \udfff drones to Russia"}, 422, "claim"),
        ({"claim": "Iran sold\x00 drones"}, 422, "claim"),  # NUL: PostgreSQL refuses it
    ],
)
def test_invalid_input_says_what_to_fix(client, body, status: int, field: str) -> None:
    response = client.post("/api/v1/verify", json=body)
    assert response.status_code == status
    error = response.get_json()["error"]
    assert list(error) == ["code", "message", "fields"]
    assert error["code"] == "validation_error"
    assert field in error["fields"]


def test_a_body_that_is_not_json_is_a_400(client) -> None:
    response = client.post("/api/v1/verify", data="claim=hello", content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"


def test_wrong_method_has_the_error_shape(client) -> None:
    response = client.get("/api/v1/verify")
    assert response.status_code == 405
    assert list(response.get_json()["error"]) == ["code", "message", "fields"]


def test_verify_is_in_the_openapi_document(client) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/verify"]["post"]
    assert "VerifyRequest" in str(operation["requestBody"])
    assert "VerifyResponse" in str(operation["responses"]["200"])


def test_verify_command_prints_the_verdict(runner, corpus) -> None:
    result = runner.invoke(args=["verify", "Norway supplied patrol boats to Ghana"])
    assert result.exit_code == 0
    assert result.output.startswith("SUPPORTED (confidence")
    assert "The Coastal Herald" in result.output


def test_verify_command_json_matches_the_api(runner, corpus) -> None:
    import json

    result = runner.invoke(args=["verify", "--json", "Ghana has joined the fishing pact"])
    body = json.loads(result.output)
    assert body["verdict"] == "refuted"
    assert body["conflicting"][0]["stance"] == "refutes"


def test_eval_command_prints_every_figure(runner, corpus, tmp_path: Path) -> None:
    claims = tmp_path / "claims.jsonl"
    claims.write_text(
        '{"id": "1", "claim": "Norway supplied patrol boats to Ghana", "label": "supported", '
        '"evidence": [{"source": "outlet-a", "phrase": "sold three patrol boats"}]}\n'
        '{"id": "2", "claim": "Kenya bought patrol boats from Norway", '
        '"label": "not_enough_evidence", "evidence": []}\n',
        encoding="utf-8",
    )
    result = runner.invoke(args=["eval", str(claims)])
    assert result.exit_code == 0, result.output
    for figure in (
        "accuracy: 1.000",
        "macro-F1",
        "confusion",
        "evidence recall@5: 1.000",
        "Brier score",
        "expected calibration error",
        "latency",
    ):
        assert figure in result.output


@pytest.mark.parametrize(
    "claim",
    [
        'Norway NOT "sold" patrol boats: OR Ghana AND',
        "text:Norway sold* boats~ to (Ghana",
        "Norway sold boats to Ghana ^ [TO] {}",
    ],
)
def test_query_syntax_in_a_claim_is_plain_text(client, corpus, claim: str) -> None:
    response = verify(client, claim=claim)
    assert response.status_code == 200
    body = response.get_json()
    # Read as words, the claim still finds the passages about Norway's boats.
    excerpts = body["supporting"] + body["conflicting"]
    assert any("patrol boats" in e["text"] for e in excerpts)


@pytest.mark.parametrize(
    ("args", "field"),
    [(["verify", "ab"], "claim"), (["verify", "Norway sold boats", "--limit", "21"], "limit")],
)
def test_verify_command_obeys_the_request_schema(runner, args: list[str], field: str) -> None:
    result = runner.invoke(args=args)
    assert result.exit_code == 2
    assert f"{field}:" in result.output
