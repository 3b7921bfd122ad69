"""What the built-in documents show: each loader reads other packages'
tables (read-only) and returns a :class:`~yishi.documents.kinds.Source`.

Documents: the proposal poster, the meeting notice (会议通知), the sign-in
sheet (签到表), the minutes (会议纪要) and the action ledger (落实台账).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from yishi import clock
from yishi.accounts.tables import PartyMember, StaffUser
from yishi.actions import flow as action_flow
from yishi.actions.tables import Action, ActionUpdate
from yishi.clock import LOCAL_TZ
from yishi.codes import natural_key
from yishi.documents import labels, votes
from yishi.documents.kinds import DocumentKind, Source, register
from yishi.errors import DomainError, FormErrors, NotFound
from yishi.i18n import N_
from yishi.i18n import gettext as _
from yishi.meetings import flow as meetings_flow
from yishi.meetings.tables import Addendum, AgendaItem, Attendance, Comment, Invitation, Meeting, Position
from yishi.roster.service import unit_label
from yishi.roster.tables import Building, Compound, Household, Party, PartyKind
from yishi.shares import format_share, share_tenths
from yishi.spreadsheet import guard

PUBLISHED, CLOSED = "published", "closed"
# Meetings whose sign-in lists households (the others invite parties and people).
HOUSEHOLD_MEETINGS = ("bench_meeting", "owners_decision")


# Compound -------------------------------------------------------------------------


async def compound_facts(compound_id: int) -> dict[str, Any]:
    row = (
        await Compound.select(
            Compound.id,
            Compound.code,
            Compound.name,
            Compound.address,
            Compound.seconds_threshold,
            Compound.notice_days,
            Compound.community.name.as_alias("community_name"),
            Compound.community.street.as_alias("street_name"),
            Compound.property_company.name.as_alias("company_name"),
        )
        .where(Compound.id == compound_id)
        .output(load_json=True)
        .first()
    )
    if row is None:
        raise NotFound()
    return row


async def parties_of(compound_id: int) -> list[dict[str, Any]]:
    rows = await Party.select(Party.id, Party.kind, Party.name, Party.active, Party.note).where(
        Party.compound == compound_id
    )
    order = {kind: index for index, kind in enumerate(PartyKind.ALL)}
    return sorted(rows, key=lambda p: (order.get(p["kind"], 9), p["id"]))


# Proposal poster ---------------------------------------------------------------------


async def load_proposal_poster(compound_id: int, _variant: str) -> Source:
    compound = await compound_facts(compound_id)
    parties = [p for p in await parties_of(compound_id) if p["active"]]
    return Source(
        compound_id=compound_id,
        compound_name=compound["name"],
        title=_("Proposal poster of %(name)s", name=compound["name"]),
        summary=_("Poster with the QR code of the compound's proposals page."),
        context={
            "compound": compound,
            "parties": parties,
            "proposals_path": f"/c/{compound['code']}/proposals",
        },
    )


# Meetings ----------------------------------------------------------------------------


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
    buildings = await Building.select(Building.id, Building.code, Building.name).where(
        Building.compound == meeting["compound"]
    )
    buildings.sort(key=lambda b: natural_key(b["code"]))
    concerned = set(meeting["building_ids"] or [])
    meeting["buildings"] = [b for b in buildings if not concerned or b["id"] in concerned]
    meeting["whole_compound"] = not concerned
    meeting["ends_at"] = meeting["starts_at"] + timedelta(minutes=meeting["duration_minutes"] or 0)

    items = await (
        AgendaItem.select(
            AgendaItem.all_columns(),
            AgendaItem.proposal.number.as_alias("proposal_number"),
            AgendaItem.proposal.title.as_alias("proposal_title"),
        )
        .where(AgendaItem.meeting == meeting_id)
        .order_by(AgendaItem.position)
        .output(load_json=True)
    )
    clock = meeting["starts_at"]
    for number, item in enumerate(items, start=1):
        item["number"] = number
        item["withdrawn"] = item["withdrawn_at"] is not None
        if not item["withdrawn"]:
            item["scheduled_at"] = clock
            clock = clock + timedelta(minutes=item["minutes"] or 0)
        else:
            item["scheduled_at"] = None

    minimum = (compound["notice_days"] or {}).get(meeting["kind"])
    published = local_moment(meeting["published_at"])
    starts = local_moment(meeting["starts_at"])
    notice_days = (starts.date() - published.date()).days if published and starts else None
    meeting["notice"] = {
        "days": notice_days,
        "minimum_days": minimum,
        "short": notice_days is not None and minimum is not None and notice_days < minimum,
    }
    return {"compound": compound, "meeting": meeting, "items": items}


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
            date=local_moment(meeting["starts_at"]).strftime("%Y-%m-%d %H:%M"),
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
    compound_id = meeting["compound"]
    invitations = await invitations_of(meeting["id"])
    attendance = await attendance_of(meeting["id"])
    parties = await parties_of(compound_id)
    invited_party_ids = {r["party"] for r in invitations["parties"]}
    members = await PartyMember.select(
        PartyMember.party,
        PartyMember.user,
        PartyMember.title,
        PartyMember.user.display_name.as_alias("user_name"),
    ).where(PartyMember.party.is_in([p["id"] for p in parties] or [-1]))

    party_sections = []
    for party in parties:
        titles = {m["user"]: m["title"] for m in members if m["party"] == party["id"]}
        present = [
            {"name": _person(a), "title": titles.get(a["user"], ""), "at": a["at"], "method": a["method"]}
            for a in attendance
            if a["party"] == party["id"] and not a["household"]
        ]
        if party["id"] not in invited_party_ids and not present:
            continue
        present_names = {p["name"] for p in present}
        expected = [
            {"name": m["user_name"], "title": m["title"]}
            for m in members
            if m["party"] == party["id"] and m["user_name"] not in present_names
        ]
        party_sections.append(
            {**party, "present": present, "expected": expected, "invited": party["id"] in invited_party_ids}
        )

    others_present = [
        {"name": _person(a), "at": a["at"], "method": a["method"]}
        for a in attendance
        if not a["party"] and not a["household"]
    ]
    present_names = {p["name"] for p in others_present}
    others_expected = [
        {"name": r["user_name"], "role": ""} for r in invitations["people"] if r["user_name"] not in present_names
    ] + [
        {"name": r["guest_name"], "role": r["guest_role"]}
        for r in invitations["guests"]
        if r["guest_name"] not in present_names
    ]

    households: list[dict[str, Any]] = []
    if meeting["kind"] in HOUSEHOLD_MEETINGS or any(a["household"] for a in attendance):
        households = await households_of([b["id"] for b in meeting["buildings"]])
    signed = {a["household"]: a for a in attendance if a["household"]}
    for household in households:
        mark = signed.get(household["id"])
        household["signed_at"] = mark["at"] if mark else None
        household["method"] = mark["method"] if mark else ""

    # The same figures as the sign-in page: an owner present counts with all their area.
    quorum = meetings_flow.quorum(
        households,
        [h["id"] for h in households if h["signed_at"]],
        invited_party_ids,
        [a["party"] for a in attendance if a["party"] and not a["household"]],
    )
    figures = {
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
        "people_present": sum(len(p["present"]) for p in party_sections) + len(others_present),
        "signed_in": len(attendance),
    }
    return {
        "parties": parties,
        "party_sections": party_sections,
        "others_present": others_present,
        "others_expected": others_expected,
        "households": households,
        "figures": figures,
        "last_sign_in": attendance[-1]["at"] if attendance else None,
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
            date=local_moment(meeting["starts_at"]).strftime("%Y-%m-%d %H:%M"),
            n=figures["signed_in"],
        ),
        context=facts,
    )


# Minutes -----------------------------------------------------------------------------


async def _positions(item_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    rows = await Position.select(
        Position.agenda_item,
        Position.stance,
        Position.text,
        Position.recorded_at,
        Position.party.name.as_alias("party_name"),
        Position.party.kind.as_alias("party_kind"),
        Position.recorded_by.display_name.as_alias("recorded_by_name"),
    ).where(Position.agenda_item.is_in(item_ids or [-1]))
    order = {kind: index for index, kind in enumerate(PartyKind.ALL)}
    rows.sort(key=lambda r: (order.get(r["party_kind"], 9), r["party_name"]))
    found: dict[int, list[dict[str, Any]]] = {i: [] for i in item_ids}
    for row in rows:
        found[row["agenda_item"]].append(row)
    return found


async def _comment_counts(item_ids: list[int]) -> dict[int, int]:
    rows = await Comment.select(Comment.agenda_item).where(
        Comment.agenda_item.is_in(item_ids or [-1]) & (Comment.hidden_reason == "")
    )
    counts: dict[int, int] = {}
    for row in rows:
        counts[row["agenda_item"]] = counts.get(row["agenda_item"], 0) + 1
    return counts


async def _addenda(meeting_id: int) -> list[dict[str, Any]]:
    return (
        await Addendum.select(
            Addendum.id,
            Addendum.agenda_item,
            Addendum.text,
            Addendum.at,
            Addendum.author.display_name.as_alias("author_name"),
        )
        .where(Addendum.meeting == meeting_id)
        .order_by(Addendum.at)
        .order_by(Addendum.id)
    )


async def _actions(item_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    rows = (
        await Action.select(
            Action.id,
            Action.agenda_item,
            Action.number,
            Action.title,
            Action.party_kind,
            Action.due_on,
            Action.status,
            Action.responsible.display_name.as_alias("responsible_name"),
        )
        .where(Action.agenda_item.is_in(item_ids or [-1]))
        .order_by(Action.number)
    )
    found: dict[int, list[dict[str, Any]]] = {i: [] for i in item_ids}
    for row in rows:
        found[row["agenda_item"]].append(row)
    return found


async def load_minutes(meeting_id: int, _variant: str) -> Source:
    facts = await meeting_facts(meeting_id)
    meeting = facts["meeting"]
    facts["sign_in"] = await sign_in_facts(facts)
    facts["parties"] = facts["sign_in"]["parties"]
    item_ids = [i["id"] for i in facts["items"]]
    positions = await _positions(item_ids)
    comments = await _comment_counts(item_ids)
    actions = await _actions(item_ids)
    addenda = await _addenda(meeting_id)
    votes = await vote_results(item_ids)
    for item in facts["items"]:
        item["positions"] = positions[item["id"]]
        item["comment_count"] = comments.get(item["id"], 0)
        item["actions"] = actions[item["id"]]
        item["addenda"] = [a for a in addenda if a["agenda_item"] == item["id"]]
        item["vote"] = votes.get(item["id"])
    facts["addenda"] = [a for a in addenda if a["agenda_item"] is None]
    facts["has_votes"] = bool(votes)
    return Source(
        compound_id=meeting["compound"],
        compound_name=facts["compound"]["name"],
        title=meeting_title(_("Minutes"), meeting),
        summary=_(
            "Minutes of the meeting on %(date)s at %(place)s: %(n)d agenda items.",
            date=local_moment(meeting["starts_at"]).strftime("%Y-%m-%d %H:%M"),
            place=meeting["place"],
            n=len(facts["items"]),
        ),
        context=facts,
    )


async def vote_results(item_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Each agenda item's latest closed ballot, recounted from its frozen roll
    and votes (the files ``yishi tally`` reads), or its show of hands."""
    return await votes.closed_results(item_ids)


