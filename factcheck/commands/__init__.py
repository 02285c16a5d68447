"""Commands: what ``factcheck`` can do, one module per command group.

Commands stay thin: they parse options, call one service function and print its outcome. They sit
on top of the pipeline and may import any of it; nothing in the package imports them but the app
factory (which registers them on ``app.cli``) and :data:`factcheck.cli.main`, the ``factcheck``
console script, which imports each by name only when it runs: a new command goes in both lists
(``tests/commands/test_cli.py`` holds them in step).
"""

from __future__ import annotations

from flask import Flask

from factcheck.commands.index import index_group
from factcheck.commands.model import model_group
from factcheck.commands.reviewer import reviewer_group
from factcheck.commands.serve import serve_command
from factcheck.commands.sources import import_command
from factcheck.commands.verification import eval_command, verify_command


def init_app(app: Flask) -> None:
    """Register the commands on ``app.cli``."""
    for command in (import_command, index_group, serve_command, verify_command, eval_command):
        app.cli.add_command(command)
    app.cli.add_command(reviewer_group)
    app.cli.add_command(model_group)
