"""Tests for the document readers and publication-date normalisation."""

from __future__ import annotations

import datetime as dt
import json
import pathlib
import time

import pytest

from factcheck.ingest.documents import (
    Document,
    DocumentError,
    normalise_published,
    read_documents,
    slugify,
)

ROOT = pathlib.Path(__file__).parents[2]
SEEDS = ROOT / ".." / "shared" / "seeds"
BENCHMARK = ROOT / ".." / "shared" / "benchmarks" / "climate-fever" / "passages.jsonl"


def write(tmp_path: pathlib.Path, name: str, content: str | bytes) -> pathlib.Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def read_one(path: pathlib.Path) -> Document:
    (document,) = read_documents(path)
    return document


@pytest.mark.parametrize(
    ("value", "precision", "expected"),
    [
        ("2023-02-24", None, ("2023-02-24", "day")),
        (dt.date(2023, 2, 24), None, ("2023-02-24", "day")),
        (dt.datetime(2023, 2, 24, 9, 30), None, ("2023-02-24", "day")),
        ("2023-02-24T10:00:00Z", None, ("2023-02-24", "day")),
        ("2023-02", None, ("2023-02", "month")),
        ("2023", None, ("2023", "year")),
        (2023, None, ("2023", "year")),
        ("24 February 2023", None, ("2023-02-24", "day")),
        ("February 24, 2023", None, ("2023-02-24", "day")),
        ("Feb 2023", None, ("2023-02", "month")),
        (dt.date(2023, 2, 24), "month", ("2023-02", "month")),
        ("2023-02", "day", ("2023-02", "month")),  # a stated precision cannot add detail
        ("2023-13", None, ("2023", "year")),
        ("2023-02-30", None, ("2023-02", "month")),
        ("last week", None, (None, "unknown")),
        ("", None, (None, "unknown")),
        (None, "day", (None, "unknown")),
        (True, None, (None, "unknown")),
    ],
)
def test_normalise_published(value: object, precision: str | None, expected: tuple) -> None:
    assert normalise_published(value, precision) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Global warming", "global-warming"),
        ("  Côte d'Ivoire: 2023 -- report ", "cote-d-ivoire-2023-report"),
        ("???", ""),
    ],
)
def test_slugify(title: str, expected: str) -> None:
    assert slugify(title) == expected


def test_markdown_front_matter(tmp_path: pathlib.Path) -> None:
    path = write(
        tmp_path,
        "note.md",
        "---\nid: seed-1\ntitle: A headline\npublisher: The Courier\nurl: https://example.org/a\n"
        "published: 2023-02-24\npublished_precision: month\norigin: seed.txt\n"
        "provenance_note: ignored by the reader\n---\n\nFirst paragraph.\n\nSecond one.",
    )
    document = read_one(path)
    assert document.source_id == "seed-1"
    assert document.title == "A headline"
    assert document.publisher == "The Courier"
    assert document.url == "https://example.org/a"
    assert (document.published, document.published_precision) == ("2023-02", "month")
    assert document.origin == "seed.txt"
    assert document.text == "\nFirst paragraph.\n\nSecond one."  # the body as written
    assert document.given_passages == ()


def test_markdown_defaults(tmp_path: pathlib.Path) -> None:
    document = read_one(
        write(tmp_path, "plain-note.md", "---\npublisher: X\n---\n\nTitle line\nBody.")
    )
    assert document.source_id == "plain-note"
    assert document.title == "Title line"
    assert document.origin == "plain-note.md"
    assert (document.published, document.published_precision) == (None, "unknown")


