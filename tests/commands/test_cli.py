"""The ``factcheck`` console script: its own commands only, its version, a quick --help."""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
import time
from importlib import import_module
from importlib.metadata import version
from pathlib import Path
from types import SimpleNamespace

import click
import pytest
from click.testing import CliRunner

from factcheck import commands
from factcheck.cli import COMMANDS, main

OWN_COMMANDS = {"eval", "import", "index", "model", "reviewer", "serve", "verify"}


def listed_commands(help_text: str) -> set[str]:
    """The command names in the "Commands:" section of a group's help."""
    section = help_text.split("Commands:\n", 1)[1]
    return set(re.findall(r"^  (\S+)", section, re.M))


def test_help_lists_factcheck_commands_only() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0, result.output
    assert listed_commands(result.output) == OWN_COMMANDS
    for flask_command in ("run", "shell", "routes", "limiter", "openapi"):
        assert f"\n  {flask_command} " not in result.output
    assert "--app" not in result.output and "Show the Flask version" not in result.output


def test_version_is_the_package_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"factcheck {version('factcheck')}\n"


def test_the_table_names_the_commands_the_app_registers() -> None:
    registered = click.Group()
    commands.init_app(SimpleNamespace(cli=registered))  # type: ignore[arg-type]
    assert set(COMMANDS) == set(registered.commands) == OWN_COMMANDS
    for name, entry in COMMANDS.items():
        command = getattr(import_module(entry.module), entry.attribute)
        assert command is registered.commands[name]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_listed_summary_is_the_commands_first_sentence(name: str) -> None:
    entry = COMMANDS[name]
    command = getattr(import_module(entry.module), entry.attribute)
    assert command.help.split("\n")[0].strip() == entry.summary


def test_unknown_command_is_refused() -> None:
    result = CliRunner().invoke(main, ["routes"])
    assert result.exit_code == 2
    assert "No such command 'routes'" in result.output


def test_a_command_runs_in_the_app_built_from_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FACTCHECK_DATABASE_URL", f"sqlite:///{tmp_path / 'catalog.sqlite3'}")
    monkeypatch.setenv("FACTCHECK_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("FACTCHECK_SECRET_KEY", "test")
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "")  # restored after the test; the group sets it
    result = CliRunner().invoke(main, ["index", "status"])
    assert result.exit_code == 0, result.output
    assert "passages: 0" in result.output
    assert f"directory: {tmp_path / 'index'}" in result.output


HELP_PROBE = """
import sys
from factcheck.cli import main
try:
    main(["--help"])
except SystemExit:
    pass
heavy = sorted(m for m in sys.modules if m in {"flask", "factcheck.app", "factcheck.commands"})
print("imported:", heavy)
"""


def test_help_imports_neither_the_app_nor_the_commands() -> None:
    result = subprocess.run(
        [sys.executable, "-c", HELP_PROBE], capture_output=True, text=True, check=True
    )
    assert "imported: []" in result.stdout


def test_help_answers_quickly() -> None:
    """Under 1 s on a quiet machine (the README gives the median); 3 s allows for a busy one."""
    command = [sys.executable, "-c", "from factcheck.cli import main; main()", "--help"]
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        timings.append(time.perf_counter() - started)
    assert statistics.median(timings) < 3.0, timings
