"""Tests for passage building: stable ids, hashes, given passages and the real seed sources."""

from __future__ import annotations

import dataclasses
import hashlib
import pathlib
import time

import pytest

from factcheck.ingest.documents import Document, read_documents
from factcheck.ingest.passages import CONTEXT_SENTENCES, build_passages, normalise_text

SOURCES = pathlib.Path(__file__).parents[2] / "sources"

BODY = """Belarus let troops cross its border. Drills went on for weeks.

Iran sold drones to Moscow.

Drills went on for weeks.
"""


def make_document(text: str = BODY, source_id: str = "demo") -> Document:
    return Document(source_id=source_id, title="Allies of Moscow", text=text)


def ids_by_text(document: Document) -> dict[tuple[str, int], str]:
    """Map (text, occurrence) to id, so documents of different shapes can be compared."""
    seen: dict[str, int] = {}
    result = {}
    for passage in build_passages(document):
        occurrence = seen.get(passage.text, 0)
        seen[passage.text] = occurrence + 1
        result[(passage.text, occurrence)] = passage.passage_id
    return result


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  a \t b\n c  ", "a b c"),
        ("Cafe\u0301", "Café"),  # NFC composes the accent
        ("", ""),
    ],
)
def test_normalise_text(text: str, expected: str) -> None:
    assert normalise_text(text) == expected


def test_passages_follow_paragraphs_and_sentences() -> None:
    passages = build_passages(make_document())
    assert [(p.paragraph, p.position, p.text) for p in passages] == [
        (0, 0, "Belarus let troops cross its border."),
        (0, 1, "Drills went on for weeks."),
        (1, 2, "Iran sold drones to Moscow."),
        (2, 3, "Drills went on for weeks."),
    ]
    assert passages[1].context == "Belarus let troops cross its border. Drills went on for weeks."
    assert {p.source_id for p in passages} == {"demo"}


def test_content_hash_is_sha256_of_normalised_text() -> None:
    passage = build_passages(make_document("Iran   sold\tdrones."))[0]
    assert passage.content_hash == hashlib.sha256(b"Iran sold drones.").hexdigest()


def test_ids_are_stable_across_reimport() -> None:
    assert build_passages(make_document()) == build_passages(make_document())


def test_ids_have_source_prefix_and_depend_on_source() -> None:
    first = build_passages(make_document(source_id="a"))[0].passage_id
    second = build_passages(make_document(source_id="b"))[0].passage_id
    assert first.startswith("a:") and second.startswith("b:")
    assert first.split(":")[1] != second.split(":")[1]


def test_duplicate_sentences_get_distinct_ids() -> None:
    passages = build_passages(make_document())
    assert passages[1].text == passages[3].text
    assert passages[1].passage_id != passages[3].passage_id
    assert len({p.passage_id for p in passages}) == len(passages)
    assert passages[3].excluded_reason == "duplicate of an earlier passage"


@pytest.mark.parametrize(
    "edited",
    [
        BODY.replace("Iran sold drones to Moscow.", "Iran sold many drones to Moscow."),
        "A new opening paragraph.\n\n" + BODY,
        BODY.replace("\n\nIran sold drones to Moscow.", ""),
        BODY.replace("Belarus let", "Belarus   let"),  # whitespace only: nothing changes
    ],
)
def test_editing_one_paragraph_keeps_other_ids(edited: str) -> None:
    before = ids_by_text(make_document())
    after = ids_by_text(make_document(edited))
    kept = set(before) & set(after)
    assert kept  # the edit left some passages alone
    assert all(before[key] == after[key] for key in kept)


def test_whitespace_variants_share_an_id() -> None:
    tight = build_passages(make_document("Iran sold drones."))[0]
    loose = build_passages(make_document("Iran  sold\n drones."))[0]
    assert tight.passage_id == loose.passage_id


