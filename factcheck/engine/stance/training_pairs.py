"""Training pairs for the stance cross-encoder: (claim, passage, label), made the same way each run.

A cross-encoder reads a claim and a passage together and says whether the passage supports the
claim, refutes it, or says nothing about it. This module gathers the pairs it learns from, in pure
Python (no torch), deterministically for a seed:

- the labelled sets under ``shared/training/`` (Symmetric FEVER, Fool Me Twice with its same-page
  distractor sentences as unrelated, WiCE), whose licences the model card names; Symmetric FEVER's
  v0.2 test split is kept out, for measuring;
- CLIMATE-FEVER's claims at 0-based lines *not* divisible by 3 (the others are its test split:
  never trained on, and their evidence sentences are never used to make synthetic pairs);
- synthetic news pairs made from the seed articles' sentences (and, for variety, from
  CLIMATE-FEVER's non-test evidence): one thing changed makes a refuting claim (an actor of the same
  kind, a number, a year or month, a negation, a verb for its opposite, the two actors' roles), a
  clause or a paraphrase through the lexicon or the gazetteer makes a supporting one, and another
  sentence of the same or another article makes an unrelated one.

The labelled claim sets (``tests/claims/``, ``shared/claims/``) are never read here: they measure.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from factcheck.ingest.documents import read_documents
from factcheck.ingest.passages import build_passages
from factcheck.language import gazetteer, lexicon
from factcheck.language.numbers import months, number_words
from factcheck.language.word_readings import readings

LABELS = ("supports", "refutes", "neutral")  # the model's output order
SEED = 13
CLIMATE_TEST_EVERY = 3  # CLIMATE-FEVER lines at 0-based positions divisible by this are its test
# Shares of the final set by origin, before label balancing. The news share is the largest on
# purpose: a first trial without in-domain pairs sat near 0.5 on every on-topic news sentence.
SHARES = {
    "news": 0.42,
    "climate-synthetic": 0.10,
    "climate-fever": 0.14,
    "fever-symmetric": 0.14,
    "fool-me-twice": 0.14,
    "wice": 0.06,
}
MIN_CLAIM_WORDS = 4
MAX_CLAIM_WORDS = 28
FMT_DISTRACTORS_PER_CLAIM = 1
WICE_NEUTRAL_PER_CLAIM = 2
NEWS_ROUNDS = 4  # passes over the seed sentences: each draws other clauses and changes


@dataclass(frozen=True)
class Pair:
    """One training example; ``origin`` names the data it came from (for the model card)."""

    claim: str
    passage: str
    label: str  # one of LABELS
    origin: str


# --- the labelled sets ---------------------------------------------------------------------------


def _read_jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def _clean(text: str) -> str:
    """FEVER's tokenised text ("Telemundo -LRB- ... ,") read back as prose."""
    for token, char in (("-LRB-", "("), ("-RRB-", ")"), ("-LSB-", "["), ("-RSB-", "]")):
        text = text.replace(token, char)
    text = re.sub(r"\s+([,.;:)\]'])", r"\1", text)
    text = re.sub(r"([(\[])\s+", r"\1", text)
    return " ".join(text.replace(" 's", "'s").replace("``", '"').replace("''", '"').split())


def fever_symmetric_test(training_dir: Path) -> list[Pair]:
    """Symmetric FEVER v0.2's test pairs: for measuring only."""
    path = training_dir / "fever-symmetric" / "fever_symmetric_test.jsonl"
    return [
        Pair(_clean(row["claim"]), _clean(row["evidence"]), _fever_label(row), "fever-symmetric")
        for row in _read_jsonl(path)
    ]


def _fever_label(row: dict) -> str:
    return {"SUPPORTS": "supports", "REFUTES": "refutes"}[row.get("gold_label") or row["label"]]


def fever_symmetric_pairs(training_dir: Path) -> list[Pair]:
    """Symmetric FEVER's v0.2 dev and v0.1 pairs, minus anything that also appears in v0.2 test."""
    folder = training_dir / "fever-symmetric"
    held = {pair.claim for pair in fever_symmetric_test(training_dir)}
    held |= {pair.passage for pair in fever_symmetric_test(training_dir)}
    pairs = []
    for name in ("fever_symmetric_dev", "fever_symmetric_full", "fever_symmetric_generated"):
        for row in _read_jsonl(folder / f"{name}.jsonl"):
            claim = _clean(row["claim"])
            passage = _clean(row.get("evidence") or row["evidence_sentence"])
            if claim not in held and passage not in held:
                pairs.append(Pair(claim, passage, _fever_label(row), "fever-symmetric"))
    return pairs


