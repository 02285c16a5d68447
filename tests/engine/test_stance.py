"""Stance rules: one row per rule, written from composed sentences (not the dev claims)."""

from __future__ import annotations

import pytest

from factcheck.engine.claim_analysis import analyse_claim
from factcheck.engine.evidence import Evidence
from factcheck.engine.stance.rules import (
    NEUTRAL,
    REFUTES,
    SUPPORTS,
    RuleStanceAnalyzer,
    rule_words,
)

analyzer = RuleStanceAnalyzer()


def judge(claim: str, passage: str, previous: str = "", context: str = ""):
    evidence = Evidence("p1", passage, context=context or passage, previous=previous)
    return analyzer.assess(analyse_claim(claim), evidence)


@pytest.mark.parametrize(
    ("claim", "passage", "expected"),
    [
        # Supports: the same assertion in other words, aliases and synonyms.
        (
            "Turkey sold tanks to Qatar",
            "Ankara delivered tanks to the Qatari army last spring.",
            SUPPORTS,
        ),
        (
            "Brazil supplied ammunition to Angola",
            "Brazilian firms shipped munitions to Luanda.",
            SUPPORTS,
        ),
        (
            "Norway organised rescue flights for tourists stranded in Peru",
            "Oslo was organizing rescue flights to bring home tourists stranded in Lima.",
            SUPPORTS,
        ),
        (
            "The storm killed at least 1,200 people",
            "The storm caused the death of at least 1,200 people and 300 cattle.",
            SUPPORTS,
        ),
        # Negation in the passage.
        (
            "Kenya recognised the new government",
            "Kenya has refused to recognise the new government.",
            REFUTES,
        ),
        (
            "Chile openly supported the blockade",
            "Chile has not openly supported the blockade, officials said.",
            REFUTES,
        ),
        # Negation in the claim, affirmed by the passage.
        (
            "Spain and Portugal were not founding members of the alliance",
            "The alliance was created by initial member states Spain and Portugal.",
            REFUTES,
        ),
        # Both negated: agreement.
        (
            "Ghana has not taken a position on the dispute",
            "Ghana has yet to take a position on the dispute.",
            SUPPORTS,
        ),
        # Antonyms of the main verb.
        (
            "Peru voted for the resolution on fishing rights",
            "Peru and Chile voted against the resolution on fishing rights.",
            REFUTES,
        ),
        (
            "Egypt voted against the trade resolution",
            "Egypt abstained from the vote on the trade resolution.",
            REFUTES,
        ),
        (
            "The mayor of Lyon praised the police in his speech",
            "In his speech the mayor of Lyon blamed the police for the riots.",
            REFUTES,
        ),
        (
            "Mexico condemned the coup as unjustified",
            "Mexico described the coup as justified.",
            REFUTES,
        ),
        (
            "The French troops sent to Mali were withdrawn after the elections",
            "The French troops in Mali will now stay indefinitely after the elections.",
            REFUTES,
        ),
        # A different number for the same counted thing.
        (
            "The number of countries that abstained in the 2021 vote was 40",
            "In the 2021 vote, 38 countries abstained.",
            REFUTES,
        ),
        (
            "Japan pledged 12 billion dollars to the fund",
            "Japan pledged 12 billion dollars to the fund, and Korea 3 billion dollars.",
            SUPPORTS,
        ),
        # A different year for the same event.
        (
            "The canal treaty was signed in 1999",
            "The canal treaty was first signed in 1977 by both governments.",
            REFUTES,
        ),
        # A rival name of the same kind.
        (
            "The fleet sailed into the Baltic Sea in May",
            "In May the fleet sailed into the North Sea for exercises.",
            REFUTES,
        ),
        # Opposites of what the subject aimed or was ready to do.
        (
            "Laos was ready to give up its ties with Japan",
            "Laos cannot give up its ties with Japan, its minister said.",
            REFUTES,
        ),
        (
            "The Hanoi government moved closer to France after the reforms",
            "The Hanoi government distanced itself from France after the reforms.",
            REFUTES,
        ),
        # A passage about someone else says nothing about the claim's subject.
        ("Vietnam sold rice to Cuba", "Thailand sold rice to Cuba in record amounts.", NEUTRAL),
        # Sharing words is not asserting: the verb and object differ.
        (
            "Iceland banned whaling",
            "Iceland hosted a conference on whaling and fisheries.",
            NEUTRAL,
        ),
        # "called for" is a demand, not a naming.
        (
            "Austria called the protests a riot",
            "Austria has called for an end to the protests in the capital.",
            NEUTRAL,
        ),
        # A polar verb the passage does not say cannot be confirmed.
        (
            "Poland blocked imports of Ukrainian grain",
            "Poland has increased imports of Ukrainian grain this year.",
            NEUTRAL,
        ),
    ],
)
def test_stance_rules(claim: str, passage: str, expected: str) -> None:
    assert judge(claim, passage).label == expected


