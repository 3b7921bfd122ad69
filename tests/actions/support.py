"""Closed meetings with decided items, and actions on them, for the tests of steps 4–5."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tests.support import World
from yishi.accounts.service import load_principal
from yishi.actions import service as actions
from yishi.clock import local_today
from yishi.meetings.tables import AgendaItem, Meeting
from yishi.proposals.tables import Proposal
from yishi.voting import service as voting


@dataclass
class Decided:
    meeting: int
    adopted: int  # a decision item that passed
    failed: int  # a decision item that did not pass
    report: int  # a report item
    proposal: int | None = None
    items: dict[str, int] = field(default_factory=dict)


async def principal(world: World, username: str):
    return await load_principal(world.users[username])


async def decided_meeting(
    world: World, compound: str = "alpha", building_ids: list[int] | None = None, with_proposal: bool = True
) -> Decided:
    """A closed bench meeting of ``compound`` whose first item was adopted and
    second was not; the third is a report item."""
    compound_id = world.compounds[compound]
    now = datetime.now(UTC)
    proposal_id = None
    if with_proposal:
        rows = await Proposal.insert(
            Proposal(
                compound=compound_id,
                number=1,
                title="地下车库出口照明不足",
                problem="出口太暗，容易出事故",
                category="facilities",
                source="resident",
                status="accepted",
            )
        ).returning(Proposal.id)
        proposal_id = rows[0]["id"]
    rows = await Meeting.insert(
        Meeting(
            compound=compound_id,
            kind="bench_meeting",
            title="三号楼板凳会",
            starts_at=now - timedelta(days=2),
            place="党群服务站",
            building_ids=building_ids or [],
            status="published",
            published_at=now - timedelta(days=5),
        )
    ).returning(Meeting.id)
    meeting_id = rows[0]["id"]
    items = {}
    for position, (key, kind, title) in enumerate(
        [
            ("adopted", "decision", "更换车库出口照明"),
            ("failed", "decision", "增设收费道闸"),
            ("report", "report", "物业通报上月收支"),
        ],
        start=1,
    ):
        rows = await AgendaItem.insert(
            AgendaItem(
                meeting=meeting_id,
                position=position,
                kind=kind,
                title=title,
                proposal=proposal_id if key == "adopted" else None,
                rule="majority_of_cast" if kind == "decision" else "",
            )
        ).returning(AgendaItem.id)
        items[key] = rows[0]["id"]
    await decide(world, compound, meeting_id, items["adopted"], passed=True)
    await decide(world, compound, meeting_id, items["failed"], passed=False)
    await Meeting.update({Meeting.status: "closed", Meeting.closed_at: now}).where(Meeting.id == meeting_id)
    return Decided(
        meeting=meeting_id,
        adopted=items["adopted"],
        failed=items["failed"],
        report=items["report"],
        proposal=proposal_id,
        items=items,
    )


async def decide(world: World, compound: str, meeting_id: int, item_id: int, passed: bool) -> None:
    """Open a ballot on the item, count a show of hands and close it, passed or not."""
    secretary = world.users["sec_alpha" if compound == "alpha" else "sec_beta"]
    ballot_id = await voting.open_ballot(world.compounds[compound], item_id, voting.BallotSettings(), actor=secretary)
    yes, no = ("2", "1") if passed else ("1", "2")
    await voting.record_hand_count(ballot_id, yes, no, "0", actor=secretary)
    result = await voting.close_ballot(ballot_id, actor=secretary)
    assert result["passed"] is passed


def draft_values(world: World, item_id: int, **overrides: Any) -> dict[str, str]:
    values = {
        "item": str(item_id),
        "title": "更换地下车库出口照明灯",
        "details": "出口坡道加装4盏LED灯",
        "party_kind": "property",
        "responsible": str(world.users["pm_alpha"]),
        "due_on": (local_today() + timedelta(days=10)).isoformat(),
        "budget": "3200.50",
        "funding_source": "public_income",
    }
    values.update(overrides)
    return values


async def drafted_action(world: World, item_id: int, compound: str = "alpha", **overrides: Any) -> dict[str, Any]:
    secretary = "sec_alpha" if compound == "alpha" else "sec_beta"
    values = draft_values(world, item_id, **overrides)
    if compound != "alpha" and "responsible" not in overrides:
        values["responsible"] = str(world.users["pm_beta"])
    created = await actions.draft_action(await principal(world, secretary), world.compounds[compound], values)
    return await actions.get_action(world.compounds[compound], created["number"])


def due_in(days: int) -> str:
    return (local_today() + timedelta(days=days)).isoformat()


def today() -> date:
    return local_today()
