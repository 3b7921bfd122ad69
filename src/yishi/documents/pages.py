"""What the documents page lists: the compound's meetings, each with the documents
it and its agenda items can have now."""

from __future__ import annotations

from typing import Any

from yishi.documents import kinds
from yishi.meetings.tables import AgendaItem, Meeting
from yishi.voting.tables import Ballot


async def meetings_for_listing(compound_id: int, *, limit: int = 40) -> list[dict[str, Any]]:
    """The compound's meetings, newest first, with the documents each can have now."""

    meetings = await (
        Meeting.select(
            Meeting.id,
            Meeting.title,
            Meeting.kind,
            Meeting.starts_at,
            Meeting.status,
            Meeting.published_at,
            Meeting.closed_at,
        )
        .where(Meeting.compound == compound_id)
        .order_by(Meeting.starts_at, ascending=False)
        .limit(limit)
    )
    item_kinds = kinds.kinds_for("agenda_item")
    meeting_ids = [m["id"] for m in meetings]
    ballots = await _ballots_of(meeting_ids)
    items = await _items_of(meeting_ids) if item_kinds else []
    open_items = {b["agenda_item"] for b in ballots if b["status"] != "closed"}
    for item in items:
        item["open_vote"] = item["id"] in open_items
    for meeting in meetings:
        meeting["closed_votes"] = sum(1 for b in ballots if b["meeting"] == meeting["id"] and b["status"] == "closed")
        meeting["kinds"] = [k for k in kinds.kinds_for("meeting") if k.available(meeting)]
        meeting["agenda"] = _agenda_with_kinds(meeting, [i for i in items if i["meeting"] == meeting["id"]], item_kinds)
    return meetings


def _agenda_with_kinds(
    meeting: dict[str, Any], items: list[dict[str, Any]], item_kinds: list[kinds.DocumentKind]
) -> list[dict[str, Any]]:
    """The meeting's items, each with the documents it can have now."""
    return [
        {**item, "kinds": [k for k in item_kinds if k.available({**item, "meeting_row": meeting})]} for item in items
    ]


async def _ballots_of(meeting_ids: list[int]) -> list[dict[str, Any]]:
    if not meeting_ids:
        return []
    return await Ballot.select(Ballot.meeting, Ballot.agenda_item, Ballot.status).where(
        Ballot.meeting.is_in(meeting_ids)
    )


async def _items_of(meeting_ids: list[int]) -> list[dict[str, Any]]:
    if not meeting_ids:
        return []
    return (
        await AgendaItem.select(
            AgendaItem.id,
            AgendaItem.meeting,
            AgendaItem.position,
            AgendaItem.title,
            AgendaItem.kind,
            AgendaItem.withdrawn_at,
        )
        .where(AgendaItem.meeting.is_in(meeting_ids))
        .order_by(AgendaItem.position)
    )