# Action ledger -----------------------------------------------------------------------


def _parse_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def ledger_period(query: Mapping[str, str]) -> str:
    """ "from"/"to" (YYYY-MM-DD) → "2026-01-01..2026-12-31"; the current year by default."""
    today = clock.local_today()
    start_text, end_text = (query.get("from") or "").strip(), (query.get("to") or "").strip()
    start = _parse_day(start_text) if start_text else date(today.year, 1, 1)
    end = _parse_day(end_text) if end_text else date(today.year, 12, 31)
    errors = {}
    if start is None:
        errors["from"] = _("Enter the first day as YYYY-MM-DD, for example 2026-01-01.")
    if end is None:
        errors["to"] = _("Enter the last day as YYYY-MM-DD, for example 2026-12-31.")
    if start and end and end < start:
        errors["to"] = _("The last day must not be before the first day.")
    if start and end and (end - start).days > 3 * 366:
        errors["to"] = _("A ledger covers at most three years.")
    if errors:
        raise FormErrors(errors)
    assert start is not None and end is not None
    return f"{start.isoformat()}..{end.isoformat()}"


def parse_period(variant: str) -> tuple[date, date]:
    start, _sep, end = variant.partition("..")
    first, last = _parse_day(start), _parse_day(end)
    if first is None or last is None:
        raise NotFound(_("There is no such document."))
    return first, last


