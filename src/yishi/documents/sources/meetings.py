"""What the meeting notice and the sign-in sheet read."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from yishi import clock
from yishi.accounts.tables import PartyMember, StaffUser
from yishi.codes import natural_key
from yishi.documents.kinds import Source
from yishi.documents.sources.common import CLOSED, HOUSEHOLD_MEETINGS, PUBLISHED, compound_facts, parties_of
from yishi.errors import DomainError, NotFound
from yishi.i18n import gettext as _
from yishi.meetings import flow as meetings_flow
from yishi.meetings.tables import AgendaItem, Attendance, Invitation, Meeting
from yishi.roster.service import unit_label
from yishi.roster.tables import Building, Household
from yishi.shares import format_share, share_tenths


def is_published(meeting: Mapping[str, Any]) -> bool:
    return meeting.get("status") in (PUBLISHED, CLOSED) or meeting.get("published_at") is not None


async def _names(user_ids: list[int]) -> dict[int, str]:
    ids = [i for i in user_ids if i]
    if not ids:
        return {}
    rows = await StaffUser.select(StaffUser.id, StaffUser.display_name).where(StaffUser.id.is_in(ids))
    return {r["id"]: r["display_name"] for r in rows}


def local_moment(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return clock.local(moment)


async def meeting_facts(meeting_id: int, *, require_published: bool = True) -> dict[str, Any]:
    """The meeting, its compound, buildings, people and ordered agenda."""
    meeting = (
        await Meeting.select(
            Meeting.all_columns(),
            Meeting.convener.display_name.as_alias("convener_name"),
            Meeting.host.display_name.as_alias("host_name"),
            Meeting.recorder.display_name.as_alias("recorder_name"),
        )
        .where(Meeting.id == meeting_id)
        .output(load_json=True)
        .first()
    )
    if meeting is None:
        raise NotFound()
    if require_published and not is_published(meeting):
        raise DomainError(_("This meeting is not published yet: its documents can be printed once it is."))
    compound = await compound_facts(meeting["compound"])
    scrutineers = await _names(list(meeting["scrutineer_ids"] or []))
    meeting["scrutineer_names"] = [scrutineers[i] for i in meeting["scrutineer_ids"] or [] if i in scrutineers]
    concerned = set(meeting["building_ids"] or [])
    meeting["buildings"] = await _buildings_concerned(meeting["compound"], concerned)
    meeting["whole_compound"] = not concerned
    meeting["ends_at"] = meeting["starts_at"] + timedelta(minutes=meeting["duration_minutes"] or 0)
    items = await _scheduled_items(meeting)
    meeting["notice"] = _notice_period(meeting, (compound["notice_days"] or {}).get(meeting["kind"]))
    return {"compound": compound, "meeting": meeting, "items": items}


async def _buildings_concerned(compound_id: int, concerned: set[int]) -> list[dict[str, Any]]:
    """The buildings the meeting concerns, in natural order (all of them when none is named)."""
    buildings = await Building.select(Building.id, Building.code, Building.name).where(Building.compound == compound_id)
    buildings.sort(key=lambda b: natural_key(b["code"]))
    return [b for b in buildings if not concerned or b["id"] in concerned]


async def _scheduled_items(meeting: dict[str, Any]) -> list[dict[str, Any]]:
    """The agenda in order, numbered, each item not withdrawn with the time it is due."""
    items = await (
        AgendaItem.select(
            AgendaItem.all_columns(),
            AgendaItem.proposal.number.as_alias("proposal_number"),
            AgendaItem.proposal.title.as_alias("proposal_title"),
        )
        .where(AgendaItem.meeting == meeting["id"])
        .order_by(AgendaItem.position)
        .output(load_json=True)
    )
    due = meeting["starts_at"]
    for number, item in enumerate(items, start=1):
        item["number"] = number
        item["withdrawn"] = item["withdrawn_at"] is not None
        if not item["withdrawn"]:
            item["scheduled_at"] = due
            due = due + timedelta(minutes=item["minutes"] or 0)
        else:
            item["scheduled_at"] = None
    return items


def _notice_period(meeting: dict[str, Any], minimum: int | None) -> dict[str, Any]:
    """Days between publication and the meeting, against the compound's minimum for its kind."""
    published = local_moment(meeting["published_at"])
    starts = local_moment(meeting["starts_at"])
    notice_days = (starts.date() - published.date()).days if published and starts else None
    return {
        "days": notice_days,
        "minimum_days": minimum,
        "short": notice_days is not None and minimum is not None and notice_days < minimum,
    }


