"""Households speaking for themselves, and done actions to rate."""

from __future__ import annotations

from httpx import AsyncClient

from tests.actions.support import decided_meeting, drafted_action, principal
from tests.support import World
from yishi.accounts.service import issue_household_link
from yishi.actions import service as actions


async def as_household(client: AsyncClient, world: World, key: str) -> None:
    """Open the household's personal link in this client (``key`` like "alpha:1-1-101")."""
    client.cookies.clear()
    token = await issue_household_link(world.households[key], None)
    response = await client.get(f"/h/{token}")
    assert response.status_code == 200


async def done_action(world: World, building_ids: list[int] | None = None, compound: str = "alpha") -> dict:
    decided = await decided_meeting(world, compound, building_ids=building_ids, with_proposal=compound == "alpha")
    action = await drafted_action(world, decided.adopted, compound=compound)
    manager = await principal(world, "pm_alpha" if compound == "alpha" else "pm_beta")
    await actions.post_update(manager, action["id"], "已完工", [], "complete", world_uploads(world))
    return await actions.get_action(world.compounds[compound], action["number"])


def world_uploads(world: World):
    import tempfile
    from pathlib import Path

    return Path(tempfile.mkdtemp(prefix="yishi-uploads-"))
