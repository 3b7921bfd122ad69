"""Votes keep the notice's dates: a vote on an item of a published notice
takes votes only in the period the notice announced and cannot close before
its announced (or extended) end unless everyone on its roll has voted; any
other vote closed before its closing time says what that ends, with a
reason shown on the result."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.support import World, login, post, text_of
from tests.voting.support import invite_parties, make_item, make_meeting
from yishi.errors import DomainError, FormErrors
from yishi.meetings.tables import Meeting
from yishi.voting import service
from yishi.voting.service import BallotSettings

PUBLISHED = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
VOTES_OPEN = PUBLISHED + timedelta(days=16)
VOTES_CLOSE = VOTES_OPEN + timedelta(days=7)
ROLL = ("1-1-101", "1-1-102", "1-1-201", "2-1-101", "2-1-102", "2-1-201")


async def _owners_decision(world: World) -> int:
    meeting = await make_meeting(world, kind="owners_decision")
    await Meeting.update(
        {Meeting.votes_open_at: VOTES_OPEN, Meeting.votes_close_at: VOTES_CLOSE, Meeting.published_at: PUBLISHED}
    ).where(Meeting.id == meeting)
    item = await make_item(meeting, "civil_code_ordinary")
    # The secretary opens it the minute the notice is out, asking to close by hand.
    return await service.open_ballot(
        world.compounds["alpha"],
        item,
        BallotSettings(),
        actor=world.users["sec_alpha"],
        at=PUBLISHED + timedelta(minutes=1),
    )


async def test_a_vote_on_a_published_notice_takes_votes_only_in_the_announced_period(world: World):
    ballot_id = await _owners_decision(world)
    ballot = await service.ballot_in_compound(world.compounds["alpha"], ballot_id)
    assert (ballot["opens_at"], ballot["closes_at"], ballot["notice_bound"]) == (VOTES_OPEN, VOTES_CLOSE, True)
    household = world.households["alpha:1-1-101"]
    with pytest.raises(DomainError, match="has not started"):
        await service.cast_link_vote(ballot_id, household, "yes", at=PUBLISHED + timedelta(minutes=3))
    await service.cast_link_vote(ballot_id, household, "yes", at=VOTES_OPEN + timedelta(hours=1))
    with pytest.raises(DomainError, match="ended"):
        await service.cast_link_vote(
            ballot_id, world.households["alpha:1-1-102"], "yes", at=VOTES_CLOSE + timedelta(minutes=1)
        )


async def test_it_cannot_close_before_the_announced_end_while_anyone_on_the_roll_has_not_voted(world: World):
    ballot_id = await _owners_decision(world)
    early = VOTES_OPEN + timedelta(hours=2)
    for moment in (PUBLISHED + timedelta(minutes=3), early):
        with pytest.raises(DomainError, match="cannot close before then while 6 voters"):
            await service.close_ballot(ballot_id, actor=world.users["sec_alpha"], reason="大家都同意", at=moment)
    for label in ROLL[:-1]:
        await service.cast_link_vote(ballot_id, world.households[f"alpha:{label}"], "yes", at=early)
    with pytest.raises(DomainError, match="while 1 voter on the roll has not voted"):
        await service.close_ballot(ballot_id, actor=world.users["sec_alpha"], at=early)
    assert (await service.ballot_in_compound(world.compounds["alpha"], ballot_id))["status"] == "open"

    await service.cast_link_vote(ballot_id, world.households[f"alpha:{ROLL[-1]}"], "no", at=early)
    result = await service.close_ballot(ballot_id, actor=world.users["sec_alpha"], at=early)
    assert result["passed"] is True


async def test_the_vote_closes_freely_once_the_announced_period_is_over(world: World):
    ballot_id = await _owners_decision(world)
    await service.close_ballot(ballot_id, actor=world.users["sec_alpha"], at=VOTES_CLOSE)
    ballot = await service.ballot_in_compound(world.compounds["alpha"], ballot_id)
    assert ballot["status"] == "closed" and ballot["early_close_reason"] == ""


async def test_an_extended_vote_cannot_be_closed_before_its_new_end(world: World):
    ballot_id = await _owners_decision(world)
    await service.extend_ballot(
        ballot_id,
        "2026-12-23T18:00",
        "参与表决面积不足",
        actor=world.users["sec_alpha"],
        at=VOTES_CLOSE - timedelta(hours=1),
    )
    ballot = await service.ballot_in_compound(world.compounds["alpha"], ballot_id)
    assert ballot["closes_at"] > VOTES_CLOSE
    with pytest.raises(DomainError, match="cannot close before then"):
        await service.close_ballot(ballot_id, actor=world.users["sec_alpha"], at=VOTES_CLOSE + timedelta(minutes=3))


async def test_an_owners_vote_of_an_older_notice_is_bound_by_its_own_closing_time(world: World):
    meeting = await make_meeting(world, kind="owners_decision")
    item = await make_item(meeting, "civil_code_ordinary")
    closes_at = PUBLISHED + timedelta(days=20)
    ballot_id = await service.open_ballot(
        world.compounds["alpha"],
        item,
        BallotSettings(closes_at=closes_at),
        actor=world.users["sec_alpha"],
        at=PUBLISHED,
    )
    with pytest.raises(DomainError, match="cannot close before then"):
        await service.close_ballot(
            ballot_id, actor=world.users["sec_alpha"], reason="提前结束", at=PUBLISHED + timedelta(minutes=3)
        )


async def _bench_vote(world: World, closes_at: datetime) -> int:
    meeting = await make_meeting(world)
    item = await make_item(meeting, "majority_of_cast")
    return await service.open_ballot(
        world.compounds["alpha"],
        item,
        BallotSettings(closes_at=closes_at),
        actor=world.users["sec_alpha"],
        at=PUBLISHED,
    )


async def test_closing_another_vote_early_needs_a_reason_which_the_result_shows(
    client: httpx.AsyncClient, resident: httpx.AsyncClient, world: World
):
    ballot_id = await _bench_vote(world, datetime.now(UTC) + timedelta(days=2))
    await service.cast_link_vote(ballot_id, world.households["alpha:1-1-101"], "yes")
    with pytest.raises(FormErrors) as error:
        await service.close_ballot(ballot_id, actor=world.users["sec_alpha"], reason="  ")
    assert "reason" in error.value.errors

    await login(client, "sec_alpha")
    console = f"/compounds/alpha/ballots/{ballot_id}"
    page = text_of((await client.get(console)).text)
    assert "现在结束，名册上尚未投票的 5 人将不能再投票" in page
    refused = await post(client, f"{console}/close", {"reason": ""})
    assert refused.status_code == 400 and "请说明理由" in refused.text
    closed = await post(client, f"{console}/close", {"reason": "会议已结束，到场住户均已表决", "confirmed": "yes"})
    assert "表决已结束，结果已公布" in closed.text
    result = text_of((await resident.get(f"/c/alpha/results/{ballot_id}")).text)
    assert "提前结束表决" in result and "会议已结束，到场住户均已表决" in result


async def test_the_console_of_a_bound_vote_offers_no_early_close(client: httpx.AsyncClient, world: World):
    meeting = await make_meeting(world, kind="owners_decision")
    now = datetime.now(UTC)
    await Meeting.update(
        {Meeting.votes_open_at: now - timedelta(hours=1), Meeting.votes_close_at: now + timedelta(days=3)}
    ).where(Meeting.id == meeting)
    item = await make_item(meeting, "civil_code_ordinary")
    ballot_id = await service.open_ballot(
        world.compounds["alpha"], item, BallotSettings(), actor=world.users["sec_alpha"]
    )
    await login(client, "sec_alpha")
    console = f"/compounds/alpha/ballots/{ballot_id}"
    html = (await client.get(console)).text
    assert 'id="close-refused"' in html and f'action="{console}/close"' not in html
    refused = await post(client, f"{console}/close", {"reason": "想早点结束"})
    assert refused.status_code == 400 and "在此之前不能结束表决" in refused.text
    assert (await service.ballot_in_compound(world.compounds["alpha"], ballot_id))["status"] == "open"


async def _tripartite_ballot(world: World) -> int:
    meeting = await make_meeting(world, kind="tripartite", title="三方联席会")
    await invite_parties(meeting, world.compounds["alpha"])
    item = await make_item(meeting, "parties_unanimous", title="物业费调整方案")
    return await service.open_ballot(world.compounds["alpha"], item, BallotSettings(), actor=world.users["sec_alpha"])


async def test_closing_asks_first_and_says_what_it_records(client: httpx.AsyncClient, world: World):
    ballot_id = await _tripartite_ballot(world)
    await login(client, "sec_alpha")
    console = f"/compounds/alpha/ballots/{ballot_id}"
    asked = await post(client, f"{console}/close")
    assert asked.status_code == 200
    text = text_of(asked.text)
    assert "确定结束表决？" in text
    assert "名册上 3 名投票人中有 3 名尚未投票；结束后他们将不能再投票" in text
    assert "现在结束，将记录为：未通过" in text and "不能重新开启" in text
    assert (await service.ballot_in_compound(world.compounds["alpha"], ballot_id))["status"] == "open"
    closed = await post(client, f"{console}/close", {"confirmed": "yes"})
    assert "表决已结束，结果已公布" in closed.text
    ballot = await service.ballot_in_compound(world.compounds["alpha"], ballot_id)
    assert ballot["status"] == "closed" and ballot["passed"] is False


async def test_the_confirmation_of_a_secret_vote_tells_no_figure_before_closing(
    client: httpx.AsyncClient, world: World
):
    meeting = await make_meeting(world)
    item = await make_item(meeting, "majority_of_cast")
    ballot_id = await service.open_ballot(
        world.compounds["alpha"], item, BallotSettings(secret=True), actor=world.users["sec_alpha"]
    )
    await service.cast_link_vote(ballot_id, world.households["alpha:1-1-101"], "no")
    await login(client, "sec_alpha")
    asked = text_of((await post(client, f"/compounds/alpha/ballots/{ballot_id}/close")).text)
    assert "结果在表决结束时统计，并立即公布" in asked
    assert "将记录为" not in asked
    assert (await service.ballot_in_compound(world.compounds["alpha"], ballot_id))["status"] == "open"


async def test_a_close_that_would_be_refused_is_refused_before_it_is_confirmed(client: httpx.AsyncClient, world: World):
    ballot_id = await _owners_decision(world)
    await login(client, "sec_alpha")
    refused = await post(client, f"/compounds/alpha/ballots/{ballot_id}/close", {"reason": "想早点结束"})
    assert "确定结束表决？" not in text_of(refused.text)
    assert (await service.ballot_in_compound(world.compounds["alpha"], ballot_id))["status"] == "open"
