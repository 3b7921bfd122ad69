"""Duplicate votes fired at once, over mixed channels, leave one counted vote."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from tests.support import World
from tests.voting.support import make_item, make_meeting
from yishi.voting import service
from yishi.voting.service import AlreadyVoted, BallotSettings
from yishi.voting.tables import BallotVote

NOW = datetime(2026, 11, 23, 6, 5, tzinfo=UTC)


async def _ballot(world: World, settings: BallotSettings) -> int:
    meeting = await make_meeting(world)
    item = await make_item(meeting, "majority_of_cast")
    return await service.open_ballot(world.compounds["alpha"], item, settings, actor=None, at=NOW)


async def test_a_thousand_simultaneous_submissions_for_one_household_over_every_channel_count_once(world: World):
    ballot_id = await _ballot(world, BallotSettings())
    household = world.households["alpha:2-1-101"]
    user = world.users["sec_alpha"]

    def attempt(n: int):
        match n % 4:
            case 0:
                return service.cast_link_vote(ballot_id, household, "yes", at=NOW)
            case 1:
                return service.record_paper_vote(ballot_id, "2-1-101", "no", f"P-{n}", actor=user, at=NOW)
            case 2:
                return service.record_room_vote(ballot_id, "2-1-101", "abstain", actor=user, at=NOW)
            case _:
                return service.record_proxy_vote(ballot_id, "2-1-101", "yes", "王秀英", "委托书", actor=user, at=NOW)

    outcomes = await asyncio.gather(*(attempt(n) for n in range(1000)), return_exceptions=True)
    receipts = [o for o in outcomes if isinstance(o, service.Receipt)]
    refused = [o for o in outcomes if isinstance(o, AlreadyVoted)]
    others = [o for o in outcomes if not isinstance(o, (service.Receipt, AlreadyVoted))]
    assert not others, others[:3]
    assert len(receipts) == 1 and len(refused) == 999
    counted = await BallotVote.select().where(BallotVote.voided_at.is_null())
    assert len(counted) == 1 and counted[0]["receipt_code"] == receipts[0].receipt_code
    assert (
        await service.current_count(await service.ballot_in_compound(world.compounds["alpha"], ballot_id))
    ).actual.cast == 1


async def test_simultaneous_changes_of_a_link_vote_leave_one_vote_with_the_last_choice(world: World):
    ballot_id = await _ballot(world, BallotSettings(changeable=True))
    household = world.households["alpha:1-1-102"]
    choices = ["yes", "no", "abstain"] * 7
    outcomes = await asyncio.gather(
        *(service.cast_link_vote(ballot_id, household, c, at=NOW) for c in choices), return_exceptions=True
    )
    assert all(isinstance(o, service.Receipt) for o in outcomes), outcomes
    counted = await BallotVote.select()
    assert len(counted) == 1
    assert len({o.receipt_code for o in outcomes}) == 1


async def test_simultaneous_secret_votes_keep_one_participation_and_one_choice(world: World):
    from yishi.voting.tables import SecretChoice

    ballot_id = await _ballot(world, BallotSettings(secret=True))
    household = world.households["alpha:2-1-101"]
    user = world.users["sec_alpha"]
    attempts = [service.cast_link_vote(ballot_id, household, "yes", at=NOW) for _ in range(10)]
    attempts += [service.record_paper_vote(ballot_id, "2-1-101", "no", f"S-{n}", actor=user, at=NOW) for n in range(10)]
    outcomes = await asyncio.gather(*attempts, return_exceptions=True)
    assert sum(isinstance(o, service.Receipt) for o in outcomes) == 1
    assert await BallotVote.count() == 1 and await SecretChoice.count() == 1
