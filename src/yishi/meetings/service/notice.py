"""Publishing the notice (公告) once the meeting and its agenda are complete."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from yishi import clock, labels
from yishi.accounts.permissions import Capability, Principal
from yishi.db import write_transaction
from yishi.errors import Conflict, FormErrors
from yishi.i18n import gettext as _
from yishi.meetings import flow
from yishi.meetings.flow import ITEM_DECISION, Kind
from yishi.meetings.service.common import (
    DRAFT,
    MAX_REASON,
    MAX_VOTING_METHOD,
    PUBLISHED,
    changes,
    ensure_in_compound,
    ensure_open,
    locked_meeting,
    record_audit,
)
from yishi.meetings.service.reading import agenda, compound
from yishi.meetings.tables import AgendaItem, Meeting


@dataclass
class PublishInput:
    urgent_reason: str = ""
    voting_method: str = ""
    committee_informed: bool = False
    committee_informed_on: str = ""
    votes_open_at: str = ""
    votes_close_at: str = ""


def _parsed_period(data: PublishInput, owners: bool) -> tuple[dict[str, str], datetime | None, datetime | None]:
    """The voting period as entered: both ends, or neither (an owners' decision needs its end)."""
    errors: dict[str, str] = {}
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
    return errors, opens, closes


def _voting_period(
    meeting_row: Mapping[str, Any], data: PublishInput, now: datetime
) -> tuple[dict[str, str], datetime | None, datetime | None]:
    """The voting period the notice announces: required for an owners'
    decision, optional otherwise; it starts at the meeting when not given.
    An owners' decision's owners vote from the meeting's start at the earliest,
    once the notice period has run."""
    owners = meeting_row["kind"] == Kind.OWNERS_DECISION
    errors, opens, closes = _parsed_period(data, owners)
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


def _check_notice_period(
    check: flow.NoticeCheck, kind_label: str, urgent_reason: str, now: datetime, errors: dict[str, str]
) -> None:
    """The legal notice period cannot be shortened; the compound's can, with an urgent reason."""
    if not check.legally_possible:
        errors["notice"] = _(
            "An owners' decision must be announced at least %(days)d days ahead (Property Management "
            "Regulations art. 14); this one starts in %(lead)s. No reason can shorten this: move the "
            "meeting to %(earliest)s or later.",
            days=check.legal_days,
            lead=flow.duration_text(check.lead),
            earliest=clock.local_text(now + timedelta(days=check.legal_days)),
        )
    elif not check.early_enough and not urgent_reason:
        errors["urgent_reason"] = _(
            "A %(kind)s needs %(days)d days' notice in this compound (publish by %(by)s); it starts in "
            "%(lead)s. To publish anyway, record the urgent reason; the notice will show it.",
            kind=kind_label,
            days=check.required_days,
            by=clock.local_text(check.publish_by),
            lead=flow.duration_text(check.lead),
        )


def _check_owners_notice(
    data: PublishInput, items: list[dict[str, Any]], voting_method: str, now: datetime, errors: dict[str, str]
) -> datetime | None:
    """What the notice of an owners' decision must carry: how owners vote, the residents'
    committee told (when, returned), and every decision item complete."""
    if not voting_method:
        errors["voting_method"] = _(
            "Describe how owners vote (online by personal link, paper ballot, in the room) and by "
            "when; the notice of an owners' decision must say it."
        )
    elif len(voting_method) > MAX_VOTING_METHOD:
        errors["voting_method"] = _("At most %(n)d characters.", n=MAX_VOTING_METHOD)
    informed_at = None
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
    return informed_at


async def publish(meeting_id: int, principal: Principal, data: PublishInput, now: datetime) -> None:
    async with write_transaction():
        current = await locked_meeting(meeting_id)
        ensure_in_compound(principal, Capability.MEETING_MANAGE, current["compound"])
        ensure_open(current)
        if current["status"] != DRAFT:
            raise Conflict(
                _("The notice was already published on %(at)s.", at=clock.local_text(current["published_at"]))
            )
        errors: dict[str, str] = {}
        items = [i for i in await agenda(meeting_id) if not i["withdrawn_at"]]
        if not items:
            errors["agenda"] = _("Put at least one item on the agenda before publishing the notice.")
        check = await notice_check(current, now)
        urgent_reason = data.urgent_reason.strip()
        if current["starts_at"] <= now:
            errors["notice"] = _("The meeting time has passed. Change the time before publishing.")
        else:
            _check_notice_period(check, labels.label("meeting_kind", current["kind"]), urgent_reason, now, errors)
        if len(urgent_reason) > MAX_REASON:
            errors["urgent_reason"] = _("At most %(n)d characters.", n=MAX_REASON)
        voting_method = data.voting_method.strip() or current["voting_method"]
        informed_at: datetime | None = None
        if current["kind"] == Kind.OWNERS_DECISION:
            informed_at = _check_owners_notice(data, items, voting_method, now, errors)
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
        await record_audit(
            "meeting",
            meeting_id,
            "publish",
            principal,
            current["compound"],
            changes=changes(current, values),
            notice_days=check.required_days,
            items=[i["title"] for i in items],
        )