def fool_me_twice_pairs(training_dir: Path, rng: random.Random) -> list[Pair]:
    """Each claim against its gold evidence, and against a same-page distractor as unrelated."""
    pairs = []
    for name in ("dev", "test"):
        for row in _read_jsonl(training_dir / "fool-me-twice" / f"{name}.jsonl"):
            label = {"SUPPORTS": "supports", "REFUTES": "refutes"}[row["label"]]
            gold = [item["text"] for item in row["gold_evidence"]]
            if gold:
                pairs.append(Pair(row["text"], " ".join(gold[:2]), label, "fool-me-twice"))
            distractors = [
                item["text"]
                for item in row["retrieved_evidence"]
                if item["text"] not in gold and len(item["text"].split()) >= 6
            ]
            for text in rng.sample(distractors, min(FMT_DISTRACTORS_PER_CLAIM, len(distractors))):
                pairs.append(Pair(row["text"], text, "neutral", "fool-me-twice"))
    return pairs


def wice_pairs(training_dir: Path, rng: random.Random) -> list[Pair]:
    """Supported WiCE claims against their supporting sentences; other sentences as unrelated.

    ``not_supported`` means the cited page does not back the claim, which is not a refutation,
    and ``partially_supported`` is neither label: both are used for unrelated pairs only.
    """
    pairs = []
    for name in ("dev", "test"):
        for row in _read_jsonl(training_dir / "wice" / f"{name}.jsonl"):
            sentences = row["evidence"]
            used = {index for group in row["supporting_sentences"] for index in group}
            if row["label"] == "supported" and row["supporting_sentences"]:
                group = row["supporting_sentences"][0]
                passage = " ".join(sentences[i] for i in group if i < len(sentences))
                pairs.append(Pair(row["claim"], passage, "supports", "wice"))
            others = [
                text
                for i, text in enumerate(sentences)
                if i not in used and len(text.split()) >= 8 and not text.startswith("(meta")
            ]
            for text in rng.sample(others, min(WICE_NEUTRAL_PER_CLAIM, len(others))):
                pairs.append(Pair(row["claim"], text, "neutral", "wice"))
    return pairs


def climate_fever_rows(benchmarks_dir: Path, *, test: bool) -> list[dict]:
    """CLIMATE-FEVER's claims of the test split (``test=True``) or of the rest."""
    rows = _read_jsonl(benchmarks_dir / "climate-fever" / "climate-fever.jsonl")
    return [row for line, row in enumerate(rows) if (line % CLIMATE_TEST_EVERY == 0) == test]


def climate_fever_pairs(rows: Iterable[dict]) -> list[Pair]:
    """Each claim against each of its evidence sentences, with that sentence's own label."""
    names = {"SUPPORTS": "supports", "REFUTES": "refutes", "NOT_ENOUGH_INFO": "neutral"}
    return [
        Pair(row["claim"], evidence["evidence"], names[evidence["evidence_label"]], "climate-fever")
        for row in rows
        for evidence in row["evidences"]
        if evidence["evidence_label"] in names
    ]


# --- synthetic pairs: what can be changed in a sentence ------------------------------------------

# A change is a (before, after) replacement of one span; applied to a clause it makes the claim,
# applied to the whole sentence it makes the passage (so both directions are seen in training).
Change = tuple[str, str]

AUXILIARIES = (
    "is", "are", "was", "were", "has", "have", "had", "will", "would", "can", "could",
    "should", "did", "does", "do", "must", "may",
)  # fmt: skip
NEGATIONS = (" not ", " never ", "n't ")
CLAUSE_BREAKS = re.compile(r";|, (?:but|while|as|after|although|which|who|because|where) |, ")
# Verb-like classes whose subject and object cannot be exchanged without changing the meaning;
# "meet" and the like are symmetric and left out.
DIRECTED_CLASSES = (
    "supply", "receive", "support", "condemn", "praise", "blame", "justify", "sanction", "kill",
    "allocate",
)  # fmt: skip
DEMONYM_ENDINGS = ("an", "ese", "ish", "i", "ch", "ian", "ic", "ot", "nn", "k")


