"""The cross-encoder's training pairs: each change does what its name says; the set is stable."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from factcheck.engine.stance import training_pairs
from factcheck.engine.stance.training_pairs import (
    LABELS,
    alias_entity,
    build_pairs,
    change_date,
    change_number,
    claim_clauses,
    climate_fever_rows,
    entity_mentions,
    opposite_verb,
    sentence_pairs,
    swap_entity,
    swap_roles,
    synonym_verb,
    toggle_negation,
)

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
SENTENCE = "Iran sold 400 drones to Russia in February 2023, officials said."


def rng() -> random.Random:
    return random.Random(1)


def test_entities_are_found_with_their_kind() -> None:
    found = [(name, kind) for name, kind, _ in entity_mentions(SENTENCE)]
    assert found == [("Iran", "country"), ("Russia", "country")]


def test_an_actor_is_swapped_for_another_of_its_kind() -> None:
    before, after = swap_entity(SENTENCE, rng()) or ("", "")
    assert before in ("Iran", "Russia")
    assert after not in ("Iran", "Russia")
    assert entity_mentions(after)[0][1] == "country"


@pytest.mark.parametrize(
    ("text", "before"),
    [("Iran sold 400 drones", "400"), ("Seven countries voted against it", "seven")],
)
def test_a_number_is_changed(text: str, before: str) -> None:
    change = change_number(text.replace("Seven", "seven"), rng())
    assert change is not None
    assert change[0] == before and change[1] != before


def test_years_are_dates_not_counts() -> None:
    assert change_number("It happened in 2023", rng()) is None
    year, other = change_date("It happened in 2023", rng()) or ("", "")
    assert year == "2023" and other != "2023" and len(other) == 4


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("China has sent weapons", ("has ", "has not ")),
        ("China did not send weapons", (" not ", " ")),
    ],
)
def test_negation_is_inserted_or_removed(text: str, expected: tuple[str, str]) -> None:
    assert toggle_negation(text, rng()) == expected


def test_a_verb_becomes_its_opposite_or_its_synonym() -> None:
    opposite = opposite_verb("The minister condemned the vote", rng())
    synonym = synonym_verb("Iran supplied drones to Russia", rng())
    assert opposite is not None and opposite[0] == "condemned"
    assert opposite[1].endswith("ed") and opposite[1] != "condemned"
    assert synonym is not None and synonym[0] == "supplied" and synonym[1] != "supplied"


def test_a_country_is_named_by_an_alias() -> None:
    change = alias_entity("Germany sent tanks", rng())
    assert change is not None and change[0] == "Germany"
    assert change[1] in ("Berlin", "the German government")


def test_roles_swap_only_around_a_directed_act() -> None:
    assert swap_roles("Iran supplied drones to Russia", rng()) == "Russia supplied drones to Iran"
    assert swap_roles("Iran and Russia held talks", rng()) is None


def test_claims_are_short_clauses() -> None:
    clauses = claim_clauses("But China said it would not arm Russia, which angered Washington.")
    assert clauses[0] == "China said it would not arm Russia"
    assert all(len(c.split()) <= training_pairs.MAX_CLAIM_WORDS for c in clauses)


def test_a_sentence_gives_pairs_of_every_label() -> None:
    pairs = sentence_pairs(SENTENCE, [SENTENCE, "Other news."], ["Markets fell today."], rng(), "t")
    assert {p.label for p in pairs} == set(LABELS)
    assert all(p.passage != p.claim for p in pairs if p.label == "refutes")


@pytest.mark.skipif(not (SHARED / "training").is_dir(), reason="needs ../shared/training")
def test_the_set_is_deterministic_and_leaves_the_test_splits_out() -> None:
    def build() -> list[training_pairs.Pair]:
        return build_pairs(
            SHARED / "training", SHARED / "benchmarks", ROOT / "sources", max_pairs=600
        )

    pairs = build()
    assert pairs == build()
    assert len(pairs) <= 600 and {p.label for p in pairs} == set(LABELS)
    test_rows = climate_fever_rows(SHARED / "benchmarks", test=True)
    held = {row["claim"] for row in test_rows}
    held |= {e["evidence"] for row in test_rows for e in row["evidences"]}
    fever_test = training_pairs.fever_symmetric_test(SHARED / "training")
    held |= {p.claim for p in fever_test} | {p.passage for p in fever_test}
    assert not [p for p in pairs if p.claim in held or p.passage in held]