async def ledger_rows(compound_id: int, variant: str) -> dict[str, Any]:
    """Every action that was open at some time in the period: created before
    its end and not done before its start; with its latest progress."""
    first, last = parse_period(variant)
    start = datetime.combine(first, datetime.min.time(), LOCAL_TZ)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), LOCAL_TZ)
    rows = (
        await Action.select(
            Action.id,
            Action.number,
            Action.title,
            Action.details,
            Action.party_kind,
            Action.due_on,
            Action.status,
            Action.done_at,
            Action.created_at,
            Action.budget_fen,
            Action.responsible.display_name.as_alias("responsible_name"),
            Action.agenda_item.title.as_alias("item_title"),
            Action.agenda_item.meeting.title.as_alias("meeting_title"),
            Action.agenda_item.meeting.starts_at.as_alias("meeting_starts_at"),
        )
        .where(
            (Action.compound == compound_id)
            & (Action.created_at < end)
            & (Action.done_at.is_null() | (Action.done_at >= start) | (Action.status != action_flow.Status.DONE.value))
        )
        .order_by(Action.number)
    )
    updates = (
        await ActionUpdate.select(ActionUpdate.action, ActionUpdate.text, ActionUpdate.at)
        .where(ActionUpdate.action.is_in([r["id"] for r in rows] or [-1]) & (ActionUpdate.at < end))
        .order_by(ActionUpdate.at)
        .order_by(ActionUpdate.id)
    )
    latest = {u["action"]: u for u in updates}
    today = min(clock.local_today(), last)
    counts = {"total": len(rows), "done": 0, "open": 0, "overdue": 0, "done_on_time": 0}
    for row in rows:
        done_in_period = (
            row["status"] == action_flow.Status.DONE.value and row["done_at"] is not None and row["done_at"] < end
        )
        row["shown_status"] = (
            action_flow.Status.DONE.value
            if done_in_period
            else (
                action_flow.OVERDUE
                if today > row["due_on"]
                else (
                    row["status"]
                    if row["status"] != action_flow.Status.DONE.value
                    else action_flow.Status.IN_PROGRESS.value
                )
            )
        )
        row["latest_update"] = latest.get(row["id"])
        if done_in_period:
            counts["done"] += 1
            if clock.local_date(row["done_at"]) <= row["due_on"]:
                counts["done_on_time"] += 1
        else:
            counts["open"] += 1
            if row["shown_status"] == action_flow.OVERDUE:
                counts["overdue"] += 1
    counts["done_share"] = format_share(share_tenths(counts["done"], counts["total"]))
    counts["on_time_share"] = format_share(share_tenths(counts["done_on_time"], counts["done"]))
    return {"actions": rows, "counts": counts, "first_day": first, "last_day": last}


