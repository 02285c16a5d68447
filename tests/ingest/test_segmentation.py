"""Tests for paragraph and sentence splitting."""

from __future__ import annotations

import json
import pathlib
import time

import pytest

from factcheck.ingest.segmentation import split_paragraphs, split_sentences

BENCHMARK = pathlib.Path(__file__).parents[2] / ".." / "shared" / "benchmarks" / "climate-fever"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One.\n\nTwo.\n", ["One.", "Two."]),
        ("Heading?\nA paragraph right under it.", ["Heading?", "A paragraph right under it."]),
        (
            "Caption line.\n  • Oops!\n    It broke.\n    Try later.\n  • Again!\n    Broke.",
            ["Caption line.", "• Oops! It broke. Try later.", "• Again! Broke."],
        ),
        (
            "  Indented first line\n\n   after a blank line",
            ["Indented first line", "after a blank line"],
        ),
        ("Tabs\tand   spaces   inside.", ["Tabs and spaces inside."]),
        ("Windows\r\n\r\nline endings", ["Windows", "line endings"]),
        ("\n\n   \n", []),
    ],
)
def test_split_paragraphs(text: str, expected: list[str]) -> None:
    assert split_paragraphs(text) == expected


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        ("It rained. Then it stopped.", ["It rained.", "Then it stopped."]),
        ("Did it? Yes! It did.", ["Did it?", "Yes!", "It did."]),
        # Abbreviations and titles.
        ("The U.S. Senate met. Then it rose.", ["The U.S. Senate met.", "Then it rose."]),
        (
            "Talks at the U.N. Security Council went on.",
            ["Talks at the U.N. Security Council went on."],
        ),
        ("The U.K. Parliament voted.", ["The U.K. Parliament voted."]),
        (
            "Sanctions came from the U.S. The talks failed.",
            ["Sanctions came from the U.S.", "The talks failed."],
        ),
        (
            "Mr. Ortega and Mrs. Murillo spoke to Dr. Lee.",
            ["Mr. Ortega and Mrs. Murillo spoke to Dr. Lee."],
        ),
        (
            "He flew to St. Petersburg on Jan. 3 and left.",
            ["He flew to St. Petersburg on Jan. 3 and left."],
        ),
        (
            "Troops stayed until Feb. 20, the ministry said.",
            ["Troops stayed until Feb. 20, the ministry said."],
        ),
        (
            "Gen. Smith met Sen. Jones at No. 10 Downing Street.",
            ["Gen. Smith met Sen. Jones at No. 10 Downing Street."],
        ),
        (
            "Allies, e.g. Belarus, agreed. Others, i.e. most, did not.",
            ["Allies, e.g. Belarus, agreed.", "Others, i.e. most, did not."],
        ),
        (
            "Tanks, jets, etc. were sent. Aid followed.",
            ["Tanks, jets, etc. were sent.", "Aid followed."],
        ),
        # Initials.
        ("A book by J. R. R. Tolkien sold well.", ["A book by J. R. R. Tolkien sold well."]),
        # Numbers.
        (
            "Aid reached $76.8 billion. Europe gave less.",
            ["Aid reached $76.8 billion.", "Europe gave less."],
        ),
        ("Some 7,200 civilians died, a 3.5% rise.", ["Some 7,200 civilians died, a 3.5% rise."]),
        (
            "The vote ended in 2019. 141 states backed it.",
            ["The vote ended in 2019.", "141 states backed it."],
        ),
        ("1. Belarus", ["1. Belarus"]),
        # Ellipses.
        ("Firms... supply parts to them.", ["Firms... supply parts to them."]),
        ("Firms… supply parts.", ["Firms… supply parts."]),
        ("He paused... Then he spoke.", ["He paused...", "Then he spoke."]),
        # Quotes stay with the sentence they close.
        (
            'He said it "was failing".  Next came talks.',
            ['He said it "was failing".', "Next came talks."],
        ),
        ('"We will win." The crowd cheered.', ['"We will win."', "The crowd cheered."]),
        ("“We will win,” he said. “Soon.”", ["“We will win,” he said.", "“Soon.”"]),
        ("‘It is over.’ She left.", ["‘It is over.’", "She left."]),
        ('He said. "Next one starts here."', ["He said.", '"Next one starts here."']),
        # A trailing credit in parentheses stays with its caption.
        ("A leader spoke in Moscow. (Reuters)", ["A leader spoke in Moscow. (Reuters)"]),
        ("lower case after a stop. stays together", ["lower case after a stop. stays together"]),
        ("", []),
    ],
)
def test_split_sentences(paragraph: str, expected: list[str]) -> None:
    assert split_sentences(paragraph) == expected


def test_sentences_keep_original_characters() -> None:
    """Sentences are slices of the paragraph: spacing and typography are not rewritten."""
    paragraph = "It’s “odd”—isn’t it?  Two  spaces stay… Quite so."
    assert split_sentences(paragraph) == ["It’s “odd”—isn’t it?", "Two  spaces stay…", "Quite so."]


@pytest.mark.skipif(not BENCHMARK.exists(), reason="shared benchmark not available")
def test_benchmark_passages_split_fast() -> None:
    lines = (BENCHMARK / "passages.jsonl").read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["text"] for line in lines]
    started = time.perf_counter()
    count = sum(len(split_sentences(paragraph)) for paragraph in texts)
    assert time.perf_counter() - started < 0.5
    assert count >= len(texts)


# Hostile text (issue 12, finding 1): splitting must stay linear whatever a paste holds. Each
# of these took seconds to hours before: a run of dots backtracked exponentially, and every
# dotted acronym copied the rest of the paragraph.
@pytest.mark.parametrize(
    "paragraph",
    [
        "a" + "." * 26 + "x",
        "a" + "." * 200_000 + "x",
        "U.S. Navy " * 100_000,
        "Iran supplied drones to Russia, officials said. " * 20_000,
    ],
    ids=["dot-run", "long-dot-run", "acronyms", "one-sentence-repeated"],
)
def test_split_sentences_is_linear_on_hostile_paragraphs(paragraph: str) -> None:
    started = time.perf_counter()
    sentences = split_sentences(paragraph)
    assert time.perf_counter() - started < 2
    assert sentences and "".join(sentences).replace(" ", "") == paragraph.replace(" ", "")
