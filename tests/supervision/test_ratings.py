"""Households rate a done action once; too many unsatisfied ratings reopen and escalate it."""

import pytest

from tests.actions.support import decided_meeting, drafted_action
from tests.supervision.support import as_household, done_action
from tests.support import login, post, text_of
from yishi.actions.tables import Action, StatusChange
from yishi.roster.tables import Compound
from yishi.supervision.tables import Escalation, Rating

URL = "/c/alpha/board/actions/1/rating"


async def rate(client, world, household, verdict, comment=""):
    await as_household(client, world, household)
    return await post(client, URL, {"verdict": verdict, "comment": comment})


async def test_a_household_rates_a_done_action_once(client, world):
    await done_action(world)
    response = await rate(client, world, "alpha:1-1-101", "satisfied", "灯很亮，谢谢物业")
    assert response.status_code == 200 and "谢谢，您的评价已记录" in text_of(response.text)
    assert "您家（1-1-101）已于" in text_of(response.text)
    again = await post(client, URL, {"verdict": "unsatisfied"})
    assert again.status_code == 409
    assert "您家已于" in text_of(again.text) and "满意" in text_of(again.text)
    rows = await Rating.select()
    assert len(rows) == 1 and rows[0]["verdict"] == "satisfied" and rows[0]["comment"] == "灯很亮，谢谢物业"


async def test_the_database_refuses_a_second_rating_of_the_same_completion(settings, client, world):
    action = await done_action(world)
    household = world.households["alpha:1-1-101"]
    await Rating.insert(Rating(action=action["id"], household=household, round=1, verdict="satisfied"))
    with pytest.raises(Exception) as error:
        await Rating.insert(Rating(action=action["id"], household=household, round=1, verdict="unsatisfied"))
    assert "unique" in str(error.value).lower()


async def test_most_households_unsatisfied_reopen_the_action_and_escalate_it_to_the_community(client, world):
    action = await done_action(world)
    await rate(client, world, "alpha:1-1-101", "unsatisfied", "只装了两盏")
    await rate(client, world, "alpha:1-1-102", "basically_satisfied")
    response = await rate(client, world, "alpha:2-1-101", "unsatisfied", "出口还是很暗")
    assert "不满意的住户过多" in text_of(response.text)
    row = await Action.select().where(Action.id == action["id"]).first()
    assert row["status"] == "reopened"
    change = await StatusChange.select().where(StatusChange.to_status == "reopened").first()
    assert change["cause"] == "ratings" and change["author"] is None
    escalation = await Escalation.select().first()
    assert escalation["level"] == "community" and escalation["cause"] == "ratings"
    assert escalation["closed_at"] is None
    # No more ratings while it is reopened.
    late = await rate(client, world, "alpha:2-1-102", "satisfied")
    assert late.status_code == 409
    board = text_of((await client.get("/c/alpha/board")).text)
    assert "已重新办理并上报六泉路社区" in board
    await login(client, "admin")
    page = text_of((await client.get("/communities/c1/escalations")).text)
    assert "#1 更换地下车库出口照明灯" in page and "不满意评价过多" in page


async def test_one_unsatisfied_of_three_does_not_reopen(client, world):
    action = await done_action(world)
    for household, verdict in (
        ("alpha:1-1-101", "unsatisfied"),
        ("alpha:1-1-102", "satisfied"),
        ("alpha:1-1-201", "basically_satisfied"),
    ):
        await rate(client, world, household, verdict)
    assert (await Action.select(Action.status).where(Action.id == action["id"]).first())["status"] == "done"
    assert not await Escalation.exists()


