"""Building the agenda: decisions on accepted proposals, reports, order, time."""

import pytest

from tests.meetings.support import add_item, convene, proposal
from tests.support import login, post, text_of
from yishi.audit.tables import AuditEntry
from yishi.meetings.tables import AgendaItem
from yishi.proposals.tables import ProposalEvent


async def positions(meeting_id):
    rows = (
        await AgendaItem.select(AgendaItem.title).where(AgendaItem.meeting == meeting_id).order_by(AgendaItem.position)
    )
    return [r["title"] for r in rows]


async def test_putting_an_accepted_proposal_on_the_agenda_writes_on_its_timeline(client, world):
    proposal_id = await proposal(world)
    await login(client, "sec_alpha")
    meeting_id = await convene(client, kind="tripartite")
    response = await add_item(client, meeting_id, proposal_id, minutes="20")
    assert response.status_code == 200
    item = await AgendaItem.select().where(AgendaItem.meeting == meeting_id).output(load_json=True).first()
    assert item["title"] == "3号楼电动车充电难"
    assert "火灾隐患" in item["full_text"] and "充电棚" in item["full_text"]
    assert item["rule"] == "parties_unanimous" and item["minutes"] == 20
    event = await ProposalEvent.select().where(ProposalEvent.proposal == proposal_id).first()
    assert event["kind"] == "on_agenda"
    assert "3号楼电动车充电板凳会" in event["text"]
    assert event["actor_label"] == "Sec_Alpha"


@pytest.mark.usefixtures("world")
async def test_a_report_item_needs_a_title_but_no_proposal(client):
    await login(client, "sec_alpha")
    meeting_id = await convene(client)
    response = await add_item(client, meeting_id, title="", minutes="10")
    assert response.status_code == 400
    assert "请填写议程标题" in text_of(response.text)
    response = await add_item(client, meeting_id, title="物业服务季度通报", minutes="10")
    assert response.status_code == 200
    item = await AgendaItem.select().first()
    assert item["kind"] == "report" and item["rule"] == "" and item["proposal"] is None


async def test_a_proposal_not_accepted_is_refused_next_to_the_field(client, world):
    waiting = await proposal(world, status="submitted", title="小区西门夜间开放")
    await login(client, "sec_alpha")
    meeting_id = await convene(client)
    response = await add_item(client, meeting_id, waiting, title="西门", minutes="15")
    assert response.status_code == 400
    assert "尚未受理" in text_of(response.text)
    assert 'value="西门"' in response.text
    assert not await AgendaItem.exists()
    assert not await ProposalEvent.exists()


async def test_a_proposal_of_another_compound_is_refused(client, world):
    other = await proposal(world, compound="beta", title="人保小区停车")
    await login(client, "sec_alpha")
    meeting_id = await convene(client)
    response = await add_item(client, meeting_id, other)
    assert response.status_code == 400
    assert "不属于本小区" in text_of(response.text)
    assert not await AgendaItem.exists()


@pytest.mark.parametrize("minutes", ["0", "-5", "十五", "", "1.5"])
async def test_minutes_that_are_not_a_positive_whole_number_are_refused(client, minutes, world):
    proposal_id = await proposal(world)
    await login(client, "sec_alpha")
    meeting_id = await convene(client)
    response = await add_item(client, meeting_id, proposal_id, minutes=minutes)
    assert response.status_code == 400
    assert "1 到 480" in text_of(response.text)
    assert not await AgendaItem.exists()


async def test_the_same_proposal_cannot_be_on_one_agenda_twice(client, world):
    proposal_id = await proposal(world)
    await login(client, "sec_alpha")
    meeting_id = await convene(client)
    await add_item(client, meeting_id, proposal_id)
    response = await add_item(client, meeting_id, proposal_id)
    assert response.status_code == 400
    assert "已在本次议程中" in text_of(response.text)


@pytest.mark.parametrize(("username", "status"), [("pm_alpha", 403), ("grid_alpha1", 403), ("sec_beta", 404)])
async def test_only_the_secretary_builds_the_agenda(client, username, status, world):
    proposal_id = await proposal(world)
    await login(client, "sec_alpha")
    meeting_id = await convene(client)
    await post(client, "/logout")
    await login(client, username)
    response = await add_item(client, meeting_id, proposal_id)
    assert response.status_code == status
    assert not await AgendaItem.exists()


