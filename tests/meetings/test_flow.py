"""The pure rules of step 2: rules by kind and matter, options, notice, quorum."""

from datetime import UTC, datetime, timedelta
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from yishi.meetings import flow
from yishi.rules import Rule
from yishi.shares import format_share, percent_figure, share_tenths

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def test_default_rules_follow_the_kind_of_meeting():
    assert flow.default_rule("bench_meeting") is Rule.MAJORITY_OF_CAST
    assert flow.default_rule("council") is Rule.MAJORITY_OF_CAST
    assert flow.default_rule("tripartite") is Rule.PARTIES_UNANIMOUS
    assert flow.default_rule("owners_decision") is None


def test_art_278_matters_six_to_eight_take_the_special_rule_and_the_others_the_ordinary():
    for matter in range(1, 10):
        expected = Rule.CIVIL_CODE_SPECIAL if matter in (6, 7, 8) else Rule.CIVIL_CODE_ORDINARY
        assert flow.default_rule("owners_decision", matter) is expected


def test_using_the_fund_is_ordinary_and_raising_it_is_special():
    assert flow.rule_for_matter(5) is Rule.CIVIL_CODE_ORDINARY
    assert flow.rule_for_matter(6) is Rule.CIVIL_CODE_SPECIAL


def draft(kind="bench_meeting", question="是否同意建设充电棚？", options="", rule="majority_of_cast", matter=""):
    return flow.check_vote_draft(kind, question, options, rule, matter)


def test_a_yes_no_question_has_no_options():
    result, errors = draft()
    assert errors == {}
    assert result is not None and result.options == [] and result.rule == "majority_of_cast"


def test_options_are_one_a_line_and_blank_lines_are_ignored():
    result, errors = draft(options="方案一：北侧空地\n\n  方案二：地下车库  \n")
    assert errors == {}
    assert result is not None and result.options == ["方案一：北侧空地", "方案二：地下车库"]


def test_a_single_option_is_refused():
    _result, errors = draft(options="方案一：北侧空地")
    assert "options" in errors


def test_seven_options_are_refused():
    _result, errors = draft(options="\n".join(f"方案{i}" for i in range(7)))
    assert "options" in errors


def test_duplicate_option_labels_are_refused_naming_the_label():
    _result, errors = draft(options="方案一\n方案二\n方案一")
    assert "方案一" in errors["options"]


def test_abstain_cannot_be_an_option_label():
    _result, errors = draft(options="abstain\n方案二")
    assert "options" in errors


def test_a_question_is_required():
    _result, errors = draft(question="  ")
    assert "question" in errors


def test_a_rule_of_another_kind_is_refused():
    _result, errors = draft(kind="bench_meeting", rule="parties_unanimous")
    assert "rule" in errors
    _result, errors = draft(kind="tripartite", rule="civil_code_ordinary")
    assert "rule" in errors


def test_an_owners_decision_needs_its_matter():
    _result, errors = draft(kind="owners_decision", rule="civil_code_ordinary")
    assert "owners_matter" in errors


def test_a_rule_that_does_not_fit_the_matter_is_refused_citing_art_278():
    _result, errors = draft(kind="owners_decision", rule="civil_code_ordinary", matter="6")
    assert "第二百七十八条" in errors["rule"]
    _result, errors = draft(kind="owners_decision", rule="civil_code_special", matter="5")
    assert "第二百七十八条" in errors["rule"]
    result, errors = draft(kind="owners_decision", rule="civil_code_special", matter="6")
    assert errors == {} and result is not None and result.owners_matter == 6


def test_only_owners_decisions_name_a_matter():
    _result, errors = draft(kind="council", matter="5")
    assert "owners_matter" in errors


def test_owners_decision_notice_never_goes_below_the_legal_fifteen_days():
    assert flow.notice_days({"owners_decision": 3}, "owners_decision") == 15
    assert flow.notice_days({"owners_decision": 20}, "owners_decision") == 20
    assert flow.notice_days({}, "bench_meeting") == 1


def test_notice_settings_refuse_fewer_than_fifteen_days_for_owners_decisions():
    values, errors = flow.check_notice_settings(
        {"bench_meeting": "2", "tripartite": "3", "council": "x", "owners_decision": "10"}
    )
    assert set(errors) == {"council", "owners_decision"}
    assert values["bench_meeting"] == 2


