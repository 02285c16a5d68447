"""The learned analyzer's newer precise checks, on composed sentences: a figure bound to another
count, an actor in another role, a direction word reversed."""

from __future__ import annotations

import pytest

from factcheck.engine.claim_analysis import analyse_claim
from factcheck.engine.stance.signals import precise_checks
from factcheck.language.text_analysis import analyse

VOTE = (
    "The resolution was backed by 141 countries, called for an end to the fighting, "
    "and seven voted against the resolution."
)
FOR_AND_AGAINST = "141 countries voted in favour of the resolution and seven voted against it."


def checks(claim: str, passage: str) -> tuple[str, ...]:
    return precise_checks(analyse_claim(claim), analyse(passage), subject_named=True)


@pytest.mark.parametrize(
    ("claim", "passage"),
    [
        ("141 countries voted against the UN resolution", VOTE),
        ("141 countries voted against the resolution", FOR_AND_AGAINST),
        ("Seven countries voted in favour of the resolution", FOR_AND_AGAINST),
        (
            "141 countries voted against the motion in New York",
            "The motion was supported by 141 countries in New York, with only five nations, "
            "including Russia, opposing.",
        ),
    ],
)
def test_a_figure_bound_to_another_count_is_a_refutation_signal(claim: str, passage: str) -> None:
    assert "bound_elsewhere" in checks(claim, passage)


@pytest.mark.parametrize(
    ("claim", "passage"),
    [
        ("141 countries backed the UN resolution", VOTE),
        ("Seven countries voted against the UN resolution", VOTE),
        ("141 countries voted in favour of the resolution", FOR_AND_AGAINST),
        ("Seven countries voted against the resolution", FOR_AND_AGAINST),
        # one figure only: nothing to bind it to but itself ("figures" handles another value)
        ("141 countries voted against the resolution", "141 countries voted against it."),
    ],
)
def test_the_same_figure_with_the_same_count_is_not(claim: str, passage: str) -> None:
    assert "bound_elsewhere" not in checks(claim, passage)


def test_an_actor_in_another_role_is_a_signal() -> None:
    passage = "Iran supplied drones to Russia for use in Ukraine."
    assert "role" in checks("Russia supplied drones to Iran", passage)
    assert "role" not in checks("Iran supplied drones to Russia", passage)
    # the claim's actor absent altogether is another check's business (swap, actor)
    assert "role" not in checks("Syria supplied drones to Iran", passage)


def test_a_passive_passage_or_a_possessive_is_not_read_for_roles() -> None:
    passage = "Drones were supplied to Russia by Iran."
    assert "role" not in checks("Iran supplied drones to Russia", passage)
    passage = "Russia's army invaded Ukraine."
    assert "role" not in checks("Ukraine's army invaded Russia", passage)


def test_a_reversed_direction_word_is_a_signal() -> None:
    passage = "Exports fell in March, with a decrease of 20 percent."
    assert "reversed" in checks("Exports showed an increase of 20 percent in March", passage)
    assert "reversed" not in checks("Exports showed a decrease of 20 percent in March", passage)
