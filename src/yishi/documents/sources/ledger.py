"""The action ledger: its period, its rows, and its CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from yishi import clock, labels
from yishi.actions import flow as action_flow
from yishi.actions.tables import Action, ActionUpdate
from yishi.clock import LOCAL_TZ
from yishi.documents.kinds import Source
from yishi.documents.sources.common import compound_facts
from yishi.documents.sources.meetings import local_moment
from yishi.errors import FormErrors, NotFound
from yishi.i18n import gettext as _
from yishi.shares import format_share, share_tenths
from yishi.spreadsheet import guard


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
                    labels.label("responsible", a["party_kind"]),
                    a["responsible_name"],
                    a["due_on"].isoformat(),
                    labels.label("action_status", a["shown_status"]),
                    local_moment(a["done_at"]).date().isoformat()
                    if a["shown_status"] == "done" and a["done_at"]
                    else "",
                    update["text"] if update else "",
                    local_moment(update["at"]).date().isoformat() if update else "",
                )
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