def test_a_notice_is_early_enough_when_the_lead_reaches_the_days():
    check = flow.check_notice("tripartite", {"tripartite": 3}, NOW + timedelta(days=3), NOW)
    assert check.early_enough
    check = flow.check_notice("tripartite", {"tripartite": 3}, NOW + timedelta(days=3) - timedelta(minutes=1), NOW)
    assert not check.early_enough and check.legally_possible
    check = flow.check_notice("owners_decision", {}, NOW + timedelta(days=14), NOW)
    assert not check.early_enough and not check.legally_possible


def test_door_sign_in_opens_three_hours_before_and_closes_half_a_day_after_the_end():
    start = NOW + timedelta(hours=5)
    assert not flow.sign_in_open(start, 60, NOW)
    assert flow.sign_in_open(start, 60, start - timedelta(hours=3))
    assert flow.sign_in_open(start, 60, start + timedelta(hours=13))
    assert not flow.sign_in_open(start, 60, start + timedelta(hours=13, minutes=1))


def test_moving_the_first_item_up_or_the_last_down_changes_nothing():
    assert flow.moved([1, 2, 3], 1, "up") == [1, 2, 3]
    assert flow.moved([1, 2, 3], 3, "down") == [1, 2, 3]
    assert flow.moved([1, 2, 3], 2, "up") == [2, 1, 3]
    assert flow.moved([1, 2, 3], 2, "down") == [1, 3, 2]


def test_agenda_time_leaves_out_withdrawn_items_and_says_how_far_over():
    items = [{"minutes": 40}, {"minutes": 30}, {"minutes": 20, "withdrawn_at": NOW}]
    time = flow.agenda_time(items, 60)
    assert time.planned == 70 and time.is_over and time.over == 10


def test_guests_are_name_and_role_one_a_line():
    guests, error = flow.parse_guests("王警官，社区民警\n刘桂兰、居民代表\n\n赵德明 (楼栋长)")
    assert error is None
    assert guests == [("王警官", "社区民警"), ("刘桂兰", "居民代表"), ("赵德明", "楼栋长")]
    _guests, error = flow.parse_guests("王警官")
    assert error is not None and "1" in error


def test_minutes_must_be_a_positive_whole_number():
    assert flow.parse_minutes("15") == 15
    for text in ("0", "-5", "1.5", "abc", "", "481"):
        assert flow.parse_minutes(text) is None


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=1, max_value=10**9))
def test_percentages_are_rounded_half_up_to_one_decimal_from_integers(part, whole):
    exact = Fraction(part * 100, whole)
    tenths = int(exact * 10 + Fraction(1, 2))
    assert percent_figure(part, whole) == f"{tenths // 10}.{tenths % 10}"
    assert format_share(share_tenths(part, whole)) == f"{tenths // 10}.{tenths % 10}%"


def test_owners_sharing_a_key_count_once_with_their_areas_added():
    households = [
        {"id": 1, "exclusive_area": 10000, "owner_key": "zhang"},
        {"id": 2, "exclusive_area": 12000, "owner_key": "zhang"},
        {"id": 3, "exclusive_area": 9000, "owner_key": None},
        {"id": 4, "exclusive_area": 8000, "owner_key": "developer"},
        {"id": 5, "exclusive_area": 8000, "owner_key": "developer"},
    ]
    figures = flow.quorum(households, [1, 3], [], [])
    assert figures.households.present == 2 and figures.households.total == 5
    assert figures.owners.present == 2 and figures.owners.total == 3
    assert figures.area.present == 10000 + 12000 + 9000
    assert figures.area.total == 47000
    assert figures.area.percent == "66.0"
    assert not figures.owners_participation_reached


def test_two_thirds_participation_is_compared_in_integers():
    assert flow.Share(2, 3).reaches_two_thirds
    assert not flow.Share(1999, 3000).reaches_two_thirds
    assert flow.Share(2000, 3000).reaches_two_thirds


def test_tripartite_presence_counts_only_invited_parties():
    figures = flow.quorum([], [], [1, 2, 3], [1, 3, 9])
    assert figures.parties_present == (1, 3)
    assert not figures.all_parties_present
    assert flow.quorum([], [], [1, 2, 3], [3, 2, 1]).all_parties_present
