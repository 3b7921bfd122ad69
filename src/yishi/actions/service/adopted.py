"""Resolutions: what a closed meeting adopted, item by item."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from yishi.actions.outcome import item_outcome
from yishi.actions.service.common import DECISION, MEETING_CLOSED
from yishi.actions.tables import Action
from yishi.errors import FormErrors
from yishi.i18n import gettext as _
from yishi.meetings.tables import AgendaItem, Meeting


@dataclass
class Resolution:
    item: dict[str, Any]
    meeting: dict[str, Any]
    adopted: bool
    decided: bool
    adopted_option: str | None
    ballot_id: int | None
    actions: list[dict[str, Any]] = field(default_factory=list)


async def resolutions(compound_id: int) -> list[Resolution]:
    """Decision items of the compound's closed meetings, newest meeting first,
    each with its outcome and the actions drafted for it."""
    meetings = (
        await Meeting.select(
            Meeting.id,
            Meeting.title,
            Meeting.kind,
            Meeting.starts_at,
            Meeting.closed_at,
            Meeting.building_ids,
        )
        .where((Meeting.compound == compound_id) & (Meeting.status == MEETING_CLOSED))
        .order_by(Meeting.starts_at, ascending=False)
        .output(load_json=True)
    )
    if not meetings:
        return []
    items = (
        await AgendaItem.select()
        .where(
            AgendaItem.meeting.is_in([m["id"] for m in meetings])
            & (AgendaItem.kind == DECISION)
            & AgendaItem.withdrawn_at.is_null()
        )
        .order_by(AgendaItem.position)
        .output(load_json=True)
    )
    actions = (
        await Action.select(Action.id, Action.number, Action.title, Action.status, Action.due_on, Action.agenda_item)
        .where(Action.compound == compound_id)
        .order_by(Action.number)
    )
    by_meeting = {m["id"]: m for m in meetings}
    found = []
    for meeting in meetings:
        for item in (i for i in items if i["meeting"] == meeting["id"]):
            outcome = await item_outcome(item["id"])
            found.append(
                Resolution(
                    item=item,
                    meeting=by_meeting[item["meeting"]],
                    adopted=outcome.adopted,
                    decided=outcome.decided,
                    adopted_option=outcome.adopted_option,
                    ballot_id=outcome.ballot_id,
                    actions=[a for a in actions if a["agenda_item"] == item["id"]],
                )
            )
    return found


async def adopted_item(compound_id: int, agenda_item_id: int) -> Resolution:
    """The item an action will carry out, refusing anything that is not an
    adopted decision of a closed meeting of this compound."""
    item = await AgendaItem.select().where(AgendaItem.id == agenda_item_id).output(load_json=True).first()
    meeting = None
    if item is not None:
        meeting = await Meeting.select().where(Meeting.id == item["meeting"]).output(load_json=True).first()
    if item is None or meeting is None or meeting["compound"] != compound_id:
        raise FormErrors({"item": _("Choose an agenda item of a meeting of this compound.")})
    if item["kind"] != DECISION:
        raise FormErrors({"item": _("A report item decides nothing, so it has no actions.")})
    if item["withdrawn_at"] is not None:
        raise FormErrors({"item": _("This item was withdrawn from the agenda.")})
    if meeting["status"] != MEETING_CLOSED:
        raise FormErrors({"item": _("The meeting is not closed yet: actions follow its decisions.")})
    outcome = await item_outcome(agenda_item_id)
    if not outcome.decided:
        raise FormErrors({"item": _("This item has no closed ballot, so nothing was decided.")})
    if not outcome.adopted:
        raise FormErrors({"item": _("This item was not adopted: a failed item gets no action.")})
    return Resolution(
        item=item,
        meeting=meeting,
        adopted=True,
        decided=True,
        adopted_option=outcome.adopted_option,
        ballot_id=outcome.ballot_id,
    )
