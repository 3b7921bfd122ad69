"""A household objects to a done action; the secretary upholds (reopen, escalate) or not."""

import io

import pytest
from PIL import Image

from tests.actions.support import decided_meeting, drafted_action
from tests.supervision.support import as_household, done_action
from tests.support import login, post, text_of
from yishi.accounts.residents import identity_of
from yishi.actions.tables import Action
from yishi.errors import NotFound
from yishi.supervision import service
from yishi.supervision.tables import Escalation, Objection, ObjectionPhoto

URL = "/c/alpha/board/actions/1/objection"


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), (90, 90, 90)).save(out, format="PNG")
    return out.getvalue()


async def objected(client, world, household="alpha:1-1-101", reason="出口东侧的灯不亮，晚上还是很黑"):
    await as_household(client, world, household)
    return await post(client, URL, {"reason": reason}, files=[("photos", ("dark.png", photo(), "image/png"))])


async def test_a_household_objects_with_a_photo_and_the_secretary_upholds_it(client, world):
    action = await done_action(world)
    response = await objected(client, world)
    assert response.status_code == 200 and "您的异议已提交书记" in text_of(response.text)
    objection = await Objection.select().first()
    assert objection["status"] == "open" and objection["round"] == 1
    assert await ObjectionPhoto.count() == 1

    await login(client, "sec_alpha")
    page = await client.get("/compounds/alpha/actions/1")
    assert "出口东侧的灯不亮" in text_of(page.text) and "住户 1-1-101" in text_of(page.text)
    photo_row = await ObjectionPhoto.select().first()
    assert (await client.get(f"/compounds/alpha/actions/1/objection-photos/{photo_row['id']}")).status_code == 200
    decided = await post(
        client,
        f"/compounds/alpha/actions/1/objections/{objection['id']}",
        {"decision": "uphold", "note": "经现场查看属实，责成物业补装"},
    )
    assert decided.status_code == 200 and "异议成立" in text_of(decided.text)
    assert (await Action.select(Action.status).where(Action.id == action["id"]).first())["status"] == "reopened"
    escalation = await Escalation.select().first()
    assert escalation["cause"] == "objection" and escalation["objection"] == objection["id"]
    board = text_of((await client.get("/c/alpha/board")).text)
    assert "经现场查看属实，责成物业补装" in board and "已重新办理并上报六泉路社区" in board


async def test_a_dismissed_objection_leaves_the_action_done_with_the_reason_on_the_board(client, world):
    action = await done_action(world)
    await objected(client, world)
    objection = await Objection.select().first()
    await login(client, "sec_alpha")
    await post(
        client,
        f"/compounds/alpha/actions/1/objections/{objection['id']}",
        {"decision": "dismiss", "note": "东侧灯为市政路灯，已转报市政部门"},
    )
    assert (await Action.select(Action.status).where(Action.id == action["id"]).first())["status"] == "done"
    assert not await Escalation.exists()
    board = text_of((await client.get("/c/alpha/board")).text)
    assert "异议不成立" in board and "已转报市政部门" in board


async def test_a_decision_needs_its_reason(client, world):
    await done_action(world)
    await objected(client, world)
    objection = await Objection.select().first()
    await login(client, "sec_alpha")
    response = await post(
        client, f"/compounds/alpha/actions/1/objections/{objection['id']}", {"decision": "uphold", "note": ""}
    )
    assert response.status_code == 400 and "请写明处理意见" in text_of(response.text)
    assert (await Objection.select().first())["status"] == "open"


async def test_an_objection_is_decided_once(client, world):
    await done_action(world)
    await objected(client, world)
    objection = await Objection.select().first()
    await login(client, "sec_alpha")
    url = f"/compounds/alpha/actions/1/objections/{objection['id']}"
    await post(client, url, {"decision": "dismiss", "note": "理由"})
    again = await post(client, url, {"decision": "uphold", "note": "改主意"})
    assert again.status_code == 409


DECIDE = [
    ("pm_alpha", 403),
    ("committee_alpha", 403),
    ("grid_alpha1", 403),
    ("sec_beta", 404),
    ("pm_beta", 404),
    ("admin", 200),
]


@pytest.mark.parametrize(("username", "status"), DECIDE)
async def test_only_the_secretary_decides_on_objections(client, username, status, world):
    await done_action(world)
    await objected(client, world)
    objection = await Objection.select().first()
    await login(client, username)
    response = await post(
        client, f"/compounds/alpha/actions/1/objections/{objection['id']}", {"decision": "uphold", "note": "同意"}
    )
    assert response.status_code == status
    assert ((await Objection.select().first())["status"] == "upheld") == (status == 200)


async def test_a_household_has_one_open_objection_per_action(client, world):
    await done_action(world)
    await objected(client, world)
    again = await post(client, URL, {"reason": "还是不亮，再说一次"})
    assert again.status_code == 409 and "正在等待答复" in text_of(again.text)


async def test_an_objection_needs_a_reason_and_keeps_it_when_a_photo_is_refused(client, world):
    await done_action(world)
    await as_household(client, world, "alpha:1-1-101")
    empty = await post(client, URL, {"reason": ""})
    assert empty.status_code == 400 and "请用一两句话写明问题" in text_of(empty.text)
    bad = await post(
        client, URL, {"reason": "灯不亮，见附件"}, files=[("photos", ("report.pdf", b"%PDF-1.4 x", "application/pdf"))]
    )
    assert bad.status_code == 400 and "这里只收照片" in text_of(bad.text) and "灯不亮，见附件" in bad.text
    assert not await Objection.exists()


async def test_an_action_not_done_cannot_be_objected_to(client, world):
    decided = await decided_meeting(world)
    await drafted_action(world, decided.adopted)
    await as_household(client, world, "alpha:1-1-101")
    response = await post(client, URL, {"reason": "还没开工就说办完了"})
    assert response.status_code == 409
    assert not await Objection.exists()


async def test_a_household_outside_the_buildings_concerned_cannot_object(client, world):
    await done_action(world, building_ids=[world.buildings[("alpha", "1")]])
    response = await objected(client, world, household="alpha:2-1-101")
    assert response.status_code == 403
    assert not await Objection.exists()


async def test_without_a_household_an_objection_asks_who_you_are_first(client, world):
    await done_action(world)
    response = await post(client, URL, {"reason": "灯不亮"})
    assert "/c/alpha/me" in str(response.url)


async def test_the_service_refuses_a_household_of_another_compound(settings, world):
    await done_action(world)
    beta = await identity_of(world.households["beta:1-1-101"])
    with pytest.raises(NotFound):
        await service.rate(beta, world.compounds["alpha"], 1, "satisfied", "")
    with pytest.raises(NotFound):
        await service.object_to(beta, world.compounds["alpha"], 1, "理由理由", [], settings.var_dir)


async def test_objection_photos_are_for_staff_of_the_compound(client, world):
    await done_action(world)
    await objected(client, world)
    photo_row = await ObjectionPhoto.select().first()
    url = f"/compounds/alpha/actions/1/objection-photos/{photo_row['id']}"
    client.cookies.clear()
    assert "/login" in str((await client.get(url)).url)
    await login(client, "pm_beta")
    assert (await client.get(url)).status_code == 404
