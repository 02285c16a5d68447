"""Process tuning: ready the engine before the first check, and keep the collector out of its way.

The engine caches analyses and postings: hundreds of thousands of small objects once a server
has run a while. CPython's full (generation 2) collection walks every tracked object, and at
100,000 passages one took 220-280 ms in the middle of a check: the whole of the slowest 5%.
:func:`prepare_engine_process`, called once before serving:

1. loads the lexicons by analysing a sentence (lemminflect's tables take about a second), so
   the first check does not pay for them;
2. moves everything built so far out of the collector's sight (``gc.freeze``); done in the
   server's master before it forks, the workers also keep sharing those memory pages;
3. collects young objects less often and old ones rarely. Garbage still goes: the youngest
   generation every 50,000 allocations, a full collection after 100 of the middle one's, and
   only when a quarter of the heap is new since the last (CPython's own rule).

No Flask here: the server, ``wsgi.py`` and the benchmarks call it alike.
"""

from __future__ import annotations

import gc

from factcheck.engine.claim_analysis import analyse_claim

COLLECTION_THRESHOLDS = (50_000, 20, 100)  # CPython's default is (700, 10, 10)


def prepare_engine_process() -> None:
    """Load the engine's lexicons, then freeze what exists and raise the collection thresholds."""
    analyse_claim("Iran supplied 2,400 drones to Russia in February 2023, Reuters reported.")
    gc.collect()
    gc.freeze()
    gc.set_threshold(*COLLECTION_THRESHOLDS)
