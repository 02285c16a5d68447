"""Corpora for the benchmarks: real sentences, varied, at any size; and the claims to check.

The sentences are CLIMATE-FEVER's 5,240 Wikipedia evidence sentences and the seed articles'
passages. A corpus of ``size`` passages holds them all (or a sample, below their count), then
variants made from them until it is full: a sentence's opening clause joined to another
sentence's closing clause, names swapped for other names and numbers for other numbers found in
the same text. Variants keep the vocabulary, sentence lengths and term statistics of real
prose (random words would make every posting list short and every search fast). The output is a
JSON Lines collection that ``factcheck import`` reads: passages grouped under titles of about
:data:`PASSAGES_PER_TITLE`, each title one source. Deterministic for a given seed.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from pathlib import Path

from factcheck.ingest.documents import read_documents
from factcheck.ingest.passages import build_passages

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
CLIMATE_PASSAGES = SHARED / "benchmarks" / "climate-fever" / "passages.jsonl"
CLIMATE_CLAIMS = SHARED / "benchmarks" / "climate-fever" / "climate-fever.jsonl"
DEV_CLAIMS = SHARED / "claims" / "dev.jsonl"
SEED_SOURCES = ROOT / "sources"
PASSAGES_PER_TITLE = 20

NAME = re.compile(r"(?<=\s)[A-Z][a-z]{2,}(?:\s[A-Z][a-z]{2,})?")
NUMBER = re.compile(r"\b\d[\d,.]*\d\b|\b\d\b")
CLAUSE_BREAK = re.compile(r",\s+|\s+(?:and|but|while|which|because|as)\s+|;\s+")


def seed_sentences() -> list[tuple[str, str]]:
    """(title, sentence) pairs: the seed articles' active passages (in the repository)."""
    sentences: list[tuple[str, str]] = []
    for path in sorted(SEED_SOURCES.glob("*.md")):
        for document in read_documents(path):
            sentences += [
                (document.title, draft.text)
                for draft in build_passages(document)
                if draft.excluded_reason is None
            ]
    return sentences


def real_sentences() -> list[tuple[str, str]]:
    """(title, sentence) pairs: the seed articles' active passages and CLIMATE-FEVER's."""
    sentences = seed_sentences()
    with open(CLIMATE_PASSAGES, encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            sentences.append((record["title"], record["text"]))
    return sentences


def vary(sentences: list[tuple[str, str]], rng: random.Random) -> Iterator[tuple[str, str]]:
    """Endless variants of ``sentences``: clauses recombined, names and numbers swapped."""
    texts = [text for _title, text in sentences]
    names = sorted({match for text in texts for match in NAME.findall(text)})
    numbers = sorted({match for text in texts for match in NUMBER.findall(text)})
    while True:
        title, text = rng.choice(sentences)
        if rng.random() < 0.6:
            other = rng.choice(texts)
            head, tail = _clauses(text, rng), _clauses(other, rng)
            if head and tail:
                text = f"{head[0]}, {tail[1]}"
        if names and rng.random() < 0.7:
            text = NAME.sub(lambda m: rng.choice(names) if rng.random() < 0.5 else m[0], text)
        if numbers and rng.random() < 0.7:
            text = NUMBER.sub(lambda _m: rng.choice(numbers), text)
        yield title, text


def _clauses(text: str, rng: random.Random) -> tuple[str, str] | None:
    """``text`` cut at one of its clause breaks: (before, after), or None if it has none."""
    breaks = list(CLAUSE_BREAK.finditer(text))
    if not breaks:
        return None
    cut = rng.choice(breaks)
    return text[: cut.start()], text[cut.end() :]


def write_corpus(
    path: Path,
    size: int,
    *,
    seed: int = 6,
    sentences: list[tuple[str, str]] | None = None,
    prefix: str = "p",
) -> int:
    """Write a corpus of ``size`` passages to ``path`` (JSON Lines); return how many.

    ``sentences`` defaults to :func:`real_sentences`; ``prefix`` starts every passage id.
    """
    rng = random.Random(seed)
    sentences = sentences or real_sentences()
    chosen = sentences if size >= len(sentences) else rng.sample(sentences, size)
    variants = vary(sentences, rng)
    written = 0
    with open(path, "w", encoding="utf-8") as out:
        group: list[str] = []
        group_title = ""
        for number in range(size):
            title, text = chosen[number] if number < len(chosen) else next(variants)
            if not group or len(group) >= PASSAGES_PER_TITLE:
                group_title = f"{title} ({prefix}{number // PASSAGES_PER_TITLE})"
                group = []
            group.append(text)
            record = {"id": f"{prefix}{number}", "title": group_title, "text": text}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            written += 1
    return written


def claims(count: int, *, seed: int = 6) -> list[str]:
    """``count`` claims: every dev claim (about the seed articles), then CLIMATE-FEVER's."""
    found = [json.loads(line)["claim"] for line in DEV_CLAIMS.read_text().splitlines() if line]
    climate = [json.loads(line)["claim"] for line in CLIMATE_CLAIMS.read_text().splitlines()]
    random.Random(seed).shuffle(climate)
    found += climate
    return found[:count]
