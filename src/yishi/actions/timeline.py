"""What step 4 writes on the timeline of the proposal behind an agenda item.

An item may decide a topic without a proposal (the secretary put it on the
agenda directly); then there is no timeline to write. The event text is
language-neutral (the action's number and title, and the update's text); the
``kind`` tells the proposal page how to label it.
"""

from __future__ import annotations

from yishi.meetings.tables import AgendaItem
from yishi.proposals import service as proposals

STAGE_IMPLEMENT = "implement"
STAGE_SUPERVISE = "supervise"
EXCERPT = 140


async def _proposal_of(agenda_item_id: int) -> int | None:
    row = await AgendaItem.select(AgendaItem.proposal).where(AgendaItem.id == agenda_item_id).first()
    return row["proposal"] if row else None


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"


async def action_drafted(agenda_item_id: int, number: int, title: str, actor_label: str) -> None:
    proposal_id = await _proposal_of(agenda_item_id)
    if proposal_id is None:
        return
    await proposals.record_event(proposal_id, "action_drafted", f"#{number} {title}", actor_label)
    await proposals.set_stage(proposal_id, STAGE_IMPLEMENT)


async def action_progress(
    agenda_item_id: int, number: int, title: str, text: str, *, done: bool, actor_label: str
) -> None:
    proposal_id = await _proposal_of(agenda_item_id)
    if proposal_id is None:
        return
    kind = "action_done" if done else "action_update"
    await proposals.record_event(proposal_id, kind, f"#{number} {title}：{_excerpt(text)}", actor_label)
    await proposals.set_stage(proposal_id, STAGE_SUPERVISE if done else STAGE_IMPLEMENT)


async def action_reopened(agenda_item_id: int, number: int, title: str) -> None:
    proposal_id = await _proposal_of(agenda_item_id)
    if proposal_id is None:
        return
    await proposals.record_event(proposal_id, "action_reopened", f"#{number} {title}")
    await proposals.set_stage(proposal_id, STAGE_IMPLEMENT)
