"""The topics an agenda decides: accepted proposals of step 1.

Meetings read proposals here and write on their public timeline and stage
only through step 1's service (``record_event``, ``set_stage``), so step 1
keeps the say over its own records.
"""

from __future__ import annotations

from typing import Any

from yishi.meetings.tables import AgendaItem
from yishi.proposals import service as proposals
from yishi.proposals.tables import Proposal

ACCEPTED = "accepted"
STAGE_DELIBERATE = "deliberate"
EVENT_ON_AGENDA = "on_agenda"
EVENT_OFF_AGENDA = "off_agenda"


async def accepted_proposals(compound_id: int) -> list[dict[str, Any]]:
    return (
        await Proposal.select(
            Proposal.id, Proposal.number, Proposal.title, Proposal.problem, Proposal.suggestion, Proposal.owners_matter
        )
        .where((Proposal.compound == compound_id) & (Proposal.status == ACCEPTED))
        .order_by(Proposal.number)
    )


async def proposal(proposal_id: int) -> dict[str, Any] | None:
    return (
        await Proposal.select(
            Proposal.id,
            Proposal.compound,
            Proposal.number,
            Proposal.title,
            Proposal.problem,
            Proposal.suggestion,
            Proposal.status,
            Proposal.owners_matter,
        )
        .where(Proposal.id == proposal_id)
        .first()
    )


async def put_on_agenda(proposal_id: int, text: str, actor_label: str) -> None:
    """The proposal is on a meeting's agenda: a timeline event, and step 2 begins."""
    await proposals.record_event(proposal_id, EVENT_ON_AGENDA, text, actor_label)
    await proposals.set_stage(proposal_id, STAGE_DELIBERATE)


async def taken_off_agenda(proposal_id: int, text: str, actor_label: str) -> None:
    await proposals.record_event(proposal_id, EVENT_OFF_AGENDA, text, actor_label)


async def agenda_of_proposal(proposal_id: int) -> list[dict[str, Any]]:
    """The agenda items (with their meetings) that hold a proposal, oldest first."""
    return await (
        AgendaItem.select(
            AgendaItem.id,
            AgendaItem.title,
            AgendaItem.meeting.id.as_alias("meeting_id"),
            AgendaItem.meeting.title.as_alias("meeting_title"),
            AgendaItem.meeting.starts_at.as_alias("starts_at"),
            AgendaItem.meeting.status.as_alias("meeting_status"),
        )
        .where((AgendaItem.proposal == proposal_id) & AgendaItem.withdrawn_at.is_null())
        .order_by(AgendaItem.id)
    )


async def proposals_on_agenda(proposal_ids: list[int]) -> set[int]:
    """Which of these proposals an agenda holds (not withdrawn)."""
    if not proposal_ids:
        return set()
    rows = await AgendaItem.select(AgendaItem.proposal).where(
        AgendaItem.proposal.is_in(proposal_ids) & AgendaItem.withdrawn_at.is_null()
    )
    return {r["proposal"] for r in rows}
