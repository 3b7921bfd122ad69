"""The voting rules engine: thresholds at their bounds, owner counting, properties."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from yishi.rules import (
    ABSTAIN,
    DECIDED_BY_CODES,
    NO,
    PARTY_PREFIX,
    YES,
    RollEntry,
    Rule,
    TallyError,
    Vote,
    format_area,
    parse_area,
    tally,
)

CIVIL_CODE_RULES = [Rule.CIVIL_CODE_ORDINARY, Rule.CIVIL_CODE_SPECIAL]
CAST_RULES = [Rule.MAJORITY_OF_CAST, Rule.TWO_THIRDS_OF_CAST]


def roll_of(*areas: str, owner_keys: dict[int, str] | None = None) -> list[RollEntry]:
    """Units u1, u2, ... with the given areas in m²; ``owner_keys`` maps unit number → key."""
    keys = owner_keys or {}
    return [RollEntry(f"u{n}", parse_area(area), keys.get(n)) for n, area in enumerate(areas, 1)]


def votes_of(*choices: str | None) -> list[Vote]:
    """The n-th choice is u<n>'s vote; ``None`` means u<n> did not vote."""
    return [Vote(f"u{n}", choice) for n, choice in enumerate(choices, 1) if choice is not None]


# --- Hypothesis strategies (also used by the recount and CLI tests) ---------------------

UNIT_LABELS = st.builds("{}-{}-{}".format, st.integers(1, 9), st.integers(1, 3), st.integers(101, 1802))
ALL_RULES = st.sampled_from(Rule)
OWNER_KEYS = st.none() | st.sampled_from(["developer", "buyer-zhang", "buyer-li"])
YES_NO_CHOICES = st.sampled_from([YES, YES, YES, NO, ABSTAIN])
OPTION_LABELS = ("方案一", "方案二", "方案三")
OPTION_CHOICES = st.sampled_from([*OPTION_LABELS, OPTION_LABELS[0], ABSTAIN])


@st.composite
def rolls(draw: st.DrawFn, max_size: int = 12) -> list[RollEntry]:
    voters = draw(st.lists(UNIT_LABELS, min_size=1, max_size=max_size, unique=True))
    return [RollEntry(voter, draw(st.integers(1, 50_000)), draw(OWNER_KEYS)) for voter in voters]


def owner_groups(roll: list[RollEntry], rule: Rule) -> dict[str, list[str]]:
    """Each owner's units, as the design counts them (independently of the engine)."""
    groups: dict[str, list[str]] = {}
    for entry in roll:
        owner = entry.owner_key if rule.counts_owners and entry.owner_key else f"unit {entry.voter}"
        groups.setdefault(owner, []).append(entry.voter)
    return groups


@st.composite
def ballots(
    draw: st.DrawFn,
    rules: st.SearchStrategy[Rule] = ALL_RULES,
    choices: st.SearchStrategy[str] = YES_NO_CHOICES,
) -> tuple[Rule, list[RollEntry], list[Vote]]:
    """A rule, a roll and valid votes: at most one per owner, through any of its units."""
    rule = draw(rules)
    roll = draw(rolls())
    votes = [
        Vote(draw(st.sampled_from(units)), draw(choices))
        for units in owner_groups(roll, rule).values()
        if draw(st.integers(0, 3)) > 0
    ]
    return rule, roll, draw(st.permutations(votes))


# --- Civil code participation ------------------------------------------------------------


def test_exactly_two_thirds_of_area_meets_participation() -> None:
    # Five voters of 40 m² and one non-voter of 100 m²: owners are well over ⅔.
    roll = roll_of("40", "40", "40", "40", "40", "100")
    result = tally(roll, votes_of(YES, YES, YES, YES, YES), Rule.CIVIL_CODE_ORDINARY)
    assert (result.participating_area, result.total_area) == (20000, 30000)
    assert result.quorum_met
    assert result.passed


def test_one_hundredth_of_a_square_metre_below_two_thirds_of_area_fails_participation() -> None:
    roll = roll_of("39.99", "40", "40", "40", "40", "100.01")
    result = tally(roll, votes_of(YES, YES, YES, YES, YES), Rule.CIVIL_CODE_ORDINARY)
    assert (result.participating_area, result.total_area) == (19999, 30000)
    assert not result.quorum_met
    assert not result.passed
    assert result.decided_by == "participation_area"


