"""Notes, each party's position in tripartite meetings, and the vote options with their rule."""

import pytest

from tests.meetings.support import add_item, convene, proposal
from tests.support import login, post, text_of
from yishi.audit.tables import AuditEntry
from yishi.meetings.tables import AgendaItem, Position
from yishi.roster.tables import Party


async def tripartite_item(client, world, kind="tripartite"):
    await login(client, "sec_alpha")
    meeting_id = await convene(client, kind=kind, title="地下车库出口照明三方联席会")
    await add_item(client, meeting_id, await proposal(world, title="地下车库出口照明不足"))
    item = await AgendaItem.select(AgendaItem.id).first()
    await post(client, "/logout")
    parties = {p["kind"]: p["id"] for p in await Party.select().where(Party.compound == world.compounds["alpha"])}
    return meeting_id, item["id"], parties


async def state(client, meeting_id, item_id, party_id, stance="agree", text=""):
    return await post(
        client,
        f"/meetings/{meeting_id}/items/{item_id}/positions",
        {"party": str(party_id), "stance": stance, "text": text},
    )


async def test_a_property_manager_states_the_property_companys_position(client, world):
    meeting_id, item_id, parties = await tripartite_item(client, world)
    await login(client, "pm_alpha")
    response = await state(client, meeting_id, item_id, parties["property"], "conditions", "需先核算电费，三个月内完成")
    assert response.status_code == 200
    row = await Position.select().first()
    assert row["stance"] == "conditions" and row["recorded_by"] == world.users["pm_alpha"]
    page = text_of((await client.get(f"/meetings/{meeting_id}/items/{item_id}")).text)
    assert "有条件同意 ：需先核算电费，三个月内完成" in page


@pytest.mark.parametrize(
    ("username", "party", "status"),
    [
        ("pm_alpha", "committee", 403),
        ("pm_alpha", "branch", 403),
        ("committee_alpha", "property", 403),
        ("committee_alpha", "committee", 200),
        ("grid_alpha1", "branch", 403),
        ("sec_alpha", "property", 200),
        ("admin", "committee", 200),
        ("pm_beta", "property", 404),
        ("sec_beta", "branch", 404),
    ],
)
async def test_each_person_states_only_their_own_partys_position(client, username, party, status, world):
    meeting_id, item_id, parties = await tripartite_item(client, world)
    await login(client, username)
    response = await state(client, meeting_id, item_id, parties[party])
    assert response.status_code == status
    assert await Position.exists() == (status == 200)


async def test_the_meetings_recorder_may_record_any_partys_position(client, world):
    await login(client, "sec_alpha")
    meeting_id = await convene(client, kind="tripartite", recorder=str(world.users["grid_alpha1"]))
    await add_item(client, meeting_id, await proposal(world))
    item = await AgendaItem.select(AgendaItem.id).first()
    await post(client, "/logout")
    committee = (
        await Party.select().where((Party.compound == world.compounds["alpha"]) & (Party.kind == "committee")).first()
    )
    await login(client, "grid_alpha1")
    response = await state(client, meeting_id, item["id"], committee["id"], "disagree", "夜间照明费用应由物业承担")
    assert response.status_code == 200


async def test_a_changed_position_replaces_the_current_one_and_the_history_keeps_both(client, world):
    meeting_id, item_id, parties = await tripartite_item(client, world)
    await login(client, "sec_alpha")
    await state(client, meeting_id, item_id, parties["committee"], "disagree", "费用分摊不清")
    await state(client, meeting_id, item_id, parties["committee"], "agree")
    rows = await Position.select()
    assert len(rows) == 1 and rows[0]["stance"] == "agree"
    entries = (
        await AuditEntry.select().where(AuditEntry.action == "position").order_by(AuditEntry.id).output(load_json=True)
    )
    assert entries[1]["detail"]["changes"]["stance"] == ["disagree", "agree"]
    page = text_of((await client.get(f"/meetings/{meeting_id}/items/{item_id}")).text)
    assert "不同意 → 同意" in page


async def test_disagreeing_or_conditions_need_a_reason_and_the_form_keeps_the_choice(client, world):
    meeting_id, item_id, parties = await tripartite_item(client, world)
    await login(client, "sec_alpha")
    response = await state(client, meeting_id, item_id, parties["property"], "conditions", "")
    assert response.status_code == 400
    assert "请写明条件" in text_of(response.text)
    assert 'value="conditions" checked' in response.text
    response = await state(client, meeting_id, item_id, parties["property"], "maybe")
    assert response.status_code == 400
    assert not await Position.exists()


async def test_positions_belong_to_tripartite_meetings(client, world):
    meeting_id, item_id, parties = await tripartite_item(client, world, kind="council")
    await login(client, "sec_alpha")
    response = await state(client, meeting_id, item_id, parties["branch"])
    assert response.status_code == 409
    assert not await Position.exists()