def test_markdown_without_front_matter(tmp_path: pathlib.Path) -> None:
    document = read_one(write(tmp_path, "bare.md", "# Heading\n\nText."))
    assert (document.source_id, document.title, document.text) == (
        "bare",
        "# Heading",
        "# Heading\n\nText.",
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("---\nid: [unclosed\n---\nBody", "invalid YAML front matter"),
        ("---\n- a list\n---\nBody", "front matter must be a mapping"),
        ("---\nid: 000\n---\nBody", "'id' must be a string"),
        ("---\nid: ok\ntitle: [1, 2]\n---\nBody", "'title' must be a string"),
        ("---\nid: ok\n---\n\n   \n", "empty document"),
        ("---\nid: ok\nBody without a closing fence", "not closed"),
    ],
)
def test_markdown_errors(tmp_path: pathlib.Path, content: str, message: str) -> None:
    path = write(tmp_path, "bad.md", content)
    with pytest.raises(DocumentError, match=message) as error:
        list(read_documents(path))
    assert str(path) in str(error.value)
    assert error.value.path == path


def test_plain_text(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path, "story.txt", "\n  The headline  \n\nFirst paragraph.\n\nSecond.")
    document = read_one(path)
    assert document.source_id == "story"
    assert document.title == "The headline"
    assert document.text == "\nFirst paragraph.\n\nSecond."
    assert document.origin == "story.txt"
    assert (document.publisher, document.url, document.published) == (None, None, None)
    assert document.published_precision == "unknown"


HTML = """<!doctype html><html><head><title>Allies of Moscow</title>
<meta property="article:published_time" content="2023-02-24T08:00:00Z">
<meta property="og:site_name" content="The Courier">
<meta property="og:url" content="https://example.org/allies">
<style>p { color: red }</style><script>var x = "<p>not text</p>";</script></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<h1>Allies of Moscow</h1>
<p>Belarus let troops <em>cross</em> its border.</p>
<p>Iran sold
   drones &amp; shells.</p>
<ul><li>Syria</li><li>Eritrea</li></ul>
<footer>Copyright 2023</footer></body></html>"""


def test_html(tmp_path: pathlib.Path) -> None:
    document = read_one(write(tmp_path, "page.html", HTML))
    assert document.source_id == "page"
    assert document.title == "Allies of Moscow"
    assert document.text == (
        "Allies of Moscow\n\nBelarus let troops cross its border.\n\nIran sold drones & shells."
        "\n\nSyria\n\nEritrea"
    )
    assert document.publisher == "The Courier"
    assert document.url == "https://example.org/allies"
    assert (document.published, document.published_precision) == ("2023-02-24", "day")


def test_html_title_from_h1_and_canonical_link(tmp_path: pathlib.Path) -> None:
    page = '<link rel="canonical" href="https://example.org/c"><h1>Only heading</h1><p>Text.</p>'
    document = read_one(write(tmp_path, "page.htm", page))
    assert document.title == "Only heading"
    assert document.url == "https://example.org/c"
    assert document.published is None


def test_html_without_text(tmp_path: pathlib.Path) -> None:
    with pytest.raises(DocumentError, match="empty document"):
        list(read_documents(write(tmp_path, "blank.html", "<html><script>x()</script></html>")))


def jsonl(*records: object) -> str:
    return "\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n"


def test_json_lines_grouped_by_title(tmp_path: pathlib.Path) -> None:
    path = write(
        tmp_path,
        "corpus.jsonl",
        jsonl(
            {"id": "GW:1", "title": "Global warming", "text": "Seas rise.", "published": "2020"},
            {"id": "Ice:4", "title": "Sea ice", "text": "Ice thins.", "url": "https://w.org/ice"},
            "",
            {"id": "GW:7", "title": "Global warming", "text": " Heat grows. "},
            {"id": "GW2:1", "title": "Global Warming!", "text": "Same slug."},
        ),
    )
    documents = list(read_documents(path))
    assert [d.source_id for d in documents] == ["global-warming", "sea-ice", "global-warming-2"]
    warming = documents[0]
    assert warming.title == "Global warming"
    assert warming.given_passages == (("GW:1", "Seas rise."), ("GW:7", "Heat grows."))
    assert warming.text == "Seas rise.\n\nHeat grows."
    assert (warming.published, warming.published_precision) == ("2020", "year")
    assert documents[1].url == "https://w.org/ice"
    assert all(d.origin == "corpus.jsonl" for d in documents)


