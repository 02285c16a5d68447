"""CLI: the ``factcheck`` console script, a command group that builds nothing until it must.

``factcheck --help`` lists factcheck's own commands (none of Flask's or its extensions') from the
table below, without importing them: importing the commands pulls in the whole package, and
building the app opens the catalog and the index. A command's module is imported when that
command is run or its help is asked for, and the app is created, with its settings as before,
only when a command needs it (``with_appcontext``). The commands themselves live in
:mod:`factcheck.commands`, which also registers them on ``app.cli`` for ``flask --app wsgi``.
"""

from __future__ import annotations

import os
from importlib import import_module
from typing import TYPE_CHECKING, Any, NamedTuple

import click

if TYPE_CHECKING:
    from flask import Flask


class LazyCommand(NamedTuple):
    """Where a command lives, and the one line ``factcheck --help`` shows for it."""

    module: str
    attribute: str
    summary: str  # the first sentence of the command's docstring (tests/commands/test_cli.py)


COMMANDS: dict[str, LazyCommand] = {
    "eval": LazyCommand(
        "factcheck.commands.verification",
        "eval_command",
        "Evaluate the service on FILE, a JSON Lines file of labelled claims.",
    ),
    "import": LazyCommand(
        "factcheck.commands.sources",
        "import_command",
        "Import source files and directories into the catalog, then update the index.",
    ),
    "index": LazyCommand(
        "factcheck.commands.index", "index_group", "Inspect or rebuild the search index."
    ),
    "model": LazyCommand(
        "factcheck.commands.model",
        "model_group",
        "Extract the learned analyzer's features and fit its combiner.",
    ),
    "reviewer": LazyCommand(
        "factcheck.commands.reviewer", "reviewer_group", "Manage reviewers and their API tokens."
    ),
    "serve": LazyCommand(
        "factcheck.commands.serve", "serve_command", "Serve the app with gunicorn."
    ),
    "verify": LazyCommand(
        "factcheck.commands.verification",
        "verify_command",
        "Check CLAIM against the sources and print the verdict with its evidence.",
    ),
}


def _create_app() -> Flask:
    """The app every command runs in: the factory with no test configuration."""
    from factcheck.app import create_app

    return create_app()


class FactcheckGroup(click.Group):
    """A group whose commands are imported by name when used, and listed without importing."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        command: click.Command = getattr(import_module(entry.module), entry.attribute)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name].summary) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        # Reached only when a command runs (never for --help or --version). As under Flask's own
        # group: app.run() becomes a no-op, a .env file is read when python-dotenv is installed,
        # and with_appcontext finds the factory in ctx.obj (FLASK_DEBUG still sets app.debug).
        from flask.cli import ScriptInfo, load_dotenv

        os.environ["FLASK_RUN_FROM_CLI"] = "true"
        load_dotenv()
        if ctx.obj is None:
            ctx.obj = ScriptInfo(create_app=_create_app)
        return super().invoke(ctx)


@click.group(cls=FactcheckGroup)
@click.version_option(
    package_name="factcheck", prog_name="factcheck", message="%(prog)s %(version)s"
)
def main() -> None:
    """Fact-check claims against curated news sources.

    Settings come from FACTCHECK_* environment variables (see the README's settings table).
    """
