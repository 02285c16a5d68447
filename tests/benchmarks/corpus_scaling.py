"""Corpus scaling: import+index throughput and verification latency at 1k, 10k and 100k passages.

Run from the project root (``../shared`` beside it)::

    python tests/benchmarks/corpus_scaling.py [--sizes 1000 10000 100000] [--claims 200]
        [--profile]

For each size it writes a corpus of real sentences, varied (see ``corpora.py``), into a
temporary directory, imports it into a fresh SQLite catalog and index exactly as ``factcheck
import`` does (timed: passages per second), then checks ``--claims`` claims (the dev claims,
then CLIMATE-FEVER's) with ``verification.verify`` in this one process, prepared as the server
prepares its workers (``process_tuning``), on one reused searcher,
after a warm-up on other claims, with the claim-analysis cache emptied first. It prints p50
and p95 of the whole check and of each stage from ``Result.timings`` (analysis, retrieval,
stance, aggregation), and how they grow against the smallest size. ``--dense`` embeds the
passages after the import (timed apart: passages per second) and checks with the dense ranking
fused in, as the server does once its background pass is done. ``--profile`` then runs
cProfile over 50 checks at the largest size (a separate pass) and prints where the time goes.
The default sizes take about 10 minutes on 2 cores. Not collected by pytest.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpora  # noqa: E402

from factcheck.app import create_app  # noqa: E402
from factcheck.commands.process_tuning import prepare_engine_process  # noqa: E402
from factcheck.engine.claim_analysis import analyse_claim  # noqa: E402
from factcheck.engine.verify import verify  # noqa: E402
from factcheck.extensions import get_database, get_search_index  # noqa: E402
from factcheck.search.importer import import_files  # noqa: E402
from factcheck.search.index import SearchIndex  # noqa: E402
from factcheck.search.vectors import VectorStore, embed_passages  # noqa: E402

STAGES = ("analysis", "retrieval", "stance", "aggregation")
WARM_UP = 20  # claims checked first, not measured (CLIMATE-FEVER's, none of the measured)
PROFILED = 50


def percentile(values: list[float], share: float) -> float:
    """The ``share`` quantile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def measure(
    size: int, claims: list[str], warm_up: list[str], profile: bool, dense: bool = False
) -> dict:
    """Build a corpus of ``size``, import it, check ``claims``; return the figures."""
    with tempfile.TemporaryDirectory(prefix="factcheck-scaling-") as directory:
        corpus = Path(directory) / "corpus.jsonl"
        corpora.write_corpus(corpus, size)
        app = create_app(
            {
                "DATABASE_URL": f"sqlite:///{directory}/catalog.sqlite3",
                "INDEX_DIR": f"{directory}/index",
                "SOURCES_DIR": f"{directory}/sources",
                "SECRET_KEY": "benchmark",
            }
        )
        database, index = get_database(app), get_search_index(app)
        started = time.perf_counter()
        report = import_files(database, index, [corpus])
        import_seconds = time.perf_counter() - started
        if report.failures:
            raise SystemExit(f"import failed: {report.failures}")
        indexed = index.status().passages
        vectors, embed_seconds = None, 0.0
        if dense:
            _print_bm25_alone(index, claims, warm_up)
            vectors = VectorStore(index.directory)
            started = time.perf_counter()
            embed_passages(index, vectors)
            embed_seconds = time.perf_counter() - started
        version = index.version()
        totals: list[float] = []
        stages: dict[str, list[float]] = {stage: [] for stage in STAGES}
        profiler = None
        with index.searcher() as searcher:
            for claim in warm_up:
                verify(claim, searcher, index_version=version, vectors=vectors)
            analyse_claim.cache_clear()  # every size analyses the claims afresh
            for claim in claims:
                began = time.perf_counter()
                result = verify(claim, searcher, index_version=version, vectors=vectors)
                totals.append((time.perf_counter() - began) * 1000)
                for stage in STAGES:
                    stages[stage].append(result.timings[stage])
            if profile:  # a separate pass, so the timings above carry no profiler overhead
                analyse_claim.cache_clear()
                profiler = cProfile.Profile()
                profiler.enable()
                for claim in claims[:PROFILED]:
                    verify(claim, searcher, index_version=version, vectors=vectors)
                profiler.disable()
        index.close()
        database.dispose()
    if profiler:
        print(f"\nprofile of {PROFILED} checks at {size:,} passages (own time):")
        stats = pstats.Stats(profiler).strip_dirs().sort_stats("tottime")
        stats.print_stats(18)
        engine = r"(verification|retrieval|stance|text_analysis|claim_analysis|verdict|lexicon)\.py"
        stats.sort_stats("cumulative").print_stats(engine, 25)
        stats.print_callers(r"deepcopy|getAllLemmas|__len__")
    return {
        "size": size,
        "indexed": indexed,
        "import_seconds": import_seconds,
        "rate": indexed / import_seconds,
        "embed_rate": indexed / embed_seconds if embed_seconds else None,
        "p50": statistics.median(totals),
        "p95": percentile(totals, 0.95),
        "stages": {
            stage: (statistics.median(values), percentile(values, 0.95))
            for stage, values in stages.items()
        },
    }