async def test_the_recorder_keeps_notes_and_a_property_manager_cannot(client, world):
    meeting_id, item_id, _parties = await tripartite_item(client, world)
    await login(client, "grid_alpha1")
    response = await post(
        client, f"/meetings/{meeting_id}/items/{item_id}/notes", {"notes": "物业王经理介绍了照明改造方案。"}
    )
    assert response.status_code == 200
    assert (await AgendaItem.select(AgendaItem.notes).first())["notes"] == "物业王经理介绍了照明改造方案。"
    await post(client, "/logout")
    await login(client, "pm_alpha")
    response = await post(client, f"/meetings/{meeting_id}/items/{item_id}/notes", {"notes": "改掉"})
    assert response.status_code == 403
    assert await AuditEntry.count().where(AuditEntry.action == "notes") == 1


async def vote(client, meeting_id, item_id, **data):
    return await post(client, f"/meetings/{meeting_id}/items/{item_id}/vote", data)


async def test_the_secretary_drafts_several_options_with_the_suggested_rule(client, world):
    meeting_id, item_id, _parties = await tripartite_item(client, world)
    await login(client, "sec_alpha")
    page = text_of((await client.get(f"/meetings/{meeting_id}/items/{item_id}")).text)
    assert "本次会议建议采用：三方一致同意" in page
    response = await vote(
        client,
        meeting_id,
        item_id,
        question="地下车库出口照明改造采用哪个方案？",
        options="方案一：加装LED灯带\n方案二：更换高亮度投光灯\n",
        rule="parties_unanimous",
    )
    assert response.status_code == 200
    item = await AgendaItem.select().output(load_json=True).first()
    assert item["options"] == ["方案一：加装LED灯带", "方案二：更换高亮度投光灯"]
    assert item["rule"] == "parties_unanimous" and item["question"].startswith("地下车库")
    assert await AuditEntry.exists().where(AuditEntry.action == "vote_options")


async def test_duplicate_options_are_refused_and_what_was_typed_is_kept(client, world):
    meeting_id, item_id, _parties = await tripartite_item(client, world)
    await login(client, "sec_alpha")
    response = await vote(
        client,
        meeting_id,
        item_id,
        question="选哪个方案？",
        options="方案一：LED\n方案一：LED",
        rule="parties_unanimous",
    )
    assert response.status_code == 400
    assert "方案“方案一：LED”重复了" in text_of(response.text)
    assert "方案一：LED\n方案一：LED" in response.text
    assert (await AgendaItem.select(AgendaItem.options).output(load_json=True).first())["options"] == []


async def test_a_rule_that_does_not_fit_the_kind_is_refused(client, world):
    meeting_id, item_id, _parties = await tripartite_item(client, world, kind="bench_meeting")
    before = await AgendaItem.select().where(AgendaItem.id == item_id).first()
    await login(client, "sec_alpha")
    response = await vote(client, meeting_id, item_id, question="是否同意？", rule="parties_unanimous")
    assert response.status_code == 400
    assert "不适用于板凳会" in text_of(response.text)
    assert await AgendaItem.select().where(AgendaItem.id == item_id).first() == before


async def test_an_owners_decision_rule_must_fit_its_art_278_matter(client, world):
    meeting_id, item_id, _parties = await tripartite_item(client, world, kind="owners_decision")
    await login(client, "sec_alpha")
    response = await vote(
        client, meeting_id, item_id, question="是否同意续筹维修资金？", rule="civil_code_ordinary", owners_matter="6"
    )
    assert response.status_code == 400
    page = text_of(response.text)
    assert "民法典第二百七十八条" in page and "特别多数" in page
    response = await vote(
        client, meeting_id, item_id, question="是否同意续筹维修资金？", rule="civil_code_special", owners_matter="6"
    )
    assert response.status_code == 200
    item = await AgendaItem.select().first()
    assert item["owners_matter"] == 6 and item["rule"] == "civil_code_special"


@pytest.mark.parametrize(
    ("username", "status"), [("pm_alpha", 403), ("committee_alpha", 403), ("grid_alpha1", 403), ("sec_beta", 404)]
)
async def test_only_the_secretary_drafts_the_vote(client, username, status, world):
    meeting_id, item_id, _parties = await tripartite_item(client, world)
    await login(client, username)
    response = await vote(client, meeting_id, item_id, question="是否同意？", rule="parties_unanimous")
    assert response.status_code == status
    assert (await AgendaItem.select(AgendaItem.question).first())["question"] == ""


@pytest.mark.usefixtures("world")
async def test_a_report_is_not_put_to_the_vote(client):
    await login(client, "sec_alpha")
    meeting_id = await convene(client)
    await post(client, f"/meetings/{meeting_id}/items", {"kind": "report", "title": "物业季度通报", "minutes": "10"})
    item = await AgendaItem.select(AgendaItem.id).first()
    response = await vote(client, meeting_id, item["id"], question="是否同意？", rule="majority_of_cast")
    assert response.status_code == 409
