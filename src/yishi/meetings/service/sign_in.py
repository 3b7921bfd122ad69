"""Signing in at the door: households by QR code or by staff, and named people."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from yishi import clock, labels
from yishi.accounts.permissions import Capability, Principal
from yishi.accounts.tables import PartyMember
from yishi.db import write_transaction
from yishi.errors import Conflict, Forbidden, FormErrors, NotFound
from yishi.i18n import gettext as _
from yishi.meetings import flow
from yishi.meetings.service.common import (
    METHOD_QR,
    METHOD_STAFF,
    PUBLISHED,
    ensure_in_compound,
    ensure_open,
    locked_meeting,
    record_audit,
)
from yishi.meetings.service.reading import concerned_households, staff_names
from yishi.meetings.tables import Attendance, Invitation
from yishi.roster.tables import Household, Party


def _ensure_sign_in_possible(meeting_row: Mapping[str, Any]) -> None:
    ensure_open(meeting_row)
    if meeting_row["status"] != PUBLISHED:
        raise Conflict(_("Sign-in opens once the notice is published."))


async def _household_row(household_id: int) -> dict[str, Any]:
    row = (
        await Household.select(
            Household.id,
            Household.unit,
            Household.building,
            Household.building.code.as_alias("building_code"),
            Household.building.compound.as_alias("compound"),
        )
        .where(Household.id == household_id)
        .first()
    )
    if row is None:
        raise NotFound()
    return row


def _ensure_concerned(meeting_row: Mapping[str, Any], household: Mapping[str, Any]) -> None:
    if household["compound"] != meeting_row["compound"]:
        raise Forbidden(
            _("Household %(label)s is not in this compound.", label=f"{household['building_code']}-{household['unit']}")
        )
    if meeting_row["building_ids"] and household["building"] not in meeting_row["building_ids"]:
        raise Forbidden(
            _(
                "This meeting concerns other buildings; household %(label)s is not among them.",
                label=f"{household['building_code']}-{household['unit']}",
            )
        )


@dataclass(frozen=True)
class SignedIn:
    attendance_id: int
    at: datetime
    already: bool
    method: str


async def sign_in_household(meeting_id: int, household_id: int, *, by: Principal | None, now: datetime) -> SignedIn:
    """Sign a household in: by itself through the door QR (``by`` None) or marked by staff.

    Signing in twice is not an error; the answer says when the first was.
    """
    async with write_transaction():
        current = await locked_meeting(meeting_id)
        if by is not None:
            ensure_in_compound(by, Capability.MEETING_RECORD, current["compound"])
        _ensure_sign_in_possible(current)
        household = await _household_row(household_id)
        _ensure_concerned(current, household)
        if by is None and not flow.sign_in_open(current["starts_at"], current["duration_minutes"], now):
            raise Conflict(
                _(
                    "Sign-in at the door opens three hours before the meeting (%(at)s).",
                    at=clock.local_text(current["starts_at"]),
                )
            )
        if by is not None and not by.can_in_building(
            Capability.MEETING_RECORD, current["compound"], household["building"]
        ):
            raise Forbidden(
                _(
                    "You sign in households of the buildings you look after; %(label)s is not one.",
                    label=f"{household['building_code']}-{household['unit']}",
                )
            )
        existing = (
            await Attendance.select()
            .where((Attendance.meeting == meeting_id) & (Attendance.household == household_id))
            .first()
        )
        if existing:
            return SignedIn(existing["id"], existing["at"], True, existing["method"])
        method = METHOD_QR if by is None else METHOD_STAFF
        created = await Attendance.insert(
            Attendance(
                meeting=meeting_id, household=household_id, method=method, marked_by=by.user_id if by else None, at=now
            )
        ).returning(Attendance.id)
        await record_audit(
            "meeting",
            meeting_id,
            "sign_in",
            by,
            current["compound"],
            household=f"{household['building_code']}-{household['unit']}",
            method=method,
            actor_label="" if by else f"{household['building_code']}-{household['unit']}",
        )
        return SignedIn(created[0]["id"], now, False, method)


async def _invited_person(meeting: dict[str, Any], invitation_id: int) -> tuple[int | None, int | None, str, str]:
    """An invited staff member (for the party they belong to here, if any) or guest:
    (party, user, name, label)."""
    invited = (
        await Invitation.select(Invitation.all_columns(), Invitation.user.display_name.as_alias("user_name"))
        .where((Invitation.id == invitation_id) & (Invitation.meeting == meeting["id"]))
        .first()
    )
    if invited is None or invited["party"]:
        raise NotFound()
    if invited["user"]:
        # An invited staff member signs in for the party they belong to here, if any.
        membership = (
            await PartyMember.select(PartyMember.party)
            .where((PartyMember.user == invited["user"]) & (PartyMember.party.compound == meeting["compound"]))
            .first()
        )
        return (membership["party"] if membership else None), invited["user"], "", invited["user_name"]
    return None, None, invited["guest_name"], f"{invited['guest_name']}（{invited['guest_role']}）"


async def _party_person(
    meeting: dict[str, Any], party_id: int | None, user_id: int | None, name: str
) -> tuple[int | None, str, str]:
    """A member of one of the compound's parties, by account or by name: (user, name, label)."""
    party = await Party.select().where(Party.id == (party_id or 0)).first()
    if party is None or party["compound"] != meeting["compound"]:
        raise FormErrors({"party": _("Choose one of this compound's parties.")})
    if user_id is not None:
        member = (
            await PartyMember.select(PartyMember.user.display_name.as_alias("name"))
            .where((PartyMember.party == party_id) & (PartyMember.user == user_id))
            .first()
        )
        invited = await Invitation.exists().where((Invitation.meeting == meeting["id"]) & (Invitation.user == user_id))
        if member is None and not invited:
            raise FormErrors({"name": _("This person is not a member of %(party)s.", party=party["name"])})
        name = ""
        label = (await staff_names([user_id])).get(user_id, "")
    else:
        if not name:
            raise FormErrors({"name": _("Enter the name of the person present.")})
        if len(name) > 100:
            raise FormErrors({"name": _("At most %(n)d characters.", n=100)})
        label = name
    return user_id, name, f"{labels.label('party', party['kind'])}：{label}"


