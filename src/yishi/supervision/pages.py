"""The public board (公示栏) as a page reads it: notices, results, and each action with its links."""

from __future__ import annotations

from typing import Any

from yishi import clock, labels
from yishi.actions.outcome import item_outcome
from yishi.documents import service as documents
from yishi.meetings.tables import Meeting
from yishi.supervision import service
from yishi.voting import service as voting
from yishi.web import links

NOTICES_SHOWN = 5
RESULTS_SHOWN = 6


async def notices(compound: dict[str, Any]) -> list[dict[str, Any]]:
    """Published meeting notices, latest meeting first, each with its public page."""
    rows = (
        await Meeting.select(
            Meeting.id,
            Meeting.kind,
            Meeting.title,
            Meeting.starts_at,
            Meeting.place,
            Meeting.status,
            Meeting.published_at,
        )
        .where(
            (Meeting.compound == compound["id"])
            & Meeting.published_at.is_not_null()
            & Meeting.status.is_in(["published", "closed"])
        )
        .order_by(Meeting.starts_at, ascending=False)
        .limit(NOTICES_SHOWN)
    )
    for row in rows:
        row["url"] = links.path("meetings.notice", code=compound["code"], meeting_id=row["id"])
    return rows


async def results(compound: dict[str, Any]) -> list[dict[str, Any]]:
    """Closed ballots, newest first, with their frozen figures and result page."""
    rows = await voting.closed_ballots_for_public(compound["id"], limit=RESULTS_SHOWN)
    for row in rows:
        row["url"] = links.path("public.result", code=compound["code"], ballot_id=row["id"])
        row["rule_label"] = labels.label("rule", row["rule"])
        row["figures"] = (row["result"] or {}).get("actual") or {}
        row["adopted_option"] = (row["result"] or {}).get("adopted_option")
        row["counts_owners"] = row["rule"] in ("civil_code_ordinary", "civil_code_special")
    return rows


async def resolution_links(compound: dict[str, Any], action_rows: list[dict[str, Any]]) -> dict[int, dict[str, str]]:
    """For each action: its item's ballot result page, and the public
    verification page of the meeting's issued minutes (when issued)."""
    ballots: dict[int, int | None] = {}
    minutes: dict[int, str | None] = {}
    found: dict[int, dict[str, str]] = {}
    for row in action_rows:
        item_id, meeting_id = row["agenda_item"], row["meeting_id"]
        if item_id not in ballots:
            ballots[item_id] = (await item_outcome(item_id)).ballot_id
        if meeting_id not in minutes:
            issued = await documents.current_of("minutes", meeting_id)
            minutes[meeting_id] = links.path("verify", doc_code=issued["code"]) if issued else None
        link = {}
        if ballots[item_id] is not None:
            link["ballot"] = links.path("public.result", code=compound["code"], ballot_id=ballots[item_id])
        if minutes[meeting_id]:
            link["minutes"] = minutes[meeting_id]
        found[row["id"]] = link
    return found


async def board_context(compound: dict[str, Any]) -> dict[str, Any]:
    entries = await service.board_actions(compound["id"])
    return {
        "notices": await notices(compound),
        "results": await results(compound),
        "entries": entries,
        "links": await resolution_links(compound, [e.action for e in entries]),
        "figures": await service.compound_figures(compound["id"]),
        "today": clock.local_today(),
    }
