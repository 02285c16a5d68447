"""The ``learned`` analyzer: its signals, its combiner and its verdicts, on composed examples.

The combiner here is a tiny fixed coefficient file or a fit on a few composed rows, never the
shipped one, so these tests do not move when it is refitted (one test only checks that the
shipped file loads and is served by the registry).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from factcheck.engine.claim_analysis import analyse_claim
from factcheck.engine.evidence import Evidence
from factcheck.engine.stance import NEUTRAL, REFUTES, SUPPORTS, analyzer_names, create_analyzer
from factcheck.engine.stance.learned import (
    Combiner,
    LearnedStanceAnalyzer,
    fit_combiner,
    load_combiner,
)
from factcheck.engine.stance.rules import RuleStanceAnalyzer
from factcheck.engine.stance.signals import FEATURES, claim_features, precise_checks
from factcheck.engine.verdict import (
    NOT_ENOUGH_EVIDENCE,
    REFUTED,
    SUPPORTED,
    VERDICTS,
    Assessment,
)
from factcheck.language.text_analysis import analyse

rules = RuleStanceAnalyzer()


def tiny_combiner(**bias: float) -> Combiner:
    """A fixed combiner: "support" votes for supported, "refute" for refuted, nothing for not
    enough evidence; ``bias`` adds to a verdict's intercept."""
    width = len(FEATURES)
    coef = np.zeros((4, width))
    coef[VERDICTS.index(SUPPORTED), FEATURES.index("support")] = 6.0
    coef[VERDICTS.index(REFUTED), FEATURES.index("refute")] = 6.0
    intercept = np.array([bias.get(label, 0.0) for label in VERDICTS])
    intercept[VERDICTS.index(NOT_ENOUGH_EVIDENCE)] += 3.0
    return Combiner(FEATURES, VERDICTS, np.zeros(width), np.ones(width), coef, intercept)


def learned(**bias: float) -> LearnedStanceAnalyzer:
    return LearnedStanceAnalyzer(tiny_combiner(**bias), rules=rules)


def evidence(passage: str, passage_id: str = "p1", source: str = "s1") -> Evidence:
    return Evidence(passage_id, passage, context=passage, source_id=source, publisher=source)


def test_a_combiner_file_loads_and_predicts(tmp_path: Path) -> None:
    path = tmp_path / "learned.json"
    tiny_combiner().write(path)
    combiner = Combiner.read(path)
    x = np.zeros((2, len(FEATURES)))
    x[0, FEATURES.index("support")] = 1.0  # logit 6 against 3: supported
    p = combiner.probabilities(x)
    assert p.shape == (2, 4)
    assert np.allclose(p.sum(axis=1), 1.0)
    assert combiner.classes[int(np.argmax(p[0]))] == SUPPORTED
    assert combiner.classes[int(np.argmax(p[1]))] == NOT_ENOUGH_EVIDENCE
    assert p[1, VERDICTS.index(NOT_ENOUGH_EVIDENCE)] == pytest.approx(np.exp(3) / (np.exp(3) + 3))


def test_a_combiner_of_other_features_is_refused(tmp_path: Path) -> None:
    data = tiny_combiner().as_dict()
    data["features"] = [*data["features"][:-1], "something_else"]
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="something_else"):
        Combiner.read(path)


def test_the_fit_is_deterministic_and_learns_a_separable_rule() -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 0.3, (80, len(FEATURES)))
    y = []
    for row, label in zip(x, VERDICTS * 20, strict=True):
        y.append(label)
        if label != NOT_ENOUGH_EVIDENCE:
            row[FEATURES.index("support" if label != REFUTED else "refute")] += 0.7
        if label == "conflicting":
            row[FEATURES.index("refute")] += 0.7
    first = fit_combiner(x, y, l2=1.0, steps=1500)
    second = fit_combiner(x, y, l2=1.0, steps=1500)
    assert np.array_equal(first.coef, second.coef)
    predicted = [first.classes[i] for i in np.argmax(first.probabilities(x), axis=1)]
    assert sum(p == g for p, g in zip(predicted, y, strict=True)) / len(y) >= 0.95


