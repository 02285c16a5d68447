"""Decomposition: which claims are split into parts, and how the parts' verdicts combine."""

from __future__ import annotations

import pytest

from factcheck.engine.decomposition import combine, split_claim


@pytest.mark.parametrize(
    ("claim", "parts"),
    [
        # A non-restrictive relative clause on the subject.
        (
            "Belarus, which hosts Russian troops, voted against the resolution",
            ("Belarus hosts Russian troops", "Belarus voted against the resolution"),
        ),
        (
            "Xi Jinping, who visited Moscow in March, signed a statement with Putin",
            ("Xi Jinping visited Moscow in March", "Xi Jinping signed a statement with Putin"),
        ),
        # Coordinated predicates sharing the subject.
        (
            "Iran supplied drones to Russia and sent advisers to Crimea",
            ("Iran supplied drones to Russia", "Iran sent advisers to Crimea"),
        ),
        (
            "Russia has supplied Iran with fighter jets and has trained Iranian pilots",
            ("Russia has supplied Iran with fighter jets", "Russia has trained Iranian pilots"),
        ),
        (
            "The treaty was signed in 2001 and extended in 2021",
            ("The treaty was signed in 2001", "The treaty was extended in 2021"),
        ),
        (
            "The pact between Moscow and Beijing was extended by five years"
            " and will run until 2026",
            (
                "The pact between Moscow and Beijing was extended by five years",
                "The pact between Moscow and Beijing will run until 2026",
            ),
        ),
        (
            "The treaty was renewed and is now set to run until 2026",
            ("The treaty was renewed", "The treaty is now set to run until 2026"),
        ),
        (
            "Belarus has sided with Russia, and has sent help to Putin's forces",
            ("Belarus has sided with Russia", "Belarus has sent help to Putin's forces"),
        ),
        (
            "The ocean is absorbing more CO2, and is becoming more acidic",
            ("The ocean is absorbing more CO2", "The ocean is becoming more acidic"),
        ),
        # Two clauses.
        (
            "Russia invaded Ukraine and China abstained",
            ("Russia invaded Ukraine", "China abstained"),
        ),
        (
            "Bosnia and Herzegovina voted for the resolution and Serbia abstained",
            ("Bosnia and Herzegovina voted for the resolution", "Serbia abstained"),
        ),
        # Three assertions.
        (
            "Iran, which sells drones to Russia, trained Russian pilots"
            " and sent advisers to Crimea",
            (
                "Iran sells drones to Russia",
                "Iran trained Russian pilots",
                "Iran sent advisers to Crimea",
            ),
        ),
    ],
)
def test_claims_of_several_assertions_are_split(claim: str, parts: tuple[str, ...]) -> None:
    assert split_claim(claim) == parts


@pytest.mark.parametrize(
    "claim",
    [
        "Mali and Nicaragua voted against the resolution",  # coordinated subjects: one act
        "Bosnia and Herzegovina voted for the resolution",  # a name
        "Trinidad and Tobago abstained",
        "Indonesia hosted peace talks between Russia and Ukraine",
        "Joko Widodo visited both Kyiv and Moscow in June 2022",
        "Iran supplied drones to Russia and North Korea",  # coordinated objects
        "North Korea has been supplying Russia with rockets and missiles",
        "The resolution passed with 141 votes in favour, seven against and 32 abstentions.",
        # Two verbs sharing one object.
        "The Belarusian military had supported and enabled Russia's invasion",
        # An "and" inside what was reported, a clause or an infinitive.
        "The Foreign Office said Belarus had hosted troops and supplied fuel",
        "Beijing warned that sanctions on Russia could spill over and hurt Chinese interests",
        "Saudi Arabia and Russia agreed to cut oil output and raise prices",
        "Kim Jong Un demanded that Washington end its policy of isolating and weakening Russia",
        "Assad relies on Russian troops and air strikes to prop up his government",
        # The pronoun is the relative clause's object; a trailing clause's antecedent is unsure.
        "Ukraine, which Russia invaded in 2022, applied to join NATO",
        "Beijing approved imports of Russian wheat, which could blunt Western sanctions.",
        # The "and" belongs to an inner clause, a list or a second clause's subject.
        "While there are many drivers of climate, CO2 is the main forcing and is increasing",
        "Studies indicate the ice loss is accelerating and will raise sea levels",
        "Obama's plan calls for cuts, but China and India will still raise their emissions",
        "Among the seven were Russia and the four countries that had backed Putin",
        "North Korea is the only nation besides Russia and Syria to recognise Donetsk",
        "Cooling is due to a strong La Nina phase and a prolonged solar minimum",
        "Stress from water heated by climate change and the El Nino pattern caused the die-off",
        "Russia is a main backer of Assad and its intervention helped him",  # "its": no referent
        "All parties must stay calm and prevent a crisis, the statement said",
        'Xi called the talks "useful and said they would go on"',
        # A relative clause after an opening phrase, not after the subject.
        "In exchange for this support, which would help Russian troops, the Kremlin offers aid",
        # One assertion.
        "Iran supplied drones to Russia",
        "Russia invaded",
    ],
)
def test_claims_of_one_assertion_are_not_split(claim: str) -> None:
    assert split_claim(claim) == (claim,)


def test_a_claim_of_one_assertion_keeps_its_text() -> None:
    assert split_claim("  Iran’s drones reached Russia  ") == ("Iran’s drones reached Russia",)


@pytest.mark.parametrize(
    ("verdicts", "expected"),
    [
        # A refuted part refutes the whole, with the surest refutation's confidence.
        ([("supported", 0.97), ("refuted", 0.82)], ("refuted", 0.82, 1)),
        ([("refuted", 0.7), ("not_enough_evidence", 0.93), ("refuted", 0.9)], ("refuted", 0.9, 2)),
        ([("conflicting", 0.8), ("refuted", 0.6)], ("refuted", 0.6, 1)),
        # Else a part short of evidence makes the whole short of evidence.
        ([("supported", 0.97), ("not_enough_evidence", 0.84)], ("not_enough_evidence", 0.84, 1)),
        (
            [("not_enough_evidence", 0.6), ("conflicting", 0.8), ("not_enough_evidence", 0.9)],
            ("not_enough_evidence", 0.9, 2),
        ),
        # Else a conflicting part makes the whole conflicting.
        ([("conflicting", 0.8), ("supported", 0.97)], ("conflicting", 0.8, 0)),
        # Else every part is supported: as sure as the least sure part.
        ([("supported", 0.97), ("supported", 0.87)], ("supported", 0.87, 1)),
        ([("supported", 0.9)], ("supported", 0.9, 0)),
    ],
)
def test_the_parts_verdicts_combine(
    verdicts: list[tuple[str, float]], expected: tuple[str, float, int]
) -> None:
    assert combine(verdicts) == expected  # type: ignore[arg-type]


def test_a_claim_without_parts_cannot_be_combined() -> None:
    with pytest.raises(ValueError):
        combine([])
