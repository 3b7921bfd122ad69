"""Use cases of step 2, deliberate: convene, build the agenda, publish the
notice, take comments, sign in, record notes and positions, draft the vote,
close. Each change is one transaction and leaves an audit record with the
fields it changed (before → after).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from yishi import clock, db
from yishi.accounts.dependencies import require
from yishi.accounts.permissions import Capability, Principal, Role
from yishi.accounts.tables import PartyMember, RoleGrant, StaffUser
from yishi.audit import service as audit
from yishi.db import write_transaction
from yishi.errors import Conflict, DomainError, Forbidden, FormErrors, NotFound
from yishi.forms import whole_number
from yishi.i18n import gettext as _
from yishi.meetings import flow, topics
from yishi.meetings.flow import ITEM_DECISION, Kind
from yishi.meetings.tables import (
    Addendum,
    AgendaItem,
    Attendance,
    Comment,
    Invitation,
    Meeting,
    Position,
)
from yishi.roster.tables import PARTY_LABELS, Building, Compound, Household, Party, PartyKind

DRAFT, PUBLISHED, CLOSED = "draft", "published", "closed"
METHOD_QR, METHOD_STAFF = "qr", "staff"
MAX_TITLE = 120
MAX_PLACE = 120
MAX_FULL_TEXT = 5000
MAX_NOTES = 10000
MAX_REASON = 500
MAX_POSITION_TEXT = 1000
MAX_ADDENDUM = 2000
MAX_VOTING_METHOD = 1000


# Reading ---------------------------------------------------------------------------


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


async def sign_in_sheet(meeting_row: Mapping[str, Any]) -> SignInSheet:
    rows = await attendance(meeting_row["id"])
    for row in rows:
        if row["household"]:
            row["label"] = f"{row['building_code']}-{row['unit']}"
    compound_parties = await parties(meeting_row["compound"])
    invited = await invitations(meeting_row["id"])
    invited_party_ids = [i["party"] for i in invited if i["party"]]
    by_party = [
        (party, [r for r in rows if r["party"] == party["id"] and not r["household"]])
        for party in compound_parties
        if party["id"] in invited_party_ids or any(r["party"] == party["id"] for r in rows)
    ]
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
        row["kind_label"] = flow.kind_label(row["kind"])
    return rows


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
    my_parties = {r["party"] for r in await PartyMember.select(PartyMember.party).where(PartyMember.user == user)}
    invited = await Invitation.select(Invitation.meeting, Invitation.party, Invitation.user).where(
        Invitation.meeting.is_in([r["id"] for r in rows])
    )
    mine = {i["meeting"] for i in invited if i["user"] == user or (i["party"] and i["party"] in my_parties)}
    rows = [
        r for r in rows if r["id"] in mine or user in (r["host"], r["recorder"]) or user in (r["scrutineer_ids"] or [])
    ]
    for row in rows:
        row["kind_label"] = flow.kind_label(row["kind"])
    return rows


# Audit -----------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Each changed field as [before, after]."""
    return {
        key: [_jsonable(before.get(key)), _jsonable(value)]
        for key, value in after.items()
        if _jsonable(before.get(key)) != _jsonable(value)
    }


async def _audit(
    subject: str,
    subject_id: int,
    action: str,
    principal: Principal | None,
    compound_id: int,
    *,
    actor_label: str = "",
    **detail: Any,
) -> None:
    await audit.record(
        subject,
        subject_id,
        action,
        actor=principal.user_id if principal else None,
        actor_label=principal.display_name if principal else actor_label,
        compound=compound_id,
        **{k: _jsonable(v) for k, v in detail.items()},
    )


# Guards ----------------------------------------------------------------------------


async def _locked_meeting(meeting_id: int) -> dict[str, Any]:
    """The meeting, its row locked for the rest of the transaction (PostgreSQL; on
    SQLite the IMMEDIATE transaction already serialises writers)."""
    query = Meeting.select(Meeting.all_columns()).where(Meeting.id == meeting_id)
    if not db.is_sqlite():
        query = query.lock_rows("UPDATE")
    row = await query.output(load_json=True).first()
    if row is None:
        raise NotFound()
    return row


def ensure_open(meeting_row: Mapping[str, Any]) -> None:
    if meeting_row["status"] == CLOSED:
        raise Conflict(
            _(
                "This meeting was closed on %(at)s. Only an addendum can be added now.",
                at=clock.local_text(meeting_row["closed_at"]),
            )
        )


def ensure_in_compound(principal: Principal, capability: Capability, compound_id: int) -> None:
    """The one capability check (``accounts.dependencies.require``), for use cases called with a principal."""
    require(principal, capability, compound_id)


# Convening ------------------------------------------------------------------------


@dataclass
class MeetingInput:
    kind: str
    title: str
    starts_at: datetime
    duration_minutes: int
    place: str
    building_ids: list[int]
    party_ids: list[int]
    staff_ids: list[int]
    guests: list[tuple[str, str]]
    host: int | None
    recorder: int | None
    scrutineer_ids: list[int]
    voting_method: str


@dataclass
class MeetingForm:
    """What was typed into the meeting form: single values and ticked boxes."""

    values: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)

    def get(self, name: str) -> str:
        return (self.values.get(name) or "").strip()

    def ids(self, name: str) -> list[int]:
        return [n for n in (whole_number(v) for v in self.lists.get(name, [])) if n is not None]

    def optional_id(self, name: str) -> int | None:
        value = self.get(name)
        return whole_number(value)


