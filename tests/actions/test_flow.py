"""The action status flow, exhaustively: every (status, move) pair, overdue and urgency."""

from datetime import UTC, date, datetime, timedelta
from itertools import product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yishi import clock, i18n
from yishi.actions import flow
from yishi.actions.flow import Move, Status, Urgency

ALLOWED = {
    (Status.PLANNED, Move.START): Status.IN_PROGRESS,
    (Status.PLANNED, Move.COMPLETE): Status.DONE,
    (Status.IN_PROGRESS, Move.COMPLETE): Status.DONE,
    (Status.DONE, Move.REOPEN): Status.REOPENED,
    (Status.REOPENED, Move.START): Status.IN_PROGRESS,
    (Status.REOPENED, Move.COMPLETE): Status.DONE,
}
RANK = {Status.PLANNED: 0, Status.IN_PROGRESS: 1, Status.REOPENED: 1, Status.DONE: 2}


@pytest.mark.parametrize(("status", "move"), list(product(Status, Move)))
def test_every_status_and_move_either_leads_where_the_table_says_or_is_refused(status, move):
    if (status, move) in ALLOWED:
        assert flow.next_status(status, move) is ALLOWED[(status, move)]
    else:
        with pytest.raises(flow.MoveRefused) as refused:
            flow.next_status(status, move)
        assert refused.value.message
        assert refused.value.status_code == 409


@pytest.mark.parametrize(("status", "move"), list(ALLOWED))
def test_moves_only_go_forward_except_reopen(status, move):
    target = flow.next_status(status, move)
    if move is Move.REOPEN:
        assert status is Status.DONE and target is Status.REOPENED
    else:
        assert RANK[target] > RANK[status] or (status is Status.REOPENED and target is Status.IN_PROGRESS)


def test_a_done_action_cannot_be_started_or_done_again_by_staff():
    for move in flow.STAFF_MOVES:
        with i18n.language("en"), pytest.raises(flow.MoveRefused, match="supervision"):
            flow.next_status(Status.DONE, move)


def test_only_a_done_action_can_be_reopened():
    for status in (Status.PLANNED, Status.IN_PROGRESS, Status.REOPENED):
        with pytest.raises(flow.MoveRefused):
            flow.next_status(status, Move.REOPEN)


def test_starting_twice_is_refused_with_a_reason():
    with i18n.language("en"), pytest.raises(flow.MoveRefused, match="already started"):
        flow.next_status(Status.IN_PROGRESS, Move.START)


def test_staff_never_get_the_reopen_move():
    for status in Status:
        assert Move.REOPEN not in flow.allowed_moves(status)
    assert flow.allowed_moves(Status.PLANNED) == [Move.START, Move.COMPLETE]
    assert flow.allowed_moves(Status.IN_PROGRESS) == [Move.COMPLETE]
    assert flow.allowed_moves(Status.DONE) == []
    assert flow.allowed_moves(Status.REOPENED) == [Move.START, Move.COMPLETE]


def test_unknown_statuses_and_moves_are_errors():
    with pytest.raises(ValueError):
        flow.next_status("cancelled", Move.START)
    with pytest.raises(ValueError):
        flow.next_status(Status.PLANNED, "skip")


DUE = date(2026, 5, 10)


@pytest.mark.parametrize("status", [Status.PLANNED, Status.IN_PROGRESS, Status.REOPENED])
def test_an_open_action_is_overdue_only_after_its_due_date(status):
    assert flow.shown_status(status, DUE, DUE) == status.value
    assert flow.shown_status(status, DUE, DUE + timedelta(days=1)) == flow.OVERDUE
    assert flow.is_overdue(status, DUE, DUE + timedelta(days=1))


def test_a_done_action_is_never_overdue():
    assert flow.shown_status(Status.DONE, DUE, DUE + timedelta(days=400)) == "done"


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (DUE + timedelta(days=1), Urgency.OVERDUE),
        (DUE, Urgency.DUE_SOON),
        (DUE - timedelta(days=7), Urgency.DUE_SOON),
        (DUE - timedelta(days=8), Urgency.LATER),
    ],
)
def test_urgency_groups_overdue_then_the_next_seven_days_then_the_rest(today, expected):
    assert flow.urgency(Status.IN_PROGRESS, DUE, today) is expected
    assert flow.urgency(Status.DONE, DUE, today) is Urgency.DONE


def test_today_is_the_date_in_beijing():
    # 16:30 UTC on 9 May is 00:30 on 10 May in Beijing.
    assert clock.local_today(datetime(2026, 5, 9, 16, 30, tzinfo=UTC)) == date(2026, 5, 10)
    assert clock.local_today(datetime(2026, 5, 9, 15, 59, tzinfo=UTC)) == date(2026, 5, 9)
    assert clock.local_date(datetime(2026, 5, 9, 16, 30)) == date(2026, 5, 10)


@given(st.dates(), st.dates())
def test_days_late_is_never_negative_and_zero_up_to_the_due_date(due_on, today):
    assert flow.days_late(due_on, today) >= 0
    assert (flow.days_late(due_on, today) == 0) == (today <= due_on)


@given(st.sampled_from(list(Status)), st.dates(), st.dates())
def test_overdue_and_urgency_agree(status, due_on, today):
    assert (flow.urgency(status, due_on, today) is Urgency.OVERDUE) == flow.is_overdue(status, due_on, today)