def test_exactly_two_thirds_of_owners_meets_participation() -> None:
    roll = roll_of("100", "100", "100", "100", "10", "10")
    result = tally(roll, votes_of(YES, YES, YES, YES), Rule.CIVIL_CODE_ORDINARY)
    assert (result.participating_owners, result.total_owners) == (4, 6)
    assert result.quorum_met
    assert result.passed


def test_one_owner_below_two_thirds_fails_participation() -> None:
    roll = roll_of("100", "100", "100", "10", "10", "10")
    result = tally(roll, votes_of(YES, YES, YES), Rule.CIVIL_CODE_ORDINARY)
    assert 3 * result.participating_area >= 2 * result.total_area
    assert not result.quorum_met
    assert result.decided_by == "participation_owners"


def test_area_participation_is_reported_before_owner_participation() -> None:
    roll = roll_of("10", "100", "100")
    result = tally(roll, votes_of(YES), Rule.CIVIL_CODE_SPECIAL)
    assert result.decided_by == "participation_area"


def test_participation_is_checked_before_approval() -> None:
    roll = roll_of("100", "100", "100")
    result = tally(roll, votes_of(NO), Rule.CIVIL_CODE_ORDINARY)
    assert result.decided_by == "participation_area"


def test_abstentions_count_toward_participation() -> None:
    roll = roll_of("100", "100", "100")
    result = tally(roll, votes_of(YES, ABSTAIN), Rule.CIVIL_CODE_ORDINARY)
    assert result.quorum_met
    assert (result.participating_area, result.participating_owners) == (20000, 2)


def test_abstentions_count_against_approval_as_participants() -> None:
    roll = roll_of("100", "100")
    result = tally(roll, votes_of(YES, ABSTAIN), Rule.CIVIL_CODE_ORDINARY)
    assert result.quorum_met
    assert not result.passed
    assert result.decided_by == "approval_area"


@pytest.mark.parametrize("rule", CIVIL_CODE_RULES)
def test_no_participant_fails_participation(rule: Rule) -> None:
    result = tally(roll_of("100"), [], rule)
    assert result.decided_by == "participation_area"


# --- Civil code approval -----------------------------------------------------------------


def test_exactly_half_of_participating_area_is_not_a_majority() -> None:
    roll = roll_of("100", "50", "150")
    result = tally(roll, votes_of(YES, YES, NO), Rule.CIVIL_CODE_ORDINARY)
    assert 2 * result.yes_area == result.participating_area
    assert not result.passed
    assert result.decided_by == "approval_area"


def test_one_hundredth_over_half_of_participating_area_is_a_majority() -> None:
    roll = roll_of("100.01", "50", "149.99")
    result = tally(roll, votes_of(YES, YES, NO), Rule.CIVIL_CODE_ORDINARY)
    assert result.passed
    assert result.decided_by == "passed_all"


def test_exactly_half_of_participating_owners_is_not_a_majority() -> None:
    roll = roll_of("300", "300", "10", "10")
    result = tally(roll, votes_of(YES, YES, NO, NO), Rule.CIVIL_CODE_ORDINARY)
    assert 2 * result.yes_owners == result.participating_owners
    assert not result.passed
    assert result.decided_by == "approval_owners"


def test_exactly_three_quarters_of_area_and_owners_passes_special() -> None:
    roll = roll_of("25", "25", "25", "25")
    result = tally(roll, votes_of(YES, YES, YES, NO), Rule.CIVIL_CODE_SPECIAL)
    assert 4 * result.yes_area == 3 * result.participating_area
    assert 4 * result.yes_owners == 3 * result.participating_owners
    assert result.passed


def test_one_hundredth_below_three_quarters_of_area_fails_special() -> None:
    roll = roll_of("24.99", "25", "25", "25.01")
    result = tally(roll, votes_of(YES, YES, YES, NO), Rule.CIVIL_CODE_SPECIAL)
    assert not result.passed
    assert result.decided_by == "approval_area"


