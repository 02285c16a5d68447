"""Process tuning: the engine is ready and the collector tamed before a server's first check."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from factcheck.commands.process_tuning import COLLECTION_THRESHOLDS, prepare_engine_process


@pytest.fixture
def restored_collector() -> Iterator[None]:
    """Give the test process its collector settings back afterwards."""
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_preparing_freezes_startup_objects_and_raises_thresholds(restored_collector: None) -> None:
    prepare_engine_process()
    assert gc.get_freeze_count() > 10_000  # the app, lexicons and tables built so far
    assert gc.get_threshold() == COLLECTION_THRESHOLDS
    # Young garbage is still collected: a cycle made now goes at the next collection.
    gc.collect(0)
    cycle: list[object] = []
    cycle.append(cycle)
    del cycle
    assert gc.collect(0) >= 1