def test_confidence_falls_to_chance_on_rows_unlike_the_fitting_ones() -> None:
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 0.2, (80, len(FEATURES)))
    y = [SUPPORTED if row[FEATURES.index("support")] > 0.1 else NOT_ENOUGH_EVIDENCE for row in x]
    combiner = fit_combiner(x, y, l2=1.0, steps=1500)
    typical = x[0].copy()
    label, near = combiner.verdict(typical)
    assert combiner.novelty(typical)[0] < combiner.novelty_from
    assert near == round(min(float(combiner.probabilities(typical).max()), 0.97), 2)
    unlike = typical.copy()
    unlike[FEATURES.index("sim_max")] = 5.0  # far outside anything fitted on
    assert combiner.novelty(unlike)[0] > combiner.novelty_to
    assert combiner.verdict(unlike)[1] == 0.25  # chance among four verdicts
    # The distances survive the file.
    again = Combiner.from_dict(json.loads(json.dumps(combiner.as_dict())))
    assert again.verdict(unlike)[1] == 0.25
    assert again.verdict(typical) == (label, near)


def test_a_paraphrase_the_rules_leave_neutral_aligns_and_supports() -> None:
    claim = analyse_claim("Tehran sold unmanned aircraft to Moscow")
    passage = evidence("Tehran sold drones to Moscow.")
    (signal,) = learned().signals(claim, [passage])
    assert signal.rules.label == NEUTRAL and signal.checks == ()
    assert signal.similarity >= 0.75
    assert signal.stance.label == SUPPORTS
    assert signal.stance.texts[0].startswith("says the same in other words (similarity 0.")
    features = dict(zip(FEATURES, claim_features(claim, [signal]), strict=True))
    assert features["aligned_clean"] == pytest.approx(signal.similarity)
    assert features["support"] > 0.5 and features["rules_support"] == 0.0


@pytest.mark.parametrize(
    ("claim", "passage", "check", "code"),
    [
        (
            "Tehran sold 400 unmanned aircraft to Moscow",
            "Tehran sold 1,700 drones to Moscow.",
            "figures",
            "different_number",
        ),
        (
            "The port of Easthaven handled 7,200 ships in 2022",
            "In 2022 Easthaven port saw 6,100 vessels.",
            "figures",
            "different_number",
        ),
    ],
)
def test_a_changed_number_in_a_paraphrase_is_a_refutation_signal(
    claim: str, passage: str, check: str, code: str
) -> None:
    analysed = analyse_claim(claim)
    assert rules.assess(analysed, evidence(passage)).label == NEUTRAL  # the rules miss it
    (signal,) = learned().signals(analysed, [evidence(passage)])
    assert check in signal.checks
    assert signal.stance.label == REFUTES
    assert code in signal.stance.codes
    assert "in other words (similarity 0." in signal.stance.texts[0]
    features = dict(zip(FEATURES, claim_features(analysed, [signal]), strict=True))
    assert features[f"aligned_{check}"] == pytest.approx(signal.similarity)
    assert features["refute"] > 0.5


def test_the_precise_checks_read_whole_sentences() -> None:
    claim = analyse_claim("Lukashenko proposed the union in 2011")
    assert precise_checks(claim, analyse("Putin proposed the union in 2011."), subject_named=False)
    assert "years" in precise_checks(
        claim, analyse("Lukashenko proposed the union in 2014."), subject_named=True
    )
    assert (
        precise_checks(claim, analyse("Lukashenko proposed the union in 2011."), subject_named=True)
        == ()
    )


def test_an_unrelated_passage_stays_neutral_and_features_say_little() -> None:
    claim = analyse_claim("Tehran sold unmanned aircraft to Moscow")
    (signal,) = learned().signals(claim, [evidence("The weather in Lisbon was mild in spring.")])
    assert signal.stance.label == NEUTRAL
    features = dict(zip(FEATURES, claim_features(claim, [signal]), strict=True))
    assert features["sim_max"] < 0.4 and features["support"] == features["refute"] == 0.0


def test_decide_takes_the_verdict_and_confidence_from_the_combiner() -> None:
    analyzer = learned()
    claim = analyse_claim("Tehran sold unmanned aircraft to Moscow")
    passages = [evidence("Tehran sold drones to Moscow.")]
    stances = analyzer.assess_many(claim, passages)
    verdict = analyzer.decide(
        claim, [Assessment(e, s) for e, s in zip(passages, stances, strict=True)]
    )
    x = claim_features(claim, analyzer.signals(claim, passages))
    p = analyzer.combiner.probabilities(x)[0]
    assert verdict.label == VERDICTS[int(np.argmax(p))]
    assert verdict.confidence == round(min(float(p.max()), 0.97), 2)  # no novelty: as fitted
    assert verdict.label == SUPPORTED and verdict.supporting


