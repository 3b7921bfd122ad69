"""A proposal's words, sources, triage and stages: pure rules."""

import pytest

from yishi import labels
from yishi.accounts.permissions import Role
from yishi.errors import Conflict, FormErrors
from yishi.proposals import flow

GOOD = {
    "title": "地下车库出口照明不足",
    "problem": "出口坡道晚上很暗。",
    "suggestion": "加装感应灯。",
    "category": "safety",
}


def test_good_words_are_cleaned_and_kept():
    text = flow.check_text({**GOOD, "title": "  地下车库   出口照明不足 "})
    assert text.title == "地下车库 出口照明不足"
    assert text.category == "safety"
    assert not text.owners_matter


def test_every_problem_of_the_words_is_reported_at_once():
    with pytest.raises(FormErrors) as error:
        flow.check_text({"title": "", "problem": "  ", "category": "weather"})
    assert set(error.value.errors) == {"title", "problem", "category"}


def test_a_title_longer_than_the_limit_is_refused_with_its_length():
    with pytest.raises(FormErrors) as error:
        flow.check_text({**GOOD, "title": "长" * 121})
    assert "121" in error.value.errors["title"]


def test_a_title_at_the_limit_is_accepted():
    assert len(flow.check_text({**GOOD, "title": "长" * 120}).title) == 120


def test_the_owners_matter_box_is_read_from_the_form():
    assert flow.check_text({**GOOD, "owners_matter": "1"}).owners_matter


def test_declining_needs_a_reason():
    with pytest.raises(FormErrors) as error:
        flow.check_decline_reason("   ")
    assert "reason" in error.value.errors
    assert flow.check_decline_reason(" 不属于小区事务 ") == "不属于小区事务"


def test_each_role_records_under_its_own_sources():
    assert flow.sources_for({Role.GRID_WORKER}) == [flow.GRID_WORKER]
    assert flow.sources_for({Role.PROPERTY_MANAGER}) == [flow.PROPERTY]
    assert flow.sources_for({Role.COMMITTEE_MEMBER}) == [flow.COMMITTEE]
    assert flow.sources_for({Role.SECRETARY}) == [flow.GRID_WORKER, flow.BRANCH]


def test_only_a_submitted_proposal_can_be_triaged():
    flow.check_triage(flow.SUBMITTED, 1)
    for status in (flow.ACCEPTED, flow.MERGED, flow.DECLINED):
        with pytest.raises(Conflict):
            flow.check_triage(status, 1)


def test_a_proposal_cannot_be_merged_into_itself_or_a_closed_one():
    with pytest.raises(FormErrors):
        flow.check_merge_target(3, {"number": 3, "status": flow.SUBMITTED})
    with pytest.raises(FormErrors):
        flow.check_merge_target(3, {"number": 4, "status": flow.DECLINED})
    with pytest.raises(FormErrors):
        flow.check_merge_target(3, None)
    flow.check_merge_target(3, {"number": 4, "status": flow.ACCEPTED})


@pytest.mark.parametrize(
    ("status", "stored", "on_agenda", "expected"),
    [
        ("submitted", "propose", False, "propose"),
        ("declined", "propose", False, "propose"),
        ("merged", "propose", False, "propose"),
        ("accepted", "propose", False, "deliberate"),
        ("accepted", "propose", True, "deliberate"),
        ("accepted", "vote", True, "vote"),
        ("accepted", "supervise", False, "supervise"),
    ],
)
def test_the_stage_is_derived_from_triage_agenda_and_the_furthest_step_recorded(status, stored, on_agenda, expected):
    assert flow.current_stage(status, stored, on_agenda) == expected


def test_the_furthest_stage_wins():
    assert flow.furthest("implement", "vote") == "implement"
    assert flow.furthest("propose", "deliberate") == "deliberate"


def test_an_unknown_event_kind_gets_a_generic_label():
    assert labels.label("proposal_event", "something_new") not in ("", "something_new")