def test_below_three_quarters_of_owners_fails_special() -> None:
    roll = roll_of("100", "100", "100", "1", "1")
    result = tally(roll, votes_of(YES, YES, YES, NO, NO), Rule.CIVIL_CODE_SPECIAL)
    assert 4 * result.yes_area >= 3 * result.participating_area
    assert not result.passed
    assert result.decided_by == "approval_owners"


def test_two_thirds_passes_ordinary_but_not_special() -> None:
    roll = roll_of("100", "100", "100")
    votes = votes_of(YES, YES, NO)
    assert tally(roll, votes, Rule.CIVIL_CODE_ORDINARY).passed
    assert tally(roll, votes, Rule.CIVIL_CODE_SPECIAL).decided_by == "approval_area"


# --- Counting owners ---------------------------------------------------------------------


def test_developer_units_count_as_one_owner() -> None:
    developer = dict.fromkeys(range(4, 11), "developer")
    roll = roll_of(*["100"] * 10, owner_keys=developer)
    result = tally(roll, [], Rule.CIVIL_CODE_ORDINARY)
    assert (result.total_owners, result.total_area) == (4, 100000)


def test_developer_alone_holding_most_area_does_not_meet_owner_participation() -> None:
    developer = dict.fromkeys(range(4, 11), "developer")
    roll = roll_of(*["100"] * 10, owner_keys=developer)
    result = tally(roll, [Vote("u7", YES)], Rule.CIVIL_CODE_ORDINARY)
    assert (result.participating_area, result.participating_owners) == (70000, 1)
    assert result.decided_by == "participation_owners"


def test_one_buyer_with_three_units_counts_as_one_owner() -> None:
    buyer = {1: "buyer-zhang", 2: "buyer-zhang", 3: "buyer-zhang"}
    roll = roll_of("90", "80", "70", "60", "50", owner_keys=buyer)
    result = tally(roll, [], Rule.CIVIL_CODE_ORDINARY)
    assert (result.total_owners, result.total_area) == (3, 35000)


def test_vote_through_any_unit_counts_with_the_owner_whole_area() -> None:
    buyer = {1: "buyer-zhang", 2: "buyer-zhang", 3: "buyer-zhang"}
    roll = roll_of("90", "80", "70", "60", "50", owner_keys=buyer)
    result = tally(roll, votes_of(None, YES, None, NO), Rule.CIVIL_CODE_ORDINARY)
    assert (result.yes_area, result.yes_owners) == (24000, 1)
    assert (result.no_area, result.no_owners) == (6000, 1)
    assert result.cast == 2


def test_second_vote_from_the_same_owner_is_refused() -> None:
    roll = roll_of("90", "80", owner_keys={1: "developer", 2: "developer"})
    with pytest.raises(TallyError) as caught:
        tally(roll, votes_of(YES, NO), Rule.CIVIL_CODE_ORDINARY)
    assert caught.value.vote_index == 1
    assert caught.value.message == ("voter u2 belongs to owner developer, who already voted through u1")


@pytest.mark.parametrize("rule", [*CAST_RULES, Rule.PARTIES_UNANIMOUS])
def test_owner_keys_do_not_group_voters_outside_the_civil_code_rules(rule: Rule) -> None:
    roll = roll_of("90", "80", "70", owner_keys={1: "developer", 2: "developer", 3: "developer"})
    result = tally(roll, votes_of(YES, YES, YES), rule)
    assert (result.total_owners, result.cast, result.yes_ballots) == (3, 3, 3)
    assert result.passed


@pytest.mark.parametrize("rule", list(Rule))
def test_second_vote_from_the_same_voter_is_refused(rule: Rule) -> None:
    with pytest.raises(TallyError) as caught:
        tally(roll_of("90", "80"), [Vote("u2", YES), Vote("u2", NO)], rule)
    assert caught.value.vote_index == 1
    assert caught.value.message == "voter u2 has already voted"


# --- Majority and two thirds of ballots cast ---------------------------------------------


def test_exactly_half_of_ballots_cast_is_not_a_majority() -> None:
    result = tally(roll_of("1", "1"), votes_of(YES, NO), Rule.MAJORITY_OF_CAST)
    assert not result.passed
    assert result.decided_by == "approval_cast"


def test_more_than_half_of_ballots_cast_is_a_majority() -> None:
    result = tally(roll_of("1", "1", "1"), votes_of(YES, YES, NO), Rule.MAJORITY_OF_CAST)
    assert result.passed