@cache
def _countries() -> dict[str, tuple[str | None, str | None]]:
    """Country -> (its demonym, its capital), read from the gazetteer by the aliases' shapes."""
    table = {}
    for country, aliases in gazetteer.country_aliases().items():
        demonym = aliases[0] if aliases and aliases[0].endswith(DEMONYM_ENDINGS) else None
        capital = next(
            (a for a in aliases[1:] if not a.endswith(DEMONYM_ENDINGS) and not a.isupper()), None
        )
        table[country] = (demonym, capital)
    return table


@cache
def _entity_kinds() -> dict[str, list[str]]:
    """Kind -> the written names of that kind, so one can stand for another of the same kind."""
    countries = sorted(_countries())
    demonyms = sorted({d for d, _ in _countries().values() if d})
    capitals = sorted({c for _, c in _countries().values() if c})
    organisations = sorted(gazetteer.organisation_aliases())
    leaders = sorted(gazetteer.leaders())
    return {
        "country": countries,
        "demonym": demonyms,
        "capital": capitals,
        "organisation": organisations,
        "leader": leaders,
    }


@cache
def _entity_pattern() -> re.Pattern[str]:
    names = sorted({n for names in _entity_kinds().values() for n in names}, key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")\b")


@cache
def _kind_of() -> dict[str, str]:
    return {name: kind for kind, names in _entity_kinds().items() for name in names}


def entity_mentions(text: str) -> list[tuple[str, str, int]]:
    """The gazetteer's names in ``text``: (name, kind, start offset), in order."""
    kinds = _kind_of()
    return [(m.group(1), kinds[m.group(1)], m.start()) for m in _entity_pattern().finditer(text)]


def _replace_at(text: str, start: int, before: str, after: str) -> str:
    return text[:start] + after + text[start + len(before) :]


def swap_entity(text: str, rng: random.Random) -> Change | None:
    """An actor replaced by another of the same kind: "Iran supplied" -> "Turkey supplied"."""
    mentions = entity_mentions(text)
    if not mentions:
        return None
    name, kind, _ = rng.choice(mentions)
    present = {m[0] for m in mentions}
    choices = [n for n in _entity_kinds()[kind] if n not in present]
    return (name, rng.choice(choices)) if choices else None


def alias_entity(text: str, rng: random.Random) -> Change | None:
    """A country named by its capital, its leader or its government, or the reverse."""
    options: list[Change] = []
    leaders_of: dict[str, list[str]] = {}
    for leader, country in gazetteer.leaders().items():
        leaders_of.setdefault(country, []).append(leader)
    for name, kind, _ in entity_mentions(text):
        if kind == "country":
            demonym, capital = _countries()[name]
            if capital:
                options.append((name, capital))
            if demonym:
                options.append((name, f"the {demonym} government"))
        elif kind == "capital":
            country = next(c for c, (_, cap) in _countries().items() if cap == name)
            options.append((name, country))
        elif kind == "leader":
            surname = name.split()[-1]
            options.append((name, surname))
            options.append((name, f"{gazetteer.leaders()[name]}'s leader"))
    return rng.choice(options) if options else None


_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w])")
_YEAR = re.compile(r"^(1[89]|20)\d\d$")


def change_number(text: str, rng: random.Random) -> Change | None:
    """A count or amount changed: "141 countries" -> "114 countries", "seven" -> "nine"."""
    candidates: list[Change] = []
    for match in _NUMBER.finditer(text):
        word = match.group(1)
        if _YEAR.match(word):
            continue
        value = float(word.replace(",", ""))
        factor = rng.choice((0.5, 0.7, 1.3, 1.5, 2.0, 3.0))
        new = value * factor if value > 3 else value + rng.choice((2, 3, 5))
        if "." in word:
            text_new = f"{new:.1f}"
        elif "," in word:
            text_new = f"{round(new):,}"
        else:
            text_new = str(round(new))
        if text_new != word:
            candidates.append((word, text_new))
    words = number_words()
    spelled = {v: k for k, v in words.items() if 2 <= v <= 20}
    for word in re.findall(r"\b[a-z]+\b", text):
        if word in words and word in spelled.values():
            others = [
                w for v, w in sorted(spelled.items()) if w != word and abs(v - words[word]) > 1
            ]
            candidates.append((word, rng.choice(others)))
    return rng.choice(candidates) if candidates else None