async def check_meeting(
    compound_row: Mapping[str, Any], form: MeetingForm, now: datetime, existing: Mapping[str, Any] | None = None
) -> MeetingInput:
    errors: dict[str, str] = {}
    kind = flow.kind_of(form.get("kind"))
    if kind is None:
        errors["kind"] = _("Choose the kind of meeting.")
    elif existing and existing["status"] != DRAFT and kind != existing["kind"]:
        errors["kind"] = _(
            "The notice went out for a %(kind)s; the kind cannot change after publication.",
            kind=flow.kind_label(existing["kind"]),
        )
    title = form.get("title")
    if not title:
        errors["title"] = _("Give the meeting a title.")
    elif len(title) > MAX_TITLE:
        errors["title"] = _("At most %(n)d characters.", n=MAX_TITLE)
    starts_at = clock.parse_local_datetime(form.get("starts_at"))
    if starts_at is None:
        errors["starts_at"] = _("Enter the date and time the meeting starts.")
    elif starts_at <= now:
        errors["starts_at"] = _("This time is in the past. Choose a time from now on.")
    duration = flow.parse_minutes(form.get("duration_minutes"), maximum=flow.MAX_MEETING_MINUTES)
    if duration is None:
        errors["duration_minutes"] = _(
            "Enter the length in minutes, a whole number from 1 to %(max)d.", max=flow.MAX_MEETING_MINUTES
        )
    place = form.get("place")
    if not place:
        errors["place"] = _("Say where the meeting takes place.")
    elif len(place) > MAX_PLACE:
        errors["place"] = _("At most %(n)d characters.", n=MAX_PLACE)

    compound_buildings = {b["id"] for b in await buildings(compound_row["id"])}
    building_ids = form.ids("building")
    if set(building_ids) - compound_buildings:
        errors["building"] = _("Choose buildings of this compound.")
    compound_parties = {p["id"]: p for p in await parties(compound_row["id"])}
    party_ids = form.ids("party")
    if set(party_ids) - set(compound_parties):
        errors["party"] = _("Choose parties of this compound.")
    elif kind == Kind.TRIPARTITE and not party_ids:
        party_ids = [p["id"] for p in compound_parties.values() if p["active"]]
    staff = {p["id"] for p in await compound_staff(compound_row)}
    staff_ids = form.ids("staff")
    if set(staff_ids) - staff:
        errors["staff"] = _("Invite staff of this compound only.")
    guests, guest_error = flow.parse_guests(form.values.get("guests") or "")
    if guest_error:
        errors["guests"] = guest_error
    host, recorder = form.optional_id("host"), form.optional_id("recorder")
    if host is not None and host not in staff:
        errors["host"] = _("The host must be staff of this compound.")
    if recorder is not None and recorder not in staff:
        errors["recorder"] = _("The recorder must be staff of this compound.")
    scrutineers = form.ids("scrutineer")
    if set(scrutineers) - staff:
        errors["scrutineer"] = _("Scrutineers must be staff of this compound.")
    voting_method = form.get("voting_method")
    if len(voting_method) > MAX_VOTING_METHOD:
        errors["voting_method"] = _("At most %(n)d characters.", n=MAX_VOTING_METHOD)

    if not errors and existing and existing["status"] == PUBLISHED and starts_at is not None:
        # Moving a published meeting earlier must still leave the notice period it was announced with.
        published_at = existing["published_at"]
        days = (
            flow.LEGAL_NOTICE_DAYS.get(existing["kind"], 0)
            if existing["urgent_reason"]
            else flow.notice_days(compound_row["notice_days"], existing["kind"])
        )
        earliest = published_at + timedelta(days=days)
        if starts_at < earliest:
            errors["starts_at"] = _(
                "The notice was published on %(published)s; with %(days)d days' notice this meeting "
                "cannot start before %(earliest)s.",
                published=clock.local_text(published_at),
                days=days,
                earliest=clock.local_text(earliest),
            )
    if errors:
        raise FormErrors(errors)
    assert kind is not None and starts_at is not None and duration is not None
    return MeetingInput(
        kind=kind.value,
        title=title,
        starts_at=starts_at.astimezone(UTC),
        duration_minutes=duration,
        place=place,
        building_ids=sorted(set(building_ids)),
        party_ids=sorted(set(party_ids)),
        staff_ids=sorted(set(staff_ids)),
        guests=guests,
        host=host,
        recorder=recorder,
        scrutineer_ids=sorted(set(scrutineers)),
        voting_method=voting_method,
    )


def _meeting_values(data: MeetingInput) -> dict[str, Any]:
    return {
        "kind": data.kind,
        "title": data.title,
        "starts_at": data.starts_at,
        "duration_minutes": data.duration_minutes,
        "place": data.place,
        "building_ids": data.building_ids,
        "host": data.host,
        "recorder": data.recorder,
        "scrutineer_ids": data.scrutineer_ids,
        "voting_method": data.voting_method,
    }


def _invitation_summary(rows: Iterable[Mapping[str, Any]]) -> dict[str, list[Any]]:
    return {
        "parties": sorted(r["party"] for r in rows if r["party"]),
        "staff": sorted(r["user"] for r in rows if r["user"]),
        "guests": [f"{r['guest_name']}（{r['guest_role']}）" for r in rows if r["guest_name"]],
    }


