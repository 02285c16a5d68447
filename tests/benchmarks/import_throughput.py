"""Import+index throughput: CLIMATE-FEVER's 5,240 passages into an empty data directory.

Run from the project root::

    python tests/benchmarks/import_throughput.py [--runs 3] [PATH]

Each run creates a fresh SQLite catalog and index under a temporary directory, then times
``importer.import_files`` (read, split, write the catalog, build the index), which is what
``factcheck import`` does after the app has started. Prints passages per second for each run
and their median, and the CPU seconds the run used in this process and in the index worker
processes (wall time depends on what else the machine runs; CPU time much less). Not collected
by pytest: the file name does not start with ``test_``.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from pathlib import Path

from factcheck.app import create_app
from factcheck.extensions import get_database, get_search_index
from factcheck.search.importer import import_files

DEFAULT_PATH = Path("../shared/benchmarks/climate-fever/passages.jsonl")


def cpu_seconds() -> tuple[float, float]:
    """CPU time used so far by this process and by its finished child processes."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def run_once(path: Path) -> tuple[int, float, float, float]:
    """Import ``path`` into a fresh data directory.

    Returns passages indexed, wall seconds, and CPU seconds in this process and in workers.
    """
    with tempfile.TemporaryDirectory(prefix="factcheck-bench-") as directory:
        app = create_app(
            {
                "DATABASE_URL": f"sqlite:///{directory}/catalog.sqlite3",
                "INDEX_DIR": f"{directory}/index",
                "SOURCES_DIR": f"{directory}/sources",
                "SECRET_KEY": "benchmark",
            }
        )
        database, index = get_database(app), get_search_index(app)
        own_before, workers_before = cpu_seconds()
        started = time.perf_counter()
        report = import_files(database, index, [path])
        elapsed = time.perf_counter() - started
        own_after, workers_after = cpu_seconds()
        if report.failures:
            raise SystemExit(f"import failed: {report.failures}")
        passages = index.status().passages
        index.close()
        database.dispose()
        return passages, elapsed, own_after - own_before, workers_after - workers_before


def main() -> None:
    """Run the benchmark and print passages per second."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    rates = []
    for number in range(1, options.runs + 1):
        passages, elapsed, own, workers = run_once(options.path)
        rates.append(passages / elapsed)
        print(
            f"run {number}: {passages} passages in {elapsed:.2f} s = {rates[-1]:,.0f} passages/s"
            f" (CPU: {own:.2f} s here, {workers:.2f} s in index workers)"
        )
    print(f"median: {statistics.median(rates):,.0f} passages/s over {options.runs} runs")


if __name__ == "__main__":
    main()
