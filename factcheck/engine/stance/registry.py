"""Registry: stance analyzers by name, so configuration can choose one.

In the style of Datasette's facet classes: an implementation is registered under a name
(:func:`register_analyzer`), and the app creates the one ``FACTCHECK_STANCE_ANALYZER`` names
(:func:`create_analyzer`) when it starts, so a misspelt name fails then, not on the first check.
The rule-based analyzer is registered as ``"rules"`` by this package's ``__init__``.
"""

from __future__ import annotations

from collections.abc import Callable

from factcheck.engine.stance.base import StanceAnalyzer

AnalyzerFactory = Callable[[], StanceAnalyzer]

_FACTORIES: dict[str, AnalyzerFactory] = {}


class UnknownAnalyzerError(ValueError):
    """No analyzer is registered under the name asked for; the message lists those that are."""


def register_analyzer(name: str, factory: AnalyzerFactory, *, replace: bool = False) -> None:
    """Make ``factory`` (a class, or any callable returning an analyzer) available as ``name``.

    Registering a name twice is a mistake unless ``replace`` says it is meant.
    """
    if name in _FACTORIES and not replace and _FACTORIES[name] is not factory:
        raise ValueError(f"a stance analyzer is already registered as {name!r}")
    _FACTORIES[name] = factory


def unregister_analyzer(name: str) -> None:
    """Forget ``name`` (tests register fakes and remove them again)."""
    _FACTORIES.pop(name, None)


def analyzer_names() -> list[str]:
    """The registered names, sorted."""
    return sorted(_FACTORIES)


def create_analyzer(name: str) -> StanceAnalyzer:
    """A new analyzer of the kind registered as ``name``; UnknownAnalyzerError if none is."""
    factory = _FACTORIES.get(name)
    if factory is None:
        known = ", ".join(analyzer_names()) or "none"
        raise UnknownAnalyzerError(f"unknown stance analyzer {name!r}; registered: {known}")
    return factory()