async def invitations_of(meeting_id: int) -> dict[str, list[dict[str, Any]]]:
    rows = (
        await Invitation.select(
            Invitation.all_columns(),
            Invitation.party.name.as_alias("party_name"),
            Invitation.party.kind.as_alias("party_kind"),
            Invitation.user.display_name.as_alias("user_name"),
        )
        .where(Invitation.meeting == meeting_id)
        .order_by(Invitation.id)
    )
    return {
        "parties": [r for r in rows if r["party"]],
        "people": [r for r in rows if not r["party"] and r["user"]],
        "guests": [r for r in rows if not r["party"] and not r["user"]],
    }


def meeting_title(kind_label: str, meeting: Mapping[str, Any]) -> str:
    return f"{kind_label} · {meeting['title']}"


async def load_meeting_notice(meeting_id: int, _variant: str) -> Source:
    facts = await meeting_facts(meeting_id)
    meeting = facts["meeting"]
    facts["invitations"] = await invitations_of(meeting_id)
    facts["parties"] = await parties_of(meeting["compound"])
    items = list(facts["items"])
    return Source(
        compound_id=meeting["compound"],
        compound_name=facts["compound"]["name"],
        title=meeting_title(_("Meeting notice"), meeting),
        summary=_(
            "Notice of the meeting on %(date)s at %(place)s, %(n)d agenda items.",
            date=clock.local_text(meeting["starts_at"], "%Y-%m-%d %H:%M"),
            place=meeting["place"],
            n=len([i for i in items if not i["withdrawn"]]),
        ),
        context=facts,
    )


async def households_of(building_ids: list[int]) -> list[dict[str, Any]]:
    """Households of the buildings, in building and unit order, with their labels."""
    if not building_ids:
        return []
    rows = await Household.select(
        Household.id,
        Household.unit,
        Household.exclusive_area,
        Household.owner_key,
        Household.building.id.as_alias("building_id"),
        Household.building.code.as_alias("building_code"),
    ).where(Household.building.is_in(building_ids))
    for row in rows:
        row["label"] = unit_label(row["building_code"], row["unit"])
    rows.sort(key=lambda r: (natural_key(r["building_code"]), natural_key(r["unit"])))
    return rows


async def attendance_of(meeting_id: int) -> list[dict[str, Any]]:
    return (
        await Attendance.select(
            Attendance.id,
            Attendance.household,
            Attendance.party,
            Attendance.user,
            Attendance.name,
            Attendance.method,
            Attendance.at,
            Attendance.user.display_name.as_alias("user_name"),
        )
        .where(Attendance.meeting == meeting_id)
        .order_by(Attendance.at)
        .order_by(Attendance.id)
    )


def _person(row: Mapping[str, Any]) -> str:
    return row.get("user_name") or row.get("name") or ""


async def sign_in_facts(facts: dict[str, Any]) -> dict[str, Any]:
    """Who is expected, by party, and who has signed in (the live list)."""
    meeting = facts["meeting"]
    invitations = await invitations_of(meeting["id"])
    attendance = await attendance_of(meeting["id"])
    parties = await parties_of(meeting["compound"])
    invited_party_ids = {r["party"] for r in invitations["parties"]}
    members = await PartyMember.select(
        PartyMember.party,
        PartyMember.user,
        PartyMember.title,
        PartyMember.user.display_name.as_alias("user_name"),
    ).where(PartyMember.party.is_in([p["id"] for p in parties] or [-1]))
    party_sections = [
        section
        for party in parties
        if (section := _party_section(party, members, attendance, invited_party_ids)) is not None
    ]
    others_present, others_expected = _others(attendance, invitations)
    households = await _households_signed(meeting, attendance)
    # The same figures as the sign-in page: an owner present counts with all their area.
    quorum = meetings_flow.quorum(
        households,
        [h["id"] for h in households if h["signed_at"]],
        invited_party_ids,
        [a["party"] for a in attendance if a["party"] and not a["household"]],
    )
    people_present = sum(len(p["present"]) for p in party_sections) + len(others_present)
    return {
        "parties": parties,
        "party_sections": party_sections,
        "others_present": others_present,
        "others_expected": others_expected,
        "households": households,
        "figures": _sign_in_figures(quorum, people_present, len(attendance)),
        "last_sign_in": attendance[-1]["at"] if attendance else None,
    }