def test_given_passages_keep_their_ids() -> None:
    document = dataclasses.replace(
        make_document(),
        given_passages=(("Wiki:3", "Sea ice is thinning."), ("Wiki:9", "Glaciers retreat.")),
    )
    passages = build_passages(document)
    assert [(p.passage_id, p.position, p.paragraph, p.text, p.context) for p in passages] == [
        ("Wiki:3", 0, 0, "Sea ice is thinning.", "Sea ice is thinning."),
        ("Wiki:9", 1, 1, "Glaciers retreat.", "Glaciers retreat."),
    ]
    assert all(p.excluded_reason is None for p in passages)


def test_widget_and_headline_are_excluded() -> None:
    body = "Allies of Moscow\n\nReal news here.\n  • Oops!\n    Something went wrong.\n"
    reasons = {p.text: p.excluded_reason for p in build_passages(make_document(body))}
    assert reasons == {
        "Allies of Moscow": "duplicate headline",
        "Real news here.": None,
        "• Oops!": "widget text",
        "Something went wrong.": "widget text",
    }


@pytest.mark.parametrize("path", sorted(SOURCES.glob("*.md")), ids=lambda path: path.stem)
def test_seed_sources_yield_passages_without_widget_text(path: pathlib.Path) -> None:
    (document,) = read_documents(path)
    passages = build_passages(document)
    kept = [p for p in passages if p.excluded_reason is None]
    assert len(kept) >= 15
    assert len({p.passage_id for p in passages}) == len(passages)
    for passage in passages:
        if "Something went wrong" in passage.text or "Oops!" in passage.text:
            assert passage.excluded_reason == "widget text"
        if "ATTENTION EDITORS" in passage.text or passage.text.endswith("AFP /)"):
            assert passage.excluded_reason in {"photo caption", "photo credit"}


def test_seed_sources_exist() -> None:
    assert len(sorted(SOURCES.glob("*.md"))) == 5
    widget = [
        p
        for path in SOURCES.glob("*.md")
        for document in read_documents(path)
        for p in build_passages(document)
        if "Something went wrong" in p.text
    ]
    assert widget and all(p.excluded_reason == "widget text" for p in widget)


def test_seed_caption_excluded_but_repeated_sentence_kept() -> None:
    """004 repeats a news sentence as a credited caption: only the caption is noise."""
    (document,) = read_documents(SOURCES / "004_34c835fe75e3efa6.md")
    matches = [p for p in build_passages(document) if p.text.startswith("Putin met last Wednesday")]
    assert [p.excluded_reason for p in matches] == [None, "photo caption"]


# Hostile text (issue 12, finding 1) ----------------------------------------------------------

REPEATED = "Iran supplied drones to Russia in 2022, officials said. "


def test_a_megabyte_paragraph_is_split_in_seconds_with_bounded_context() -> None:
    """One paragraph of 1 MB (no blank lines): linear work, and no passage carries it all."""
    text = REPEATED * (1_000_000 // len(REPEATED))
    started = time.perf_counter()
    passages = build_passages(make_document(text))
    assert time.perf_counter() - started < 20
    assert len(passages) == text.count(". ")
    longest = max(len(passage.context) for passage in passages)
    assert longest <= CONTEXT_SENTENCES * len(REPEATED)


def test_context_is_a_window_of_sentences_within_the_paragraph() -> None:
    sentences = [f"Sentence number {number} is here." for number in range(40)]
    passages = build_passages(make_document(" ".join(sentences)))
    for position, passage in enumerate(passages):
        window = passage.context.split(" is here. ")
        assert passage.text in passage.context
        assert len(window) == CONTEXT_SENTENCES
        assert all(other in passage.context for other in sentences[max(0, position - 5) :][:6])


def test_ordinary_paragraphs_keep_their_whole_paragraph_as_context() -> None:
    paragraph = " ".join(f"Short sentence {number} here." for number in range(CONTEXT_SENTENCES))
    passages = build_passages(make_document(paragraph + "\n\nAnother paragraph."))
    assert [p.context for p in passages[:-1]] == [paragraph] * CONTEXT_SENTENCES
    assert passages[-1].context == "Another paragraph."