async def make_agenda(client, world):
    await login(client, "sec_alpha")
    meeting_id = await convene(client)
    for title in ("充电棚选址", "楼道堆物", "物业通报"):
        await add_item(client, meeting_id, title=title, minutes="25")
    ids = [r["id"] for r in await AgendaItem.select(AgendaItem.id).order_by(AgendaItem.position)]
    return meeting_id, ids


async def test_up_and_down_buttons_reorder_without_javascript(client, world):
    meeting_id, ids = await make_agenda(client, world)
    response = await post(client, f"/meetings/{meeting_id}/items/{ids[2]}/move", {"direction": "up"})
    assert response.status_code == 200 and response.url.path == f"/meetings/{meeting_id}"
    assert await positions(meeting_id) == ["充电棚选址", "物业通报", "楼道堆物"]
    await post(client, f"/meetings/{meeting_id}/items/{ids[0]}/move", {"direction": "up"})
    assert await positions(meeting_id) == ["充电棚选址", "物业通报", "楼道堆物"]
    entry = await AuditEntry.select().where(AuditEntry.action == "reorder").output(load_json=True).first()
    assert entry["detail"]["changes"]["order"] == [
        ["充电棚选址", "楼道堆物", "物业通报"],
        ["充电棚选址", "物业通报", "楼道堆物"],
    ]


async def test_with_htmx_a_move_returns_the_agenda_fragment(client, world):
    meeting_id, ids = await make_agenda(client, world)
    response = await post(
        client,
        f"/meetings/{meeting_id}/items/{ids[0]}/move",
        {"direction": "down"},
        headers={"hx-request": "true", "hx-target": "agenda"},
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section class="card" id="agenda">')
    assert "<html" not in response.text
    assert await positions(meeting_id) == ["楼道堆物", "充电棚选址", "物业通报"]


async def test_dragging_posts_the_whole_new_order(client, world):
    meeting_id, ids = await make_agenda(client, world)
    response = await post(
        client,
        f"/meetings/{meeting_id}/agenda/order",
        {"item": [str(ids[2]), str(ids[0]), str(ids[1])]},
        headers={"hx-request": "true"},
    )
    assert response.status_code == 200
    assert await positions(meeting_id) == ["物业通报", "充电棚选址", "楼道堆物"]


async def test_an_order_that_leaves_out_an_item_is_refused(client, world):
    meeting_id, ids = await make_agenda(client, world)
    response = await post(client, f"/meetings/{meeting_id}/agenda/order", {"item": [str(ids[1]), str(ids[0])]})
    assert response.status_code == 409
    assert await positions(meeting_id) == ["充电棚选址", "楼道堆物", "物业通报"]


async def test_a_property_manager_cannot_reorder(client, world):
    meeting_id, ids = await make_agenda(client, world)
    await post(client, "/logout")
    await login(client, "pm_alpha")
    response = await post(client, f"/meetings/{meeting_id}/items/{ids[2]}/move", {"direction": "up"})
    assert response.status_code == 403
    assert await positions(meeting_id) == ["充电棚选址", "楼道堆物", "物业通报"]


async def test_the_console_warns_when_the_agenda_is_longer_than_the_meeting(client, world):
    meeting_id, _ids = await make_agenda(client, world)
    page = text_of((await client.get(f"/meetings/{meeting_id}")).text)
    assert "议程共计 75 分钟，会议时长 60 分钟" in page
    assert "超出会议时长 15 分钟" in page


async def test_editing_an_item_keeps_its_before_and_after_in_the_history(client, world):
    meeting_id, ids = await make_agenda(client, world)
    response = await post(
        client,
        f"/meetings/{meeting_id}/items/{ids[0]}/edit",
        {"title": "充电棚选址方案", "full_text": "北侧空地或地下车库", "minutes": "30"},
    )
    assert response.status_code == 200
    page = text_of((await client.get(f"/meetings/{meeting_id}/items/{ids[0]}")).text)
    assert "充电棚选址 → 充电棚选址方案" in page
    assert "25 → 30" in page
    response = await post(
        client, f"/meetings/{meeting_id}/items/{ids[0]}/edit", {"title": "", "full_text": "x", "minutes": "0"}
    )
    assert response.status_code == 400
    assert "请填写议程标题" in text_of(response.text)