def _print_bm25_alone(index: SearchIndex, claims: list[str], warm_up: list[str]) -> None:
    """With ``--dense``: the same claims on the same corpus with BM25F alone, for comparison."""
    version = index.version()
    totals: list[float] = []
    with index.searcher() as searcher:
        for claim in warm_up:
            verify(claim, searcher, index_version=version)
        analyse_claim.cache_clear()
        for claim in claims:
            began = time.perf_counter()
            verify(claim, searcher, index_version=version)
            totals.append((time.perf_counter() - began) * 1000)
    print(
        f"BM25F alone: verify p50 {statistics.median(totals):.1f} ms "
        f"p95 {percentile(totals, 0.95):.1f} ms",
        flush=True,
    )


def main() -> None:
    """Run every size and print the table."""
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--claims", type=int, default=200, help="claims checked per size")
    parser.add_argument("--profile", action="store_true", help="profile the largest size")
    parser.add_argument("--dense", action="store_true", help="embed passages, check fused")
    options = parser.parse_args()
    prepare_engine_process()  # as `factcheck serve` does before its workers start
    everything = corpora.claims(options.claims + WARM_UP)
    claims, warm_up = everything[: options.claims], everything[options.claims :]
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    rows = []
    for size in options.sizes:
        row = measure(
            size, claims, warm_up, options.profile and size == max(options.sizes), options.dense
        )
        rows.append(row)
        stage_text = "  ".join(
            f"{stage} {p50:.1f}/{p95:.1f}" for stage, (p50, p95) in row["stages"].items()
        )
        print(
            f"{row['indexed']:>7,} passages: import+index {row['import_seconds']:6.1f} s "
            f"= {row['rate']:,.0f}/s"
            + (f" | embed {row['embed_rate']:,.0f}/s" if row["embed_rate"] else "")
            + f" | verify p50 {row['p50']:.1f} ms p95 {row['p95']:.1f} ms "
            f"| stages p50/p95 ms: {stage_text} | load {os.getloadavg()[0]:.2f}",
            flush=True,
        )
    base = rows[0]
    print("\ngrowth against the smallest corpus:")
    for row in rows:
        print(
            f"{row['indexed']:>7,} passages ({row['indexed'] / base['indexed']:.0f}x): "
            f"p50 {row['p50'] / base['p50']:.2f}x, p95 {row['p95'] / base['p95']:.2f}x, "
            f"retrieval p50 {row['stages']['retrieval'][0] / base['stages']['retrieval'][0]:.2f}x"
        )


if __name__ == "__main__":
    main()