async def sign_in_person(
    meeting_id: int,
    principal: Principal,
    *,
    party_id: int | None,
    user_id: int | None,
    name: str,
    invitation_id: int | None,
    now: datetime,
) -> SignedIn:
    """Mark a party's staff member (by account or by name) or an invited guest present."""
    async with write_transaction():
        current = await locked_meeting(meeting_id)
        ensure_in_compound(principal, Capability.MEETING_RECORD, current["compound"])
        _ensure_sign_in_possible(current)
        if invitation_id is not None:
            party_id, user_id, name, label = await _invited_person(current, invitation_id)
        else:
            user_id, name, label = await _party_person(current, party_id, user_id, name.strip())
        query = Attendance.select().where((Attendance.meeting == meeting_id) & Attendance.household.is_null())
        if user_id is not None:
            query = query.where(Attendance.user == user_id)
        else:
            query = query.where((Attendance.name == name) & Attendance.user.is_null())
            query = query.where(Attendance.party.is_null() if party_id is None else Attendance.party == party_id)
        existing = await query.first()
        if existing:
            return SignedIn(existing["id"], existing["at"], True, existing["method"])
        created = await Attendance.insert(
            Attendance(
                meeting=meeting_id,
                party=party_id,
                user=user_id,
                name=name,
                method=METHOD_STAFF,
                marked_by=principal.user_id,
                at=now,
            )
        ).returning(Attendance.id)
        await record_audit(
            "meeting", meeting_id, "sign_in", principal, current["compound"], person=label, method=METHOD_STAFF
        )
        return SignedIn(created[0]["id"], now, False, METHOD_STAFF)


async def find_households(
    meeting_row: Mapping[str, Any], principal: Principal, query: str, limit: int = 20
) -> list[dict[str, Any]]:
    """Households concerned by the meeting whose label matches, within the person's buildings."""
    text = query.strip().replace("－", "-").replace("—", "-")
    if not text:
        return []
    rows = await concerned_households(meeting_row)
    building_limit = principal.building_limit(meeting_row["compound"])
    found = []
    for row in rows:
        if building_limit is not None and row["building"] not in building_limit:
            continue
        label = f"{row['building_code']}-{row['unit']}"
        if label == text or label.startswith(text) or row["unit"] == text or text in label:
            row["label"] = label
            found.append(row)
    found.sort(key=lambda r: (r["label"] != text, len(r["label"]), r["label"]))
    return found[:limit]
