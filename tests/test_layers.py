"""The package's folders are layers of the pipeline: no module imports from a layer above its own.

The order is the one :mod:`factcheck`'s docstring gives. A module may import from its own folder
and from any folder below it; ``settings`` and ``errors`` may be imported from anywhere and import
nothing of the package.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "factcheck"

# Lowest first. The top-level modules sit where what they import and who imports them puts them.
LAYERS = [
    ("settings", "errors"),
    ("language",),
    ("ingest",),
    ("catalog",),
    ("search",),
    ("engine",),
    ("extensions",),
    ("web",),
    ("review",),
    ("commands",),
    ("app", "cli"),
]
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}


def layer_of(dotted: str) -> str:
    """The layer a ``factcheck.x.y`` module name belongs to: its first part after the package."""
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 else ""


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """``(line, module)`` for every ``factcheck`` module the file imports, at any depth."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "factcheck":
                found += [(node.lineno, f"factcheck.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, node.module))
    return [(line, name) for line, name in found if name.startswith("factcheck.")]


def module_name(path: Path) -> str:
    return ".".join(("factcheck", *path.relative_to(PACKAGE).with_suffix("").parts))


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def test_every_module_belongs_to_a_layer() -> None:
    unknown = {module_name(p) for p in modules() if layer_of(module_name(p)) not in RANK}
    assert not {name for name in unknown if name != "factcheck.__init__"}


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down_the_pipeline(path: Path) -> None:
    own = layer_of(module_name(path))
    if own not in RANK:  # the package's own __init__
        return
    upward = [
        f"line {line}: {name} ({layer_of(name)} is above {own})"
        for line, name in imported_modules(path)
        if RANK.get(layer_of(name), -1) > RANK[own]
    ]
    assert not upward, "\n".join(upward)


def test_the_walk_finds_an_upward_import(tmp_path: Path) -> None:
    """The check itself can fail: an engine module importing the web layer is caught."""
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from factcheck.web.checks import check_claim\nimport factcheck.engine.verdict\n"
    )
    names = [name for _line, name in imported_modules(bad)]
    assert [RANK[layer_of(n)] > RANK["engine"] for n in names] == [True, False]