async def _write_invitations(meeting_id: int, data: MeetingInput) -> None:
    await Invitation.delete().where(Invitation.meeting == meeting_id)
    rows = (
        [Invitation(meeting=meeting_id, party=p) for p in data.party_ids]
        + [Invitation(meeting=meeting_id, user=u) for u in data.staff_ids]
        + [Invitation(meeting=meeting_id, guest_name=n, guest_role=r) for n, r in data.guests]
    )
    if rows:
        await Invitation.insert(*rows)


async def convene(compound_id: int, principal: Principal, form: MeetingForm, now: datetime) -> int:
    ensure_in_compound(principal, Capability.MEETING_MANAGE, compound_id)
    async with write_transaction():
        compound_row = await compound(compound_id)
        data = await check_meeting(compound_row, form, now)
        created = await Meeting.insert(
            Meeting(compound=compound_id, convener=principal.user_id, status=DRAFT, **_meeting_values(data))
        ).returning(Meeting.id)
        meeting_id = created[0]["id"]
        await _write_invitations(meeting_id, data)
        await _audit(
            "meeting",
            meeting_id,
            "create",
            principal,
            compound_id,
            values=_meeting_values(data),
            invited=_invitation_summary(await invitations(meeting_id)),
        )
    return meeting_id


async def update_meeting(meeting_id: int, principal: Principal, form: MeetingForm, now: datetime) -> None:
    async with write_transaction():
        current = await _locked_meeting(meeting_id)
        ensure_in_compound(principal, Capability.MEETING_MANAGE, current["compound"])
        ensure_open(current)
        compound_row = await compound(current["compound"])
        data = await check_meeting(compound_row, form, now, existing=current)
        values = _meeting_values(data)
        before_invited = _invitation_summary(await invitations(meeting_id))
        await Meeting.update(values).where(Meeting.id == meeting_id)
        await _write_invitations(meeting_id, data)
        after_invited = _invitation_summary(await invitations(meeting_id))
        changed = changes(current, values)
        changed.update(changes(before_invited, after_invited))
        if changed:
            await _audit("meeting", meeting_id, "edit", principal, current["compound"], changes=changed)


async def save_notice_days(compound_id: int, principal: Principal, form: Mapping[str, str]) -> None:
    ensure_in_compound(principal, Capability.MEETING_MANAGE, compound_id)
    values, errors = flow.check_notice_settings(form)
    if errors:
        raise FormErrors(errors)
    async with write_transaction():
        current = await compound(compound_id)
        before = {k: flow.notice_days(current["notice_days"], k) for k in Kind}
        await Compound.update({Compound.notice_days: values}).where(Compound.id == compound_id)
        changed = changes(before, values)
        if changed:
            await _audit("compound", compound_id, "notice_days", principal, compound_id, changes=changed)


# Agenda ---------------------------------------------------------------------------


async def _item_order(meeting_id: int) -> list[int]:
    rows = await AgendaItem.select(AgendaItem.id).where(AgendaItem.meeting == meeting_id).order_by(AgendaItem.position)
    return [r["id"] for r in rows]


async def _write_order(meeting_id: int, order: Sequence[int]) -> None:
    """Renumber in two passes so the unique (meeting, position) index never sees a duplicate."""
    for index, item_id in enumerate(order, start=1):
        await AgendaItem.update({AgendaItem.position: -index}).where(
            (AgendaItem.id == item_id) & (AgendaItem.meeting == meeting_id)
        )
    for index, item_id in enumerate(order, start=1):
        await AgendaItem.update({AgendaItem.position: index}).where(
            (AgendaItem.id == item_id) & (AgendaItem.meeting == meeting_id)
        )


def _titles(items: Iterable[Mapping[str, Any]], order: Sequence[int]) -> list[str]:
    by_id = {i["id"]: i["title"] for i in items}
    return [by_id[i] for i in order]


