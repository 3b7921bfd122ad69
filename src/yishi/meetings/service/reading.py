"""What the meeting pages read: meetings, agendas, invitations, attendance,
positions and their history."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from yishi import labels
from yishi.accounts.permissions import Principal, Role
from yishi.accounts.tables import PartyMember, RoleGrant, StaffUser
from yishi.audit import service as audit
from yishi.errors import NotFound
from yishi.meetings import flow
from yishi.meetings.service.common import PUBLISHED
from yishi.meetings.tables import Addendum, AgendaItem, Attendance, Comment, Invitation, Meeting, Position
from yishi.roster.tables import Building, Compound, Household, Party, PartyKind


async def compound(compound_id: int) -> dict[str, Any]:
    row = await Compound.select(Compound.all_columns()).where(Compound.id == compound_id).output(load_json=True).first()
    if row is None:
        raise NotFound()
    return row


async def meeting(meeting_id: int) -> dict[str, Any]:
    row = (
        await Meeting.select(
            Meeting.all_columns(),
            Meeting.compound.code.as_alias("compound_code"),
            Meeting.compound.name.as_alias("compound_name"),
            Meeting.convener.display_name.as_alias("convener_name"),
            Meeting.host.display_name.as_alias("host_name"),
            Meeting.recorder.display_name.as_alias("recorder_name"),
            Meeting.closed_by.display_name.as_alias("closed_by_name"),
        )
        .where(Meeting.id == meeting_id)
        .output(load_json=True)
        .first()
    )
    if row is None:
        raise NotFound()
    return row


async def meetings_of_compound(compound_id: int) -> list[dict[str, Any]]:
    rows = await (
        Meeting.select(Meeting.all_columns())
        .where(Meeting.compound == compound_id)
        .order_by(Meeting.starts_at, ascending=False)
        .output(load_json=True)
    )
    counts = await _item_counts([r["id"] for r in rows])
    for row in rows:
        row["item_count"] = counts.get(row["id"], 0)
    return rows


async def _item_counts(meeting_ids: list[int]) -> dict[int, int]:
    if not meeting_ids:
        return {}
    rows = await AgendaItem.select(AgendaItem.meeting).where(
        AgendaItem.meeting.is_in(meeting_ids) & AgendaItem.withdrawn_at.is_null()
    )
    counts: dict[int, int] = {}
    for row in rows:
        counts[row["meeting"]] = counts.get(row["meeting"], 0) + 1
    return counts


async def agenda(meeting_id: int) -> list[dict[str, Any]]:
    return await (
        AgendaItem.select(
            AgendaItem.all_columns(),
            AgendaItem.proposal.number.as_alias("proposal_number"),
            AgendaItem.proposal.title.as_alias("proposal_title"),
        )
        .where(AgendaItem.meeting == meeting_id)
        .order_by(AgendaItem.position)
        .output(load_json=True)
    )


async def agenda_item(meeting_id: int, item_id: int) -> dict[str, Any]:
    row = (
        await AgendaItem.select(
            AgendaItem.all_columns(),
            AgendaItem.proposal.number.as_alias("proposal_number"),
            AgendaItem.proposal.title.as_alias("proposal_title"),
        )
        .where((AgendaItem.id == item_id) & (AgendaItem.meeting == meeting_id))
        .output(load_json=True)
        .first()
    )
    if row is None:
        raise NotFound()
    return row


async def buildings(compound_id: int) -> list[dict[str, Any]]:
    rows = await Building.select(Building.id, Building.code, Building.name).where(Building.compound == compound_id)
    return sorted(rows, key=lambda b: (len(b["code"]), b["code"]))


async def parties(compound_id: int) -> list[dict[str, Any]]:
    rows = await Party.select().where(Party.compound == compound_id).order_by(Party.id)
    order = {kind: index for index, kind in enumerate(PartyKind.ALL)}
    return sorted(rows, key=lambda p: (order.get(p["kind"], 9), p["id"]))


ROLE_ORDER = [Role.SECRETARY, Role.COMMUNITY_ADMIN, Role.GRID_WORKER, Role.PROPERTY_MANAGER, Role.COMMITTEE_MEMBER]


async def compound_staff(compound_row: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every active staff member with a role over the compound, with their roles."""
    building_ids = [b["id"] for b in await Building.select(Building.id).where(Building.compound == compound_row["id"])]
    condition = (RoleGrant.compound == compound_row["id"]) | (RoleGrant.community == compound_row["community"])
    if compound_row.get("property_company"):
        condition = condition | (RoleGrant.company == compound_row["property_company"])
    if building_ids:
        condition = condition | RoleGrant.building.is_in(building_ids)
    rows = await RoleGrant.select(
        RoleGrant.user,
        RoleGrant.role,
        RoleGrant.user.display_name.as_alias("name"),
        RoleGrant.user.active.as_alias("active"),
    ).where(condition)
    people: dict[int, dict[str, Any]] = {}
    for row in rows:
        if not row["active"]:
            continue
        person = people.setdefault(row["user"], {"id": row["user"], "name": row["name"], "roles": []})
        if row["role"] not in person["roles"]:
            person["roles"].append(row["role"])
    for person in people.values():
        person["roles"].sort(key=lambda r: ROLE_ORDER.index(Role(r)))
    return sorted(people.values(), key=lambda p: (ROLE_ORDER.index(Role(p["roles"][0])), p["name"], p["id"]))