def test_abstentions_count_as_cast_ballots() -> None:
    result = tally(roll_of("1", "1"), votes_of(YES, ABSTAIN), Rule.MAJORITY_OF_CAST)
    assert (result.cast, result.abstain_ballots) == (2, 1)
    assert not result.passed


def test_non_voters_do_not_count_under_the_cast_rules() -> None:
    roll = roll_of(*["1"] * 10)
    result = tally(roll, votes_of(YES), Rule.MAJORITY_OF_CAST)
    assert (result.total_owners, result.cast) == (10, 1)
    assert result.passed


def test_exactly_two_thirds_of_ballots_cast_passes() -> None:
    result = tally(roll_of("1", "1", "1"), votes_of(YES, YES, NO), Rule.TWO_THIRDS_OF_CAST)
    assert result.passed


def test_one_yes_short_of_two_thirds_of_ballots_cast_fails() -> None:
    choices = [YES] * 5 + [NO] * 3 + [ABSTAIN]
    result = tally(roll_of(*["1"] * 9), votes_of(*choices), Rule.TWO_THIRDS_OF_CAST)
    assert not result.passed
    assert result.decided_by == "approval_cast"


@pytest.mark.parametrize("rule", list(Rule))
def test_no_ballot_cast_passes_nothing(rule: Rule) -> None:
    result = tally(roll_of("100", "100"), [], rule)
    assert not result.passed
    assert result.cast == 0


@pytest.mark.parametrize("rule", [*CAST_RULES, Rule.PARTIES_UNANIMOUS])
def test_rules_without_participation_threshold_report_quorum_met(rule: Rule) -> None:
    assert tally(roll_of("1", "1", "1"), votes_of(NO), rule).quorum_met


# --- Parties unanimous -------------------------------------------------------------------

PARTIES = [RollEntry("branch", 0), RollEntry("property", 0), RollEntry("committee", 0)]


def test_parties_unanimous_passes_when_every_party_agrees() -> None:
    votes = [Vote("committee", YES), Vote("branch", YES), Vote("property", YES)]
    result = tally(PARTIES, votes, Rule.PARTIES_UNANIMOUS)
    assert result.passed
    assert result.decided_by == "passed_all"


def test_parties_unanimous_fails_naming_the_missing_party() -> None:
    votes = [Vote("branch", YES), Vote("committee", YES)]
    result = tally(PARTIES, votes, Rule.PARTIES_UNANIMOUS)
    assert not result.passed
    assert result.decided_by == "party:property"


@pytest.mark.parametrize("choice", [NO, ABSTAIN])
def test_parties_unanimous_fails_naming_the_party_that_did_not_agree(choice: str) -> None:
    votes = [Vote("branch", YES), Vote("property", YES), Vote("committee", choice)]
    result = tally(PARTIES, votes, Rule.PARTIES_UNANIMOUS)
    assert result.decided_by == "party:committee"


def test_parties_unanimous_names_the_first_dissenting_party_by_name() -> None:
    result = tally(PARTIES, [Vote("branch", YES)], Rule.PARTIES_UNANIMOUS)
    assert result.decided_by == "party:committee"


# --- Multi-option items ------------------------------------------------------------------

OPTIONS = ["plan-a", "plan-b", "plan-c"]


def test_option_with_a_majority_of_ballots_cast_is_adopted() -> None:
    votes = votes_of("plan-a", "plan-a", "plan-a", "plan-b", ABSTAIN)
    result = tally(roll_of(*["1"] * 5), votes, Rule.MAJORITY_OF_CAST, OPTIONS)
    assert result.passed
    assert result.adopted_option == "plan-a"
    assert [(o.label, o.passed, o.ballots) for o in result.options] == [
        ("plan-a", True, 3),
        ("plan-b", False, 1),
        ("plan-c", False, 0),
    ]
    assert (result.yes_ballots, result.no_ballots, result.abstain_ballots) == (0, 0, 1)


def test_split_vote_adopts_no_option() -> None:
    votes = votes_of("plan-a", "plan-a", "plan-b", "plan-b")
    result = tally(roll_of(*["1"] * 4), votes, Rule.MAJORITY_OF_CAST, OPTIONS)
    assert not result.passed
    assert result.adopted_option is None
    assert result.decided_by == "no_option_adopted"
    assert {o.decided_by for o in result.options} == {"approval_cast"}