async def add_item(meeting_id: int, principal: Principal, form: Mapping[str, str]) -> int:
    async with write_transaction():
        current = await _locked_meeting(meeting_id)
        ensure_in_compound(principal, Capability.MEETING_MANAGE, current["compound"])
        ensure_open(current)
        if current["status"] == PUBLISHED and current["kind"] == Kind.OWNERS_DECISION:
            raise Conflict(
                _(
                    "The notice of this owners' decision was published on %(at)s. Items can no longer be "
                    "added: owners must be told every item at least 15 days ahead. Convene a new owners' "
                    "decision for further items.",
                    at=clock.local_text(current["published_at"]),
                )
            )
        errors: dict[str, str] = {}
        kind = (form.get("kind") or ITEM_DECISION).strip()
        if kind not in flow.ITEM_KINDS:
            errors["kind"] = _("Choose a decision or a report.")
        proposal_row = None
        proposal_text = (form.get("proposal") or "").strip()
        if kind == ITEM_DECISION:
            if not proposal_text:
                errors["proposal"] = _("Choose the accepted proposal this item decides.")
            else:
                proposal_row = (
                    await topics.proposal(whole_number(proposal_text))
                    if whole_number(proposal_text) is not None
                    else None
                )
                if proposal_row is None or proposal_row["compound"] != current["compound"]:
                    errors["proposal"] = _("This proposal is not one of this compound's.")
                    proposal_row = None
                elif proposal_row["status"] != topics.ACCEPTED:
                    errors["proposal"] = _(
                        "Proposal #%(number)d is not accepted for deliberation; only "
                        "accepted proposals go on an agenda.",
                        number=proposal_row["number"],
                    )
                    proposal_row = None
                elif await AgendaItem.exists().where(
                    (AgendaItem.meeting == meeting_id)
                    & (AgendaItem.proposal == proposal_row["id"])
                    & AgendaItem.withdrawn_at.is_null()
                ):
                    errors["proposal"] = _(
                        "Proposal #%(number)d is already on this agenda.", number=proposal_row["number"]
                    )
        elif proposal_text:
            errors["proposal"] = _("A report decides no proposal; choose “decision” to decide one.")
        title = (form.get("title") or "").strip() or (proposal_row["title"] if proposal_row else "")
        if not title and "kind" not in errors and "proposal" not in errors:
            errors["title"] = _("Give the item a title.")
        elif len(title) > MAX_TITLE:
            errors["title"] = _("At most %(n)d characters.", n=MAX_TITLE)
        full_text = (form.get("full_text") or "").strip()
        if not full_text and proposal_row:
            full_text = "\n\n".join(t for t in (proposal_row["problem"], proposal_row["suggestion"]) if t)
        if len(full_text) > MAX_FULL_TEXT:
            errors["full_text"] = _("At most %(n)d characters.", n=MAX_FULL_TEXT)
        minutes = flow.parse_minutes(form.get("minutes") or "")
        if minutes is None:
            errors["minutes"] = _(
                "Enter the time for this item in minutes, a whole number from 1 to %(max)d.", max=flow.MAX_ITEM_MINUTES
            )
        if errors:
            raise FormErrors(errors)
        assert minutes is not None
        order = await _item_order(meeting_id)
        rule = flow.default_rule(current["kind"]) if kind == ITEM_DECISION else None
        after_notice = current["status"] == PUBLISHED
        created = await AgendaItem.insert(
            AgendaItem(
                meeting=meeting_id,
                position=len(order) + 1,
                kind=kind,
                title=title,
                full_text=full_text,
                proposal=proposal_row["id"] if proposal_row else None,
                minutes=minutes,
                rule=rule.value if rule else "",
                on_published_notice=False,
            )
        ).returning(AgendaItem.id)
        item_id = created[0]["id"]
        await _audit(
            "agenda_item",
            item_id,
            "add_after_notice" if after_notice else "create",
            principal,
            current["compound"],
            values={
                "kind": kind,
                "title": title,
                "minutes": minutes,
                "proposal": proposal_row["number"] if proposal_row else None,
                "rule": rule.value if rule else "",
            },
        )
        if proposal_row:
            await topics.put_on_agenda(proposal_row["id"], _timeline_text(current), principal.display_name)
    return item_id


def _timeline_text(meeting_row: Mapping[str, Any]) -> str:
    return f"{meeting_row['title']} · {clock.local_text(meeting_row['starts_at'])} · {meeting_row['place']}"


async def edit_item(meeting_id: int, item_id: int, principal: Principal, form: Mapping[str, str]) -> None:
    async with write_transaction():
        current = await _locked_meeting(meeting_id)
        ensure_in_compound(principal, Capability.MEETING_MANAGE, current["compound"])
        ensure_open(current)
        item = await agenda_item(meeting_id, item_id)
        errors: dict[str, str] = {}
        title = (form.get("title") or "").strip()
        if not title:
            errors["title"] = _("Give the item a title.")
        elif len(title) > MAX_TITLE:
            errors["title"] = _("At most %(n)d characters.", n=MAX_TITLE)
        full_text = (form.get("full_text") or "").strip()
        if len(full_text) > MAX_FULL_TEXT:
            errors["full_text"] = _("At most %(n)d characters.", n=MAX_FULL_TEXT)
        minutes = flow.parse_minutes(form.get("minutes") or "")
        if minutes is None:
            errors["minutes"] = _(
                "Enter the time for this item in minutes, a whole number from 1 to %(max)d.", max=flow.MAX_ITEM_MINUTES
            )
        if errors:
            raise FormErrors(errors)
        values = {"title": title, "full_text": full_text, "minutes": minutes}
        changed = changes(item, values)
        if changed:
            await AgendaItem.update(values).where(AgendaItem.id == item_id)
            await _audit("agenda_item", item_id, "edit", principal, current["compound"], changes=changed)


async def move_item(meeting_id: int, item_id: int, direction: str, principal: Principal) -> None:
    async with write_transaction():
        current = await _locked_meeting(meeting_id)
        ensure_in_compound(principal, Capability.MEETING_MANAGE, current["compound"])
        ensure_open(current)
        await agenda_item(meeting_id, item_id)
        if direction not in ("up", "down"):
            raise DomainError(_("Move an item up or down."))
        order = await _item_order(meeting_id)
        new_order = flow.moved(order, item_id, direction)
        if new_order != order:
            await _reordered(current, principal, order, new_order)


