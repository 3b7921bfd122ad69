"""Use cases of supervision (群众监督): ratings, objections, reopening,
escalations up the levels, the public board and the figures.

Residents act as their household (``HouseholdIdentity``) and only on actions
of their compound that concern their building (the meeting's buildings; none
listed means the whole compound). Moving escalations up to the street happens
in :func:`raise_overdue_escalations`, which the ``yishi escalate`` command runs
(for a daily cron job) and which the community's and the street's escalation
pages and the public board also run when they load, so an escalation is never
shown at a level it has outgrown.
"""

from __future__ import annotations

from yishi.supervision.service.common import (
    DONE_AGAIN,
    HANDLED,
    MAX_COMMENT,
    MAX_OBJECTION_PHOTOS,
    MAX_REASON,
    MIN_REASON,
    HouseholdState,
    check_household,
    concerns_household,
    household_state,
    is_unique_violation,
)
from yishi.supervision.service.escalations import (
    ESCALATION_COLUMNS,
    action_done_again,
    check_community_admin,
    check_street,
    close_escalation,
    community_escalations,
    escalations_of_actions,
    open_escalation_count,
    raise_overdue_escalations,
    street_escalations,
)
from yishi.supervision.service.objecting import decide_objection, object_to, objection_photo, objections
from yishi.supervision.service.public_board import (
    BoardAction,
    PlaceFigures,
    board_action,
    board_actions,
    community_figures,
    compound_figures,
    ratings_of,
)
from yishi.supervision.service.ratings import RatingOutcome, rate, reopen_and_escalate, round_counts

__all__ = [
    "DONE_AGAIN",
    "ESCALATION_COLUMNS",
    "HANDLED",
    "MAX_COMMENT",
    "MAX_OBJECTION_PHOTOS",
    "MAX_REASON",
    "MIN_REASON",
    "BoardAction",
    "HouseholdState",
    "PlaceFigures",
    "RatingOutcome",
    "action_done_again",
    "board_action",
    "board_actions",
    "check_community_admin",
    "check_household",
    "check_street",
    "close_escalation",
    "community_escalations",
    "community_figures",
    "compound_figures",
    "concerns_household",
    "decide_objection",
    "escalations_of_actions",
    "household_state",
    "is_unique_violation",
    "object_to",
    "objection_photo",
    "objections",
    "open_escalation_count",
    "raise_overdue_escalations",
    "rate",
    "ratings_of",
    "reopen_and_escalate",
    "round_counts",
    "street_escalations",
]