def test_participation_is_checked_once_for_all_options() -> None:
    roll = roll_of("100", "100", "100")
    result = tally(roll, votes_of("plan-a", "plan-b"), Rule.CIVIL_CODE_ORDINARY, OPTIONS)
    assert result.quorum_met
    assert result.decided_by == "no_option_adopted"
    assert [o.area for o in result.options] == [10000, 10000, 0]


def test_options_fail_together_when_participation_fails() -> None:
    roll = roll_of("100", "100", "100")
    result = tally(roll, votes_of("plan-a"), Rule.CIVIL_CODE_ORDINARY, OPTIONS)
    assert result.decided_by == "participation_area"
    assert {o.decided_by for o in result.options} == {"participation_area"}


def test_option_with_civil_code_majority_of_area_and_owners_is_adopted() -> None:
    roll = roll_of("100", "100", "100")
    result = tally(roll, votes_of("plan-b", "plan-b", "plan-a"), Rule.CIVIL_CODE_ORDINARY, OPTIONS)
    assert result.adopted_option == "plan-b"
    assert result.options[1].to_json_dict() == {
        "label": "plan-b",
        "passed": True,
        "decided_by": "passed_all",
        "area_m2": "200.00",
        "owners": 2,
        "ballots": 2,
    }


def test_parties_unanimous_adopts_the_option_every_party_chose() -> None:
    votes = [Vote("branch", "plan-b"), Vote("property", "plan-b"), Vote("committee", "plan-b")]
    result = tally(PARTIES, votes, Rule.PARTIES_UNANIMOUS, OPTIONS)
    assert result.adopted_option == "plan-b"
    assert result.options[0].decided_by == "party:branch"


@pytest.mark.parametrize("choice", [YES, NO, "plan-d"])
def test_yes_no_and_unknown_labels_are_not_choices_on_a_multi_option_item(choice: str) -> None:
    with pytest.raises(TallyError) as caught:
        tally(roll_of("1"), votes_of(choice), Rule.MAJORITY_OF_CAST, OPTIONS)
    assert caught.value.message == (f"unknown choice {choice!r}: expected plan-a, plan-b, plan-c or abstain")


@pytest.mark.parametrize("options", [["plan-a", "plan-a"], ["plan-a", ABSTAIN], ["plan-a", ""], [" plan-a"]])
def test_bad_option_labels_are_refused(options: list[str]) -> None:
    with pytest.raises(TallyError):
        tally(roll_of("1"), [], Rule.MAJORITY_OF_CAST, options)


def test_no_options_means_a_yes_no_item() -> None:
    assert tally(roll_of("1"), votes_of(YES), Rule.MAJORITY_OF_CAST, []).passed


# --- Refused input -----------------------------------------------------------------------


def test_vote_from_a_voter_not_on_the_roll_is_refused() -> None:
    with pytest.raises(TallyError) as caught:
        tally(roll_of("1"), [Vote("u1", YES), Vote("3-2-502", YES)], Rule.MAJORITY_OF_CAST)
    assert caught.value.message == "voter 3-2-502 is not on the roll"
    assert caught.value.vote_index == 1


@pytest.mark.parametrize("choice", ["Yes", "agree", "", "同意"])
def test_unknown_choice_is_refused(choice: str) -> None:
    with pytest.raises(TallyError) as caught:
        tally(roll_of("1"), votes_of(choice), Rule.MAJORITY_OF_CAST)
    assert caught.value.message == f"unknown choice {choice!r}: expected yes, no or abstain"


def test_voter_listed_twice_on_the_roll_is_refused() -> None:
    roll = [RollEntry("1-101", 100), RollEntry("1-102", 100), RollEntry("1-101", 200)]
    with pytest.raises(TallyError) as caught:
        tally(roll, [], Rule.MAJORITY_OF_CAST)
    assert caught.value.roll_index == 2


@pytest.mark.parametrize("rule", list(Rule))
def test_empty_roll_is_refused(rule: Rule) -> None:
    with pytest.raises(TallyError, match="the roll lists no voter"):
        tally([], [], rule)


