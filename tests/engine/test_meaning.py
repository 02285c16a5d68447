"""The ``meaning`` analyzer: the rules' stances, plus paraphrases read by the sentence encoder.

Composed sentences, not the claim sets. Each paraphrase is first shown to be neutral for the
rules (for want of shared words), so the test fails if the encoder's reading is not what
turns it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pytest

from factcheck.engine.claim_analysis import analyse_claim
from factcheck.engine.evidence import Evidence
from factcheck.engine.stance import (
    NEUTRAL,
    REFUTES,
    SUPPORTS,
    MeaningStanceAnalyzer,
    RuleStanceAnalyzer,
    Stance,
    analyzer_names,
    create_analyzer,
)
from factcheck.engine.stance.meaning import (
    SIMILARITY_THRESHOLD,
    STRENGTH_CEILING,
    MeaningParameters,
)

rules = RuleStanceAnalyzer()
meaning = MeaningStanceAnalyzer(rules=rules)


def evidence(passage: str, passage_id: str = "p1") -> Evidence:
    return Evidence(passage_id, passage, context=passage, source_id="s1")


def judge(analyzer: object, claim: str, passage: str) -> Stance:
    return analyzer.assess(analyse_claim(claim), evidence(passage))  # type: ignore[attr-defined]


def test_the_registry_lists_it_and_creates_it_with_its_own_calibration() -> None:
    assert "meaning" in analyzer_names()
    analyzer = create_analyzer("meaning")
    assert isinstance(analyzer, MeaningStanceAnalyzer)
    assert analyzer.calibration.analyzer == "meaning"


@pytest.mark.parametrize(
    ("claim", "passage"),
    [
        (
            "Kenya recognised the new government",
            "Kenya has refused to recognise the new government.",
        ),
        (
            "The port of Easthaven handled 7,200 ships in 2022",
            "Easthaven handled 6,100 ships in 2022.",
        ),
    ],
)
def test_it_keeps_the_rules_contradictions(claim: str, passage: str) -> None:
    by_rules = judge(rules, claim, passage)
    assert by_rules.label == REFUTES
    assert judge(meaning, claim, passage) == by_rules


def test_a_paraphrase_the_rules_miss_supports_in_other_words() -> None:
    claim, passage = "Tehran sold unmanned aircraft to Moscow", "Tehran sold drones to Moscow."
    by_rules = judge(rules, claim, passage)
    assert by_rules.label == NEUTRAL
    assert by_rules.codes == {"too_little_in_common"}
    stance = judge(meaning, claim, passage)
    assert stance.label == SUPPORTS
    assert stance.codes == {"says_the_same_in_other_words"}
    (text,) = stance.texts
    assert text.startswith("says the same in other words (similarity 0.")
    similarity = float(text.rsplit(" ", 1)[1].rstrip(")"))
    assert similarity >= SIMILARITY_THRESHOLD
    assert 0.5 <= stance.score <= STRENGTH_CEILING  # counted by the verdict, below the rules'


def test_the_paraphrase_in_other_names_supports_at_a_lower_threshold() -> None:
    # "Iran supplied drones to Russia" shares no content word with the claim but its actors
    # (the rules know Tehran and Moscow stand for them): about 0.6 similar to the claim.
    claim, passage = "Tehran sold unmanned aircraft to Moscow", "Iran supplied drones to Russia."
    assert judge(rules, claim, passage).codes == {"too_little_in_common"}
    lenient = MeaningStanceAnalyzer(MeaningParameters(threshold=0.55), rules=rules)
    stance = judge(lenient, claim, passage)
    assert stance.label == SUPPORTS
    assert stance.codes == {"says_the_same_in_other_words"}
    strict = MeaningStanceAnalyzer(MeaningParameters(threshold=0.7), rules=rules)
    assert judge(strict, claim, passage).label == NEUTRAL


@pytest.mark.parametrize(
    "passage",
    [
        "The weather in Tehran was mild in spring.",
        "Iran's football team beat Russia two goals to one.",
    ],
)
def test_an_unrelated_sentence_stays_neutral(passage: str) -> None:
    lenient = MeaningStanceAnalyzer(
        MeaningParameters(threshold=0.5, subject_missing_threshold=0.5), rules=rules
    )
    stance = judge(lenient, "Tehran sold unmanned aircraft to Moscow", passage)
    assert stance.label == NEUTRAL


@pytest.mark.parametrize(
    ("passage", "why"),
    [
        ("Iran did not supply drones to Russia.", "negation"),
        ("Iran denied that it sold drones to Russia.", "denial"),
    ],
)
def test_similar_but_negated_or_denied_is_not_read_as_support(passage: str, why: str) -> None:
    claim = "Tehran sold unmanned aircraft to Moscow"
    assert judge(rules, claim, passage).label == NEUTRAL
    lenient = MeaningStanceAnalyzer(MeaningParameters(threshold=0.4), rules=rules)
    assert judge(lenient, claim, passage).label == NEUTRAL


def test_another_actor_doing_the_same_is_not_the_subject_in_other_words() -> None:
    # Very similar (about 0.77), and the rules say the subject is missing: it is another actor.
    claim, passage = "Iran supplied drones to Russia", "North Korea supplied drones to Russia."
    assert judge(rules, claim, passage).codes == {"subject_missing"}
    lenient = MeaningStanceAnalyzer(
        MeaningParameters(threshold=0.5, subject_missing_threshold=0.5), rules=rules
    )
    assert judge(lenient, claim, passage).label == NEUTRAL


class CountingEncoder:
    """A fake encoder: each text's vector is looked up; every call is recorded."""

    def __init__(self, vectors: dict[str, list[float]]) -> None:
        self.vectors = vectors
        self.calls: list[int] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(len(texts))
        rows = np.array([self.vectors[text] for text in texts], np.float32)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_the_claim_and_the_passages_to_reread_go_to_the_encoder_in_one_batch() -> None:
    claim = "Tehran sold unmanned aircraft to Moscow"
    passages = [
        "Tehran sold drones to Moscow.",  # neutral for the rules: re-read
        "Iran supplied drones to Russia.",  # neutral for the rules: re-read
        "Iran has sold unmanned aircraft to Russia.",  # the rules support it: not re-read
    ]
    encoder = CountingEncoder({claim: [1.0, 0.0], passages[0]: [0.9, 0.1], passages[1]: [0.0, 1.0]})
    analyzer = MeaningStanceAnalyzer(MeaningParameters(threshold=0.8), rules=rules, encoder=encoder)
    stances = analyzer.assess_many(
        analyse_claim(claim), [evidence(p, f"p{n}") for n, p in enumerate(passages)]
    )
    assert encoder.calls == [3]  # the claim and two passages, once
    assert [s.label for s in stances] == [SUPPORTS, NEUTRAL, SUPPORTS]
    assert stances[0].texts == ("says the same in other words (similarity 0.99)",)
    assert stances[2].codes == {"says_the_same"}  # the rules' own support is untouched
    analyzer.assess_many(analyse_claim(claim), [evidence(passages[0])])
    assert encoder.calls == [3, 2]  # nothing remembered from the claim before