def test_hedged_passage_supports_more_weakly_than_a_plain_one() -> None:
    plain = judge("Greece bought drones from Israel", "Greece bought drones from Israel.")
    hedged = judge(
        "Greece bought drones from Israel",
        "Greece reportedly bought drones from Israel, according to local media.",
    )
    assert plain.label == hedged.label == SUPPORTS
    assert hedged.score < plain.score


def test_accusation_met_by_denial_is_disputed() -> None:
    stance = judge(
        "Serbia sent weapons to Libya",
        "Italy has accused Serbia of sending weapons to Libya, although Belgrade has denied "
        "the accusation.",
    )
    assert stance.label == REFUTES
    assert stance.disputed


def test_denial_of_the_previous_sentence_refutes_its_content() -> None:
    stance = judge(
        "Morocco asked Spain for patrol boats",
        "However, a spokesperson for Morocco's foreign ministry denied the report.",
        previous="Newspapers reported that Morocco had asked Spain for patrol boats.",
    )
    assert stance.label == REFUTES


def test_pointing_back_borrows_the_subject_of_the_sentence_before() -> None:
    stance = judge(
        "Canada voted against the treaty in the 2019 vote",
        "Both abstained from the 2019 vote on the treaty.",
        previous="Canada and Mexico kept their distance from the treaty.",
    )
    assert stance.label == REFUTES


def test_closed_list_refutes_an_outsider_for_the_same_year() -> None:
    passage = "Chad, Niger and Mali were the only countries that voted against the 2021 charter."
    assert judge("Sudan voted against the 2021 charter", passage).label == REFUTES
    # Without the year the claim may be about another vote: nothing can be said.
    assert judge("Sudan voted against the charter", passage).label == NEUTRAL


def test_matched_spans_point_at_the_matching_words() -> None:
    passage = "Ankara delivered tanks to the Qatari army."
    stance = judge("Turkey sold tanks to Qatar", passage)
    marked = {passage[start:end] for start, end in stance.matched_spans}
    assert {"Ankara", "delivered", "tanks", "Qatari"} <= marked


def test_a_neighbour_sentence_lends_its_subject_but_not_to_another_actor() -> None:
    previous = "Peru has expanded its navy this decade."
    # The passage goes on about Peru: its subject comes from the sentence before.
    lent = judge("Peru bought frigates from Spain", "It bought frigates from Spain.", previous)
    assert lent.label == SUPPORTS
    # The passage leads with another country: what Chile bought says nothing about Peru.
    other = judge(
        "Peru bought frigates from Spain", "Santiago bought frigates from Spain.", previous
    )
    assert other.label == NEUTRAL


def test_a_closed_list_speaks_only_of_what_its_members_did() -> None:
    passage = (
        "Chad, Niger and Mali, the only countries that voted against the charter, cited "
        "the use of force."
    )
    assert judge("Sudan voted against the charter", passage).label == REFUTES
    # The list is about voting; it says nothing about who used the charter.
    assert judge("Sudan used the charter", passage).label == NEUTRAL


