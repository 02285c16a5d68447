"""Gazetteer: the names by which news prose refers to countries, organisations and leaders.

pycountry supplies every country's official and common names; it has no demonyms, capitals or
short forms, so those are listed in ``language/data/gazetteer.toml``: "Moscow" and "the
Kremlin" stand for Russia in news prose as much as "Russian" does. Leaders are listed with the
country they speak for, so that "Maduro" can satisfy a claim about Venezuela (weakly: see
:mod:`factcheck.language.entities`). This module reads the file once, on first use, keeping the
order it lists names in: where two entries claim one alias, the first keeps it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from factcheck.language.data_files import read_data


def _data() -> dict[str, Any]:
    return read_data("gazetteer")


@cache
def country_aliases() -> dict[str, tuple[str, ...]]:
    """Canonical country name -> its demonyms, capital and other metonyms, short forms."""
    return {name: tuple(aliases) for name, aliases in _data()["countries"].items()}


@cache
def organisation_aliases() -> dict[str, tuple[str, ...]]:
    """Canonical organisation or bloc name -> the forms news prose uses."""
    return {name: tuple(aliases) for name, aliases in _data()["organisations"].items()}


@cache
def leaders() -> dict[str, str]:
    """Leader or official -> the country (or organisation) whose position they state."""
    return dict(_data()["leaders"])


@cache
def leader_spellings() -> dict[str, str]:
    """Another spelling of a leader's name -> the name used in :func:`leaders`."""
    return dict(_data()["leader_spellings"])


@cache
def pycountry_names() -> dict[str, str]:
    """ISO alpha-2 code -> the name news prose uses, where pycountry's formal name differs."""
    return dict(_data()["pycountry_names"])


@cache
def title_words() -> frozenset[str]:
    """Capitalised words that are titles or sentence furniture, never part of a name."""
    return frozenset(_data()["title_words"])


@cache
def name_connectors() -> frozenset[str]:
    """Lower-case words that may join the parts of a name ("bin", "da", "von")."""
    return frozenset(_data()["name_connectors"])
