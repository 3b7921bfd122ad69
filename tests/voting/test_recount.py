"""The recount CSV format: reading, writing, and errors that name their line."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.voting.test_rules import OPTION_CHOICES, OPTION_LABELS, ballots
from yishi.rules import RollEntry, Rule, TallyError, Vote, tally
from yishi.voting.recount import (
    RecountError,
    decode_csv,
    load_and_tally,
    parse_roll_csv,
    parse_votes_csv,
    write_roll_csv,
    write_votes_csv,
)

ROLL = "voter,area_m2,owner_key\n3-1-101,88.50,\n3-1-102,90,developer\n3-1-103,75.25,developer\n"


def votes_csv(*lines: str) -> str:
    return "\n".join(["voter,choice", *lines]) + "\n"


def recount_error(rule: Rule | str, roll: str, votes: str, options: list[str] | None = None) -> RecountError:
    with pytest.raises(RecountError) as caught:
        load_and_tally(rule, roll, votes, options)
    return caught.value


# --- Reading -----------------------------------------------------------------------------


def test_roll_is_read_into_entries_with_areas_in_hundredths() -> None:
    assert parse_roll_csv(ROLL) == [
        RollEntry("3-1-101", 8850, None),
        RollEntry("3-1-102", 9000, "developer"),
        RollEntry("3-1-103", 7525, "developer"),
    ]


def test_votes_are_read_in_file_order() -> None:
    assert parse_votes_csv(votes_csv("3-1-102,no", "3-1-101,yes")) == [
        Vote("3-1-102", "no"),
        Vote("3-1-101", "yes"),
    ]


def test_byte_order_mark_is_ignored() -> None:
    data = ("\ufeff" + ROLL).encode("utf-8")
    assert parse_roll_csv(decode_csv(data)) == parse_roll_csv(ROLL)
    assert parse_roll_csv("\ufeff" + ROLL) == parse_roll_csv(ROLL)


def test_columns_may_come_in_any_order_and_any_case() -> None:
    roll = "Owner_Key,VOTER,area_m2\r\ndeveloper,3-1-102,90\r\n"
    assert parse_roll_csv(roll) == [RollEntry("3-1-102", 9000, "developer")]


def test_owner_key_column_may_be_left_out() -> None:
    assert parse_roll_csv("voter,area_m2\n3-1-101,88.5\n") == [RollEntry("3-1-101", 8850, None)]


def test_cells_are_stripped_of_surrounding_spaces() -> None:
    assert parse_votes_csv("voter , choice\n 3-1-101 , yes \n") == [Vote("3-1-101", "yes")]


def test_area_may_be_empty_for_parties() -> None:
    roll = "voter,area_m2,owner_key\nbranch,,\nproperty,,\ncommittee,,\n"
    votes = votes_csv("branch,yes", "property,yes", "committee,no")
    result = load_and_tally(Rule.PARTIES_UNANIMOUS, roll, votes)
    assert result.decided_by == "party:committee"


def test_load_and_tally_counts_owners_across_units() -> None:
    result = load_and_tally("civil_code_ordinary", ROLL, votes_csv("3-1-101,yes", "3-1-103,no"))
    assert (result.total_owners, result.no_area) == (2, 16525)


# --- Errors name their line --------------------------------------------------------------


def test_vote_by_a_voter_not_on_the_roll_names_its_line() -> None:
    error = recount_error(Rule.MAJORITY_OF_CAST, ROLL, votes_csv("3-1-101,yes", "3-1-102,no", "3-2-502,yes"))
    assert str(error) == "line 4: voter 3-2-502 is not on the roll"
    assert (error.line, error.source) == (4, "votes")


def test_blank_lines_are_skipped_but_still_counted() -> None:
    votes = "voter,choice\n\n3-1-101,yes\n,\n\n3-2-502,yes\n"
    assert str(recount_error(Rule.MAJORITY_OF_CAST, ROLL, votes)) == ("line 6: voter 3-2-502 is not on the roll")


def test_second_vote_of_one_owner_names_its_line() -> None:
    error = recount_error(Rule.CIVIL_CODE_ORDINARY, ROLL, votes_csv("3-1-102,yes", "3-1-101,no", "3-1-103,no"))
    assert str(error) == ("line 4: voter 3-1-103 belongs to owner developer, who already voted through 3-1-102")


def test_units_of_one_owner_vote_separately_under_the_cast_rules() -> None:
    result = load_and_tally(Rule.MAJORITY_OF_CAST, ROLL, votes_csv("3-1-102,yes", "3-1-103,no"))
    assert result.cast == 2


def test_second_vote_of_one_voter_names_its_line() -> None:
    error = recount_error(Rule.MAJORITY_OF_CAST, ROLL, votes_csv("3-1-101,yes", "3-1-101,yes"))
    assert str(error) == "line 3: voter 3-1-101 has already voted"


def test_unknown_choice_names_its_line() -> None:
    error = recount_error(Rule.MAJORITY_OF_CAST, ROLL, votes_csv("3-1-101,同意"))
    assert str(error) == "line 2: unknown choice '同意': expected yes, no or abstain"


def test_unknown_option_names_its_line() -> None:
    error = recount_error(Rule.MAJORITY_OF_CAST, ROLL, votes_csv("3-1-101,A", "3-1-102,C"), options=["A", "B"])
    assert str(error) == "line 3: unknown choice 'C': expected A, B or abstain"


@pytest.mark.parametrize("area", ["1e3", "-1", "0", "1.234", "abc", "88,5"])
def test_bad_area_names_its_line(area: str) -> None:
    roll = f'voter,area_m2,owner_key\n3-1-101,88.50,\n3-1-102,"{area}",\n'
    with pytest.raises(RecountError) as caught:
        parse_roll_csv(roll)
    assert (caught.value.line, caught.value.source) == (3, "roll")
    assert repr(area) in caught.value.message


def test_empty_area_is_refused_by_the_civil_code_rules() -> None:
    roll = "voter,area_m2,owner_key\n3-1-101,88.50,\n3-1-102,,\n"
    error = recount_error(Rule.CIVIL_CODE_SPECIAL, roll, votes_csv())
    assert str(error) == "line 3: the area is empty"


def test_duplicate_voter_on_the_roll_names_both_lines() -> None:
    roll = ROLL + "3-1-101,60,\n"
    with pytest.raises(RecountError) as caught:
        parse_roll_csv(roll)
    assert str(caught.value) == "line 5: voter 3-1-101 is already on the roll (line 2)"


def test_empty_voter_is_refused() -> None:
    with pytest.raises(RecountError, match="voter is empty") as caught:
        parse_votes_csv(votes_csv("3-1-101,yes", ",no"))
    assert caught.value.line == 3


def test_empty_choice_is_refused() -> None:
    with pytest.raises(RecountError, match="choice is empty"):
        parse_votes_csv(votes_csv("3-1-101,"))


def test_row_with_the_wrong_number_of_cells_is_refused() -> None:
    with pytest.raises(RecountError) as caught:
        parse_roll_csv("voter,area_m2,owner_key\n3-1-101,88.5\n")
    assert str(caught.value) == "line 2: expected 3 cells (voter,area_m2,owner_key), found 2"


def test_empty_file_has_no_header() -> None:
    with pytest.raises(RecountError) as caught:
        parse_votes_csv("\n\n")
    assert str(caught.value) == "line 1: the header is missing: expected voter,choice"


def test_data_without_a_header_is_refused_on_its_first_line() -> None:
    with pytest.raises(RecountError) as caught:
        parse_roll_csv("3-1-101,88.50,\n")
    assert caught.value.line == 1
    assert "unknown column '3-1-101'" in caught.value.message


def test_header_lacking_a_column_is_refused() -> None:
    with pytest.raises(RecountError, match="lacks column 'area_m2'"):
        parse_roll_csv("voter,owner_key\n3-1-101,\n")


def test_header_with_an_unknown_column_is_refused() -> None:
    with pytest.raises(RecountError, match="unknown column 'name'"):
        parse_votes_csv("voter,choice,name\n3-1-101,yes,张三\n")


def test_header_naming_a_column_twice_is_refused() -> None:
    with pytest.raises(RecountError, match="appears twice"):
        parse_votes_csv("voter,choice,voter\n")


def test_roll_without_voters_is_refused() -> None:
    error = recount_error(Rule.MAJORITY_OF_CAST, "voter,area_m2,owner_key\n", votes_csv())
    assert (str(error), error.source) == ("line 2: the roll lists no voter", "roll")


def test_text_that_is_not_utf8_names_its_line() -> None:
    data = b"voter,choice\n3-1-101,yes\n3-1-102," + "同意".encode("gb18030") + b"\n"
    with pytest.raises(RecountError) as caught:
        decode_csv(data, "votes")
    assert (caught.value.line, caught.value.source) == (3, "votes")


def test_bad_option_labels_belong_to_no_file() -> None:
    with pytest.raises(TallyError):
        load_and_tally(Rule.MAJORITY_OF_CAST, ROLL, votes_csv(), options=["A", "A"])


# --- Writing -----------------------------------------------------------------------------


def test_roll_is_written_with_two_decimals_and_empty_owner_keys() -> None:
    roll = [RollEntry("3-1-101", 8850), RollEntry("3-1-102", 9000, "developer")]
    assert write_roll_csv(roll) == ("voter,area_m2,owner_key\r\n3-1-101,88.50,\r\n3-1-102,90.00,developer\r\n")


def test_party_without_area_is_written_with_an_empty_area() -> None:
    assert write_roll_csv([RollEntry("branch", 0)]) == "voter,area_m2,owner_key\r\nbranch,,\r\n"


def test_votes_are_written_with_a_header() -> None:
    assert write_votes_csv([Vote("3-1-101", "方案一")]) == "voter,choice\r\n3-1-101,方案一\r\n"


CELL_TEXT = (
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=10).map(str.strip).filter(bool)
)


@given(
    st.lists(
        st.tuples(CELL_TEXT, st.integers(0, 10**9), st.none() | CELL_TEXT),
        unique_by=lambda row: row[0],
        max_size=20,
    )
)
def test_written_roll_parses_back(rows: list[tuple[str, int, str | None]]) -> None:
    roll = [RollEntry(*row) for row in rows]
    assert parse_roll_csv(write_roll_csv(roll), area_required=False) == roll


@given(st.lists(st.builds(Vote, CELL_TEXT, CELL_TEXT), max_size=20))
def test_written_votes_parse_back(votes: list[Vote]) -> None:
    assert parse_votes_csv(write_votes_csv(votes)) == votes


@given(ballots(), st.booleans())
def test_exported_ballot_recounts_to_the_same_result(
    ballot: tuple[Rule, list[RollEntry], list[Vote]], with_bom: bool
) -> None:
    rule, roll, votes = ballot
    bom = "\ufeff" if with_bom else ""
    recounted = load_and_tally(rule, bom + write_roll_csv(roll), bom + write_votes_csv(votes))
    assert recounted == tally(roll, votes, rule)


@given(ballots(choices=OPTION_CHOICES))
def test_exported_multi_option_ballot_recounts_to_the_same_result(
    ballot: tuple[Rule, list[RollEntry], list[Vote]],
) -> None:
    rule, roll, votes = ballot
    recounted = load_and_tally(rule, write_roll_csv(roll), write_votes_csv(votes), OPTION_LABELS)
    assert recounted == tally(roll, votes, rule, OPTION_LABELS)


def test_no_cell_of_the_recount_files_runs_as_a_formula_and_they_still_recount_exactly() -> None:
    roll = [RollEntry("-1-101", 9000, None), RollEntry("=HYPERLINK(1)", 8000, "@G1"), RollEntry("+2-201", 7000, "@G1")]
    votes = [Vote("-1-101", "=SUM(A1)"), Vote("=HYPERLINK(1)", "保持现状")]
    roll_text, votes_text = write_roll_csv(roll), write_votes_csv(votes)
    cells = [cell for line in (roll_text + votes_text).splitlines() for cell in line.split(",")]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]
    assert parse_roll_csv(roll_text) == roll and parse_votes_csv(votes_text) == votes
    options = ["=SUM(A1)", "保持现状"]
    assert load_and_tally("majority_of_cast", roll_text, votes_text, options) == tally(
        roll, votes, Rule.MAJORITY_OF_CAST, options
    )