def test_a_denial_of_another_act_is_not_a_denial_of_the_claim() -> None:
    stance = judge(
        "Morocco described the protests as a riot",
        "However, Morocco's foreign ministry denied the report.",
        previous="Newspapers reported that Morocco had asked Spain for patrol boats.",
    )
    assert stance.label == NEUTRAL


def test_a_role_only_one_can_hold_held_by_another_refutes() -> None:
    passage = "Chilean President Gabriel Boric is the first leader to visit the new base."
    assert judge("Peru's president was the first leader to visit the new base", passage).label == (
        REFUTES
    )
    # "One of the first" is no such role.
    shared = "Boric was one of the first leaders to visit the new base."
    assert judge("Peru's president was the first leader to visit the new base", shared).label == (
        NEUTRAL
    )


def test_time_spans_are_counted_units() -> None:
    stance = judge(
        "The fishing pact was extended by ten years",
        "The fishing pact was renewed for five more years.",
    )
    assert stance.label == REFUTES


@pytest.mark.parametrize(
    ("claim", "passage", "codes"),
    [
        (
            "Greece bought drones from Israel",
            "Greece bought drones from Israel.",
            {"says_the_same"},
        ),
        (
            "Greece bought drones from Israel",
            "Greece reportedly bought drones from Israel, according to local media.",
            {"says_the_same", "hedged", "attributed"},
        ),
        ("Greece bought drones from Israel", "Greece did not buy drones from Israel.", {"negates"}),
        (
            "Serbia sent weapons to Libya",
            "Italy has accused Serbia of sending weapons to Libya, although Belgrade has denied "
            "the accusation.",
            {"attributed", "explicit_denial", "accusation_denied"},
        ),
        (
            "Sudan voted against the 2021 charter",
            "Chad, Niger and Mali were the only countries that voted against the 2021 charter.",
            {"complete_list"},
        ),
        (
            "Vietnam sold rice to Cuba",
            "Thailand sold rice to Cuba in record amounts.",
            {"subject_missing"},
        ),
    ],
)
def test_each_stance_says_why_in_codes(claim: str, passage: str, codes: set[str]) -> None:
    stance = judge(claim, passage)
    assert stance.codes == codes
    assert all(reason.text for reason in stance.reasons)  # every code comes with words


def test_the_rules_word_lists_are_read_once_from_their_data_file() -> None:
    words = rule_words()
    assert words is rule_words()
    assert "only" in words.exclusive_cues and "country" in words.group_nouns
    assert {"vote_for", "vote_against"} <= words.vote_concepts


@pytest.mark.parametrize(
    ("claim", "passage", "cited"),
    [
        # The figure for the claim's quantity, not the count of those who voted the other way.
        (
            "100 countries voted for the resolution",
            "141 countries voted for the resolution, 7 against.",
            "gives 141 where the claim says 100",
        ),
        (
            "100 countries voted for the resolution",
            "In a General Assembly vote on Thursday, 141 countries called for an end to the "
            "fighting, 34 countries abstained and seven voted against the resolution.",
            "gives 141 where the claim says 100",
        ),
        (
            "100 countries voted in favour of the resolution",
            "The resolution passed with 7 countries against and 141 countries voting for it.",
            "gives 141 where the claim says 100",
        ),
        # A passage figure equal to the claim's other figure is that figure's.
        (
            "The assembly voted 100 to 7 for the resolution",
            "In the assembly 141 countries called for a ceasefire, 34 countries abstained and "
            "seven voted against the resolution.",
            "gives 141 where the claim says 100",
        ),
        (
            "The port handled 9,000 ships in 2022",
            "In 2022 the port handled 7,200 ships and 40 tankers.",
            "gives 7,200 where the claim says 9,000",
        ),
    ],
)
def test_a_different_number_cites_the_passage_figure_for_that_quantity(
    claim: str, passage: str, cited: str
) -> None:
    stance = judge(claim, passage)
    assert stance.label == REFUTES
    assert [r.text for r in stance.reasons if r.code == "different_number"] == [cited]
