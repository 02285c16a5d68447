"""Retrieval recall: is a right excerpt among the candidates stance analysis is handed?

``factcheck eval`` measures evidence recall on the service's *answers*, after the judge; this
measures it on retrieval's candidates, before the judge, with BM25F alone and with the dense
ranking fused in (``FACTCHECK_DENSE_RETRIEVAL``). It reads the configured catalog and index
(``factcheck import sources/`` and ``factcheck index embed`` first). Usage::

    python tests/benchmarks/retrieval_recall.py ../shared/claims/dev.jsonl tests/claims/*.jsonl

A claims file in CLIMATE-FEVER's format is matched by passage id; ``--every 3`` keeps lines whose
0-based position is divisible by 3 (CLIMATE-FEVER's test split).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from factcheck.app import create_app
from factcheck.engine.claim_analysis import analyse_claim
from factcheck.engine.evaluation import Example, parse_example
from factcheck.engine.retrieval import retrieve
from factcheck.extensions import get_search_index
from factcheck.search.vectors import VectorStore

DEPTHS = (5, 25)


def load(path: Path, every: int) -> list[Example]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [parse_example(json.loads(line)) for n, line in enumerate(lines) if n % every == 0]


def found(example: Example, texts: list[str], ids: list[str]) -> bool:
    squash = [" ".join(t.lower().split()) for t in texts]
    phrases = [" ".join(p.lower().split()) for p in example.phrases]
    return any(p in t for p in phrases for t in squash) or bool(set(ids) & set(example.passage_ids))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--every", type=int, default=1, help="keep every n-th line (from 0)")
    arguments = parser.parse_args()
    app = create_app()
    index = get_search_index(app)
    store = VectorStore(index.directory)
    print("file\tclaims\t" + "\t".join(f"bm25@{d}\thybrid@{d}" for d in DEPTHS))
    for path in arguments.files:
        examples = [e for e in load(path, arguments.every) if e.has_evidence]
        hits = {(side, depth): 0 for side in ("bm25", "hybrid") for depth in DEPTHS}
        with index.searcher() as searcher:
            for example in examples:
                claim = analyse_claim(example.claim)
                for side, vectors in (("bm25", None), ("hybrid", store)):
                    evidence = retrieve(claim, searcher, limit=max(DEPTHS), vectors=vectors)
                    for depth in DEPTHS:
                        top = evidence[:depth]
                        texts = [e.text for e in top]
                        if found(example, texts, [e.passage_id for e in top]):
                            hits[side, depth] += 1
        count = max(len(examples), 1)
        cells = [f"{hits[side, d] / count:.3f}" for d in DEPTHS for side in ("bm25", "hybrid")]
        print(f"{path.name}\t{len(examples)}\t" + "\t".join(cells))


if __name__ == "__main__":
    main()
