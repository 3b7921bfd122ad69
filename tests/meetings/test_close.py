"""Closing a meeting fixes its record; afterwards only addenda are added."""

from datetime import timedelta

import pytest

from tests.documents.support import pdf_text
from tests.meetings.support import add_item, convene, meeting_form, proposal, publish
from tests.support import issue, login, post, text_of
from yishi.meetings.tables import Addendum, AgendaItem, Meeting


async def closed_meeting(client, world):
    await login(client, "sec_alpha")
    meeting_id = await convene(client, days=3)
    await add_item(client, meeting_id, await proposal(world))
    await publish(client, meeting_id)
    asked = await post(client, f"/meetings/{meeting_id}/close")
    assert asked.status_code == 200 and "确定结束会议？" in text_of(asked.text)
    response = await post(client, f"/meetings/{meeting_id}/close", {"confirmed": "yes", "reason": CLOSED_EARLY})
    assert response.status_code == 200
    item = await AgendaItem.select(AgendaItem.id).first()
    return meeting_id, item["id"]


CLOSED_EARLY = "台风预警，居民已在群里书面表态，不再开会"


async def test_closing_records_who_and_when(client, world):
    meeting_id, _item_id = await closed_meeting(client, world)
    meeting = await Meeting.select().first()
    assert meeting["status"] == "closed" and meeting["closed_by"] == world.users["sec_alpha"]
    assert meeting["closed_at"] is not None
    page = text_of((await client.get(f"/meetings/{meeting_id}")).text)
    assert "结束了会议" in page


async def test_after_closing_every_change_is_refused(client, world):
    meeting_id, item_id = await closed_meeting(client, world)
    attempts = [
        (f"/meetings/{meeting_id}/edit", meeting_form(place="别处")),
        (f"/meetings/{meeting_id}/items", {"kind": "report", "title": "补充", "minutes": "5"}),
        (f"/meetings/{meeting_id}/items/{item_id}/notes", {"notes": "改动"}),
        (f"/meetings/{meeting_id}/items/{item_id}/vote", {"question": "是否同意？", "rule": "majority_of_cast"}),
        (f"/meetings/{meeting_id}/items/{item_id}/withdraw", {"reason": "不议了"}),
        (f"/meetings/{meeting_id}/items/{item_id}/move", {"direction": "down"}),
        (f"/meetings/{meeting_id}/sign-in/household", {"household": str(world.households["alpha:1-1-101"])}),
        (f"/meetings/{meeting_id}/close", {}),
        (f"/meetings/{meeting_id}/close", {"confirmed": "yes", "reason": "再关一次"}),
    ]
    for url, data in attempts:
        response = await post(client, url, data)
        assert response.status_code == 409, url
        assert "只能添加补记" in text_of(response.text), url
    item = await AgendaItem.select().first()
    assert item["notes"] == "" and item["withdrawn_at"] is None


async def test_an_addendum_keeps_its_author_and_time(client, world):
    meeting_id, item_id = await closed_meeting(client, world)
    response = await post(client, f"/meetings/{meeting_id}/addenda", {"text": "", "item": str(item_id)})
    assert response.status_code == 400
    assert "请填写补记内容" in text_of(response.text)
    response = await post(
        client,
        f"/meetings/{meeting_id}/addenda",
        {"text": "会后物业确认充电棚选址已报消防部门审核。", "item": str(item_id)},
    )
    assert response.status_code == 200
    row = await Addendum.select().first()
    assert row["author"] == world.users["sec_alpha"] and row["agenda_item"] == item_id and row["at"]
    page = text_of(response.text)
    assert "会后物业确认充电棚选址已报消防部门审核。" in page


@pytest.mark.usefixtures("world")
async def test_addenda_wait_until_the_meeting_is_closed(client):
    await login(client, "sec_alpha")
    meeting_id = await convene(client)
    response = await post(client, f"/meetings/{meeting_id}/addenda", {"text": "补记"})
    assert response.status_code == 409
    assert not await Addendum.exists()


@pytest.mark.parametrize(("username", "status"), [("pm_alpha", 403), ("committee_alpha", 403), ("sec_beta", 404)])
async def test_only_the_secretary_closes_and_only_recorders_add_addenda(client, username, status, world):
    await login(client, "sec_alpha")
    meeting_id = await convene(client, days=3)
    await add_item(client, meeting_id, await proposal(world))
    await publish(client, meeting_id)
    await post(client, "/logout")
    await login(client, username)
    assert (await post(client, f"/meetings/{meeting_id}/close")).status_code == status
    assert (await Meeting.select(Meeting.status).first())["status"] == "published"


@pytest.mark.usefixtures("world")
async def test_a_draft_cannot_be_closed(client):
    await login(client, "sec_alpha")
    meeting_id = await convene(client)
    response = await post(client, f"/meetings/{meeting_id}/close")
    assert response.status_code == 409
    assert (await Meeting.select(Meeting.status, Meeting.closed_at).first()) == {"status": "draft", "closed_at": None}


async def test_closing_asks_first_and_a_meeting_not_yet_started_closes_only_with_a_reason(client, world):
    await login(client, "sec_alpha")
    meeting_id = await convene(client, days=3)
    await add_item(client, meeting_id, await proposal(world))
    await publish(client, meeting_id)
    asked = text_of((await post(client, f"/meetings/{meeting_id}/close")).text)
    assert "确定结束会议？" in asked and "本次会议尚未开始" in asked and "会议纪要将载明" in asked
    refused = await post(client, f"/meetings/{meeting_id}/close", {"confirmed": "yes", "reason": " "})
    assert refused.status_code == 400 and "请说明现在结束的理由" in text_of(refused.text)
    assert (await Meeting.select(Meeting.status, Meeting.closed_at).first()) == {
        "status": "published",
        "closed_at": None,
    }
    await post(client, f"/meetings/{meeting_id}/close", {"confirmed": "yes", "reason": CLOSED_EARLY})
    meeting = await Meeting.select().first()
    assert meeting["status"] == "closed" and meeting["early_close_reason"] == CLOSED_EARLY
    assert CLOSED_EARLY in text_of((await client.get(f"/meetings/{meeting_id}")).text)
    minutes = pdf_text((await issue(client, f"/compounds/alpha/documents/pdf/minutes/{meeting_id}")).content)
    assert "开始前结束" in minutes and CLOSED_EARLY in minutes


async def test_a_meeting_that_has_started_closes_without_a_reason(client, world):
    await login(client, "sec_alpha")
    meeting_id = await convene(client, days=3)
    await add_item(client, meeting_id, await proposal(world))
    await publish(client, meeting_id)
    await Meeting.update({Meeting.starts_at: Meeting.starts_at - timedelta(days=4)}).where(Meeting.id == meeting_id)
    asked = text_of((await post(client, f"/meetings/{meeting_id}/close")).text)
    assert "确定结束会议？" in asked and "尚未开始" not in asked
    await post(client, f"/meetings/{meeting_id}/close", {"confirmed": "yes"})
    meeting = await Meeting.select().first()
    assert meeting["status"] == "closed" and meeting["early_close_reason"] == ""
