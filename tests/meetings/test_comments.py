"""Residents comment on the agenda from the public notice; the secretary can hide abuse."""

import pytest

from tests.meetings.support import add_item, convene, proposal, publish
from tests.support import login, post, text_of
from yishi.audit.tables import AuditEntry
from yishi.meetings.tables import AgendaItem, Comment


async def published_meeting(client, world, compound="alpha", **kwargs):
    await login(client, "sec_alpha" if compound == "alpha" else "sec_beta")
    meeting_id = await convene(client, compound=compound, days=3, **kwargs)
    await add_item(client, meeting_id, await proposal(world, compound=compound))
    await publish(client, meeting_id)
    await post(client, "/logout")
    item = await AgendaItem.select(AgendaItem.id).where(AgendaItem.meeting == meeting_id).first()
    return meeting_id, item["id"]


async def identify(client, compound="alpha", building="1", unit="1-101", phone="13900001000"):
    response = await post(client, f"/c/{compound}/me", {"building": building, "unit": unit, "phone": phone})
    assert response.status_code == 200, text_of(response.text)


async def test_an_identified_household_comments_several_times(client, world):
    meeting_id, item_id = await published_meeting(client, world)
    await identify(client)
    url = f"/c/alpha/meetings/{meeting_id}/items/{item_id}/comments"
    for text in ("建议充电棚装烟感报警器。", "充电收费要公开。"):
        response = await post(client, url, {"text": text})
        assert response.status_code == 200
    rows = await Comment.select().order_by(Comment.id)
    assert [r["text"] for r in rows] == ["建议充电棚装烟感报警器。", "充电收费要公开。"]
    assert all(r["household"] == world.households["alpha:1-1-101"] for r in rows)
    page = text_of((await client.get(f"/c/alpha/meetings/{meeting_id}")).text)
    assert "1-1-101" in page and "充电收费要公开。" in page


async def test_a_visitor_who_has_not_identified_is_sent_to_identify_first(client, world):
    meeting_id, item_id = await published_meeting(client, world)
    response = await post(
        client, f"/c/alpha/meetings/{meeting_id}/items/{item_id}/comments", {"text": "你好"}, follow_redirects=False
    )
    assert response.status_code in (302, 303)
    assert response.headers["location"].startswith("/c/alpha/me?next=")
    assert not await Comment.exists()


async def test_a_household_comments_only_for_itself_whatever_the_form_says(client, world):
    meeting_id, item_id = await published_meeting(client, world)
    await identify(client)
    await post(
        client,
        f"/c/alpha/meetings/{meeting_id}/items/{item_id}/comments",
        {"text": "同意", "household": str(world.households["alpha:2-1-102"])},
    )
    row = await Comment.select().first()
    assert row["household"] == world.households["alpha:1-1-101"]


async def test_a_household_of_another_compound_is_asked_which_household_here_it_is(client, world):
    meeting_id, item_id = await published_meeting(client, world)
    await identify(client, compound="beta")
    response = await post(
        client, f"/c/alpha/meetings/{meeting_id}/items/{item_id}/comments", {"text": "同意"}, follow_redirects=False
    )
    assert response.status_code in (302, 303)
    assert response.headers["location"].startswith("/c/alpha/me?next=")
    assert not await Comment.exists()


async def test_a_comment_too_long_or_empty_is_refused_keeping_the_text(client, world):
    meeting_id, item_id = await published_meeting(client, world)
    await identify(client)
    url = f"/c/alpha/meetings/{meeting_id}/items/{item_id}/comments"
    long_text = "充电" * 300
    response = await post(client, url, {"text": long_text})
    assert response.status_code == 400
    assert "最多 500 字，这条有 600 字" in text_of(response.text)
    assert long_text in response.text
    response = await post(client, url, {"text": "   "})
    assert response.status_code == 400
    assert "请填写您的意见" in text_of(response.text)
    assert not await Comment.exists()


async def test_the_secretary_hides_an_abusive_comment_and_the_reason_shows_in_its_place(client, world):
    meeting_id, item_id = await published_meeting(client, world)
    await identify(client)
    await post(client, f"/c/alpha/meetings/{meeting_id}/items/{item_id}/comments", {"text": "骂人的话"})
    comment = await Comment.select().first()
    await login(client, "sec_alpha")
    url = f"/meetings/{meeting_id}/items/{item_id}/comments/{comment['id']}/hide"
    response = await post(client, url, {"reason": ""})
    assert response.status_code == 400
    assert "请说明隐藏这条意见的理由" in text_of(response.text)
    response = await post(client, url, {"reason": "含有人身攻击"})
    assert response.status_code == 200
    page = text_of((await client.get(f"/c/alpha/meetings/{meeting_id}")).text)
    assert "已被书记隐藏：含有人身攻击" in page
    assert "骂人的话" not in page
    entry = await AuditEntry.select().where(AuditEntry.action == "hide_comment").output(load_json=True).first()
    assert entry["detail"]["reason"] == "含有人身攻击" and entry["actor"] == world.users["sec_alpha"]


@pytest.mark.parametrize(("username", "status"), [("pm_alpha", 403), ("grid_alpha1", 403), ("sec_beta", 404)])
async def test_only_the_secretary_of_the_compound_hides_comments(client, username, status, world):
    meeting_id, item_id = await published_meeting(client, world)
    await identify(client)
    await post(client, f"/c/alpha/meetings/{meeting_id}/items/{item_id}/comments", {"text": "不同意"})
    comment = await Comment.select().first()
    await login(client, username)
    response = await post(
        client, f"/meetings/{meeting_id}/items/{item_id}/comments/{comment['id']}/hide", {"reason": "不喜欢"}
    )
    assert response.status_code == status
    assert (await Comment.select().first())["hidden_reason"] == ""


async def test_comments_close_when_the_meeting_begins(client, world):
    meeting_id, item_id = await published_meeting(client, world)
    from datetime import UTC, datetime, timedelta

    from yishi.meetings.tables import Meeting

    await Meeting.update({Meeting.starts_at: datetime.now(UTC) - timedelta(minutes=5)}).where(Meeting.id == meeting_id)
    await identify(client)
    response = await post(client, f"/c/alpha/meetings/{meeting_id}/items/{item_id}/comments", {"text": "同意"})
    assert response.status_code == 409
    assert not await Comment.exists()