async def reorder(meeting_id: int, item_ids: Sequence[int], principal: Principal) -> None:
    async with write_transaction():
        current = await _locked_meeting(meeting_id)
        ensure_in_compound(principal, Capability.MEETING_MANAGE, current["compound"])
        ensure_open(current)
        order = await _item_order(meeting_id)
        if sorted(item_ids) != sorted(order) or len(set(item_ids)) != len(item_ids):
            raise Conflict(_("The agenda changed while you were reordering it. Reload the page and try again."))
        if list(item_ids) != order:
            await _reordered(current, principal, order, list(item_ids))


async def _reordered(meeting_row: Mapping[str, Any], principal: Principal, before: list[int], after: list[int]) -> None:
    await _write_order(meeting_row["id"], after)
    items = await AgendaItem.select(AgendaItem.id, AgendaItem.title).where(AgendaItem.meeting == meeting_row["id"])
    await _audit(
        "meeting",
        meeting_row["id"],
        "reorder",
        principal,
        meeting_row["compound"],
        changes={"order": [_titles(items, before), _titles(items, after)]},
    )


async def withdraw_item(meeting_id: int, item_id: int, principal: Principal, reason: str) -> None:
    async with write_transaction():
        current = await _locked_meeting(meeting_id)
        ensure_in_compound(principal, Capability.MEETING_MANAGE, current["compound"])
        ensure_open(current)
        item = await agenda_item(meeting_id, item_id)
        if item["withdrawn_at"]:
            raise Conflict(_("This item was already withdrawn on %(at)s.", at=clock.local_text(item["withdrawn_at"])))
        reason = reason.strip()
        if not reason:
            raise FormErrors({"reason": _("Say why the item is withdrawn; the notice shows the reason.")})
        if len(reason) > MAX_REASON:
            raise FormErrors({"reason": _("At most %(n)d characters.", n=MAX_REASON)})
        now = clock.now()
        await AgendaItem.update({AgendaItem.withdrawn_at: now, AgendaItem.withdrawn_reason: reason}).where(
            AgendaItem.id == item_id
        )
        await _audit("agenda_item", item_id, "withdraw", principal, current["compound"], reason=reason)
        if item["proposal"]:
            await topics.taken_off_agenda(
                item["proposal"], f"{_timeline_text(current)} · {reason}", principal.display_name
            )


# Notice ---------------------------------------------------------------------------


@dataclass
class PublishInput:
    urgent_reason: str = ""
    voting_method: str = ""
    committee_informed: bool = False
    committee_informed_on: str = ""
    votes_open_at: str = ""
    votes_close_at: str = ""


def _voting_period(
    meeting_row: Mapping[str, Any], data: PublishInput, now: datetime
) -> tuple[dict[str, str], datetime | None, datetime | None]:
    """The voting period the notice announces: required for an owners'
    decision, optional otherwise; it starts at the meeting when not given.
    An owners' decision's owners vote from the meeting's start at the earliest,
    once the notice period has run."""
    errors: dict[str, str] = {}
    owners = meeting_row["kind"] == Kind.OWNERS_DECISION
    open_text, close_text = data.votes_open_at.strip(), data.votes_close_at.strip()
    opens = clock.parse_local_datetime(open_text)
    closes = clock.parse_local_datetime(close_text)
    example = _("Enter a date and time, for example 2026-12-20 09:00.")
    if open_text and opens is None:
        errors["votes_open_at"] = example
    if close_text and closes is None:
        errors["votes_close_at"] = example
    elif not close_text and owners:
        errors["votes_close_at"] = _(
            "Enter when voting ends. The notice of an owners' decision announces it, and the vote cannot close earlier."
        )
    elif not close_text and open_text:
        errors["votes_close_at"] = _("Enter when voting ends, too.")
    if errors or closes is None:
        return errors, None, None
    starts_at = meeting_row["starts_at"]
    opens = opens or starts_at
    if owners and opens < starts_at:
        errors["votes_open_at"] = _(
            "Owners vote from the start of the meeting (%(start)s) at the earliest, after the notice period.",
            start=clock.local_text(starts_at),
        )
    elif closes <= opens:
        errors["votes_close_at"] = _("Voting must end after it starts (%(start)s).", start=clock.local_text(opens))
    elif closes <= now:
        errors["votes_close_at"] = _("This time is in the past. Choose a time from now on.")
    return errors, opens, closes


async def notice_check(meeting_row: Mapping[str, Any], now: datetime) -> flow.NoticeCheck:
    compound_row = await compound(meeting_row["compound"])
    return flow.check_notice(meeting_row["kind"], compound_row["notice_days"], meeting_row["starts_at"], now)


