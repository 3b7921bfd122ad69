"""Convening a meeting: its form, its checks, and who is invited."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from yishi import clock, labels
from yishi.accounts.permissions import Capability, Principal
from yishi.db import write_transaction
from yishi.errors import FormErrors
from yishi.forms import whole_number
from yishi.i18n import gettext as _
from yishi.meetings import flow
from yishi.meetings.flow import Kind
from yishi.meetings.service.common import (
    DRAFT,
    MAX_PLACE,
    MAX_TITLE,
    MAX_VOTING_METHOD,
    PUBLISHED,
    changes,
    ensure_in_compound,
    ensure_open,
    locked_meeting,
    record_audit,
)
from yishi.meetings.service.reading import buildings, compound, compound_staff, invitations, parties
from yishi.meetings.tables import Invitation, Meeting
from yishi.roster.tables import Compound


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
    kind = _check_kind(form, existing, errors)
    title = _required_text(form, "title", _("Give the meeting a title."), MAX_TITLE, errors)
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
    place = _required_text(form, "place", _("Say where the meeting takes place."), MAX_PLACE, errors)
    people = await _check_people(compound_row, form, kind, errors)
    voting_method = form.get("voting_method")
    if len(voting_method) > MAX_VOTING_METHOD:
        errors["voting_method"] = _("At most %(n)d characters.", n=MAX_VOTING_METHOD)
    if not errors and existing and existing["status"] == PUBLISHED and starts_at is not None:
        _check_notice_kept(compound_row, existing, starts_at, errors)
    if errors:
        raise FormErrors(errors)
    assert kind is not None and starts_at is not None and duration is not None
    return MeetingInput(
        kind=kind.value,
        title=title,
        starts_at=starts_at.astimezone(UTC),
        duration_minutes=duration,
        place=place,
        voting_method=voting_method,
        **people,
    )


def _check_kind(form: MeetingForm, existing: Mapping[str, Any] | None, errors: dict[str, str]) -> Kind | None:
    kind = flow.kind_of(form.get("kind"))
    if kind is None:
        errors["kind"] = _("Choose the kind of meeting.")
    elif existing and existing["status"] != DRAFT and kind != existing["kind"]:
        errors["kind"] = _(
            "The notice went out for a %(kind)s; the kind cannot change after publication.",
            kind=labels.label("meeting_kind", existing["kind"]),
        )
    return kind


def _required_text(form: MeetingForm, name: str, missing: str, maximum: int, errors: dict[str, str]) -> str:
    value = form.get(name)
    if not value:
        errors[name] = missing
    elif len(value) > maximum:
        errors[name] = _("At most %(n)d characters.", n=maximum)
    return value


async def _check_people(
    compound_row: Mapping[str, Any], form: MeetingForm, kind: Kind | None, errors: dict[str, str]
) -> dict[str, Any]:
    """The buildings concerned and everyone invited, each checked against the compound."""
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
    return {
        "building_ids": sorted(set(building_ids)),
        "party_ids": sorted(set(party_ids)),
        **_check_staff(form, {p["id"] for p in await compound_staff(compound_row)}, errors),
    }


def _check_staff(form: MeetingForm, staff: set[int], errors: dict[str, str]) -> dict[str, Any]:
    """Staff invited, guests, host, recorder and scrutineers (staff of this compound only)."""
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
    return {
        "staff_ids": sorted(set(staff_ids)),
        "guests": guests,
        "host": host,
        "recorder": recorder,
        "scrutineer_ids": sorted(set(scrutineers)),
    }


def _check_notice_kept(
    compound_row: Mapping[str, Any], existing: Mapping[str, Any], starts_at: datetime, errors: dict[str, str]
) -> None:
    """Moving a published meeting earlier must still leave the notice period it was announced with."""
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
        await record_audit(
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
        current = await locked_meeting(meeting_id)
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
            await record_audit("meeting", meeting_id, "edit", principal, current["compound"], changes=changed)


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
            await record_audit("compound", compound_id, "notice_days", principal, compound_id, changes=changed)