def test_when_the_combiner_overrules_the_aggregation_it_shows_why() -> None:
    analyzer = learned(supported=10.0)  # says supported whatever the passages
    claim = analyse_claim("Tehran sold unmanned aircraft to Moscow")
    # Similar in meaning, but a rival actor: no stance that counts, so the aggregation says
    # not enough evidence.
    passages = [evidence("Tehran's allies shipped drones to Moscow in large numbers.")]
    stances = analyzer.assess_many(claim, passages)
    verdict = analyzer.decide(
        claim, [Assessment(e, s) for e, s in zip(passages, stances, strict=True)]
    )
    assert verdict.label == SUPPORTED
    assert verdict.confidence >= 0.9
    assert "Weighing every signal" in verdict.explanation
    if verdict.supporting:  # passages close enough in meaning are shown, with their similarity
        assert "similarity" in verdict.supporting[0].stance.texts[0]


def test_the_combiner_overrules_the_aggregation_only_when_sure_enough() -> None:
    x = np.zeros(len(FEATURES))
    x[FEATURES.index("support")] = 1.0  # supported at e^6 / (e^6 + e^3 + 2), about 0.94
    sure = tiny_combiner()
    assert sure.verdict(x, NOT_ENOUGH_EVIDENCE)[0] == SUPPORTED
    cautious = replace(sure, override_at=0.99)
    label, confidence = cautious.verdict(x, NOT_ENOUGH_EVIDENCE)
    assert label == NOT_ENOUGH_EVIDENCE  # the aggregation's verdict stands
    p = cautious.probabilities(x)[0]
    assert confidence == round(float(p[VERDICTS.index(NOT_ENOUGH_EVIDENCE)]), 2)  # and is doubted
    assert cautious.verdict(x, SUPPORTED) == sure.verdict(x)  # agreeing needs no threshold


def test_the_registry_serves_it_with_the_shipped_combiner() -> None:
    assert "learned" in analyzer_names()
    analyzer = create_analyzer("learned")
    assert isinstance(analyzer, LearnedStanceAnalyzer)
    assert analyzer.combiner is load_combiner()
    assert analyzer.combiner.features == FEATURES
    assert analyzer.combiner.fitted_on


def test_a_supporting_passage_that_gives_the_figure_to_another_count_refutes() -> None:
    passage = (
        "In the UN General Assembly vote, 141 countries called for an end to the fighting "
        "and seven voted against the resolution."
    )
    claim = analyse_claim("141 countries voted against the UN resolution")
    (signal,) = learned().signals(claim, [evidence(passage)])
    assert signal.rules.label == SUPPORTS  # the rules see the figure and the words
    assert "bound_elsewhere" in signal.checks
    assert signal.stance.label == REFUTES
    assert signal.stance.codes == {"different_number"}
    same = analyse_claim("141 countries called for an end to the fighting")
    (signal,) = learned().signals(same, [evidence(passage)])
    assert signal.stance.label == SUPPORTS


def test_an_accusation_met_by_a_denial_stays_conflicting_whatever_the_combiner_prefers() -> None:
    combiner = tiny_combiner(refuted=10.0)  # prefers refuted, whatever the passages
    x = np.zeros(len(FEATURES))
    x[FEATURES.index("disputed")] = 1.0
    label, _ = combiner.verdict(x, "conflicting")
    assert label == "conflicting"
    # Conflicting for another reason (two sources disagree) is the combiner's to overrule.
    x[FEATURES.index("disputed")] = 0.0
    assert combiner.verdict(x, "conflicting")[0] == REFUTED


def test_a_reported_accusation_and_its_denial_make_a_conflicting_verdict() -> None:
    analyzer = learned(refuted=10.0)
    claim = analyse_claim("Ghana hired foreign pilots")
    passages = [
        evidence(
            "Sweden has accused Ghana of hiring foreign pilots, although Accra has denied the "
            "accusation."
        )
    ]
    stances = analyzer.assess_many(claim, passages)
    verdict = analyzer.decide(
        claim, [Assessment(e, s) for e, s in zip(passages, stances, strict=True)]
    )
    assert verdict.label == "conflicting"