async def test_the_compound_sets_its_own_reopening_share(client, world):
    await Compound.update(
        {
            Compound.reopen_unsatisfied_numerator: 1,
            Compound.reopen_unsatisfied_denominator: 2,
            Compound.reopen_min_ratings: 4,
        }
    ).where(Compound.code == "alpha")
    action = await done_action(world)
    for household, verdict in (
        ("alpha:1-1-101", "unsatisfied"),
        ("alpha:1-1-102", "unsatisfied"),
        ("alpha:1-1-201", "satisfied"),
    ):
        await rate(client, world, household, verdict)
    assert (await Action.select(Action.status).where(Action.id == action["id"]).first())["status"] == "done"
    await rate(client, world, "alpha:2-1-101", "satisfied")  # 2 of 4 is not more than half
    assert (await Action.select(Action.status).where(Action.id == action["id"]).first())["status"] == "done"
    await rate(client, world, "alpha:2-1-102", "unsatisfied")  # 3 of 5 is
    assert (await Action.select(Action.status).where(Action.id == action["id"]).first())["status"] == "reopened"


async def test_done_again_the_action_is_rated_afresh_and_its_escalation_closes(client, world):
    action = await done_action(world)
    for household in ("alpha:1-1-101", "alpha:1-1-102", "alpha:1-1-201"):
        await rate(client, world, household, "unsatisfied")
    await login(client, "pm_alpha")
    await post(client, "/compounds/alpha/actions/1/updates", {"text": "补装两盏灯", "move": "complete"})
    row = await Action.select().where(Action.id == action["id"]).first()
    assert row["status"] == "done" and row["round"] == 2
    escalation = await Escalation.select().first()
    assert escalation["closed_at"] is not None and escalation["closed_reason"] == "done_again"
    response = await rate(client, world, "alpha:1-1-101", "satisfied")
    assert response.status_code == 200
    assert await Rating.count().where(Rating.round == 2) == 1


async def test_a_household_of_another_building_cannot_rate_an_action_for_building_one(client, world):
    await done_action(world, building_ids=[world.buildings[("alpha", "1")]])
    response = await rate(client, world, "alpha:2-1-101", "satisfied")
    assert response.status_code == 403
    assert "本事项涉及其他楼栋" in text_of(response.text)
    assert (await rate(client, world, "alpha:1-1-101", "satisfied")).status_code == 200
    assert await Rating.count() == 1


async def test_a_household_of_another_compound_is_asked_which_household_here_it_is(client, world):
    await done_action(world)
    response = await rate(client, world, "beta:1-1-101", "satisfied")
    assert "/c/alpha/me" in str(response.url)
    assert not await Rating.exists()


async def test_an_action_not_done_cannot_be_rated(client, world):
    decided = await decided_meeting(world)
    await drafted_action(world, decided.adopted)
    response = await rate(client, world, "alpha:1-1-101", "satisfied")
    assert response.status_code == 409 and "事项办结后才能评价" in text_of(response.text)


async def test_without_a_household_the_rating_asks_who_you_are_first(client, world):
    await done_action(world)
    response = await post(client, URL, {"verdict": "satisfied"})
    assert "/c/alpha/me" in str(response.url) and "next=" in str(response.url)
    assert not await Rating.exists()


async def test_staff_logged_in_are_not_a_household(client, world):
    await done_action(world)
    await login(client, "sec_alpha")
    response = await post(client, URL, {"verdict": "satisfied"})
    assert "/c/alpha/me" in str(response.url)
    assert not await Rating.exists()


async def test_a_rating_without_a_verdict_is_shown_again_with_the_comment_kept(client, world):
    await done_action(world)
    response = await rate(client, world, "alpha:1-1-101", "great", "评论保留")
    assert response.status_code == 400
    assert "请选择满意、基本满意或不满意" in text_of(response.text) and "评论保留" in response.text
    assert not await Rating.exists()


async def test_with_htmx_the_rating_returns_its_panel(client, world):
    await done_action(world)
    await as_household(client, world, "alpha:1-1-101")
    response = await post(client, URL, {"verdict": "satisfied"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "<html" not in response.text
    assert "谢谢，您的评价已记录" in response.text
