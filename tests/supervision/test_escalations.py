"""Reopened actions go to the community, then up to the street when still open (分级响应)."""

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from tests.conftest import run_in_thread
from tests.supervision.support import as_household, done_action
from tests.support import build_world, login, post, text_of
from yishi.accounts.residents import identity_of
from yishi.cli import main
from yishi.supervision import service
from yishi.supervision.tables import Escalation


async def escalated(client, world):
    action = await done_action(world)
    for household in ("alpha:1-1-101", "alpha:1-1-102", "alpha:1-1-201"):
        await as_household(client, world, household)
        await post(client, "/c/alpha/board/actions/1/rating", {"verdict": "unsatisfied"})
    client.cookies.clear()
    return action, await Escalation.select().first()


async def test_an_escalation_still_open_after_the_set_days_goes_up_to_the_street(client, world):
    _action, escalation = await escalated(client, world)
    assert await service.raise_overdue_escalations() == []
    moved = await service.raise_overdue_escalations(datetime.now(UTC) + timedelta(days=7, minutes=1))
    assert moved == [escalation["id"]]
    row = await Escalation.select().first()
    assert row["level"] == "street" and row["street_at"] is not None
    board = text_of((await client.get("/c/alpha/board")).text)
    assert "已重新办理并上报杜桥街道" in board
    await login(client, "admin")
    street = await client.get(f"/streets/{quote('杜桥街道')}/escalations")
    assert street.status_code == 200
    assert "#1 更换地下车库出口照明灯" in text_of(street.text)


async def test_loading_the_community_page_moves_overdue_escalations_up(client, world):
    _action, escalation = await escalated(client, world)
    await Escalation.update({Escalation.opened_at: datetime.now(UTC) - timedelta(days=8)}).where(
        Escalation.id == escalation["id"]
    )
    await login(client, "admin")
    page = text_of((await client.get("/communities/c1/escalations")).text)
    assert (await Escalation.select().first())["level"] == "street"
    assert "街道" in page


def test_the_escalate_command_moves_overdue_escalations_up(settings, monkeypatch):
    async def overdue_escalation() -> None:
        world = await build_world()
        await done_action(world)
        for key in ("alpha:1-1-101", "alpha:1-1-102", "alpha:1-1-201"):
            household = await identity_of(world.households[key])
            await service.rate(household, world.compounds["alpha"], 1, "unsatisfied", "")
        await Escalation.update({Escalation.opened_at: datetime.now(UTC) - timedelta(days=30)}, force=True)

    run_in_thread(overdue_escalation())
    monkeypatch.setenv("YISHI_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("YISHI_SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("YISHI_VAR_DIR", str(settings.var_dir))
    result = CliRunner().invoke(main, ["escalate"])
    assert result.exit_code == 0, result.output
    assert "1" in result.output
    assert run_in_thread(Escalation.select(Escalation.level).first().run())["level"] == "street"
    again = CliRunner().invoke(main, ["escalate"])
    assert again.exit_code == 0 and "0" in again.output


async def test_the_community_admin_closes_an_escalation_with_a_note(client, world):
    _action, escalation = await escalated(client, world)
    await login(client, "admin")
    empty = await post(client, f"/communities/c1/escalations/{escalation['id']}/close", {"note": ""})
    assert empty.status_code == 400 and "请写明处理情况" in text_of(empty.text)
    response = await post(
        client, f"/communities/c1/escalations/{escalation['id']}/close", {"note": "已约谈物业，限期一周补装"}
    )
    assert response.status_code == 200 and "督办已办结" in text_of(response.text)
    row = await Escalation.select().first()
    assert row["closed_at"] is not None and row["closed_reason"] == "handled"
    board = text_of((await client.get("/c/alpha/board/actions/1")).text)
    assert "已约谈物业，限期一周补装" in board


ESCALATION_PAGE = [
    ("admin", 200),
    ("sec_alpha", 404),
    ("pm_alpha", 404),
    ("committee_alpha", 404),
    ("grid_alpha1", 404),
    ("sec_beta", 404),
]


@pytest.mark.parametrize(("username", "status"), ESCALATION_PAGE)
async def test_only_the_community_admin_sees_and_closes_its_escalations(client, username, status, world):
    _action, escalation = await escalated(client, world)
    await login(client, username)
    assert (await client.get("/communities/c1/escalations")).status_code == status
    response = await post(client, f"/communities/c1/escalations/{escalation['id']}/close", {"note": "处理"})
    assert response.status_code == status
    assert ((await Escalation.select().first())["closed_at"] is not None) == (status == 200)
    street = await client.get(f"/streets/{quote('杜桥街道')}/escalations")
    assert street.status_code == status


@pytest.mark.usefixtures("world")
async def test_the_street_page_is_only_for_communities_of_that_street(client):
    await login(client, "admin")
    assert (await client.get(f"/streets/{quote('别的街道')}/escalations")).status_code == 404


async def test_the_admin_home_page_counts_open_escalations(client, world):
    await escalated(client, world)
    await login(client, "admin")
    home = text_of((await client.get("/")).text)
    assert "六泉路社区待处理督办：1 件" in home