async def publish(meeting_id: int, principal: Principal, data: PublishInput, now: datetime) -> None:
    async with write_transaction():
        current = await _locked_meeting(meeting_id)
        ensure_in_compound(principal, Capability.MEETING_MANAGE, current["compound"])
        ensure_open(current)
        if current["status"] != DRAFT:
            raise Conflict(
                _("The notice was already published on %(at)s.", at=clock.local_text(current["published_at"]))
            )
        kind_label = flow.kind_label(current["kind"])
        errors: dict[str, str] = {}
        items = [i for i in await agenda(meeting_id) if not i["withdrawn_at"]]
        if not items:
            errors["agenda"] = _("Put at least one item on the agenda before publishing the notice.")
        if current["starts_at"] <= now:
            errors["notice"] = _("The meeting time has passed. Change the time before publishing.")
        check = await notice_check(current, now)
        urgent_reason = data.urgent_reason.strip()
        if "notice" not in errors and not check.legally_possible:
            errors["notice"] = _(
                "An owners' decision must be announced at least %(days)d days ahead (Property Management "
                "Regulations art. 14); this one starts in %(lead)s. No reason can shorten this: move the "
                "meeting to %(earliest)s or later.",
                days=check.legal_days,
                lead=flow.duration_text(check.lead),
                earliest=clock.local_text(now + timedelta(days=check.legal_days)),
            )
        elif "notice" not in errors and not check.early_enough and not urgent_reason:
            errors["urgent_reason"] = _(
                "A %(kind)s needs %(days)d days' notice in this compound (publish by %(by)s); it starts in "
                "%(lead)s. To publish anyway, record the urgent reason; the notice will show it.",
                kind=kind_label,
                days=check.required_days,
                by=clock.local_text(check.publish_by),
                lead=flow.duration_text(check.lead),
            )
        if len(urgent_reason) > MAX_REASON:
            errors["urgent_reason"] = _("At most %(n)d characters.", n=MAX_REASON)
        voting_method = data.voting_method.strip() or current["voting_method"]
        informed_at: datetime | None = None
        if current["kind"] == Kind.OWNERS_DECISION:
            if not voting_method:
                errors["voting_method"] = _(
                    "Describe how owners vote (online by personal link, paper ballot, in the room) and by "
                    "when; the notice of an owners' decision must say it."
                )
            elif len(voting_method) > MAX_VOTING_METHOD:
                errors["voting_method"] = _("At most %(n)d characters.", n=MAX_VOTING_METHOD)
            informed_on = clock.parse_local_date(data.committee_informed_on)
            if not data.committee_informed:
                errors["committee_informed"] = _(
                    "The community residents' committee must be told of an owners' decision before the "
                    "notice goes out. Tick the box once it is done."
                )
            elif informed_on is None:
                errors["committee_informed_on"] = _("Enter the date the residents' committee was told.")
            elif informed_on > clock.local_today(now):
                errors["committee_informed_on"] = _("This date is in the future.")
            else:
                informed_at = clock.start_of_local_day(informed_on).astimezone(UTC)
            incomplete = [
                i["title"]
                for i in items
                if i["kind"] == ITEM_DECISION and not (i["full_text"] and i["owners_matter"] and i["rule"])
            ]
            if incomplete:
                errors["agenda"] = _(
                    "The notice of an owners' decision carries every item's full text and how it is decided. "
                    "Complete the full text, the art. 278 matter and the rule of: %(items)s.",
                    items="、".join(f"“{t}”" for t in incomplete),
                )
        period_errors, votes_open_at, votes_close_at = _voting_period(current, data, now)
        errors.update(period_errors)
        if errors:
            raise FormErrors(errors)
        values: dict[str, Any] = {
            "status": PUBLISHED,
            "votes_open_at": votes_open_at,
            "votes_close_at": votes_close_at,
            "published_at": now,
            "urgent_reason": "" if check.early_enough else urgent_reason,
            "voting_method": voting_method,
            "committee_informed_at": informed_at,
        }
        await Meeting.update(values).where(Meeting.id == meeting_id)
        decision_ids = [i["id"] for i in items if i["kind"] == ITEM_DECISION]
        if decision_ids:
            await AgendaItem.update({AgendaItem.on_published_notice: True}).where(AgendaItem.id.is_in(decision_ids))
        await _audit(
            "meeting",
            meeting_id,
            "publish",
            principal,
            current["compound"],
            changes=changes(current, values),
            notice_days=check.required_days,
            items=[i["title"] for i in items],
        )


# Comments -------------------------------------------------------------------------


async def public_meeting(compound_id: int, meeting_id: int) -> dict[str, Any]:
    """A meeting whose notice is public: published or closed, of this compound."""
    row = await meeting(meeting_id)
    if row["compound"] != compound_id or row["status"] == DRAFT:
        raise NotFound()
    return row


def comments_open(meeting_row: Mapping[str, Any], now: datetime) -> bool:
    return meeting_row["status"] == PUBLISHED and now < meeting_row["starts_at"]


async def comment(
    meeting_id: int, item_id: int, household_id: int, household_compound: int, text: str, now: datetime
) -> int:
    """A household's comment on an item, before the meeting starts."""
    current = await meeting(meeting_id)
    if current["compound"] != household_compound:
        raise Forbidden(
            _("Only households of %(compound)s can comment on its meetings.", compound=current["compound_name"])
        )
    if current["status"] == DRAFT:
        raise NotFound()
    item = await agenda_item(meeting_id, item_id)
    if not comments_open(current, now):
        raise Conflict(_("Comments closed when the meeting began. Say it in the meeting, or raise a new proposal."))
    if item["withdrawn_at"]:
        raise Conflict(_("This item was withdrawn from the agenda; comments are closed."))
    text = text.strip()
    if not text:
        raise FormErrors({"text": _("Write your comment.")})
    if len(text) > flow.COMMENT_MAX_LENGTH:
        raise FormErrors(
            {
                "text": _(
                    "A comment may have at most %(max)d characters; this one has %(n)d.",
                    max=flow.COMMENT_MAX_LENGTH,
                    n=len(text),
                )
            }
        )
    created = await Comment.insert(Comment(agenda_item=item_id, household=household_id, text=text)).returning(
        Comment.id
    )
    return created[0]["id"]