def change_date(text: str, rng: random.Random) -> Change | None:
    """A year or a month changed: "in 2022" -> "in 2019", "February" -> "March"."""
    candidates: list[Change] = []
    for word in re.findall(r"\b(?:1[89]|20)\d\d\b", text):
        candidates.append((word, str(int(word) + rng.choice((-3, -2, -1, 1, 2, 3)))))
    names = sorted({m.capitalize() for m, n in months().items() if len(m) > 3}, key=str)
    for name in names:
        if re.search(rf"\b{name}\b", text):
            candidates.append((name, rng.choice([n for n in names if n != name])))
    return rng.choice(candidates) if candidates else None


def toggle_negation(text: str, rng: random.Random) -> Change | None:
    """A negation removed ("did not vote" -> "did vote") or inserted ("has sent" -> "has not
    sent")."""
    for negation in NEGATIONS:
        at = text.find(negation)
        if at >= 0:
            return (text[at : at + len(negation)], " " if negation != "n't " else " ")
    spots = [m for m in re.finditer(r"\b(" + "|".join(AUXILIARIES) + r") (?!not\b)", text)]
    if not spots:
        return None
    spot = rng.choice(spots)
    return (spot.group(0), f"{spot.group(1)} not ")


@cache
def _class_words() -> dict[str, tuple[str, ...]]:
    """Synonym class -> its single words (the classes' own names like "vote_for" left out)."""
    return {
        name: tuple(w for w in words if "_" not in w and " " not in w)
        for name, words in lexicon.synonym_classes().items()
    }


BASE_FORM_AFTER = frozenset(
    {"to", "will", "would", "not", "did", "could", "can", "should", "may", "might", "must"}
)


@cache
def _inflections(lemma: str, tag: str) -> tuple[str, ...]:
    """``lemma``'s forms for a Penn tag (lemminflect copies its tables on every call: cached)."""
    from lemminflect import getInflection

    return tuple(getInflection(lemma, tag=tag))


def _verb_tag(word: str, lemma: str, previous: str) -> str | None:
    """The Penn tag of ``word`` as a form of the verb ``lemma``, or None if it is not one.

    A bare form counts only after "to", a modal or "not", so nouns ("allies", "support") that
    share a verb's spelling are left alone.
    """
    for tag in ("VBD", "VBN", "VBZ", "VBG"):
        if word in _inflections(lemma, tag) and (tag != "VBZ" or previous not in ("the",)):
            return tag
    return "VB" if word == lemma and previous in BASE_FORM_AFTER else None


def _verb_lemma(word: str) -> str | None:
    """The verb ``word`` is a form of, from lemminflect's dictionary only (no guessing)."""
    lemmas = readings(word.lower()).get("VERB")
    return lemmas[0] if lemmas else None


def _word_changes(text: str, pairs_of: Callable[[str], list[str]]) -> list[Change]:
    changes = []
    for match in re.finditer(r"\b[a-z]{3,}\b", text):
        word = match.group(0)
        lemma = _verb_lemma(word)
        others = pairs_of(lemma) if lemma else []
        if not lemma or not others:
            continue
        before = text[: match.start()].split()
        tag = _verb_tag(word, lemma, before[-1].lower() if before else "")
        if not tag:
            continue
        for other in others:
            forms = _inflections(other, tag) if tag != "VB" else (other,)
            if forms and forms[0] != word:
                changes.append((word, forms[0]))
    return changes


def _classes_of(lemma: str) -> list[str]:
    return [name for name, words in _class_words().items() if lemma in words]


def opposite_verb(text: str, rng: random.Random) -> Change | None:
    """A verb replaced by one of its lexicon opposites: "condemned" -> "praised"."""
    opposite_classes: dict[str, list[str]] = {}
    for left, right in lexicon.antonym_pairs():
        opposite_classes.setdefault(left, []).append(right)
        opposite_classes.setdefault(right, []).append(left)

    def opposites_of(lemma: str) -> list[str]:
        found = []
        for name in _classes_of(lemma) or [lemma]:
            for other in opposite_classes.get(name, []):
                found += list(_class_words().get(other, (other,)))[:3]
        return [w for w in found if _verb_lemma(w) == w and w != lemma]

    changes = _word_changes(text, opposites_of)
    return rng.choice(changes) if changes else None


