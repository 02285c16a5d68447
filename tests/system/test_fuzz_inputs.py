"""Bad input to the analyzers and importers: arbitrary text never makes them raise unexpectedly.

Hypothesis feeds any Unicode (control characters, surrogate-free astral planes, combining marks),
very long lines, HTML and empty documents to the claim analyzer, the text analyzer, each file
reader and the passage builder. A reader may refuse a file with :class:`DocumentError` (the
importer reports it and goes on); anything else is a bug. The claim check through the API must
answer 200 or 422 for any text.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factcheck.engine.claim_analysis import analyse_claim
from factcheck.ingest.documents import DocumentError, read_documents
from factcheck.ingest.passages import build_passages
from factcheck.language.text_analysis import analyse

# database=None: nothing is written into the checkout (.hypothesis/).
FUZZ = settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)

# Any Unicode text, plus pieces that stress the tokeniser, the segmenter and the HTML reader.
any_text = st.text(st.characters(codec="utf-8"), max_size=300)
fragments = st.sampled_from(
    [
        "<p>",
        "</p>",
        "<script>alert(1)</script>",
        "<!--",
        "&amp;",
        "&#0;",
        "\x00",
        "\x0b",
        "\u200b",
        "\u202e",
        "\r\n",
        "\n\n",
        "...",
        " NOT ",
        '"',
        ":",
        "$76.8 billion",
        "2,000",
        "-5%",
        "U.S.",
        "Mr.",
        "didn't",
        "---",
        "#",
        "e\u0301",
        "\U0001f600",
        "ß",
        "İ",
    ]
)
mixed_text = st.lists(st.one_of(any_text, fragments), max_size=30).map("".join)
long_line = st.builds(lambda word, count: (word + " ") * count, fragments, st.integers(0, 3000))
texts = st.one_of(mixed_text, long_line, st.just(""))


@FUZZ
@given(texts)
def test_claim_analysis_takes_any_text(text: str) -> None:
    claim = analyse_claim(text)
    assert claim.analysis is not None


@FUZZ
@given(texts)
def test_text_analysis_takes_any_text(text: str) -> None:
    analysis = analyse(text)
    for token in analysis.tokens:
        assert isinstance(token.text, str)


def markdown(body: str, title: str) -> str:
    """A Markdown source with front matter (the title JSON-quoted, as YAML accepts)."""
    return f"---\ntitle: {json.dumps(title)}\n---\n\n{body}"


def jsonl(body: str, title: str) -> str:
    """A JSON Lines collection of one passage per line of ``body``."""
    lines = [
        json.dumps({"id": f"p{number}", "title": title, "text": line})
        for number, line in enumerate(body.splitlines() or [body])
    ]
    return "\n".join(lines)


FILE_KINDS = {
    ".md": markdown,
    ".txt": lambda body, _title: body,
    ".html": lambda body, title: f"<html><head><title>{title}</title></head><body>{body}",
    ".jsonl": jsonl,
}


@pytest.mark.parametrize("suffix", sorted(FILE_KINDS))
@FUZZ
@given(body=texts, title=mixed_text)
def test_readers_and_passage_builder_take_any_text(suffix: str, body: str, title: str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"fuzzed{suffix}"
        path.write_text(FILE_KINDS[suffix](body, title), encoding="utf-8")
        try:
            documents = list(read_documents(path))
        except DocumentError:
            return  # refused with a reason: the importer reports it
        for document in documents:
            for draft in build_passages(document):
                assert draft.source_id == document.source_id and draft.passage_id


@pytest.mark.parametrize("suffix", sorted(FILE_KINDS))
@FUZZ
@given(st.binary(max_size=500))
def test_readers_refuse_undecodable_bytes_cleanly(suffix: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"fuzzed{suffix}"
        path.write_bytes(data)
        try:
            for document in read_documents(path):
                build_passages(document)
        except (DocumentError, UnicodeDecodeError):
            pass  # both are reported per file by the importer


@pytest.mark.usefixtures("imported")
@settings(FUZZ, max_examples=80)
@given(claim=texts)
def test_verify_answers_any_claim(client: FlaskClient, claim: str) -> None:
    response = client.post("/api/v1/verify", json={"claim": claim})
    assert response.status_code in (200, 422), response.get_data(as_text=True)[:500]
    if response.status_code == 422:
        assert set(response.get_json()["error"]) == {"code", "message", "fields"}
