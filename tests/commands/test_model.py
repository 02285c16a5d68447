"""``factcheck model``: the learned analyzer's features and the combiner's fit, end to end over
the fixture article."""

from __future__ import annotations

import json
from pathlib import Path

from flask.testing import FlaskCliRunner

from factcheck.engine.stance.learned import Combiner
from factcheck.engine.stance.signals import FEATURES

CLAIMS = [
    ("1", "The port of Easthaven handled 7,200 ships in 2022", "supported"),
    ("2", "The port of Easthaven handled 9,900 ships in 2022", "refuted"),
    ("3", "Kenya bought patrol boats from Norway", "not_enough_evidence"),
]


def claims_file(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    lines = [json.dumps({"id": i, "claim": claim, "label": label}) for i, claim, label in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_features_then_fit_writes_a_combiner_the_analyzer_can_load(
    runner: FlaskCliRunner, imported: None, tmp_path: Path
) -> None:
    sets = [claims_file(tmp_path / f"set-{n}.jsonl", CLAIMS) for n in range(3)]
    out_dir = tmp_path / "features"
    result = runner.invoke(args=["model", "features", *map(str, sets), "--out-dir", str(out_dir)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in (out_dir / "set-0.features.jsonl").open()]
    assert [r["id"] for r in records] == ["1", "2", "3"]
    (part,) = records[0]["parts"]
    assert len(part["features"]) == len(FEATURES)
    assert set(part["found"]) == {"supported", "refuted", "conflicting", "not_enough_evidence"}
    assert records[0]["rules"]["predicted"] in part["found"]
    model = tmp_path / "learned.json"
    files = sorted(map(str, out_dir.glob("*.features.jsonl")))
    result = runner.invoke(args=["model", "fit-combiner", *files, "--out", str(model)])
    assert result.exit_code == 0, result.output
    combiner = Combiner.read(model)
    assert combiner.features == FEATURES
    assert "set-0 (3)" in combiner.fitted_on
    again = tmp_path / "again.json"
    runner.invoke(args=["model", "fit-combiner", *files, "--out", str(again)])
    assert model.read_text() == again.read_text()  # deterministic