def synonym_verb(text: str, rng: random.Random) -> Change | None:
    """A verb replaced by another of its synonym class: "supplied" -> "provided"."""

    def synonyms_of(lemma: str) -> list[str]:
        classes = _classes_of(lemma)
        if len(classes) != 1:  # a word in two classes ("oppose") is ambiguous: leave it
            return []
        return [w for w in _class_words()[classes[0]] if w != lemma and _verb_lemma(w) == w]

    changes = _word_changes(text, synonyms_of)
    return rng.choice(changes) if changes else None


def swap_roles(text: str, rng: random.Random) -> str | None:
    """Two actors of a directed act exchanged: "Iran sold drones to Russia" -> "Russia ... Iran"."""
    mentions = entity_mentions(text)
    for (first, kind, start), (second, other, end) in zip(mentions, mentions[1:], strict=False):
        between = text[start + len(first) : end]
        if first == second or kind != other or re.search(r"\band\b|,|\bor\b", between):
            continue
        lemmas = [_verb_lemma(w) for w in re.findall(r"[a-z]+", between)]
        if not any(lemma and set(_classes_of(lemma)) & set(DIRECTED_CLASSES) for lemma in lemmas):
            continue
        return text[:start] + second + between + first + text[end + len(second) :]
    return None


REFUTING_CHANGES: tuple[Callable[[str, random.Random], Change | None], ...] = (
    swap_entity,
    change_number,
    change_date,
    toggle_negation,
    opposite_verb,
)
SUPPORTING_CHANGES: tuple[Callable[[str, random.Random], Change | None], ...] = (
    alias_entity,
    synonym_verb,
)


# --- synthetic pairs: from sentences to pairs ----------------------------------------------------


def claim_clauses(sentence: str) -> list[str]:
    """Short claims a sentence asserts: its first clause, and the sentence if it is short."""
    text = sentence.strip().rstrip(".!?\"'”’ ")
    text = re.sub(r"^(?:But|And|However|Meanwhile|Still|Yet|So),?\s+", "", text)
    clauses = []
    first = CLAUSE_BREAKS.split(text, maxsplit=1)[0].strip()
    if MIN_CLAIM_WORDS <= len(first.split()) <= MAX_CLAIM_WORDS:
        clauses.append(first)
    if first != text and MIN_CLAIM_WORDS <= len(text.split()) <= MAX_CLAIM_WORDS:
        clauses.append(text)
    return [c[0].upper() + c[1:] for c in clauses if c and c[0].isalnum()]


def _apply(text: str, change: Change) -> str:
    before, after = change
    at = text.find(before)
    return text if at < 0 else _replace_at(text, at, before, after)


def sentence_pairs(
    sentence: str,
    same_topic: Sequence[str],
    other_topic: Sequence[str],
    rng: random.Random,
    origin: str,
) -> list[Pair]:
    """Pairs made from one sentence: supporting, refuting and unrelated claims about it."""
    clauses = claim_clauses(sentence)
    if not clauses:
        return []
    claim = rng.choice(clauses)
    pairs = [Pair(claim, sentence, "supports", origin)]
    for make in SUPPORTING_CHANGES:
        change = make(claim, rng)
        if change:
            pairs.append(Pair(_apply(claim, change), sentence, "supports", origin))
    for make in REFUTING_CHANGES:
        change = make(claim, rng)
        if not change:
            continue
        changed = _apply(claim, change)
        if changed == claim:
            continue
        if rng.random() < 0.3 and change[0] in sentence:
            # The other direction: the claim is as written, the passage was changed.
            pairs.append(Pair(claim, _apply(sentence, change), "refutes", origin))
        else:
            pairs.append(Pair(changed, sentence, "refutes", origin))
    swapped = swap_roles(claim, rng)
    if swapped:
        pairs.append(Pair(swapped, sentence, "refutes", origin))
    neighbours = [s for s in same_topic if s != sentence and _overlap(s, claim) < 0.5]
    if neighbours:
        pairs.append(Pair(claim, rng.choice(neighbours), "neutral", origin))
    if other_topic:
        pairs.append(Pair(claim, rng.choice(other_topic), "neutral", origin))
    return pairs


def _overlap(left: str, right: str) -> float:
    a, b = _word_set(left), _word_set(right)
    return len(a & b) / max(1, min(len(a), len(b)))


@lru_cache(maxsize=65536)
def _word_set(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"\w+", text.lower()))


