"""Helpers of the meetings tests: accepted proposals, and meetings convened through the pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from httpx import AsyncClient

from tests.support import World, post
from yishi.clock import LOCAL_TZ
from yishi.proposals.tables import Proposal


def local_in(days: float = 0, hours: float = 0) -> str:
    """A ``datetime-local`` value that many days/hours from now, in Beijing time."""
    moment = datetime.now(UTC) + timedelta(days=days, hours=hours)
    return moment.astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M")


async def proposal(
    world: World,
    compound: str = "alpha",
    title: str = "3号楼电动车充电难",
    status: str = "accepted",
    owners_matter: bool = False,
) -> int:
    number = await Proposal.count().where(Proposal.compound == world.compounds[compound]) + 1
    rows = await Proposal.insert(
        Proposal(
            compound=world.compounds[compound],
            number=number,
            title=title,
            problem="电动车在楼道里充电，存在火灾隐患。",
            suggestion="在楼北侧空地建设充电棚。",
            category="safety",
            source="resident",
            status=status,
            owners_matter=owners_matter,
        )
    ).returning(Proposal.id)
    return rows[0]["id"]


def meeting_form(kind: str = "bench_meeting", days: float = 5, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": kind,
        "title": "3号楼电动车充电板凳会",
        "starts_at": local_in(days=days),
        "duration_minutes": "60",
        "place": "3号楼架空层",
    }
    data.update(fields)
    return data


async def convene(
    client: AsyncClient, compound: str = "alpha", kind: str = "bench_meeting", days: float = 5, **fields: Any
) -> int:
    response = await post(client, f"/compounds/{compound}/meetings/new", meeting_form(kind, days, **fields))
    assert response.status_code == 200, response.text
    path = response.url.path
    assert path.startswith("/meetings/"), path
    return int(path.rsplit("/", 1)[1])


async def add_item(client: AsyncClient, meeting_id: int, proposal_id: int | None = None, **fields: Any) -> Any:
    data: dict[str, Any] = {"kind": "decision" if proposal_id else "report", "minutes": "15"}
    if proposal_id:
        data["proposal"] = str(proposal_id)
    data.update(fields)
    return await post(client, f"/meetings/{meeting_id}/items", data)


async def publish(client: AsyncClient, meeting_id: int, **fields: Any) -> Any:
    return await post(client, f"/meetings/{meeting_id}/publish", fields)
