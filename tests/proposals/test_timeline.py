"""Later steps write on a proposal's timeline and move its stage forward, never back."""

from datetime import UTC, datetime

import pytest

from tests.proposals.support import current_stage, identify, number_in, propose
from tests.support import login, post, text_of
from yishi.meetings.tables import AgendaItem, Meeting
from yishi.proposals import service
from yishi.proposals.tables import Proposal


async def accepted_proposal(client) -> dict:
    await identify(client, "alpha:1-1-101")
    number = number_in(await propose(client))
    await login(client, "sec_alpha")
    await post(client, f"/compounds/alpha/proposals/{number}/accept")
    return await Proposal.select().where(Proposal.number == number).first()


@pytest.mark.usefixtures("world")
async def test_the_stage_only_moves_forward(client):
    proposal = await accepted_proposal(client)
    await service.set_stage(proposal["id"], "implement")
    await service.set_stage(proposal["id"], "vote")
    row = await Proposal.select(Proposal.stage).where(Proposal.id == proposal["id"]).first()
    assert row["stage"] == "implement"
    await service.set_stage(proposal["id"], "supervise")
    row = await Proposal.select(Proposal.stage).where(Proposal.id == proposal["id"]).first()
    assert row["stage"] == "supervise"


@pytest.mark.usefixtures("world")
async def test_an_unknown_stage_is_a_programming_error(client):
    proposal = await accepted_proposal(client)
    with pytest.raises(ValueError):
        await service.set_stage(proposal["id"], "celebrate")


@pytest.mark.usefixtures("world")
async def test_events_of_later_steps_appear_on_the_public_timeline_with_their_stage(client):
    proposal = await accepted_proposal(client)
    await service.record_event(proposal["id"], "voted", "通过：赞成 86 户，反对 9 户，弃权 5 户", "李红霞")
    await service.set_stage(proposal["id"], "vote")
    page = (await client.get(f"/c/alpha/proposals/{proposal['number']}")).text
    text = text_of(page)
    assert "已表决" in text and "赞成 86 户" in text and "李红霞" in text
    assert current_stage(page) == "3 民主表决"


async def test_a_topic_on_a_meeting_agenda_stands_at_deliberation(client, world):
    await identify(client, "alpha:1-1-101")
    number = number_in(await propose(client))
    proposal = await Proposal.select().where(Proposal.number == number).first()
    meeting = await Meeting.insert(
        Meeting(
            compound=world.compounds["alpha"],
            kind="tripartite",
            title="十一月三方联席会",
            starts_at=datetime(2026, 12, 3, 11, 0, tzinfo=UTC),
            place="党群服务站",
        )
    ).returning(Meeting.id)
    await AgendaItem.insert(
        AgendaItem(meeting=meeting[0]["id"], position=1, title="电动车充电棚选址", proposal=proposal["id"])
    )
    page = await client.get(f"/c/alpha/proposals/{number}")
    assert current_stage(page.text) == "2 民主议事"
    assert "十一月三方联席会" not in text_of(page.text)  # a draft meeting is not public yet
    await Meeting.update({Meeting.status: "published"}).where(Meeting.id == meeting[0]["id"])
    page = await client.get(f"/c/alpha/proposals/{number}")
    assert "十一月三方联席会" in text_of(page.text)
    assert f'href="/c/alpha/meetings/{meeting[0]["id"]}"' in page.text


@pytest.mark.usefixtures("world")
async def test_an_event_kind_must_fit_its_column(client):
    proposal = await accepted_proposal(client)
    with pytest.raises(ValueError):
        await service.record_event(proposal["id"], "x" * 33)
