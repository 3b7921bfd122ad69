"""Publishing the notice: notice periods, urgent reasons, owners' decisions, changes afterwards."""

import pytest

from tests.meetings.support import add_item, convene, local_in, meeting_form, proposal, publish
from tests.support import login, post, text_of
from yishi.audit.tables import AuditEntry
from yishi.meetings.tables import AgendaItem, Meeting


async def bench_meeting_in(client, world, hours):
    await login(client, "sec_alpha")
    meeting_id = await convene(client, days=hours / 24)
    await add_item(client, meeting_id, await proposal(world))
    return meeting_id


async def test_a_notice_in_time_is_published_and_shows_on_the_public_pages(client, world):
    meeting_id = await bench_meeting_in(client, world, hours=48)
    response = await publish(client, meeting_id)
    assert response.status_code == 200
    meeting = await Meeting.select().where(Meeting.id == meeting_id).first()
    assert meeting["status"] == "published" and meeting["urgent_reason"] == ""
    item = await AgendaItem.select().first()
    assert item["on_published_notice"]
    notice = text_of((await client.get(f"/c/alpha/meetings/{meeting_id}")).text)
    assert "3号楼电动车充电板凳会" in notice and "3号楼架空层" in notice and "3号楼电动车充电难" in notice


async def test_a_draft_has_no_public_notice(client, world):
    meeting_id = await bench_meeting_in(client, world, hours=48)
    response = await client.get(f"/c/alpha/meetings/{meeting_id}")
    assert response.status_code == 404
    assert (await client.get(f"/c/beta/meetings/{meeting_id}")).status_code == 404


async def test_a_late_notice_is_refused_without_an_urgent_reason(client, world):
    meeting_id = await bench_meeting_in(client, world, hours=5)
    response = await publish(client, meeting_id)
    assert response.status_code == 400
    page = text_of(response.text)
    assert "需提前 1 天发布通知" in page and "紧急" in page
    assert (await Meeting.select(Meeting.status).first())["status"] == "draft"


async def test_a_late_notice_with_an_urgent_reason_is_published_and_shows_the_reason(client, world):
    meeting_id = await bench_meeting_in(client, world, hours=5)
    reason = "3号楼电动车在楼道充电引发火情隐患，需当晚协商处置。"
    response = await publish(client, meeting_id, urgent_reason=reason)
    assert response.status_code == 200
    assert (await Meeting.select(Meeting.urgent_reason).first())["urgent_reason"] == reason
    notice = text_of((await client.get(f"/c/alpha/meetings/{meeting_id}")).text)
    assert "紧急召开" in notice and reason in notice


@pytest.mark.usefixtures("world")
async def test_an_empty_agenda_is_not_published(client):
    await login(client, "sec_alpha")
    meeting_id = await convene(client, days=3)
    response = await publish(client, meeting_id)
    assert response.status_code == 400
    assert "至少列入一项议程" in text_of(response.text)


async def owners_decision(client, world, days, matter="5", rule="civil_code_ordinary"):
    await login(client, "sec_alpha")
    meeting_id = await convene(
        client,
        kind="owners_decision",
        days=days,
        title="电梯维修业主共同决定",
        voting_method="专属链接线上表决或书面表决票",
    )
    await add_item(client, meeting_id, await proposal(world, title="2号楼电梯维修", owners_matter=True))
    item = await AgendaItem.select(AgendaItem.id).first()
    response = await post(
        client,
        f"/meetings/{meeting_id}/items/{item['id']}/vote",
        {"question": "是否同意使用维修资金维修2号楼电梯？", "rule": rule, "owners_matter": matter},
    )
    assert response.status_code == 200, text_of(response.text)
    return meeting_id


async def test_an_owners_decision_is_never_published_short_of_fifteen_days_even_with_a_reason(client, world):
    meeting_id = await owners_decision(client, world, days=10)
    response = await publish(
        client,
        meeting_id,
        urgent_reason="电梯停运，老人出行困难",
        committee_informed="yes",
        committee_informed_on=local_in()[:10],
    )
    assert response.status_code == 400
    page = text_of(response.text)
    assert "至少提前 15 日" in page and "物业管理条例" in page and "任何理由都不能缩短" in page
    assert (await Meeting.select(Meeting.status).first())["status"] == "draft"


