"""Word readings: what parts of speech a word can be, and its lemma as each, cached.

lemminflect's ``getAllLemmas`` deep-copies its answer on every call; the analysis asks about
the same few thousand words again and again, so every module asks here instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

from lemminflect import getAllLemmas


@lru_cache(maxsize=131072)
def readings(word: str) -> Mapping[str, tuple[str, ...]]:
    """Part of speech -> lemmas for a lower-case word ({} for a word lemminflect lacks)."""
    return MappingProxyType(getAllLemmas(word))
