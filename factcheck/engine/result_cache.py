"""Result cache: the last checks' results, reused while the index they came from is live.

During breaking news many people check the same claim. A result depends only on the claim,
the excerpt limit and the index it was computed from, so it is cached under those three; any
change to the index (an import, a reviewer's edit, a rebuild) changes its version and its
change-feed position, both read from the index directory (so a change applied by another
process or made on another node counts too), and so misses every older entry. Thread-safe;
least recently used entries go first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

Value = TypeVar("Value")


class ResultCache(Generic[Value]):
    """A bounded, thread-safe, least-recently-used mapping."""

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, Value] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Value | None:
        """The value cached under ``key``, or None."""
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Value) -> None:
        """Cache ``value`` under ``key``, dropping the least recently used beyond ``size``."""
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


def claim_key(claim: str) -> str:
    """A claim as the cache sees it: case and white space aside."""
    return " ".join(claim.lower().split())