@pytest.mark.parametrize("rule", CIVIL_CODE_RULES)
def test_unit_without_area_is_refused_by_the_civil_code_rules(rule: Rule) -> None:
    with pytest.raises(TallyError) as caught:
        tally([RollEntry("1-101", 100), RollEntry("1-102", 0)], [], rule)
    assert caught.value.roll_index == 1


def test_negative_area_is_refused() -> None:
    with pytest.raises(TallyError):
        tally([RollEntry("1-101", -1)], [], Rule.MAJORITY_OF_CAST)


def test_rule_may_be_named_by_its_value() -> None:
    assert tally(roll_of("1"), votes_of(YES), "majority_of_cast").rule is Rule.MAJORITY_OF_CAST
    with pytest.raises(ValueError):
        tally(roll_of("1"), votes_of(YES), "simple_majority")


# --- Areas and JSON ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "hundredths"),
    [("88.5", 8850), ("88.50", 8850), ("88", 8800), ("0.01", 1), (" 12.3 ", 1230), ("007.10", 710)],
)
def test_area_is_parsed_into_hundredths(text: str, hundredths: int) -> None:
    assert parse_area(text) == hundredths


@pytest.mark.parametrize(
    "text",
    ["1e3", "-1", "0", "0.00", "1.234", "", " ", "abc", "1,234.5", ".5", "1.", "１２", "nan", "+1"],
)
def test_area_that_is_not_a_positive_number_with_two_decimals_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_area(text)


@pytest.mark.parametrize(("hundredths", "text"), [(0, "0.00"), (1, "0.01"), (123456, "1234.56")])
def test_area_is_formatted_with_two_decimals(hundredths: int, text: str) -> None:
    assert format_area(hundredths) == text


@given(st.integers(min_value=1, max_value=10**15))
def test_formatted_area_parses_back(hundredths: int) -> None:
    assert parse_area(format_area(hundredths)) == hundredths


def test_json_gives_every_figure_with_areas_as_decimal_strings() -> None:
    roll = roll_of("100", "50.5", "1", "20", "0.25")
    votes = votes_of(YES, YES, YES, NO, ABSTAIN)
    result = tally(roll, votes, Rule.CIVIL_CODE_ORDINARY).to_json_dict()
    assert result == {
        "rule": "civil_code_ordinary",
        "passed": True,
        "quorum_met": True,
        "decided_by": "passed_all",
        "adopted_option": None,
        "total_area_m2": "171.75",
        "total_owners": 5,
        "participating_area_m2": "171.75",
        "participating_owners": 5,
        "yes_area_m2": "151.50",
        "yes_owners": 3,
        "no_area_m2": "20.00",
        "no_owners": 1,
        "abstain_area_m2": "0.25",
        "abstain_owners": 1,
        "ballots_cast": 5,
        "yes_ballots": 3,
        "no_ballots": 1,
        "abstain_ballots": 1,
        "options": [],
    }


