"""A ballot opens on a compound of thousands of households, on both engines:
the roll goes in as several statements below the drivers' parameter limits
(one INSERT of 2,600 roll entries already passed asyncpg's 32,767)."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.support import World
from tests.voting.support import make_item, make_meeting
from yishi.roster.tables import Household
from yishi.voting import service
from yishi.voting.service import BallotSettings
from yishi.voting.tables import Ballot, BallotRollEntry

EXTRA_HOUSEHOLDS = 4_000


async def add_households(world: World, count: int) -> None:
    building = world.buildings[("alpha", "2")]
    now = datetime.now(UTC)
    rows = [
        Household(
            building=building,
            unit=f"9-{n // 100 + 1}-{n % 100 + 101}",
            exclusive_area=8000 + n % 5000,
            owner_names=f"业主{n}",
            phone="",
            residents=2,
            updated_at=now,
        )
        for n in range(count)
    ]
    for start in range(0, count, 1000):
        await Household.insert(*rows[start : start + 1000])


async def test_a_secret_ballot_opens_on_a_roll_of_thousands_and_counts_each_household_once(world: World):
    await add_households(world, EXTRA_HOUSEHOLDS)
    meeting = await make_meeting(world)
    item = await make_item(meeting, "majority_of_cast")
    ballot_id = await service.open_ballot(world.compounds["alpha"], item, BallotSettings(secret=True), actor=None)
    roll = await BallotRollEntry.select(BallotRollEntry.position).where(BallotRollEntry.ballot == ballot_id)
    assert sorted(r["position"] for r in roll) == list(range(6 + EXTRA_HOUSEHOLDS))
    assert (await Ballot.select(Ballot.seal_salt).where(Ballot.id == ballot_id).first())["seal_salt"]
