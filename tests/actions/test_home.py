"""Home pages list the actions a person answers for, by urgency, and stay live."""

import asyncio
from datetime import timedelta

from tests.actions.support import decided_meeting, drafted_action
from tests.support import build_world, login, post, text_of
from yishi.actions.tables import Action
from yishi.clock import local_today
from yishi.live import channels
from yishi.proposals.tables import Proposal, ProposalEvent


async def three_actions(world):
    decided = await decided_meeting(world)
    late = await drafted_action(world, decided.adopted, title="修复单元门禁")
    soon = await drafted_action(world, decided.adopted, title="清理化粪池")
    later = await drafted_action(world, decided.adopted, title="增设电动车充电棚")
    committee = await drafted_action(
        world,
        decided.adopted,
        title="公开维修资金账目",
        party_kind="committee",
        responsible=str(world.users["committee_alpha"]),
        budget="",
        funding_source="",
    )
    today = local_today()
    for action, due in (
        (late, today - timedelta(days=2)),
        (soon, today + timedelta(days=3)),
        (later, today + timedelta(days=30)),
        (committee, today + timedelta(days=1)),
    ):
        await Action.update({Action.due_on: due}).where(Action.id == action["id"])
    return decided


async def test_the_property_manager_sees_their_actions_overdue_first_each_one_click_from_an_update(client, world):
    await three_actions(world)
    await login(client, "pm_alpha")
    home = await client.get("/")
    text = text_of(home.text)
    assert text.index("已超期") < text.index("修复单元门禁") < text.index("7 天内到期") < text.index("清理化粪池")
    assert text.index("清理化粪池") < text.index("其后到期") < text.index("增设电动车充电棚")
    assert "公开维修资金账目" not in text  # the committee's, not theirs
    assert 'href="/compounds/alpha/actions/1#update"' in home.text
    assert 'sse-connect="/actions/mine/stream"' in home.text


async def test_the_secretary_sees_every_open_action_of_the_compound(client, world):
    await three_actions(world)
    await login(client, "pm_alpha")
    await post(client, "/compounds/alpha/actions/3/updates", {"text": "已建成", "move": "complete"})
    await login(client, "sec_alpha")
    text = text_of((await client.get("/")).text)
    for title in ("修复单元门禁", "清理化粪池", "公开维修资金账目"):
        assert title in text
    assert "增设电动车充电棚" not in text  # done: not open any more


async def test_another_compounds_manager_sees_none_of_them(client, world):
    await three_actions(world)
    await login(client, "pm_beta")
    text = text_of((await client.get("/")).text)
    assert "修复单元门禁" not in text and "没有待办的落实事项" in text
    assert (await client.get("/compounds/alpha/actions")).status_code == 404


async def test_a_grid_worker_has_no_action_list(client, world):
    await three_actions(world)
    await login(client, "grid_alpha1")
    home = await client.get("/")
    assert "待落实事项" not in text_of(home.text)


async def test_an_update_tells_open_screens_of_the_compound_to_refresh(client, app, world):
    await three_actions(world)
    subscriber = await channels.plugin().subscribe([channels.topic_name("actions", world.compounds["alpha"])])
    try:
        await login(client, "pm_alpha")
        await post(client, "/compounds/alpha/actions/1/updates", {"text": "已开始维修", "move": "start"})
        message = await asyncio.wait_for(anext(subscriber.iter_events()), 3)
        assert channels.decode(message).get("id")
    finally:
        await channels.plugin().unsubscribe(subscriber)


async def test_the_live_list_renders_the_same_fragment_as_the_page(client, app):
    from yishi.accounts.service import load_principal
    from yishi.home import pages as home

    world = await build_world()
    await three_actions(world)
    panel = await home.action_panel(await load_principal(world.users["pm_alpha"]))
    html = app.template_engine.get_template("actions/_my_actions.html").render(panel=panel)
    assert "修复单元门禁" in html and "已超期" in html and "<html" not in html


async def test_the_compound_list_of_actions_is_for_its_staff(client, world):
    await three_actions(world)
    for username, status in (
        ("pm_alpha", 200),
        ("grid_alpha1", 200),
        ("committee_alpha", 200),
        ("sec_beta", 404),
        ("pm_beta", 404),
    ):
        await login(client, username)
        assert (await client.get("/compounds/alpha/actions")).status_code == status, username


async def test_drafting_updating_and_finishing_write_on_the_proposals_timeline(client, world):
    decided = await decided_meeting(world)
    await drafted_action(world, decided.adopted)
    await login(client, "pm_alpha")
    await post(client, "/compounds/alpha/actions/1/updates", {"text": "灯具已到货", "move": "start"})
    stage = (await Proposal.select(Proposal.stage).where(Proposal.id == decided.proposal).first())["stage"]
    assert stage == "implement"
    await post(client, "/compounds/alpha/actions/1/updates", {"text": "全部安装完毕", "move": "complete"})
    events = await ProposalEvent.select().where(ProposalEvent.proposal == decided.proposal).order_by(ProposalEvent.id)
    kinds = [e["kind"] for e in events]
    assert kinds[-3:] == ["action_drafted", "action_update", "action_done"]
    assert "全部安装完毕" in events[-1]["text"] and events[-1]["actor_label"] == "Pm_Alpha"
    stage = (await Proposal.select(Proposal.stage).where(Proposal.id == decided.proposal).first())["stage"]
    assert stage == "supervise"
