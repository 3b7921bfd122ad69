"""What the minutes read: items, positions, comments, votes, actions, addenda."""

from __future__ import annotations

from typing import Any

from yishi import clock
from yishi.actions.tables import Action
from yishi.documents import votes
from yishi.documents.kinds import Source
from yishi.documents.sources.meetings import meeting_facts, meeting_title, sign_in_facts
from yishi.i18n import gettext as _
from yishi.meetings.tables import Addendum, Comment, Position
from yishi.roster.tables import PartyKind


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
            date=clock.local_text(meeting["starts_at"], "%Y-%m-%d %H:%M"),
            place=meeting["place"],
            n=len(facts["items"]),
        ),
        context=facts,
    )


async def vote_results(item_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Each agenda item's latest closed ballot, recounted from its frozen roll
    and votes (the files ``yishi tally`` reads), or its show of hands."""
    return await votes.closed_results(item_ids)
