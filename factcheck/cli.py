"""CLI: the ``factcheck`` console script, Flask's command group over the app factory.

Every command therefore runs with the app, its settings and its catalog; the commands themselves
live in :mod:`factcheck.commands`.
"""

from __future__ import annotations

from flask.cli import FlaskGroup

from factcheck.app import create_app

main = FlaskGroup(
    create_app=create_app,
    help="Fact-check claims against curated news sources.\n\n"
    "Settings come from FACTCHECK_* environment variables (see the README's settings table).",
)