def contains_float(value: Any) -> bool:
    if isinstance(value, dict):
        return any(contains_float(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_float(v) for v in value)
    return isinstance(value, float)


@given(ballots(choices=OPTION_CHOICES))
def test_json_never_holds_a_float(ballot: tuple[Rule, list[RollEntry], list[Vote]]) -> None:
    rule, roll, votes = ballot
    assert not contains_float(tally(roll, votes, rule, OPTION_LABELS).to_json_dict())


# --- Properties --------------------------------------------------------------------------


def passes_by_fractions(rule: Rule, roll: list[RollEntry], votes: list[Vote]) -> bool:
    """The rules read straight from docs/voting-rules.md in rational arithmetic."""
    groups = owner_groups(roll, rule)
    owner_of = {voter: owner for owner, units in groups.items() for voter in units}
    area = dict.fromkeys(groups, 0)
    for entry in roll:
        area[owner_of[entry.voter]] += entry.area
    choice = {owner_of[vote.voter]: vote.choice for vote in votes}
    yes = [owner for owner, c in choice.items() if c == YES]
    half, two_thirds, three_quarters = Fraction(1, 2), Fraction(2, 3), Fraction(3, 4)
    if rule is Rule.MAJORITY_OF_CAST:
        return len(yes) > half * len(choice)
    if rule is Rule.TWO_THIRDS_OF_CAST:
        return len(choice) > 0 and len(yes) >= two_thirds * len(choice)
    if rule is Rule.PARTIES_UNANIMOUS:
        return all(choice.get(owner) == YES for owner in groups)
    area_p, area_yes = sum(area[o] for o in choice), sum(area[o] for o in yes)
    if area_p < two_thirds * sum(area.values()) or len(choice) < two_thirds * len(groups):
        return False
    if rule is Rule.CIVIL_CODE_ORDINARY:
        return area_yes > half * area_p and len(yes) > half * len(choice)
    return area_yes >= three_quarters * area_p and len(yes) >= three_quarters * len(choice)


@given(ballots())
def test_tally_agrees_with_the_rules_read_in_rational_arithmetic(
    ballot: tuple[Rule, list[RollEntry], list[Vote]],
) -> None:
    rule, roll, votes = ballot
    assert tally(roll, votes, rule).passed == passes_by_fractions(rule, roll, votes)


@given(ballots(), st.data())
def test_turning_a_non_voter_or_a_no_into_yes_never_turns_a_pass_into_a_fail(
    ballot: tuple[Rule, list[RollEntry], list[Vote]], data: st.DataObject
) -> None:
    rule, roll, votes = ballot
    vote_of_owner = {}
    for owner, units in owner_groups(roll, rule).items():
        vote_of_owner[owner] = next((v for v in votes if v.voter in units), None)
    candidates = [o for o, v in vote_of_owner.items() if v is None or v.choice == NO]
    assume(candidates)
    owner = data.draw(st.sampled_from(candidates))
    previous = vote_of_owner[owner]
    if previous is None:
        unit = data.draw(st.sampled_from(owner_groups(roll, rule)[owner]))
        changed = [*votes, Vote(unit, YES)]
    else:
        changed = [Vote(v.voter, YES) if v == previous else v for v in votes]
    before, after = tally(roll, votes, rule), tally(roll, changed, rule)
    assert after.passed or not before.passed


@given(ballots(), st.data())
def test_permuting_roll_and_votes_changes_nothing(
    ballot: tuple[Rule, list[RollEntry], list[Vote]], data: st.DataObject
) -> None:
    rule, roll, votes = ballot
    shuffled_roll = data.draw(st.permutations(roll))
    shuffled_votes = data.draw(st.permutations(votes))
    assert tally(shuffled_roll, shuffled_votes, rule) == tally(roll, votes, rule)


@given(ballots(choices=OPTION_CHOICES), st.data())
def test_permuting_a_multi_option_ballot_changes_nothing(
    ballot: tuple[Rule, list[RollEntry], list[Vote]], data: st.DataObject
) -> None:
    rule, roll, votes = ballot
    shuffled_roll = data.draw(st.permutations(roll))
    shuffled_votes = data.draw(st.permutations(votes))
    expected = tally(roll, votes, rule, OPTION_LABELS)
    assert tally(shuffled_roll, shuffled_votes, rule, OPTION_LABELS) == expected


@given(ballots(choices=OPTION_CHOICES))
def test_at_most_one_option_is_adopted(ballot: tuple[Rule, list[RollEntry], list[Vote]]) -> None:
    rule, roll, votes = ballot
    result = tally(roll, votes, rule, OPTION_LABELS)
    adopted = [option.label for option in result.options if option.passed]
    assert len(adopted) <= 1
    assert result.adopted_option == (adopted[0] if adopted else None)
    assert result.passed == bool(adopted)


@given(ballots())
def test_figures_add_up(ballot: tuple[Rule, list[RollEntry], list[Vote]]) -> None:
    rule, roll, votes = ballot
    r = tally(roll, votes, rule)
    assert r.participating_area == r.yes_area + r.no_area + r.abstain_area
    assert r.participating_owners == r.yes_owners + r.no_owners + r.abstain_owners == r.cast
    assert r.cast == r.yes_ballots + r.no_ballots + r.abstain_ballots
    assert r.participating_area <= r.total_area == sum(entry.area for entry in roll)
    assert r.decided_by in DECIDED_BY_CODES or r.decided_by.startswith(PARTY_PREFIX)
    assert r.passed == (r.decided_by == "passed_all")
