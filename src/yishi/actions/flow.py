"""How an action (落实事项) moves: stored statuses, moves, overdue and urgency.

Pure: no I/O, no framework. Stored statuses are ``planned`` → ``in_progress``
→ ``done``, and ``reopened`` after supervision sends a done action back.
Moves only go forward (``planned`` may go straight to ``done``); the one
way back is ``reopen``, from ``done`` only, and only supervision does it
(residents' ratings or an upheld objection).

``overdue`` is never stored: an action that is not done is overdue when
today, in Beijing time, is later than its due date.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from yishi import labels
from yishi.errors import Conflict
from yishi.i18n import N_
from yishi.i18n import gettext as _

DUE_SOON_DAYS = 7


class Status(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    REOPENED = "reopened"


class Move(StrEnum):
    START = "start"  # work has begun
    COMPLETE = "complete"  # the work is finished
    REOPEN = "reopen"  # supervision found it not finished


OVERDUE = "overdue"  # a shown status, derived, never stored

STATUS_LABELS = labels.register(
    "action_status",
    {
        Status.PLANNED: N_("Planned"),
        Status.IN_PROGRESS: N_("In progress"),
        Status.DONE: N_("Done"),
        Status.REOPENED: N_("Reopened"),
        OVERDUE: N_("Overdue"),
    },
)

MOVE_LABELS = labels.register(
    "action_move",
    {
        Move.START: N_("Work has started"),
        Move.COMPLETE: N_("Done"),
        Move.REOPEN: N_("Reopen"),
    },
)

TRANSITIONS: dict[tuple[Status, Move], Status] = {
    (Status.PLANNED, Move.START): Status.IN_PROGRESS,
    (Status.PLANNED, Move.COMPLETE): Status.DONE,
    (Status.IN_PROGRESS, Move.COMPLETE): Status.DONE,
    (Status.DONE, Move.REOPEN): Status.REOPENED,
    (Status.REOPENED, Move.START): Status.IN_PROGRESS,
    (Status.REOPENED, Move.COMPLETE): Status.DONE,
}

# Moves a responsible party may make by hand; reopening belongs to supervision.
STAFF_MOVES = (Move.START, Move.COMPLETE)


class MoveRefused(Conflict):
    """The move does not apply to the action's status; the message says why."""


def next_status(current: Status | str, move: Move | str) -> Status:
    """The status after ``move``, or ``MoveRefused`` with a readable reason."""
    current, move = Status(current), Move(move)
    target = TRANSITIONS.get((current, move))
    if target is not None:
        return target
    if current is Status.DONE:
        raise MoveRefused(_("This action is done. Only residents' supervision can reopen it."))
    if move is Move.REOPEN:
        raise MoveRefused(_("Only a done action can be reopened."))
    if current is Status.IN_PROGRESS and move is Move.START:
        raise MoveRefused(_("Work on this action has already started."))
    raise MoveRefused(_("This action cannot move that way."))  # pragma: no cover - table is complete


def allowed_moves(current: Status | str, moves: tuple[Move, ...] = STAFF_MOVES) -> list[Move]:
    """The moves of ``moves`` that apply to ``current``, in order."""
    current = Status(current)
    return [move for move in moves if (current, move) in TRANSITIONS]


def is_open(status: Status | str) -> bool:
    """Open actions still need work: everything but done."""
    return Status(status) is not Status.DONE


def is_overdue(status: Status | str, due_on: date, today: date) -> bool:
    return is_open(status) and today > due_on


def shown_status(status: Status | str, due_on: date, today: date) -> str:
    """What people see: the stored status, or ``overdue`` when an open action is late."""
    return OVERDUE if is_overdue(status, due_on, today) else Status(status).value


class Urgency(StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"  # due within the next DUE_SOON_DAYS days (today included)
    LATER = "later"
    DONE = "done"


def urgency(status: Status | str, due_on: date, today: date) -> Urgency:
    if not is_open(status):
        return Urgency.DONE
    if today > due_on:
        return Urgency.OVERDUE
    if due_on - today <= timedelta(days=DUE_SOON_DAYS):
        return Urgency.DUE_SOON
    return Urgency.LATER


def days_late(due_on: date, today: date) -> int:
    return max((today - due_on).days, 0)
