"""``factcheck verify`` and ``factcheck eval``: an empty index is said, a bad line is explained."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskCliRunner

from factcheck.extensions import get_database, get_search_index
from factcheck.search.indexing import rebuild_index
from factcheck.web.checks import get_stance_analyzer


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


class _Contrary:
    """A fake analyzer for --compare: every passage strongly refutes every claim."""

    name = "contrary"

    def __init__(self) -> None:
        from factcheck.engine.calibration import load_calibration

        self.calibration = load_calibration("rules")  # borrowed: a fake has no scores to fit

    def assess_many(self, claim: object, evidences: list[object]) -> list[object]:
        from factcheck.engine.stance import REFUTES, Reason, Stance

        why = (Reason("explicit_denial", "denies it"),)
        return [Stance(REFUTES, 0.95, why, relevance=0.95) for _ in evidences]


@pytest.fixture
def contrary() -> Iterator[None]:
    from factcheck.engine.stance import register_analyzer
    from factcheck.engine.stance.registry import unregister_analyzer

    register_analyzer("contrary", _Contrary)
    yield
    unregister_analyzer("contrary")


def _claims_file(tmp_path: Path) -> Path:
    claims = tmp_path / "claims.jsonl"
    line = {
        "id": "1",
        "claim": "The port of Easthaven handled 7,200 ships in 2022",
        "label": "supported",
        "evidence": [{"source": "x", "phrase": "7,200 ships"}],
    }
    claims.write_text(json.dumps(line) + "\n")
    return claims


def test_eval_compare_prints_each_registered_analyzer_side_by_side(
    runner: FlaskCliRunner, imported: None, contrary: None, tmp_path: Path
) -> None:
    before = get_stance_analyzer(runner.app)
    result = runner.invoke(args=["eval", "--compare", str(_claims_file(tmp_path))])
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line.split() for line in result.output.splitlines() if line}
    assert "recall@5" in rows["analyzer"] and "ECE" in rows["analyzer"]
    assert rows["rules"][1:3] == ["1.000", "1.000"]  # accuracy, macro-F1
    assert rows["contrary"][1] == "0.000"  # it refuted a supported claim
    # The app judges with its own analyzer again afterwards.
    assert get_stance_analyzer(runner.app) is before


def test_eval_compare_json_gives_each_analyzer_its_report(
    runner: FlaskCliRunner, imported: None, contrary: None, tmp_path: Path
) -> None:
    result = runner.invoke(args=["eval", "--compare", "--json", str(_claims_file(tmp_path))])
    assert result.exit_code == 0, result.output
    analyzers = json.loads(result.stdout)["analyzers"]
    assert {"rules", "contrary"} <= set(analyzers)
    assert analyzers["rules"]["accuracy"] == 1.0
    assert analyzers["rules"]["evidence_recall_at_5"] == 1.0
    assert analyzers["contrary"]["confusion"]["supported"]["refuted"] == 1
    assert "expected_calibration_error" in analyzers["contrary"]


def test_eval_compare_refuses_to_fit_a_calibration(runner: FlaskCliRunner, tmp_path: Path) -> None:
    claims = _claims_file(tmp_path)
    result = runner.invoke(
        args=["eval", "--compare", "--fit-calibration", str(tmp_path / "c.json"), str(claims)]
    )
    assert result.exit_code == 2
    assert "cannot go with --compare" in result.output


def test_eval_compare_lists_the_learned_analyzer(
    runner: FlaskCliRunner, imported: None, tmp_path: Path
) -> None:
    result = runner.invoke(args=["eval", "--compare", "--json", str(_claims_file(tmp_path))])
    assert result.exit_code == 0, result.output
    analyzers = json.loads(result.stdout)["analyzers"]
    assert {"rules", "meaning", "learned"} <= set(analyzers)
    learned = analyzers["learned"]
    assert learned["count"] == 1 and 0.0 <= learned["expected_calibration_error"] <= 1.0
