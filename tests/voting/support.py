"""Meetings and agenda items made directly with the meetings tables, for ballot tests."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from tests.support import World
from yishi.meetings.tables import AgendaItem, Attendance, Invitation, Meeting
from yishi.roster.tables import Household, Party


async def make_meeting(
    world: World,
    compound: str = "alpha",
    *,
    kind: str = "bench_meeting",
    title: str = "3号楼板凳会",
    building_ids: Sequence[int] = (),
    status: str = "published",
) -> int:
    rows = await Meeting.insert(
        Meeting(
            compound=world.compounds[compound],
            kind=kind,
            title=title,
            starts_at=datetime.now(UTC) + timedelta(days=1),
            place="3号楼下凉亭",
            building_ids=list(building_ids),
            status=status,
        )
    ).returning(Meeting.id)
    return rows[0]["id"]


async def make_item(
    meeting_id: int,
    rule: str,
    *,
    title: str = "是否在3号楼东侧加装电动车充电桩",
    options: Sequence[str] = (),
    on_notice: bool = True,
    withdrawn: bool = False,
    proposal: int | None = None,
    kind: str = "decision",
) -> int:
    position = await AgendaItem.count().where(AgendaItem.meeting == meeting_id) + 1
    rows = await AgendaItem.insert(
        AgendaItem(
            meeting=meeting_id,
            position=position,
            kind=kind,
            title=title,
            full_text=title,
            question=f"{title}？",
            options=list(options),
            rule=rule,
            proposal=proposal,
            on_published_notice=on_notice,
            withdrawn_at=datetime.now(UTC) if withdrawn else None,
            withdrawn_reason="提议人撤回" if withdrawn else "",
        )
    ).returning(AgendaItem.id)
    return rows[0]["id"]


async def sign_in(meeting_id: int, household_ids: Iterable[int]) -> None:
    for household_id in household_ids:
        await Attendance.insert(Attendance(meeting=meeting_id, household=household_id, method="qr"))


async def invite_parties(meeting_id: int, compound_id: int) -> list[int]:
    parties = await Party.select(Party.id).where(Party.compound == compound_id).order_by(Party.id)
    for party in parties:
        await Invitation.insert(Invitation(meeting=meeting_id, party=party["id"]))
    return [p["id"] for p in parties]


async def set_owner(household_id: int, owner_key: str | None) -> None:
    await Household.update({Household.owner_key: owner_key}).where(Household.id == household_id)