def _party_section(
    party: dict[str, Any], members: list[dict[str, Any]], attendance: list[dict[str, Any]], invited: set[int]
) -> dict[str, Any] | None:
    """A party's members present and still expected; None for a party neither invited nor present."""
    titles = {m["user"]: m["title"] for m in members if m["party"] == party["id"]}
    present = [
        {"name": _person(a), "title": titles.get(a["user"], ""), "at": a["at"], "method": a["method"]}
        for a in attendance
        if a["party"] == party["id"] and not a["household"]
    ]
    if party["id"] not in invited and not present:
        return None
    present_names = {p["name"] for p in present}
    expected = [
        {"name": m["user_name"], "title": m["title"]}
        for m in members
        if m["party"] == party["id"] and m["user_name"] not in present_names
    ]
    return {**party, "present": present, "expected": expected, "invited": party["id"] in invited}


def _others(
    attendance: list[dict[str, Any]], invitations: dict[str, list[dict[str, Any]]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """People of no party and no household: those present, and those invited but not yet in."""
    present = [
        {"name": _person(a), "at": a["at"], "method": a["method"]}
        for a in attendance
        if not a["party"] and not a["household"]
    ]
    present_names = {p["name"] for p in present}
    expected = [
        {"name": r["user_name"], "role": ""} for r in invitations["people"] if r["user_name"] not in present_names
    ] + [
        {"name": r["guest_name"], "role": r["guest_role"]}
        for r in invitations["guests"]
        if r["guest_name"] not in present_names
    ]
    return present, expected


async def _households_signed(meeting: dict[str, Any], attendance: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The meeting's households, each with when and how it signed in (if it did)."""
    households: list[dict[str, Any]] = []
    if meeting["kind"] in HOUSEHOLD_MEETINGS or any(a["household"] for a in attendance):
        households = await households_of([b["id"] for b in meeting["buildings"]])
    signed = {a["household"]: a for a in attendance if a["household"]}
    for household in households:
        mark = signed.get(household["id"])
        household["signed_at"] = mark["at"] if mark else None
        household["method"] = mark["method"] if mark else ""
    return households


def _sign_in_figures(quorum: meetings_flow.Quorum, people_present: int, signed_in: int) -> dict[str, Any]:
    return {
        "households_total": quorum.households.total,
        "households_present": quorum.households.present,
        "households_share": format_share(share_tenths(quorum.households.present, quorum.households.total)),
        "area_total": quorum.area.total,
        "area_present": quorum.area.present,
        "area_share": format_share(share_tenths(quorum.area.present, quorum.area.total)),
        "owners_total": quorum.owners.total,
        "owners_present": quorum.owners.present,
        "owners_share": format_share(share_tenths(quorum.owners.present, quorum.owners.total)),
        "parties_invited": len(quorum.parties_invited),
        "parties_present": len(quorum.parties_present),
        "people_present": people_present,
        "signed_in": signed_in,
    }


async def load_sign_in_sheet(meeting_id: int, _variant: str) -> Source:
    facts = await meeting_facts(meeting_id)
    facts["sign_in"] = await sign_in_facts(facts)
    meeting = facts["meeting"]
    figures = facts["sign_in"]["figures"]
    return Source(
        compound_id=meeting["compound"],
        compound_name=facts["compound"]["name"],
        title=meeting_title(_("Sign-in sheet"), meeting),
        summary=_(
            "Sign-in sheet of the meeting on %(date)s; %(n)d signed in when printed.",
            date=clock.local_text(meeting["starts_at"], "%Y-%m-%d %H:%M"),
            n=figures["signed_in"],
        ),
        context=facts,
    )
