"""Counting a ballot from its roll and votes: the pure part, without a database."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yishi.rules import Rule
from yishi.voting.counting import (
    CastVote,
    Hands,
    RollLine,
    SecretSum,
    count_hands,
    count_open,
    count_secret,
    equal_shares,
    participation,
)
from yishi.voting.recount import load_and_tally

ROLL = [
    RollLine("1-101", "h:1", 9000),
    RollLine("1-102", "o:zhang", 10000, "zhang"),
    RollLine("1-201", "o:zhang", 11000, "zhang", served=True),
    RollLine("2-101", "h:4", 8000, served=True),
    RollLine("2-102", "h:5", 12000),
]


@given(st.integers(0, 10**9), st.integers(1, 500))
def test_equal_shares_add_up_and_differ_by_at_most_one(total: int, parts: int):
    shares = equal_shares(total, parts)
    assert sum(shares) == total and len(shares) == parts and max(shares) - min(shares) <= 1


def test_an_owner_of_two_units_counts_once_with_both_areas():
    count = count_open(Rule.CIVIL_CODE_ORDINARY, None, ROLL, [CastVote("1-201", "o:zhang", "yes")])
    assert (count.actual.total_owners, count.actual.yes_area) == (4, 21000)


def test_the_open_export_names_owner_groups_by_opaque_ids():
    count = count_open(Rule.CIVIL_CODE_ORDINARY, None, ROLL, [CastVote("1-201", "o:zhang", "yes")])
    assert count.exports is not None and "zhang" not in count.exports.roll_csv
    assert "1-102,100.00,G1" in count.exports.roll_csv


def test_consultation_votes_are_tallied_apart_from_the_binding_count():
    votes = [CastVote("1-101", "h:1", "yes", "consultation"), CastVote("1-101", "h:1", "no", "count")]
    count = count_open(Rule.MAJORITY_OF_CAST, None, ROLL, votes)
    assert count.actual.no_ballots == 1 and count.consultation is not None
    assert count.consultation.yes_ballots == 1


def test_served_non_voters_join_the_majority_in_the_deemed_result_only():
    votes = [CastVote("1-101", "h:1", "yes"), CastVote("2-102", "h:5", "yes")]
    count = count_open(Rule.CIVIL_CODE_ORDINARY, None, ROLL, votes, deemed=True)
    assert count.deemed_choice == "yes" and count.served_non_voters == 2
    assert count.actual.participating_owners == 2 and count.deemed is not None
    assert count.deemed.participating_owners == 4 and count.passed == count.deemed.passed


def test_when_owners_are_tied_the_larger_area_is_the_majority():
    votes = [CastVote("1-101", "h:1", "yes"), CastVote("2-102", "h:5", "no")]
    count = count_open(Rule.CIVIL_CODE_ORDINARY, None, [*ROLL[:1], *ROLL[4:]], votes, deemed=True)
    assert count.deemed_choice == "no"  # 120 m² against 90 m²


def test_a_perfect_tie_deems_nothing():
    roll = [RollLine("a", "h:a", 100), RollLine("b", "h:b", 100), RollLine("c", "h:c", 100, served=True)]
    count = count_open(
        Rule.CIVIL_CODE_ORDINARY, None, roll, [CastVote("a", "h:a", "yes"), CastVote("b", "h:b", "no")], deemed=True
    )
    assert count.deemed_choice is None and count.deemed is not None
    assert count.deemed.participating_owners == 2


def test_a_secret_export_recounts_the_same_without_real_areas():
    participants = [("h:1", "count"), ("o:zhang", "count"), ("h:4", "count")]
    choices = [("AAAA-1111", "yes", "count"), ("BBBB-2222", "yes", "count"), ("CCCC-3333", "no", "count")]
    sums = [SecretSum("count", "yes", 2, 30000), SecretSum("count", "no", 1, 8000), SecretSum("count", "abstain", 0, 0)]
    count = count_secret(Rule.CIVIL_CODE_ORDINARY, None, ROLL, participants, choices, sums)
    assert count.exports is not None
    recount = load_and_tally("civil_code_ordinary", count.exports.roll_csv, count.exports.votes_csv)
    assert recount == count.actual
    assert "AAAA-1111,150.00," in count.exports.roll_csv and "BBBB-2222,150.00," in count.exports.roll_csv
    assert "2-102,120.00," in count.exports.roll_csv


def test_a_secret_count_refuses_participants_without_as_many_choices():
    with pytest.raises(ValueError, match="took part"):
        count_secret(Rule.MAJORITY_OF_CAST, None, ROLL, [("h:1", "count")], [], [])


def test_a_secret_count_refuses_sums_that_do_not_match_the_participants():
    participants = [("h:1", "count"), ("h:4", "count")]
    choices = [("AAAA-1111", "yes", "count"), ("CCCC-3333", "no", "count")]
    with pytest.raises(ValueError, match="weights"):
        count_secret(
            Rule.CIVIL_CODE_ORDINARY,
            None,
            ROLL,
            participants,
            choices,
            [SecretSum("count", "yes", 1, 9000), SecretSum("count", "no", 1, 9000)],
        )
    with pytest.raises(ValueError, match="sums"):
        count_secret(Rule.CIVIL_CODE_ORDINARY, None, ROLL, participants, choices, [SecretSum("count", "yes", 2, 17000)])


def test_participation_of_a_sealed_ballot_says_nothing_of_the_choices():
    figures = participation(Rule.CIVIL_CODE_ORDINARY, ROLL, ["h:1", "o:zhang"])
    assert figures == {
        "rule": "civil_code_ordinary",
        "quorum_met": False,
        "total_area_m2": "500.00",
        "total_owners": 4,
        "participating_area_m2": "300.00",
        "participating_owners": 2,
        "ballots_cast": 2,
        "sealed": True,
    }


def test_a_show_of_hands_cannot_exceed_the_roll():
    with pytest.raises(ValueError):
        count_hands(Rule.MAJORITY_OF_CAST, ROLL, Hands(3, 2, 0))
    count = count_hands(Rule.TWO_THIRDS_OF_CAST, ROLL, Hands(2, 1, 0))
    assert count.passed and count.actual.cast == 3 and count.actual.yes_ballots == 2


def test_a_show_of_hands_does_not_decide_an_owners_matter():
    with pytest.raises(ValueError):
        count_hands(Rule.CIVIL_CODE_ORDINARY, ROLL, Hands(1, 0, 0))
