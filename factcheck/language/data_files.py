"""Data files: the word knowledge kept under ``factcheck/language/data``, read once per process.

The lexicon, the grammar words, the number words and the gazetteer are curated lists, kept as
TOML with a comment per group saying what it is and why; the modules that use them
(:mod:`~factcheck.language.lexicon`, :mod:`~factcheck.language.grammar`,
:mod:`~factcheck.language.numbers`, :mod:`~factcheck.language.gazetteer`) keep the logic and
small accessors. A file is read from the installed package (``importlib.resources``), never from a
path relative to a checkout, and only on first use, so importing the package stays cheap.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

PACKAGE = "factcheck.language"
FOLDER = "data"
NAMES = ("lexicon", "grammar", "numbers", "gazetteer")  # every data file, without ".toml"


def data_file(name: str) -> Traversable:
    """The installed ``language/data/<name>.toml``."""
    return files(PACKAGE) / FOLDER / f"{name}.toml"


@cache
def read_data(name: str) -> dict[str, Any]:
    """The parsed ``language/data/<name>.toml``, read on first use and kept.

    Callers turn its lists into frozensets or tuples once, in their own cached accessors, and
    never change what this returns.
    """
    with data_file(name).open("rb") as handle:
        return tomllib.load(handle)
