"""A logged claim and a correction that moves its verdict: the shared material of the tests of
re-checks (test_rechecks.py) and of the moved-verdicts API (test_verdict_changes_api.py)."""

from __future__ import annotations

from pathlib import Path

from click.testing import Result
from flask.testing import FlaskCliRunner

CLAIM = "Easthaven handled 7,200 ships in 2022"  # the fixture article says so

REFUTING = """---
id: harbour-correction
title: Harbour figures corrected
publisher: The Port Gazette
url: https://example.org/harbour-correction
published: 2023-04-02
---

Easthaven did not handle 7,200 ships in 2022: the port handled 3,100 ships in 2022.

Officials said the earlier figure was wrong.
"""


def import_refutation(runner: FlaskCliRunner, tmp_path: Path) -> Result:
    """Import a correction that moves :data:`CLAIM`'s verdict; the command's result."""
    directory = tmp_path / "more"
    directory.mkdir()
    (directory / "correction.md").write_text(REFUTING, encoding="utf-8")
    result = runner.invoke(args=["import", str(directory)])
    assert result.exit_code == 0, result.output
    return result