@pytest.mark.parametrize(
    ("lines", "line", "message"),
    [
        (['{"id": "a", "title": "T", "text": "x"}', "{not json"], 2, "invalid JSON"),
        (['["a", "b"]'], 1, "JSON object"),
        (['{"title": "T", "text": "x"}'], 1, "'id'"),
        (['{"id": " ", "title": "T", "text": "x"}'], 1, "'id'"),
        (['{"id": "a", "title": "T"}'], 1, "'text'"),
        (['{"id": "a", "title": "T", "text": ""}'], 1, "'text'"),
        (['{"id": "a", "title": 5, "text": "x"}'], 1, "'title' must be a string"),
        (['{"id": 7, "title": "T", "text": "x"}'], 1, "'id' must be a string"),
        (['{"id": "a", "title": "T", "text": "x", "url": 3}'], 1, "'url' must be a string"),
        (
            ['{"id": "a", "title": "T", "text": "x"}', '{"id": "a", "title": "U", "text": "y"}'],
            2,
            "duplicate id 'a' \\(first on line 1\\)",
        ),
    ],
)
def test_json_lines_errors_name_the_line(
    tmp_path: pathlib.Path, lines: list[str], line: int, message: str
) -> None:
    path = write(tmp_path, "bad.jsonl", "\n".join(lines))
    with pytest.raises(DocumentError, match=message) as error:
        list(read_documents(path))
    assert f"{path}:{line}:" in str(error.value)
    assert (error.value.path, error.value.line) == (path, line)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.docx", "text", "unsupported file type '.docx'"),
        ("README", "text", "unsupported file type"),
        ("latin.txt", "Titre\n\ncaf\xe9".encode("latin-1"), "not UTF-8"),
        ("empty.txt", "", "empty document"),
        ("title-only.txt", "Just a title\n\n", "no body text"),
        ("empty.jsonl", "\n\n", "empty document"),
    ],
)
def test_unreadable_files(
    tmp_path: pathlib.Path, name: str, content: str | bytes, message: str
) -> None:
    path = write(tmp_path, name, content)
    with pytest.raises(DocumentError, match=message) as error:
        list(read_documents(path))
    assert str(path) in str(error.value)


def test_missing_file(tmp_path: pathlib.Path) -> None:
    with pytest.raises(DocumentError, match="cannot read file"):
        list(read_documents(tmp_path / "gone.txt"))


def test_byte_order_mark_is_dropped(tmp_path: pathlib.Path) -> None:
    document = read_one(write(tmp_path, "bom.txt", "\ufeffHeadline\n\nBody."))
    assert document.title == "Headline"


@pytest.mark.parametrize("path", sorted((ROOT / "sources").glob("*.md")), ids=lambda p: p.stem)
def test_seed_sources_keep_the_seed_text(path: pathlib.Path) -> None:
    """Each curated seed keeps its article byte for byte; only the headline line moves."""
    document = read_one(path)
    assert document.source_id == path.stem
    assert document.origin == f"{path.stem}.txt"
    assert document.published_precision == "month"
    assert document.url is None
    seed = SEEDS / document.origin
    if not seed.exists():
        pytest.skip("shared seeds not available")
    original = seed.read_text(encoding="utf-8")
    headline_line, _, after_headline = original.partition("\n")
    assert document.text in (original, after_headline)
    assert document.title in original.splitlines()[:3] or headline_line.endswith(document.title)


@pytest.mark.skipif(not BENCHMARK.exists(), reason="shared benchmark not available")
def test_benchmark_reads_fast() -> None:
    started = time.perf_counter()
    documents = list(read_documents(BENCHMARK))
    elapsed = time.perf_counter() - started
    assert sum(len(d.given_passages) for d in documents) == 5240
    assert len({d.source_id for d in documents}) == len(documents)
    assert elapsed < 0.5
