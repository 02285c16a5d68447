"""System tests: real servers, kill -9 faults, concurrency, fuzzing and a real browser.

They are slower than the unit tests beside the package's folders; every test here carries the
``system`` marker, so ``pytest -m "not system"`` runs the quick suite alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.system)
