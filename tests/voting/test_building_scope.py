"""A grid worker acts and looks only within their buildings, on every
scrutineer action and every list of a ballot (the roster already was)."""

from __future__ import annotations

import httpx

from tests.support import World, login, post, text_of
from tests.voting.support import make_item, make_meeting
from yishi.voting import service
from yishi.voting.service import BallotSettings
from yishi.voting.tables import BallotVote


async def _ballot(world: World) -> int:
    meeting = await make_meeting(world)
    item = await make_item(meeting, "majority_of_cast")
    ballot_id = await service.open_ballot(
        world.compounds["alpha"], item, BallotSettings(), actor=world.users["sec_alpha"]
    )
    await service.cast_link_vote(ballot_id, world.households["alpha:2-1-101"], "yes")
    await service.cast_link_vote(ballot_id, world.households["alpha:1-1-101"], "no")
    return ballot_id


async def _vote_of(ballot_id: int, label: str) -> int:
    rows = await BallotVote.select(BallotVote.id, BallotVote.roll_entry.label.as_alias("label")).where(
        BallotVote.ballot == ballot_id
    )
    return next(r["id"] for r in rows if r["label"] == label)


async def test_a_grid_worker_cannot_void_a_vote_of_another_building(client: httpx.AsyncClient, world: World):
    ballot_id = await _ballot(world)
    other = await _vote_of(ballot_id, "2-1-101")
    await login(client, "grid_alpha1")
    base = f"/compounds/alpha/ballots/{ballot_id}/votes/{other}/void"
    assert (await client.get(base)).status_code == 403
    response = await post(client, base, {"reason": "重复投票"})
    assert response.status_code == 403
    assert (await BallotVote.select(BallotVote.voided_at).where(BallotVote.id == other).first())["voided_at"] is None
    own = await _vote_of(ballot_id, "1-1-101")
    done = await post(client, f"/compounds/alpha/ballots/{ballot_id}/votes/{own}/void", {"reason": "代投"})
    assert done.status_code == 200
    assert (await BallotVote.select(BallotVote.voided_at).where(BallotVote.id == own).first())["voided_at"]


async def test_a_grid_worker_sees_only_their_buildings_on_the_console_and_the_roll(
    client: httpx.AsyncClient, world: World
):
    ballot_id = await _ballot(world)
    await login(client, "grid_alpha1")
    console = text_of((await client.get(f"/compounds/alpha/ballots/{ballot_id}")).text)
    roll = text_of((await client.get(f"/compounds/alpha/ballots/{ballot_id}/roll")).text)
    for page in (console, roll):
        assert "1-1-102" in page or "1-1-101" in page
        assert [label for label in ("2-1-101", "2-1-102", "2-1-201") if label in page] == [], page
    await login(client, "sec_alpha")
    console = text_of((await client.get(f"/compounds/alpha/ballots/{ballot_id}")).text)
    assert "2-1-101" in console and "2-1-102" in console