async def hide_comment(meeting_id: int, item_id: int, comment_id: int, principal: Principal, reason: str) -> None:
    async with write_transaction():
        current = await _locked_meeting(meeting_id)
        ensure_in_compound(principal, Capability.MEETING_MANAGE, current["compound"])
        ensure_open(current)
        await agenda_item(meeting_id, item_id)
        row = (
            await Comment.select(
                Comment.all_columns(),
                Comment.household.unit.as_alias("unit"),
                Comment.household.building.code.as_alias("building_code"),
            )
            .where((Comment.id == comment_id) & (Comment.agenda_item == item_id))
            .first()
        )
        if row is None:
            raise NotFound()
        if row["hidden_reason"]:
            raise Conflict(_("This comment is already hidden."))
        reason = reason.strip()
        if not reason:
            raise FormErrors({"reason": _("Say why the comment is hidden; residents see the reason.")})
        if len(reason) > MAX_REASON:
            raise FormErrors({"reason": _("At most %(n)d characters.", n=MAX_REASON)})
        await Comment.update({Comment.hidden_reason: reason, Comment.hidden_by: principal.user_id}).where(
            Comment.id == comment_id
        )
        await _audit(
            "agenda_item",
            item_id,
            "hide_comment",
            principal,
            current["compound"],
            comment=comment_id,
            household=f"{row['building_code']}-{row['unit']}",
            text=row["text"],
            reason=reason,
        )


