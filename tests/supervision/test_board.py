"""The public board (公示栏): no login, every action with its progress and evidence."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from tests.actions.support import decided_meeting, drafted_action
from tests.supervision.support import done_action
from tests.support import login, post, text_of
from yishi.actions.tables import Action
from yishi.clock import local_today
from yishi.documents import service as documents
from yishi.meetings.tables import Meeting
from yishi.voting.tables import Ballot


def picture() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 200, 0)).save(out, format="JPEG")
    return out.getvalue()


async def test_anyone_reads_the_board_with_actions_updates_and_evidence(client, world):
    decided = await decided_meeting(world)
    await drafted_action(world, decided.adopted)
    await drafted_action(
        world,
        decided.adopted,
        title="清理车库积水",
        party_kind="committee",
        responsible=str(world.users["committee_alpha"]),
        budget="",
        funding_source="",
    )
    await login(client, "pm_alpha")
    await post(
        client,
        "/compounds/alpha/actions/1/updates",
        {"text": "灯具已安装", "move": "complete"},
        files=[("files", ("after.jpg", picture(), "image/jpeg"))],
    )
    client.cookies.clear()
    response = await client.get("/c/alpha/board")
    assert response.status_code == 200
    text = text_of(response.text)
    assert "银河湾小区公示栏" in text
    assert "#1 更换地下车库出口照明灯" in text and "#2 清理车库积水" in text
    assert "已办结" in text and "待办理" in text
    assert "灯具已安装" in text
    assert "决议：更换车库出口照明" in text
    assert "/c/alpha/evidence/" in response.text
    # newest change first: #1 was just updated
    assert text.index("#1 更换") < text.index("#2 清理")
    assert "三号楼板凳会" in text  # the published notice
    assert "办结率" in text and "口径" in text


async def test_the_board_of_an_unknown_compound_is_not_found(client):
    assert (await client.get("/c/nowhere/board")).status_code == 404


async def test_an_action_of_another_compound_is_not_on_this_board(client, world):
    await done_action(world, compound="beta")
    assert "更换地下车库出口照明灯" not in text_of((await client.get("/c/alpha/board")).text)
    assert (await client.get("/c/alpha/board/actions/1")).status_code == 404


async def test_a_draft_meeting_is_not_announced_on_the_board(client, world):
    await Meeting.insert(
        Meeting(
            compound=world.compounds["alpha"],
            kind="council",
            title="尚未发布的议事会",
            starts_at=datetime.now(UTC) + timedelta(days=9),
            place="活动室",
        )
    )
    assert "尚未发布的议事会" not in text_of((await client.get("/c/alpha/board")).text)


async def test_the_public_action_page_offers_rating_to_a_household_once_done(client, world):
    await done_action(world)
    page = text_of((await client.get("/c/alpha/board/actions/1")).text)
    assert "我是住户：去评价" in page and "我是住户：提出异议" in page


@pytest.mark.usefixtures("world")
async def test_the_compound_page_links_to_the_board(client):
    assert "/c/alpha/board" in (await client.get("/c/alpha")).text


async def test_an_overdue_action_shows_as_overdue_on_the_board(client, world):
    decided = await decided_meeting(world)
    action = await drafted_action(world, decided.adopted)
    await Action.update({Action.due_on: local_today() - timedelta(days=2)}).where(Action.id == action["id"])
    text = text_of((await client.get("/c/alpha/board")).text)
    assert "已超期" in text and "已超期 2 天" in text


async def test_the_board_shows_closed_votes_with_their_figures_and_links_each_action_to_its_ballot(client, world):
    decided = await decided_meeting(world)
    await drafted_action(world, decided.adopted)
    response = await client.get("/c/alpha/board")
    text = text_of(response.text)
    assert "表决结果" in text
    assert "增设收费道闸" in text and "未通过" in text
    assert "同意 1 · 反对 2 · 弃权 0，共 3 票" in text
    ballots = {b["agenda_item"]: b["id"] for b in await Ballot.select(Ballot.id, Ballot.agenda_item)}
    assert f"/c/alpha/results/{ballots[decided.failed]}" in response.text
    action_page = await client.get("/c/alpha/board/actions/1")
    assert f'href="/c/alpha/results/{ballots[decided.adopted]}"' in action_page.text
    assert (await client.get(f"/c/alpha/results/{ballots[decided.adopted]}")).status_code == 200


async def test_once_minutes_are_issued_the_action_links_to_their_public_verification(client, settings, world):
    decided = await decided_meeting(world)
    await drafted_action(world, decided.adopted)
    assert "会议纪要" not in text_of((await client.get("/c/alpha/board/actions/1")).text)
    record = await documents.issue(
        "minutes",
        decided.meeting,
        compound_id=world.compounds["alpha"],
        settings=settings,
        principal=None,
        language="zh_CN",
    )
    page = await client.get("/c/alpha/board/actions/1")
    assert f'href="/verify/{record["code"]}"' in page.text
    assert (await client.get(f"/verify/{record['code']}")).status_code == 200