def test_strength_rises_with_similarity_from_the_threshold_and_is_capped() -> None:
    parameters = MeaningParameters(
        threshold=0.7, strength_at_threshold=0.55, strength_slope=1.0, strength_ceiling=0.85
    )
    assert parameters.strength(0.7, 0.7) == 0.55
    assert parameters.strength(0.8, 0.7) == pytest.approx(0.65)
    assert parameters.strength(0.99, 0.5) == 0.85  # 0.55 + 0.49, capped


def test_vectors_retrieval_brought_are_used_and_nothing_is_encoded() -> None:
    claim = "Tehran sold unmanned aircraft to Moscow"
    passages = ["Tehran sold drones to Moscow.", "Iran supplied drones to Russia."]
    encoder = CountingEncoder({})  # any text it were asked for would raise KeyError
    analyzer = MeaningStanceAnalyzer(MeaningParameters(threshold=0.8), rules=rules, encoder=encoder)
    with_vectors = [
        replace(evidence(p, f"p{n}"), vector=np.array(v, np.float32))
        for n, (p, v) in enumerate(zip(passages, [[0.6, 0.8], [1.0, 0.0]], strict=True))
    ]
    stances = analyzer.assess_many(
        replace(analyse_claim(claim), vector=np.array([0.6, 0.8], np.float32)), with_vectors
    )
    assert encoder.calls == []
    assert [s.label for s in stances] == [SUPPORTS, NEUTRAL]
    assert stances[0].texts == ("says the same in other words (similarity 1.00)",)


def test_only_what_lacks_a_vector_is_encoded_as_the_store_embeds_it() -> None:
    claim = "Tehran sold unmanned aircraft to Moscow"
    stored = replace(evidence("Tehran sold drones to Moscow.", "p0"), vector=np.array([0.0, 1.0]))
    fresh = replace(evidence("Iran supplied drones to Russia.", "p1"), source_title="Wire")
    encoder = CountingEncoder(
        {claim: [1.0, 0.0], "Wire. Iran supplied drones to Russia.": [0.95, 0.05]}
    )
    analyzer = MeaningStanceAnalyzer(MeaningParameters(threshold=0.8), rules=rules, encoder=encoder)
    stances = analyzer.assess_many(analyse_claim(claim), [stored, fresh])
    assert encoder.calls == [2]  # the claim and the passage without a vector, together
    assert [s.label for s in stances] == [NEUTRAL, SUPPORTS]