# Sign-in --------------------------------------------------------------------------


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
        current = await _locked_meeting(meeting_id)
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
        await _audit(
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
        current = await _locked_meeting(meeting_id)
        ensure_in_compound(principal, Capability.MEETING_RECORD, current["compound"])
        _ensure_sign_in_possible(current)
        name = name.strip()
        if invitation_id is not None:
            invited = (
                await Invitation.select(Invitation.all_columns(), Invitation.user.display_name.as_alias("user_name"))
                .where((Invitation.id == invitation_id) & (Invitation.meeting == meeting_id))
                .first()
            )
            if invited is None or invited["party"]:
                raise NotFound()
            if invited["user"]:
                # An invited staff member signs in for the party they belong to here, if any.
                membership = (
                    await PartyMember.select(PartyMember.party)
                    .where((PartyMember.user == invited["user"]) & (PartyMember.party.compound == current["compound"]))
                    .first()
                )
                party_id, user_id, name = (membership["party"] if membership else None), invited["user"], ""
                label = invited["user_name"]
            else:
                party_id, user_id, name = None, None, invited["guest_name"]
                label = f"{invited['guest_name']}（{invited['guest_role']}）"
        else:
            party = await Party.select().where(Party.id == (party_id or 0)).first()
            if party is None or party["compound"] != current["compound"]:
                raise FormErrors({"party": _("Choose one of this compound's parties.")})
            if user_id is not None:
                member = (
                    await PartyMember.select(PartyMember.user.display_name.as_alias("name"))
                    .where((PartyMember.party == party_id) & (PartyMember.user == user_id))
                    .first()
                )
                invited = await Invitation.exists().where(
                    (Invitation.meeting == meeting_id) & (Invitation.user == user_id)
                )
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
            label = f"{flow.label_of(PARTY_LABELS, party['kind'])}：{label}"
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
        await _audit(
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


# Notes, positions, vote options ------------------------------------------------------


def is_recorder(principal: Principal, meeting_row: Mapping[str, Any]) -> bool:
    return meeting_row["recorder"] == principal.user_id and principal.can(
        Capability.MEETING_RECORD, meeting_row["compound"]
    )


async def save_notes(meeting_id: int, item_id: int, principal: Principal, notes: str) -> None:
    async with write_transaction():
        current = await _locked_meeting(meeting_id)
        ensure_in_compound(principal, Capability.MEETING_RECORD, current["compound"])
        ensure_open(current)
        item = await agenda_item(meeting_id, item_id)
        notes = notes.strip()
        if len(notes) > MAX_NOTES:
            raise FormErrors({"notes": _("At most %(n)d characters.", n=MAX_NOTES)})
        changed = changes(item, {"notes": notes})
        if changed:
            await AgendaItem.update({AgendaItem.notes: notes}).where(AgendaItem.id == item_id)
            await _audit("agenda_item", item_id, "notes", principal, current["compound"], changes=changed)


def parties_statable(
    principal: Principal, meeting_row: Mapping[str, Any], party_rows: Iterable[Mapping[str, Any]]
) -> list[int]:
    """The parties whose position this person may record: the secretary (and the
    meeting's recorder) any; a property manager the property company; a committee
    member the owners' committee."""
    compound_id = meeting_row["compound"]
    if principal.can(Capability.MEETING_MANAGE, compound_id) or is_recorder(principal, meeting_row):
        return [p["id"] for p in party_rows]
    if not principal.can(Capability.POSITION_STATE, compound_id):
        return []
    roles = principal.roles_by_compound.get(compound_id, frozenset())
    own = set()
    if Role.PROPERTY_MANAGER in roles:
        own.add(PartyKind.PROPERTY)
    if Role.COMMITTEE_MEMBER in roles:
        own.add(PartyKind.COMMITTEE)
    return [p["id"] for p in party_rows if p["kind"] in own]


async def state_position(
    meeting_id: int, item_id: int, principal: Principal, party_id: int, stance: str, text: str
) -> None:
    async with write_transaction():
        current = await _locked_meeting(meeting_id)
        ensure_in_compound(principal, Capability.MEETING_VIEW, current["compound"])
        if not (principal.can(Capability.POSITION_STATE, current["compound"]) or is_recorder(principal, current)):
            # Who may speak for a party is decided before anything about the meeting is told.
            raise Forbidden(_("Only a party's representative, the secretary or the recorder states positions."))
        ensure_open(current)
        item = await agenda_item(meeting_id, item_id)
        if current["kind"] != Kind.TRIPARTITE:
            raise Conflict(_("Parties state positions in tripartite joint meetings only."))
        if item["kind"] != ITEM_DECISION or item["withdrawn_at"]:
            raise Conflict(_("Positions are stated on decision items that are on the agenda."))
        invited = [i["party"] for i in await invitations(meeting_id) if i["party"]]
        party_rows = [p for p in await parties(current["compound"]) if p["id"] in invited]
        party = next((p for p in party_rows if p["id"] == party_id), None)
        if party is None:
            raise FormErrors({"party": _("Choose one of the parties invited to this meeting.")})
        if party_id not in parties_statable(principal, current, party_rows):
            raise Forbidden(
                _("You may state the position of your own party only, not of %(party)s.", party=party["name"])
            )
        errors: dict[str, str] = {}
        if stance not in flow.STANCES:
            errors["stance"] = _("Choose agree, disagree or agree with conditions.")
        text = text.strip()
        if stance == "conditions" and not text:
            errors["text"] = _("Write the conditions.")
        elif stance == "disagree" and not text:
            errors["text"] = _("Write why the party disagrees.")
        elif len(text) > MAX_POSITION_TEXT:
            errors["text"] = _("At most %(n)d characters.", n=MAX_POSITION_TEXT)
        if errors:
            raise FormErrors(errors)
        before = await Position.select().where((Position.agenda_item == item_id) & (Position.party == party_id)).first()
        values = {"stance": stance, "text": text}
        now = clock.now()
        if before is None:
            await Position.insert(
                Position(agenda_item=item_id, party=party_id, recorded_by=principal.user_id, recorded_at=now, **values)
            )
        elif changes(before, values):
            await Position.update({**values, "recorded_by": principal.user_id, "recorded_at": now}).where(
                Position.id == before["id"]
            )
        else:
            return
        await _audit(
            "agenda_item",
            item_id,
            "position",
            principal,
            current["compound"],
            party=party["name"],
            party_kind=party["kind"],
            changes=changes(before or {}, values),
        )


async def draft_vote(meeting_id: int, item_id: int, principal: Principal, form: Mapping[str, str]) -> None:
    async with write_transaction():
        current = await _locked_meeting(meeting_id)
        ensure_in_compound(principal, Capability.MEETING_MANAGE, current["compound"])
        ensure_open(current)
        item = await agenda_item(meeting_id, item_id)
        if item["kind"] != ITEM_DECISION:
            raise Conflict(_("A report is not put to the vote."))
        draft, errors = flow.check_vote_draft(
            current["kind"],
            form.get("question") or "",
            form.get("options") or "",
            form.get("rule") or "",
            form.get("owners_matter") or "",
        )
        if errors or draft is None:
            raise FormErrors(errors)
        values = {
            "question": draft.question,
            "options": draft.options,
            "rule": draft.rule,
            "owners_matter": draft.owners_matter,
        }
        changed = changes(item, values)
        if changed:
            await AgendaItem.update(values).where(AgendaItem.id == item_id)
            await _audit("agenda_item", item_id, "vote_options", principal, current["compound"], changes=changed)


# Closing ---------------------------------------------------------------------------


async def close(meeting_id: int, principal: Principal, now: datetime) -> None:
    async with write_transaction():
        current = await _locked_meeting(meeting_id)
        ensure_in_compound(principal, Capability.MEETING_MANAGE, current["compound"])
        ensure_open(current)
        if current["status"] != PUBLISHED:
            raise Conflict(_("Publish the notice first: a meeting nobody was told of cannot be held and closed."))
        values = {"status": CLOSED, "closed_at": now, "closed_by": principal.user_id}
        await Meeting.update(values).where(Meeting.id == meeting_id)
        await _audit("meeting", meeting_id, "close", principal, current["compound"], changes=changes(current, values))


async def add_addendum(meeting_id: int, principal: Principal, text: str, item_id: int | None) -> None:
    async with write_transaction():
        current = await _locked_meeting(meeting_id)
        ensure_in_compound(principal, Capability.MEETING_RECORD, current["compound"])
        if current["status"] != CLOSED:
            raise Conflict(_("Addenda are for closed meetings; until then, edit the record itself."))
        if item_id is not None:
            await agenda_item(meeting_id, item_id)
        text = text.strip()
        if not text:
            raise FormErrors({"text": _("Write the addendum.")})
        if len(text) > MAX_ADDENDUM:
            raise FormErrors({"text": _("At most %(n)d characters.", n=MAX_ADDENDUM)})
        created = await Addendum.insert(
            Addendum(meeting=meeting_id, agenda_item=item_id, text=text, author=principal.user_id)
        ).returning(Addendum.id)
        await _audit(
            "meeting", meeting_id, "addendum", principal, current["compound"], addendum=created[0]["id"], text=text
        )