async def party_members(compound_id: int) -> dict[int, list[dict[str, Any]]]:
    rows = await PartyMember.select(
        PartyMember.party,
        PartyMember.user,
        PartyMember.title,
        PartyMember.user.display_name.as_alias("name"),
    ).where(PartyMember.party.compound == compound_id)
    members: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        members.setdefault(row["party"], []).append(row)
    return members


async def invitations(meeting_id: int) -> list[dict[str, Any]]:
    return (
        await Invitation.select(
            Invitation.all_columns(),
            Invitation.party.kind.as_alias("party_kind"),
            Invitation.party.name.as_alias("party_name"),
            Invitation.user.display_name.as_alias("user_name"),
        )
        .where(Invitation.meeting == meeting_id)
        .order_by(Invitation.id)
    )


async def staff_names(ids: Iterable[int]) -> dict[int, str]:
    ids = [i for i in ids if i]
    if not ids:
        return {}
    rows = await StaffUser.select(StaffUser.id, StaffUser.display_name).where(StaffUser.id.is_in(ids))
    return {r["id"]: r["display_name"] for r in rows}


async def concerned_households(meeting_row: Mapping[str, Any]) -> list[dict[str, Any]]:
    query = Household.select(
        Household.id,
        Household.unit,
        Household.exclusive_area,
        Household.owner_key,
        Household.building,
        Household.building.code.as_alias("building_code"),
    ).where(Household.building.compound == meeting_row["compound"])
    if meeting_row["building_ids"]:
        query = query.where(Household.building.is_in(list(meeting_row["building_ids"])))
    return await query


async def attendance(meeting_id: int) -> list[dict[str, Any]]:
    return (
        await Attendance.select(
            Attendance.all_columns(),
            Attendance.household.unit.as_alias("unit"),
            Attendance.household.building.code.as_alias("building_code"),
            Attendance.household.building.as_alias("building_id"),
            Attendance.party.kind.as_alias("party_kind"),
            Attendance.party.name.as_alias("party_name"),
            Attendance.user.display_name.as_alias("user_name"),
            Attendance.marked_by.display_name.as_alias("marked_by_name"),
        )
        .where(Attendance.meeting == meeting_id)
        .order_by(Attendance.at, Attendance.id)
    )


async def household_attendance(meeting_id: int, household_id: int) -> dict[str, Any] | None:
    return (
        await Attendance.select()
        .where((Attendance.meeting == meeting_id) & (Attendance.household == household_id))
        .first()
    )


@dataclass
class SignInSheet:
    """The sign-in list grouped as it is read out: each party, guests, households."""

    by_party: list[tuple[dict[str, Any], list[dict[str, Any]]]]
    guests: list[dict[str, Any]]
    households: list[dict[str, Any]]
    quorum: flow.Quorum
    total: int = 0


