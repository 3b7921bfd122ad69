"""Residents identify as their household, without a password.

Two ways: the household's personal link (``/h/TOKEN``), or the unit number
plus the phone number on the roster. Either puts the household in the
session; ``provide_household`` reads it back on later requests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from litestar import Request

from yishi.accounts import service
from yishi.errors import DomainError, FormErrors
from yishi.i18n import gettext as _
from yishi.roster.tables import Household
from yishi.web.sessions import start_new_session

SESSION_KEY = "household_id"
LINK_KEY = "household_link"  # the personal link it was opened with: reissuing the link ends the session
MAX_PHONE_TRIES = 10


@dataclass(frozen=True)
class HouseholdIdentity:
    household_id: int
    compound_id: int
    compound_code: str
    building_id: int
    label: str  # "3-2-502"
    link_id: int | None = None  # the personal link it was identified by, if any


def own_household(household: HouseholdIdentity | None, compound: Mapping[str, Any]) -> HouseholdIdentity | None:
    """The household this browser speaks for, when it belongs to ``compound``:
    a household of another compound is a stranger here (it is asked to say
    which household of this compound it is)."""
    return household if household is not None and household.compound_id == compound["id"] else None


async def identity_of(household_id: int) -> HouseholdIdentity | None:
    row = (
        await Household.select(
            Household.id,
            Household.unit,
            Household.building.id.as_alias("building_id"),
            Household.building.code.as_alias("building_code"),
            Household.building.compound.id.as_alias("compound_id"),
            Household.building.compound.code.as_alias("compound_code"),
        )
        .where(Household.id == household_id)
        .first()
    )
    if row is None:
        return None
    return HouseholdIdentity(
        household_id=row["id"],
        compound_id=row["compound_id"],
        compound_code=row["compound_code"],
        building_id=row["building_id"],
        label=f"{row['building_code']}-{row['unit']}",
    )


async def provide_household(request: Request[Any, Any, Any]) -> HouseholdIdentity | None:
    """The household this browser speaks for, or None."""
    if "household" in request.state:
        return request.state.household
    session = request.session if request.scope.get("session") else {}
    household_id = session.get(SESSION_KEY)
    link_id = session.get(LINK_KEY)
    identity = None
    if isinstance(household_id, int) and (link_id is None or await service.link_is_current(link_id)):
        identity = await identity_of(household_id)
    request.state.household = identity
    return identity


def remember(request: Request[Any, Any, Any], identity: HouseholdIdentity) -> None:
    """This browser now speaks for the household, in a new session (the staff
    login, if any, stays; another household's does not)."""
    session = dict(request.session) if request.scope.get("session") else {}
    if session.get(SESSION_KEY) == identity.household_id and session.get(LINK_KEY) == identity.link_id:
        return  # already this household, the same way: the open pages and their forms stay good
    session.pop(LINK_KEY, None)
    session[SESSION_KEY] = identity.household_id
    if identity.link_id is not None:
        session[LINK_KEY] = identity.link_id
    start_new_session(request, session)


def forget(request: Request[Any, Any, Any]) -> None:
    if request.scope.get("session"):
        session = dict(request.session)
        session.pop(SESSION_KEY, None)
        request.set_session(session)


async def identify_by_link(token: str) -> HouseholdIdentity:
    link = await service.link_for_token(token)
    identity = await identity_of(link["household"]) if link else None
    if identity is not None:
        identity = replace(identity, link_id=link["id"])
    if identity is None:
        raise DomainError(_("This link is not valid any more. Ask your building lead or the secretary for a new one."))
    return identity


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


async def identify_by_phone(compound_code: str, building: str, unit: str, phone: str) -> HouseholdIdentity:
    """Match unit and phone against the roster of one compound."""
    errors = {}
    building, unit = building.strip(), unit.strip()
    if not building:
        errors["building"] = _("Enter your building number.")
    if not unit:
        errors["unit"] = _("Enter your unit number, for example 2-502.")
    if len(_digits(phone)) < 7:
        errors["phone"] = _("Enter the phone number the property office has for your household.")
    if errors:
        raise FormErrors(errors)
    rows = await Household.select(Household.id, Household.phone).where(
        (Household.building.compound.code == compound_code)
        & (Household.building.code == building)
        & (Household.unit == unit)
    )
    match = next((r for r in rows if r["phone"] and _digits(r["phone"]) == _digits(phone)), None)
    if match is None:
        raise FormErrors(
            {"phone": _("Unit and phone number do not match our roster. Check both, or ask your grid worker.")}
        )
    identity = await identity_of(match["id"])
    assert identity is not None
    return identity
