"""``factcheck verify`` and ``factcheck eval``: an empty index is said, a bad line is explained."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask.testing import FlaskCliRunner

from factcheck.extensions import get_database, get_search_index
from factcheck.search.indexing import rebuild_index


def test_verify_on_an_empty_catalog_says_nothing_is_indexed(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["verify", "The port handled 7,200 ships in 2022"])
    assert result.exit_code == 0, result.output
    assert "Nothing is indexed" in result.output
    assert "factcheck import" in result.output
    assert "NOT ENOUGH EVIDENCE" not in result.output


def test_verify_json_on_an_empty_catalog_still_prints_json_and_warns(
    runner: FlaskCliRunner,
) -> None:
    result = runner.invoke(args=["verify", "--json", "The port handled 7,200 ships"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["verdict"] == "not_enough_evidence"
    assert "Warning: Nothing is indexed" in result.stderr


def test_verify_after_an_import_prints_no_notice(runner: FlaskCliRunner, imported: None) -> None:
    result = runner.invoke(args=["verify", "The port of Easthaven handled 7,200 ships in 2022"])
    assert result.exit_code == 0, result.output
    assert "Nothing is indexed" not in result.output
    assert "SUPPORTED" in result.output


def test_verify_with_a_catalog_but_an_empty_index_says_to_rebuild(
    runner: FlaskCliRunner, imported: None
) -> None:
    get_search_index(runner.app).rebuild([])  # an empty generation; the catalog keeps all
    result = runner.invoke(args=["verify", "The port of Easthaven handled 7,200 ships"])
    assert "Nothing is indexed" in result.output
    assert "factcheck index rebuild" in result.output


def test_eval_on_an_empty_catalog_says_so_and_fails(runner: FlaskCliRunner, tmp_path: Path) -> None:
    claims = tmp_path / "claims.jsonl"
    claims.write_text('{"id": "1", "claim": "Tides follow the moon", "label": "supported"}\n')
    result = runner.invoke(args=["eval", str(claims)])
    assert result.exit_code == 1
    assert "Nothing is indexed" in result.output
    assert "accuracy" not in result.output


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('{"id": "1", "claim": "Tides follow the moon"}', 'missing field "label"'),
        ('{"id": "1", "label": "supported"}', 'missing field "claim"'),
        ('{"claim_label": "SUPPORTS"}', 'missing fields "claim_id", "claim"'),
        ('["a list"]', "not a JSON object"),
    ],
)
def test_eval_names_the_missing_field_the_line_and_the_format(
    runner: FlaskCliRunner, tmp_path: Path, line: str, expected: str
) -> None:
    claims = tmp_path / "badlabels.jsonl"
    claims.write_text(line + "\n")
    result = runner.invoke(args=["eval", str(claims)])
    assert result.exit_code == 1
    assert f"{claims}:1: {expected}" in result.output
    assert 'each line is a JSON object, either {"id", "claim", "label"' in result.output


def test_index_status_of_an_empty_index_prints_a_readable_version(
    runner: FlaskCliRunner,
) -> None:
    rebuild_index(get_database(runner.app), get_search_index(runner.app))
    result = runner.invoke(args=["index", "status"])
    assert result.exit_code == 0, result.output
    assert "passages: 0" in result.output
    assert "None" not in result.output
    version = next(line for line in result.output.splitlines() if line.startswith("version:"))
    assert version.rsplit(".", 1)[1].isdigit()
