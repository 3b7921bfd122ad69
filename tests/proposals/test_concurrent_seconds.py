"""Seconds that arrive at the same moment are each counted once, and the
threshold is recorded once."""

import asyncio

from tests.proposals.support import identify, number_in, propose
from yishi.accounts.residents import identity_of
from yishi.errors import Conflict
from yishi.proposals import service
from yishi.proposals.tables import ProposalEvent, Second
from yishi.roster import service as roster


async def test_two_simultaneous_seconds_of_one_household_count_once(client, world):
    await identify(client, "alpha:1-1-101")
    number = number_in(await propose(client))
    compound = await roster.compound_by_code("alpha")
    neighbour = await identity_of(world.households["alpha:1-1-102"])
    results = await asyncio.gather(
        service.second(compound, number, neighbour),
        service.second(compound, number, neighbour),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "SecondResult"]
    assert any(isinstance(r, Conflict) for r in results)
    assert await Second.count() == 1


async def test_the_threshold_reached_by_simultaneous_seconds_is_recorded_once(client, world):
    await identify(client, "alpha:1-1-101")
    number = number_in(await propose(client))
    compound = await roster.compound_by_code("alpha")
    keys = ["alpha:1-1-102", "alpha:1-1-201", "alpha:2-1-101", "alpha:2-1-102", "alpha:2-1-201"]
    neighbours = [await identity_of(world.households[k]) for k in keys]
    results = await asyncio.gather(*(service.second(compound, number, n) for n in neighbours))
    assert sum(r.threshold_reached_now for r in results) == 1
    assert await ProposalEvent.count().where(ProposalEvent.kind == "threshold_reached") == 1