async def load_action_ledger(compound_id: int, variant: str) -> Source:
    compound = await compound_facts(compound_id)
    ledger = await ledger_rows(compound_id, variant)
    return Source(
        compound_id=compound_id,
        compound_name=compound["name"],
        title=_(
            "Action ledger of %(name)s, %(first)s to %(last)s",
            name=compound["name"],
            first=ledger["first_day"].isoformat(),
            last=ledger["last_day"].isoformat(),
        ),
        summary=_(
            "%(n)d actions, %(done)d done in the period.", n=ledger["counts"]["total"], done=ledger["counts"]["done"]
        ),
        context={"compound": compound, **ledger},
    )


async def ledger_csv(compound_id: int, variant: str) -> bytes:
    """The ledger as CSV, UTF-8 with BOM so Excel and WPS open it in Chinese."""
    ledger = await ledger_rows(compound_id, variant)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            _("No."),
            _("Action"),
            _("Meeting"),
            _("Meeting date"),
            _("Agenda item"),
            _("Responsible party"),
            _("Responsible person"),
            _("Due"),
            _("Status"),
            _("Done on"),
            _("Latest progress"),
            _("Progress date"),
        ]
    )
    for a in ledger["actions"]:
        update = a["latest_update"]
        writer.writerow(
            [
                guard(v)
                for v in (
                    a["number"],
                    a["title"],
                    a["meeting_title"],
                    local_moment(a["meeting_starts_at"]).date().isoformat() if a["meeting_starts_at"] else "",
                    a["item_title"],
                    labels.responsible_label(a["party_kind"]),
                    a["responsible_name"],
                    a["due_on"].isoformat(),
                    labels.action_status_label(a["shown_status"]),
                    local_moment(a["done_at"]).date().isoformat()
                    if a["shown_status"] == "done" and a["done_at"]
                    else "",
                    update["text"] if update else "",
                    local_moment(update["at"]).date().isoformat() if update else "",
                )
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# The kinds -----------------------------------------------------------------------------

register(
    DocumentKind(
        name="proposal_poster",
        label=N_("Proposal poster"),
        template="pdf/proposal_poster.html",
        subject_type="compound",
        load=load_proposal_poster,
        filename=N_("proposal-poster"),
        public=True,
        order=10,
    )
)
register(
    DocumentKind(
        name="meeting_notice",
        label=N_("Meeting notice"),
        template="pdf/meeting_notice.html",
        subject_type="meeting",
        load=load_meeting_notice,
        filename=N_("meeting-notice"),
        public=True,
        available=is_published,
        order=20,
    )
)
register(
    DocumentKind(
        name="sign_in_sheet",
        label=N_("Sign-in sheet"),
        template="pdf/sign_in_sheet.html",
        subject_type="meeting",
        load=load_sign_in_sheet,
        filename=N_("sign-in-sheet"),
        available=is_published,
        order=30,
    )
)
register(
    DocumentKind(
        name="minutes",
        label=N_("Minutes"),
        template="pdf/minutes.html",
        subject_type="meeting",
        load=load_minutes,
        filename=N_("minutes"),
        available=is_published,
        order=40,
    )
)
register(
    DocumentKind(
        name="action_ledger",
        label=N_("Action ledger"),
        template="pdf/action_ledger.html",
        subject_type="compound",
        load=load_action_ledger,
        filename=N_("action-ledger"),
        variant=ledger_period,
        order=60,
    )
)