async def test_an_owners_decision_needs_the_residents_committee_told_before_publishing(client, world):
    meeting_id = await owners_decision(client, world, days=20)
    response = await publish(client, meeting_id)
    assert response.status_code == 400
    assert "告知社区居民委员会" in text_of(response.text)
    response = await publish(client, meeting_id, committee_informed="yes", committee_informed_on="")
    assert response.status_code == 400
    assert "请填写告知居民委员会的日期" in text_of(response.text)
    response = await publish(client, meeting_id, committee_informed="yes", committee_informed_on=local_in(days=3)[:10])
    assert response.status_code == 400
    assert "这个日期还没到" in text_of(response.text)
    assert (await Meeting.select(Meeting.status).first())["status"] == "draft"


async def test_an_owners_decision_needs_its_voting_method(client, world):
    meeting_id = await owners_decision(client, world, days=20)
    await post(
        client,
        f"/meetings/{meeting_id}/edit",
        meeting_form(kind="owners_decision", days=20, title="电梯维修业主共同决定", voting_method=""),
    )
    response = await publish(
        client, meeting_id, committee_informed="yes", committee_informed_on=local_in()[:10], voting_method=""
    )
    assert response.status_code == 400
    assert "表决方式" in text_of(response.text)


async def test_an_owners_decision_notice_carries_full_text_method_and_committee_date(client, world):
    meeting_id = await owners_decision(client, world, days=20)
    today = local_in()[:10]
    response = await publish(
        client,
        meeting_id,
        committee_informed="yes",
        committee_informed_on=today,
        votes_close_at=local_in(days=27)[:10] + "T17:00",
    )
    assert response.status_code == 200
    assert (await AgendaItem.select(AgendaItem.on_published_notice).first())["on_published_notice"]
    notice = text_of((await client.get(f"/c/alpha/meetings/{meeting_id}")).text)
    assert "电动车在楼道里充电" in notice
    assert "专属链接线上表决或书面表决票" in notice
    assert f"已于 {today} 告知" in notice
    assert "（五）使用建筑物及其附属设施的维修资金" in notice


async def test_an_owners_decision_notice_announces_its_voting_period(client, world):
    meeting_id = await owners_decision(client, world, days=20)
    ready = {"committee_informed": "yes", "committee_informed_on": local_in()[:10]}
    response = await publish(client, meeting_id, **ready)
    assert response.status_code == 400 and "请填写投票截止时间" in text_of(response.text)
    response = await publish(
        client, meeting_id, **ready, votes_open_at=local_in(days=16), votes_close_at=local_in(days=27)
    )
    assert response.status_code == 400 and "业主最早从会议开始时" in text_of(response.text)
    response = await publish(client, meeting_id, **ready, votes_close_at="2026-13-40 18:00")
    assert response.status_code == 400 and "请输入日期和时间" in text_of(response.text)
    assert 'value="2026-13-40 18:00"' in response.text
    response = await publish(
        client, meeting_id, **ready, votes_open_at=local_in(days=21), votes_close_at=local_in(days=21)
    )
    assert response.status_code == 400 and "投票截止时间必须晚于开始时间" in text_of(response.text)
    assert (await Meeting.select(Meeting.status).first())["status"] == "draft"

    response = await publish(client, meeting_id, **ready, votes_close_at=local_in(days=27))
    assert response.status_code == 200
    meeting = await Meeting.select().first()
    assert meeting["votes_open_at"] == meeting["starts_at"] and meeting["votes_close_at"] > meeting["starts_at"]
    notice = text_of((await client.get(f"/c/alpha/meetings/{meeting_id}")).text)
    assert f"投票时间 {local_in(days=20)[:10]}" in notice and f"至 {local_in(days=27)[:10]}" in notice


async def test_an_owners_decision_item_without_its_matter_blocks_publication(client, world):
    await login(client, "sec_alpha")
    meeting_id = await convene(client, kind="owners_decision", days=20, voting_method="书面表决")
    await add_item(client, meeting_id, await proposal(world, title="2号楼电梯维修"))
    response = await publish(client, meeting_id, committee_informed="yes", committee_informed_on=local_in()[:10])
    assert response.status_code == 400
    assert "2号楼电梯维修" in text_of(response.text)


