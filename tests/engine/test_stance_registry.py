"""Stance analyzers by name: the registry, and the setting that chooses one for the app."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from flask import Flask

from factcheck.app import create_app
from factcheck.engine.calibration import load_calibration
from factcheck.engine.claim_analysis import Claim, analyse_claim
from factcheck.engine.evidence import Evidence
from factcheck.engine.stance import (
    REFUTES,
    Reason,
    RuleStanceAnalyzer,
    Stance,
    UnknownAnalyzerError,
    analyzer_names,
    create_analyzer,
    register_analyzer,
)
from factcheck.engine.stance.registry import unregister_analyzer
from factcheck.web.checks import check_claim, get_stance_analyzer

CLAIM = "The port of Easthaven handled 7,200 ships in 2022"


class ContraryAnalyzer:
    """A fake that finds every passage a strong refutation, and counts its batched calls."""

    name = "contrary"
    calibration = load_calibration("rules")  # borrowed: a fake has no scores of its own to fit

    def __init__(self) -> None:
        self.batches: list[int] = []

    def assess(self, claim: Claim, evidence: Evidence) -> Stance:
        return Stance(REFUTES, 0.95, (Reason("explicit_denial", "denies it"),), relevance=0.95)

    def assess_many(self, claim: Claim, evidences: Sequence[Evidence]) -> list[Stance]:
        self.batches.append(len(evidences))
        return [self.assess(claim, evidence) for evidence in evidences]


@pytest.fixture
def contrary() -> Iterator[None]:
    register_analyzer("contrary", ContraryAnalyzer)
    yield
    unregister_analyzer("contrary")


def make_app(tmp_path: Path, sources_dir: Path, **config: object) -> Flask:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'catalog.sqlite3'}",
            "INDEX_DIR": str(tmp_path / "index"),
            "SOURCES_DIR": str(sources_dir),
            **config,
        }
    )
    result = app.test_cli_runner().invoke(args=["import", str(sources_dir)])
    assert result.exit_code == 0, result.output
    return app


def close(app: Flask) -> None:
    app.extensions["factcheck.search.index"].close()
    app.extensions["factcheck.database"].dispose()


def test_the_rules_analyzer_is_registered_by_name() -> None:
    assert "rules" in analyzer_names()
    analyzer = create_analyzer("rules")
    assert isinstance(analyzer, RuleStanceAnalyzer)
    assert analyzer.name == "rules"


def test_an_unknown_name_is_refused_with_the_names_registered() -> None:
    with pytest.raises(UnknownAnalyzerError, match=r"unknown stance analyzer 'rulez'.*rules"):
        create_analyzer("rulez")


def test_a_name_is_not_registered_twice_by_mistake(contrary: None) -> None:
    with pytest.raises(ValueError, match="already registered"):
        register_analyzer("contrary", RuleStanceAnalyzer)


def test_the_rules_analyzer_judges_many_as_it_judges_one() -> None:
    claim = analyse_claim("Greece bought drones from Israel")
    evidences = [
        Evidence("p1", "Greece bought drones from Israel."),
        Evidence("p2", "Greece sold drones to Israel."),
        Evidence("p3", "Nothing here."),
    ]
    analyzer = RuleStanceAnalyzer()
    assert analyzer.assess_many(claim, evidences) == [analyzer.assess(claim, e) for e in evidences]


def test_the_setting_chooses_the_analyzer_and_the_verdict_follows(
    tmp_path: Path, sources_dir: Path, contrary: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FACTCHECK_STANCE_ANALYZER", "rules")  # the default is now "learned"
    rules = make_app(tmp_path / "rules", sources_dir)
    with rules.app_context():
        assert isinstance(get_stance_analyzer(), RuleStanceAnalyzer)
        assert check_claim(CLAIM).verdict == "supported"
    close(rules)

    monkeypatch.setenv("FACTCHECK_STANCE_ANALYZER", "contrary")
    contrary_app = make_app(tmp_path / "contrary", sources_dir)
    with contrary_app.app_context():
        analyzer = get_stance_analyzer()
        assert isinstance(analyzer, ContraryAnalyzer)
        result = check_claim(CLAIM)
        assert result.verdict == "refuted"
        assert result.conflicting[0].reasons == ("denies it",)
        assert analyzer.batches and analyzer.batches[0] >= 1  # every candidate in one call
    close(contrary_app)


def test_an_unknown_analyzer_stops_the_app_at_start(
    test_config: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FACTCHECK_STANCE_ANALYZER", "oracle")
    with pytest.raises(UnknownAnalyzerError, match="FACTCHECK_STANCE_ANALYZER: .*'oracle'"):
        create_app(test_config)
