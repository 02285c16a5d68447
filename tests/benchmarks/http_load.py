"""HTTP load: throughput and latency of ``POST /api/v1/verify`` against ``factcheck serve``.

Run from the project root (``../shared`` beside it)::

    python tests/benchmarks/http_load.py [--corpus seed|PASSAGES] [--clients 8]
        [--duration 20] [--workers 2] [--threads 4]

Starts the production server as ``factcheck serve`` does (gunicorn, 2 workers x 4 threads by
default) as a subprocess on a free port of 127.0.0.1, with its own catalog and index in a
temporary directory: ``seed`` serves the five seed articles, a number serves a corpus of that
many passages built by ``corpora.py`` (imported by the server's first start). Rate limiting is
off. Then ``--clients`` threads, each with its own keep-alive connection, post claims (the dev
claims, then CLIMATE-FEVER's, round-robin) for ``--duration`` seconds after a 3-second warm-up,
and it prints requests per second, latency p50/p95/p99, statuses and the load average. The
clients run on the same 2 cores as the server (their CPU per request is printed), so the
figures are a floor. Loopback only;
bounded by ``--duration``. Not collected by pytest.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import corpora  # noqa: E402
from live_server import LiveServer, environment  # noqa: E402

WARM_UP_SECONDS = 3


def percentile(values: list[float], share: float) -> float:
    """The ``share`` quantile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def client_loop(
    base_url: str, claims: list[str], offset: int, until: float, record: bool
) -> tuple[list[float], Counter]:
    """Post claims until ``until``; return latencies (ms) and status counts."""
    latencies: list[float] = []
    statuses: Counter = Counter()
    with requests.Session() as session:
        number = offset
        while time.monotonic() < until:
            claim = claims[number % len(claims)]
            number += 1
            began = time.perf_counter()
            try:
                response = session.post(
                    base_url + "/api/v1/verify", json={"claim": claim}, timeout=30
                )
                status = response.status_code
            except requests.RequestException as error:
                status = type(error).__name__
            elapsed = (time.perf_counter() - began) * 1000
            if record:
                latencies.append(elapsed)
                statuses[status] += 1
    return latencies, statuses


def run_load(
    base_url: str, claims: list[str], clients: int, seconds: float, warm_up: float = WARM_UP_SECONDS
) -> dict:
    """``clients`` threads posting for ``seconds`` after ``warm_up``; the merged figures."""
    with ThreadPoolExecutor(clients) as pool:
        warm_until = time.monotonic() + warm_up
        list(
            pool.map(lambda n: client_loop(base_url, claims, n, warm_until, False), range(clients))
        )
        started = time.monotonic()
        until = started + seconds
        results = list(
            pool.map(lambda n: client_loop(base_url, claims, n * 7, until, True), range(clients))
        )
        elapsed = time.monotonic() - started
    latencies = [value for values, _ in results for value in values]
    statuses: Counter = Counter()
    for _, counts in results:
        statuses.update(counts)
    return {
        "requests": len(latencies),
        "rate": len(latencies) / elapsed,
        "p50": statistics.median(latencies),
        "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99),
        "statuses": dict(statuses),
    }


def main() -> None:
    """Start the server, load it, print the figures."""
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", default="seed", help="'seed' or a number of passages")
    parser.add_argument("--clients", type=int, nargs="+", default=[8])
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per run (max 60)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="turn the result cache off (FACTCHECK_RESULT_CACHE_SIZE=0): every request is a "
        "full check, as for claims never asked before",
    )
    parser.add_argument(
        "--warm-up",
        type=float,
        default=WARM_UP_SECONDS,
        help="seconds of load before measuring (long enough for the workers' background "
        "embedding pass to finish, to measure dense retrieval in its steady state)",
    )
    parser.add_argument(
        "--bm25-only",
        action="store_true",
        help="turn dense retrieval off (FACTCHECK_DENSE_RETRIEVAL=0)",
    )
    options = parser.parse_args()
    duration = min(options.duration, 60.0)
    claims = corpora.claims(400)
    if options.corpus == "seed":
        claims = claims[:38]  # the dev claims, about the seed articles
    with tempfile.TemporaryDirectory(prefix="factcheck-http-") as directory:
        data = Path(directory)
        sources = data / "sources"
        if options.corpus == "seed":
            shutil.copytree(corpora.SEED_SOURCES, sources)
        else:
            sources.mkdir()
            corpora.write_corpus(sources / "corpus.jsonl", int(options.corpus))
        server = LiveServer(
            data,
            workers=options.workers,
            threads=options.threads,
            env=environment(
                data,
                sources,
                **({"RESULT_CACHE_SIZE": "0"} if options.no_cache else {}),
                **({"DENSE_RETRIEVAL": "0"} if options.bm25_only else {}),
            ),
        )
        with server:
            began = time.monotonic()
            health = server.wait_ready(timeout=900)
            print(
                f"server ready in {time.monotonic() - began:.0f} s: {health['passages']:,} "
                f"passages; {options.workers} workers x {options.threads} threads",
                flush=True,
            )
            for clients in options.clients:
                load = os.getloadavg()[0]
                cpu_before = time.process_time()
                row = run_load(server.base_url, claims, clients, duration, options.warm_up)
                client_cpu = (time.process_time() - cpu_before) / max(row["requests"], 1)
                print(
                    f"{clients:>3} clients, {duration:.0f} s: {row['requests']} requests, "
                    f"{row['rate']:.1f}/s, p50 {row['p50']:.1f} ms, p95 {row['p95']:.1f} ms, "
                    f"p99 {row['p99']:.1f} ms, statuses {row['statuses']}, "
                    f"client CPU {client_cpu * 1000:.1f} ms/request "
                    f"(load before {load:.2f}, after {os.getloadavg()[0]:.2f})",
                    flush=True,
                )


if __name__ == "__main__":
    threading.excepthook = lambda args: print(f"client thread failed: {args.exc_value}")
    main()
