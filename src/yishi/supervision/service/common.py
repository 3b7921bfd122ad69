"""What every use case of supervision shares: which households may rate and object."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

import asyncpg

from yishi.accounts.residents import HouseholdIdentity
from yishi.actions.flow import Status
from yishi.errors import Forbidden, NotFound
from yishi.i18n import gettext as _
from yishi.supervision.rules import ObjectionStatus
from yishi.supervision.tables import Objection, Rating

MAX_COMMENT = 1000


MAX_REASON = 2000


MIN_REASON = 4


MAX_OBJECTION_PHOTOS = 3


DONE_AGAIN = "done_again"


HANDLED = "handled"


def concerns_household(action: dict[str, Any], household: HouseholdIdentity) -> bool:
    buildings = action.get("building_ids") or []
    return household.compound_id == action["compound"] and (not buildings or household.building_id in buildings)


def check_household(action: dict[str, Any], household: HouseholdIdentity) -> None:
    if household.compound_id != action["compound"]:
        raise NotFound()
    if not concerns_household(action, household):
        raise Forbidden(_("This action concerns other buildings: only their households rate it or object."))


@dataclass
class HouseholdState:
    """What one household may still do on one action, and what it did."""

    concerned: bool
    rating: dict[str, Any] | None = None
    objection: dict[str, Any] | None = None

    def can_object(self, action: dict[str, Any]) -> bool:
        return (
            self.concerned
            and action["status"] == Status.DONE
            and (self.objection is None or self.objection["status"] != ObjectionStatus.OPEN)
        )


async def household_state(action: dict[str, Any], household: HouseholdIdentity | None) -> HouseholdState | None:
    if household is None or household.compound_id != action["compound"]:
        return None
    rating = (
        await Rating.select()
        .where(
            (Rating.action == action["id"])
            & (Rating.household == household.household_id)
            & (Rating.round == action["round"])
        )
        .first()
    )
    objection = (
        await Objection.select()
        .where((Objection.action == action["id"]) & (Objection.household == household.household_id))
        .order_by(Objection.at, ascending=False)
        .first()
    )
    return HouseholdState(concerned=concerns_household(action, household), rating=rating, objection=objection)


def is_unique_violation(error: BaseException) -> bool:
    return isinstance(error, asyncpg.UniqueViolationError) or (
        isinstance(error, sqlite3.IntegrityError) and "UNIQUE" in str(error)
    )