def _present_by_party(
    compound_parties: list[dict[str, Any]], invited_party_ids: list[int], rows: list[dict[str, Any]]
) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Each party invited or present, with its people signed in."""
    return [
        (party, [r for r in rows if r["party"] == party["id"] and not r["household"]])
        for party in compound_parties
        if party["id"] in invited_party_ids or any(r["party"] == party["id"] for r in rows)
    ]


async def sign_in_sheet(meeting_row: Mapping[str, Any]) -> SignInSheet:
    rows = await attendance(meeting_row["id"])
    for row in rows:
        if row["household"]:
            row["label"] = f"{row['building_code']}-{row['unit']}"
    compound_parties = await parties(meeting_row["compound"])
    invited = await invitations(meeting_row["id"])
    invited_party_ids = [i["party"] for i in invited if i["party"]]
    by_party = _present_by_party(compound_parties, invited_party_ids, rows)
    guests = [r for r in rows if not r["party"] and not r["household"]]
    households = [r for r in rows if r["household"]]
    concerned = await concerned_households(meeting_row)
    figures = flow.quorum(
        concerned,
        [r["household"] for r in households],
        invited_party_ids,
        [r["party"] for r in rows if r["party"] and not r["household"]],
    )
    return SignInSheet(by_party=by_party, guests=guests, households=households, quorum=figures, total=len(rows))


async def positions(item_id: int) -> dict[int, dict[str, Any]]:
    rows = await Position.select(
        Position.all_columns(), Position.recorded_by.display_name.as_alias("recorded_by_name")
    ).where(Position.agenda_item == item_id)
    return {row["party"]: row for row in rows}


async def positions_of_meeting(meeting_id: int) -> dict[int, dict[int, dict[str, Any]]]:
    rows = await Position.select(Position.all_columns()).where(Position.agenda_item.meeting == meeting_id)
    result: dict[int, dict[int, dict[str, Any]]] = {}
    for row in rows:
        result.setdefault(row["agenda_item"], {})[row["party"]] = row
    return result


async def comments(item_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    if not item_ids:
        return {}
    rows = (
        await Comment.select(
            Comment.all_columns(),
            Comment.household.unit.as_alias("unit"),
            Comment.household.building.code.as_alias("building_code"),
            Comment.hidden_by.display_name.as_alias("hidden_by_name"),
        )
        .where(Comment.agenda_item.is_in(list(item_ids)))
        .order_by(Comment.at, Comment.id)
    )
    result: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        row["label"] = f"{row['building_code']}-{row['unit']}"
        result.setdefault(row["agenda_item"], []).append(row)
    return result


async def addenda(meeting_id: int) -> list[dict[str, Any]]:
    return (
        await Addendum.select(
            Addendum.all_columns(),
            Addendum.author.display_name.as_alias("author_name"),
            Addendum.agenda_item.title.as_alias("item_title"),
        )
        .where(Addendum.meeting == meeting_id)
        .order_by(Addendum.at, Addendum.id)
    )


async def item_history(item_id: int) -> list[dict[str, Any]]:
    return await audit.history("agenda_item", item_id)


async def meeting_history(meeting_id: int) -> list[dict[str, Any]]:
    """The meeting's own changes and its items', oldest first, each item entry titled."""
    entries = list(await audit.history("meeting", meeting_id))
    for item in await AgendaItem.select(AgendaItem.id, AgendaItem.title).where(AgendaItem.meeting == meeting_id):
        for entry in await audit.history("agenda_item", item["id"]):
            entry["item_title"] = item["title"]
            entries.append(entry)
    return sorted(entries, key=lambda e: (e["at"], e["id"]))


async def upcoming_public(compound_id: int, now: datetime) -> list[dict[str, Any]]:
    """Published notices of meetings that have not ended yet, soonest first."""
    rows = await (
        Meeting.select(Meeting.all_columns())
        .where((Meeting.compound == compound_id) & (Meeting.status == PUBLISHED))
        .order_by(Meeting.starts_at)
        .output(load_json=True)
    )
    rows = [r for r in rows if flow.sign_in_open(r["starts_at"], r["duration_minutes"], now) or r["starts_at"] > now]
    for row in rows:
        row["kind_label"] = labels.label("meeting_kind", row["kind"])
    return rows


async def _invited_to(user: int, meeting_ids: list[int]) -> set[int]:
    """Which of these meetings invite this person by name or through one of their parties."""
    my_parties = {r["party"] for r in await PartyMember.select(PartyMember.party).where(PartyMember.user == user)}
    invited = await Invitation.select(Invitation.meeting, Invitation.party, Invitation.user).where(
        Invitation.meeting.is_in(meeting_ids)
    )
    return {i["meeting"] for i in invited if i["user"] == user or (i["party"] and i["party"] in my_parties)}


async def invited_upcoming(principal: Principal, now: datetime) -> list[dict[str, Any]]:
    """Published meetings, not yet over, to which this person is invited: by name,
    as host, recorder or scrutineer, or as a member of an invited party."""
    if not principal.compound_ids:
        return []
    rows = await (
        Meeting.select(
            Meeting.all_columns(),
            Meeting.compound.name.as_alias("compound_name"),
            Meeting.compound.code.as_alias("compound_code"),
        )
        .where(Meeting.compound.is_in(principal.compound_ids) & (Meeting.status == PUBLISHED))
        .order_by(Meeting.starts_at)
        .output(load_json=True)
    )
    rows = [r for r in rows if r["starts_at"] > now or flow.sign_in_open(r["starts_at"], r["duration_minutes"], now)]
    if not rows:
        return []
    user = principal.user_id
    mine = await _invited_to(user, [r["id"] for r in rows])
    rows = [
        r for r in rows if r["id"] in mine or user in (r["host"], r["recorder"]) or user in (r["scrutineer_ids"] or [])
    ]
    for row in rows:
        row["kind_label"] = labels.label("meeting_kind", row["kind"])
    return rows