def seed_sentences(sources_dir: Path) -> dict[str, list[str]]:
    """Each seed article's sentences (page noise left out), by source id, in file order."""
    articles: dict[str, list[str]] = {}
    for path in sorted(sources_dir.iterdir()):
        if path.name.startswith("."):
            continue
        for document in read_documents(path):
            sentences = [
                " ".join(d.text.split())
                for d in build_passages(document)
                if d.excluded_reason is None and len(d.text.split()) >= 5
            ]
            articles[document.source_id] = sentences
    return articles


def news_pairs(articles: dict[str, list[str]], rng: random.Random) -> list[Pair]:
    """Synthetic pairs from every sentence of the seed articles, over :data:`NEWS_ROUNDS`
    passes (there are few sentences; each pass draws other changes), without repeats."""
    pairs: dict[tuple[str, str], Pair] = {}
    for _ in range(NEWS_ROUNDS):
        for source, sentences in sorted(articles.items()):
            others = [s for o, texts in sorted(articles.items()) if o != source for s in texts]
            for sentence in sentences:
                for pair in sentence_pairs(sentence, sentences, others, rng, "news"):
                    pairs.setdefault((pair.claim, pair.passage), pair)
    return list(pairs.values())


def climate_synthetic_pairs(rows: Sequence[dict], rng: random.Random) -> list[Pair]:
    """Synthetic pairs from the non-test claims' evidence sentences, grouped by article."""
    by_article: dict[str, list[str]] = {}
    for row in rows:
        for evidence in row["evidences"]:
            by_article.setdefault(evidence["article"], []).append(evidence["evidence"])
    everything = [s for _, texts in sorted(by_article.items()) for s in texts]
    pairs = []
    for _, sentences in sorted(by_article.items()):
        for sentence in sentences:
            pairs += sentence_pairs(sentence, sentences, everything, rng, "climate-synthetic")
    return pairs


# --- the whole set -------------------------------------------------------------------------------


def build_pairs(
    training_dir: Path,
    benchmarks_dir: Path,
    sources_dir: Path,
    *,
    max_pairs: int,
    seed: int = SEED,
) -> list[Pair]:
    """The training set: at most ``max_pairs`` pairs, shared out by :data:`SHARES`, labels
    balanced within each origin as far as it has them, shuffled; the same for the same seed."""
    rng = random.Random(seed)
    test_rows = climate_fever_rows(benchmarks_dir, test=True)
    test_passages = {e["evidence"] for row in test_rows for e in row["evidences"]}
    train_rows = climate_fever_rows(benchmarks_dir, test=False)
    synthetic_rows = [
        {**row, "evidences": [e for e in row["evidences"] if e["evidence"] not in test_passages]}
        for row in train_rows
    ]
    by_origin = {
        "news": news_pairs(seed_sentences(sources_dir), rng),
        "climate-synthetic": climate_synthetic_pairs(synthetic_rows, rng),
        "climate-fever": climate_fever_pairs(train_rows),
        "fever-symmetric": fever_symmetric_pairs(training_dir),
        "fool-me-twice": fool_me_twice_pairs(training_dir, rng),
        "wice": wice_pairs(training_dir, rng),
    }
    chosen: list[Pair] = []
    for origin, share in SHARES.items():
        pool = [p for p in by_origin[origin] if p.passage not in test_passages]
        chosen += _balanced(pool, round(max_pairs * share), rng)
    rng.shuffle(chosen)
    return chosen[:max_pairs]


def _balanced(pairs: Sequence[Pair], count: int, rng: random.Random) -> list[Pair]:
    """Up to ``count`` pairs, as even across labels as the pool allows (no repeats)."""
    by_label = {label: [p for p in pairs if p.label == label] for label in LABELS}
    for group in by_label.values():
        rng.shuffle(group)
    chosen: list[Pair] = []
    remaining = count
    labels = sorted((label for label in LABELS if by_label[label]), key=lambda k: len(by_label[k]))
    for position, label in enumerate(labels):
        take = min(len(by_label[label]), remaining // (len(labels) - position))
        chosen += by_label[label][:take]
        remaining -= take
    return chosen


def label_counts(pairs: Iterable[Pair]) -> dict[str, dict[str, int]]:
    """Origin -> label -> count, for the model card."""
    counts: dict[str, dict[str, int]] = {}
    for pair in pairs:
        counts.setdefault(pair.origin, dict.fromkeys(LABELS, 0))[pair.label] += 1
    return counts