async def test_after_publication_an_owners_decision_refuses_new_items(client, world):
    meeting_id = await owners_decision(client, world, days=20)
    await publish(
        client,
        meeting_id,
        committee_informed="yes",
        committee_informed_on=local_in()[:10],
        votes_close_at=local_in(days=27),
    )
    response = await add_item(client, meeting_id, await proposal(world, title="增设充电桩"))
    assert response.status_code == 409
    assert "不能再增加议程" in text_of(response.text)
    assert await AgendaItem.count() == 1


async def test_after_publication_other_meetings_may_add_items_and_the_history_says_so(client, world):
    meeting_id = await bench_meeting_in(client, world, hours=48)
    await publish(client, meeting_id)
    response = await add_item(client, meeting_id, await proposal(world, title="楼道堆物清理"))
    assert response.status_code == 200
    late = await AgendaItem.select().where(AgendaItem.title == "楼道堆物清理").first()
    assert not late["on_published_notice"]
    assert await AuditEntry.exists().where(AuditEntry.action == "add_after_notice")
    notice = text_of((await client.get(f"/c/alpha/meetings/{meeting_id}")).text)
    assert "本项在通知发布后增加" in notice
    console = text_of((await client.get(f"/meetings/{meeting_id}")).text)
    assert "在通知发布后增加了议程" in console


async def test_a_withdrawn_item_shows_its_reason_on_the_notice(client, world):
    meeting_id = await owners_decision(client, world, days=20)
    await publish(
        client,
        meeting_id,
        committee_informed="yes",
        committee_informed_on=local_in()[:10],
        votes_close_at=local_in(days=27),
    )
    item = await AgendaItem.select(AgendaItem.id).first()
    response = await post(client, f"/meetings/{meeting_id}/items/{item['id']}/withdraw", {"reason": ""})
    assert response.status_code == 400
    assert "请说明撤回的理由" in text_of(response.text)
    reason = "电梯厂家报价未到，下次会议再议"
    response = await post(client, f"/meetings/{meeting_id}/items/{item['id']}/withdraw", {"reason": reason})
    assert response.status_code == 200
    notice = text_of((await client.get(f"/c/alpha/meetings/{meeting_id}")).text)
    assert "撤回" in notice and reason in notice
    from yishi.proposals.tables import ProposalEvent

    assert await ProposalEvent.exists().where(ProposalEvent.kind == "off_agenda")


async def test_a_published_meeting_cannot_be_moved_inside_its_notice_period(client, world):
    meeting_id = await bench_meeting_in(client, world, hours=72)
    await publish(client, meeting_id)
    response = await post(client, f"/meetings/{meeting_id}/edit", meeting_form(days=0.5))
    assert response.status_code == 400
    assert "不能早于" in text_of(response.text)
    response = await post(client, f"/meetings/{meeting_id}/edit", meeting_form(kind="council", days=4))
    assert response.status_code == 400
    assert "不能更改会议类型" in text_of(response.text)


async def test_publishing_twice_is_refused(client, world):
    meeting_id = await bench_meeting_in(client, world, hours=48)
    await publish(client, meeting_id)
    response = await publish(client, meeting_id)
    assert response.status_code == 409


async def test_a_property_manager_cannot_publish(client, world):
    meeting_id = await bench_meeting_in(client, world, hours=48)
    await post(client, "/logout")
    await login(client, "pm_alpha")
    response = await publish(client, meeting_id)
    assert response.status_code == 403
    assert (await Meeting.select(Meeting.status).first())["status"] == "draft"


async def test_the_compound_page_lists_published_notices(client, world):
    meeting_id = await bench_meeting_in(client, world, hours=48)
    assert "3号楼电动车充电板凳会" not in text_of((await client.get("/c/alpha")).text)
    await publish(client, meeting_id)
    page = (await client.get("/c/alpha")).text
    assert f'href="/c/alpha/meetings/{meeting_id}"' in page
    assert "3号楼电动车充电板凳会" not in text_of((await client.get("/c/beta")).text)
