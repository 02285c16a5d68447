"""The stance cross-encoder on labelled pairs: macro-F1, recall per label, and its cost.

Run from the project root (``../shared`` beside it)::

    python tests/benchmarks/cross_encoder_pairs.py [--model PATH] [--limit N]

Three sets of (claim, passage, label) pairs, none of them trained on:

(a) Symmetric FEVER v0.2 test (712 pairs, supports / refutes);
(b) CLIMATE-FEVER's test split (claims at 0-based lines divisible by 3), each claim against each
    of its five evidence sentences with that sentence's label (report only);
(c) news: each claim of ``tests/claims/heldout-1..4.jsonl`` and ``../shared/claims/dev.jsonl``
    labelled supported or refuted, against each seed sentence holding one of its gold phrases
    (supports / refutes); and every claim with evidence against two other sentences of the same
    article, drawn at random (seed 13), as neutral.

``--validation`` scores instead the training pool's pairs that a ``--max-pairs 5000`` run did
not train on (the rest of ``build_pairs(max_pairs=10000)``), by origin: the set that chose the
learning rate, so that the three sets above are only ever reported.

Macro-F1 is over the labels the set holds (a neutral answer on a FEVER pair counts against the
label it should have been). It also prints the median milliseconds to score a batch of 8 pairs
on one thread. Not collected by pytest.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from factcheck.engine.stance.training_pairs import (  # noqa: E402
    build_pairs,
    climate_fever_pairs,
    climate_fever_rows,
    fever_symmetric_test,
)
from factcheck.ingest.documents import read_documents  # noqa: E402
from factcheck.ingest.passages import build_passages  # noqa: E402
from factcheck.language.cross_encoder import LABELS, CrossEncoder, model_path  # noqa: E402

SHARED = ROOT.parent / "shared"
NEWS_CLAIMS = [ROOT / "tests" / "claims" / f"heldout-{n}.jsonl" for n in (1, 2, 3, 4)] + [
    SHARED / "claims" / "dev.jsonl"
]
NEUTRAL_PER_CLAIM = 2
SEED = 13

Triple = tuple[str, str, str]


def news_pairs() -> list[Triple]:
    """(claim, sentence, label) from the labelled news claims against the seed sentences."""
    sentences: dict[str, list[str]] = {}
    for path in sorted((ROOT / "sources").glob("*.md")):
        for document in read_documents(path):
            sentences[document.source_id] = [
                " ".join(d.text.split()) for d in build_passages(document)
            ]
    rng = random.Random(SEED)
    triples: list[Triple] = []
    for path in NEWS_CLAIMS:
        for line in path.read_text().splitlines():
            if not line.strip():
                continue
            claim = json.loads(line)
            evidence = claim.get("evidence") or []
            if not evidence:
                continue
            gold: set[tuple[str, str]] = set()
            for item in evidence:
                phrase = " ".join(item["phrase"].split())
                for sentence in sentences.get(item["source"], []):
                    if phrase in sentence:
                        gold.add((item["source"], sentence))
            label = {"supported": "supports", "refuted": "refutes"}.get(claim["label"])
            if label:
                triples += [(claim["claim"], sentence, label) for _, sentence in sorted(gold)]
            source = evidence[0]["source"]
            others = [
                s
                for s in sentences.get(source, [])
                if (source, s) not in gold and len(s.split()) >= 5
            ]
            for sentence in rng.sample(others, min(NEUTRAL_PER_CLAIM, len(others))):
                triples.append((claim["claim"], sentence, "neutral"))
    return triples


def figures(model: CrossEncoder, triples: list[Triple]) -> dict[str, object]:
    """Macro-F1 over the labels present, recall per label, and the confusion counts."""
    scores = model.score([(claim, passage) for claim, passage, _ in triples])
    predicted = [LABELS[i] for i in scores.argmax(axis=1)]
    gold = [label for _, _, label in triples]
    present = [label for label in LABELS if label in gold]
    f1s, recalls = [], {}
    for label in present:
        tp = sum(p == g == label for p, g in zip(predicted, gold, strict=True))
        fp = sum(p == label != g for p, g in zip(predicted, gold, strict=True))
        fn = sum(g == label != p for p, g in zip(predicted, gold, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        recalls[label] = round(recall, 3)
        f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    confusion = {
        g: {p: sum(a == g and b == p for a, b in zip(gold, predicted, strict=True)) for p in LABELS}
        for g in present
    }
    accuracy = sum(p == g for p, g in zip(predicted, gold, strict=True)) / len(gold)
    return {
        "pairs": len(triples),
        "macro_f1": round(float(np.mean(f1s)), 3),
        "accuracy": round(accuracy, 3),
        "recall": recalls,
        "confusion (gold -> predicted)": confusion,
    }


def batch_milliseconds(model: CrossEncoder, triples: list[Triple], batches: int = 40) -> float:
    """Median milliseconds to score 8 pairs (one batch) on one thread."""
    pairs = [(claim, passage) for claim, passage, _ in triples]
    times = []
    for start in range(0, min(len(pairs), batches * 8), 8):
        began = time.perf_counter()
        model.score(pairs[start : start + 8])
        times.append((time.perf_counter() - began) * 1000)
    return round(statistics.median(times), 1)


TRAINED_PAIRS = 5000
POOL_PAIRS = 10000


def validation_sets() -> dict[str, list[Triple]]:
    """Pool pairs a ``--max-pairs 5000`` run never saw, by origin, and all of them together."""
    args = (SHARED / "training", SHARED / "benchmarks", ROOT / "sources")
    trained = {(p.claim, p.passage) for p in build_pairs(*args, max_pairs=TRAINED_PAIRS)}
    unseen = [
        p for p in build_pairs(*args, max_pairs=POOL_PAIRS) if (p.claim, p.passage) not in trained
    ]
    sets: dict[str, list[Triple]] = {"validation (all)": []}
    for pair in unseen:
        sets.setdefault(f"validation {pair.origin}", []).append(
            (pair.claim, pair.passage, pair.label)
        )
        sets["validation (all)"].append((pair.claim, pair.passage, pair.label))
    return sets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--model",
        type=Path,
        default=None,
        help="an ONNX file (default: where model train writes it)",
    )
    parser.add_argument("--limit", type=int, default=None, help="pairs per set, at most")
    parser.add_argument("--validation", action="store_true", help="the unseen pool pairs only")
    args = parser.parse_args()
    model = CrossEncoder(args.model or model_path(), threads=1)
    if args.validation:
        for name, triples in validation_sets().items():
            print(name, json.dumps(figures(model, triples)))
        return
    sets = {
        "fever-symmetric v0.2 test": [
            (p.claim, p.passage, p.label) for p in fever_symmetric_test(SHARED / "training")
        ],
        "climate-fever test split": [
            (p.claim, p.passage, p.label)
            for p in climate_fever_pairs(climate_fever_rows(SHARED / "benchmarks", test=True))
        ],
        "news (heldout-1..4 + dev)": news_pairs(),
    }
    for name, triples in sets.items():
        triples = triples[: args.limit] if args.limit else triples
        print(name, json.dumps(figures(model, triples)))
    news = sets["news (heldout-1..4 + dev)"]
    print("ms per batch of 8 pairs, 1 thread (median):", batch_milliseconds(model, news))


if __name__ == "__main__":
    main()
