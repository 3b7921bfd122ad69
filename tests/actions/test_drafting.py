"""The secretary drafts actions for adopted items, and only for them."""

import pytest

from tests.actions.support import decided_meeting, draft_values, due_in
from tests.support import login, post, text_of
from yishi.actions.tables import Action, StatusChange
from yishi.audit.tables import AuditEntry
from yishi.meetings.tables import Meeting


async def test_the_secretary_drafts_an_action_for_an_adopted_item(client, world):
    decided = await decided_meeting(world)
    await login(client, "sec_alpha")
    page = await client.get("/compounds/alpha/actions/resolutions")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "更换车库出口照明" in text and "通过" in text and "未通过" in text
    form = await client.get(f"/compounds/alpha/actions/new?item={decided.adopted}")
    assert form.status_code == 200 and "更换车库出口照明" in form.text
    response = await post(client, "/compounds/alpha/actions/", draft_values(world, decided.adopted))
    assert response.status_code == 200
    assert str(response.url).endswith("/compounds/alpha/actions/1")
    text = text_of(response.text)
    assert "#1 更换地下车库出口照明灯" in text
    assert "待办理" in text and "3,200.50 元" in text and "公共收益" in text
    action = await Action.select().where(Action.number == 1).first()
    assert action["budget_fen"] == 320050
    assert action["agenda_item"] == decided.adopted
    assert action["status"] == "planned"
    history = await StatusChange.select().where(StatusChange.action == action["id"])
    assert [(h["from_status"], h["to_status"], h["author"]) for h in history] == [
        ("", "planned", world.users["sec_alpha"])
    ]
    assert await AuditEntry.exists().where((AuditEntry.subject == "action") & (AuditEntry.action == "drafted"))


async def test_one_adopted_item_may_get_several_actions_numbered_in_turn(client, world):
    decided = await decided_meeting(world)
    await login(client, "sec_alpha")
    for title in ("采购灯具", "安装灯具"):
        await post(client, "/compounds/alpha/actions/", draft_values(world, decided.adopted, title=title))
    rows = await Action.select(Action.number, Action.title).order_by(Action.number)
    assert [(r["number"], r["title"]) for r in rows] == [(1, "采购灯具"), (2, "安装灯具")]


async def test_a_failed_item_gets_no_action_and_the_refusal_says_why(client, world):
    decided = await decided_meeting(world)
    await login(client, "sec_alpha")
    response = await post(client, "/compounds/alpha/actions/", draft_values(world, decided.failed))
    assert response.status_code == 400
    assert "未通过的议程不拟定落实事项" in text_of(response.text)
    assert not await Action.exists()
    form = await client.get(f"/compounds/alpha/actions/new?item={decided.failed}")
    assert form.status_code == 409
    assert "未通过" in text_of(form.text)


async def test_a_report_item_gets_no_action(client, world):
    decided = await decided_meeting(world)
    await login(client, "sec_alpha")
    response = await post(client, "/compounds/alpha/actions/", draft_values(world, decided.report))
    assert response.status_code == 400
    assert "通报事项不作决定" in text_of(response.text)


async def test_an_item_of_a_meeting_not_yet_closed_gets_no_action(client, world):
    decided = await decided_meeting(world)
    await Meeting.update({Meeting.status: "published"}).where(Meeting.id == decided.meeting)
    await login(client, "sec_alpha")
    response = await post(client, "/compounds/alpha/actions/", draft_values(world, decided.adopted))
    assert response.status_code == 400
    assert "会议尚未结束" in text_of(response.text)


async def test_an_item_of_another_compound_cannot_be_carried_out_here(client, world):
    beta = await decided_meeting(world, "beta", with_proposal=False)
    await login(client, "sec_alpha")
    response = await post(client, "/compounds/alpha/actions/", draft_values(world, beta.adopted))
    assert response.status_code == 400
    assert "请选择本小区会议的议程" in text_of(response.text)


async def test_a_wrong_form_is_shown_again_with_every_message_and_what_was_typed(client, world):
    decided = await decided_meeting(world)
    await login(client, "sec_alpha")
    values = draft_values(
        world,
        decided.adopted,
        title="",
        budget="12.345",
        due_on="2020-01-01",
        responsible=str(world.users["committee_alpha"]),
        details="出口坡道加装4盏LED灯",
    )
    response = await post(client, "/compounds/alpha/actions/", values)
    assert response.status_code == 400
    text = text_of(response.text)
    assert "请写明要做什么" in text
    assert "最多两位小数" in text
    assert "完成期限不能早于今天" in text
    assert "请选择责任方的一名工作人员" in text
    assert 'value="12.345"' in response.text and "出口坡道加装4盏LED灯" in response.text
    assert not await Action.exists()


async def test_a_budget_needs_its_funding_source(client, world):
    decided = await decided_meeting(world)
    await login(client, "sec_alpha")
    response = await post(client, "/compounds/alpha/actions/", draft_values(world, decided.adopted, funding_source=""))
    assert response.status_code == 400
    assert "请写明资金来源" in text_of(response.text)


async def test_the_committee_or_the_community_can_be_responsible(client, world):
    decided = await decided_meeting(world)
    await login(client, "sec_alpha")
    for kind, user in (("committee", "committee_alpha"), ("community", "admin"), ("branch", "sec_alpha")):
        response = await post(
            client,
            "/compounds/alpha/actions/",
            draft_values(
                world,
                decided.adopted,
                party_kind=kind,
                responsible=str(world.users[user]),
                budget="",
                funding_source="",
                due_on=due_in(3),
            ),
        )
        assert response.status_code == 200, text_of(response.text)
    kinds = await Action.select(Action.party_kind, Action.budget_fen).order_by(Action.number)
    assert [k["party_kind"] for k in kinds] == ["committee", "community", "branch"]
    assert all(k["budget_fen"] is None for k in kinds)


DRAFT = [
    ("admin", 200),
    ("sec_alpha", 200),
    ("pm_alpha", 403),
    ("committee_alpha", 403),
    ("grid_alpha1", 403),
    ("sec_beta", 404),
    ("pm_beta", 404),
]


@pytest.mark.parametrize(("username", "status"), DRAFT)
async def test_only_the_secretary_or_community_admin_of_the_compound_drafts_actions(client, username, status, world):
    decided = await decided_meeting(world)
    await login(client, username)
    response = await post(client, "/compounds/alpha/actions/", draft_values(world, decided.adopted))
    assert response.status_code == status
    assert (await client.get("/compounds/alpha/actions/resolutions")).status_code == status
    assert (await client.get(f"/compounds/alpha/actions/new?item={decided.adopted}")).status_code == status
    assert await Action.exists() == (status == 200)


async def test_drafting_needs_a_login(client, world):
    decided = await decided_meeting(world)
    response = await post(client, "/compounds/alpha/actions/", draft_values(world, decided.adopted))
    assert "/login" in str(response.url)
    assert not await Action.exists()
