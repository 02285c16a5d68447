"""Which claims may lean on partial coverage: the claim decides, not verify."""

from __future__ import annotations

import pytest

from factcheck.engine.claim_analysis import analyse_claim


@pytest.mark.parametrize(
    ("claim", "may_lean"),
    [
        ("Global warming is driving polar bears toward extinction", True),
        ("Arctic sea ice is shrinking", True),  # a place, not an actor
        ("Iran supplied drones to Russia", False),  # a named actor
        ("The port handled 7,200 ships in 2022", False),  # a figure
    ],
)
def test_only_a_general_claim_may_lean(claim: str, may_lean: bool) -> None:
    assert analyse_claim(claim).may_lean is may_lean
