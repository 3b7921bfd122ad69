"""Sessions cannot be planted or outlive what opened them: a new session id
at every login, logout and household identification, ids the server did not
issue are ignored, and reissuing a household's link ends the sessions
opened with the old one."""

from __future__ import annotations

import httpx
import pytest
from litestar import Litestar

from tests.support import browser, login, post
from yishi import db
from yishi.accounts.service import issue_household_link
from yishi.accounts.tables import SessionRecord


async def _is_staff(app: Litestar, session_id: str) -> bool:
    async with browser(app, session_id) as other:
        return (await other.get("/compounds/alpha/roster")).status_code == 200


@pytest.mark.usefixtures("world")
async def test_a_planted_session_id_never_becomes_a_staff_session(app: Litestar, client: httpx.AsyncClient):
    client.cookies.set("yishi_session", "anything", domain="testserver.local")
    await login(client, "sec_alpha")
    issued = client.cookies["yishi_session"]
    assert issued != "anything" and len(issued) >= 64
    assert not await SessionRecord.exists().where(SessionRecord.key == "anything")
    assert not await _is_staff(app, "anything")
    assert await _is_staff(app, issued)


async def test_login_moves_an_issued_session_to_a_new_id_and_ends_the_old_one(
    app: Litestar, client: httpx.AsyncClient, world
):
    token = await issue_household_link(world.households["alpha:1-1-101"], None)
    await client.get(f"/h/{token}", follow_redirects=True)
    resident_id = client.cookies["yishi_session"]
    async with browser(app, resident_id) as planted:  # the attacker knows this id
        assert "1-1-101" in (await planted.get("/c/alpha/proposals/mine", follow_redirects=True)).text
    await login(client, "sec_alpha")
    staff_id = client.cookies["yishi_session"]
    assert staff_id != resident_id
    assert not await _is_staff(app, resident_id) and await _is_staff(app, staff_id)
    assert not await SessionRecord.exists().where(SessionRecord.key == resident_id)


async def test_identifying_as_a_household_starts_a_new_session(app: Litestar, client: httpx.AsyncClient, world):
    await login(client, "sec_alpha")
    before = client.cookies["yishi_session"]
    token = await issue_household_link(world.households["alpha:1-1-102"], None)
    await client.get(f"/h/{token}", follow_redirects=True)
    assert client.cookies["yishi_session"] != before
    assert not await SessionRecord.exists().where(SessionRecord.key == before)


@pytest.mark.usefixtures("world")
async def test_logging_out_ends_the_session_id(app: Litestar, client: httpx.AsyncClient):
    await login(client, "sec_alpha")
    session_id = client.cookies["yishi_session"]
    await post(client, "/logout")
    assert not await _is_staff(app, session_id)
    assert not await SessionRecord.exists().where(SessionRecord.key == session_id)


async def test_reissuing_a_household_link_ends_the_sessions_opened_with_the_old_one(client: httpx.AsyncClient, world):
    household = world.households["alpha:1-1-101"]
    old = await issue_household_link(household, None)
    await client.get(f"/h/{old}", follow_redirects=True)
    mine = "/c/alpha/proposals/mine"
    assert "1-1-101" in (await client.get(mine, follow_redirects=True)).text
    await issue_household_link(household, None)  # voter slips printed again
    page = await client.get(mine, follow_redirects=True)
    assert "1-1-101" not in page.text


def test_purge_deletes_expired_sessions_and_old_attempts_and_keeps_the_rest(settings, monkeypatch):
    from datetime import timedelta

    from click.testing import CliRunner

    from tests.conftest import run_in_thread
    from yishi import clock
    from yishi.accounts.tables import LoginAttempt
    from yishi.cli import main

    monkeypatch.setenv("YISHI_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("YISHI_SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("YISHI_VAR_DIR", str(settings.var_dir))
    now = clock.now()

    async def fill() -> None:
        for key, expires in (("old", now - timedelta(hours=1)), ("live", now + timedelta(days=1))):
            await SessionRecord.insert(SessionRecord(key=key, data=b"{}", expires_at=expires))
        for address, at in (("10.0.0.1", now - timedelta(hours=2)), ("10.0.0.2", now - timedelta(minutes=1))):
            await LoginAttempt.insert(LoginAttempt(username="u", address=address, at=at))

    async def left() -> tuple[list[str], list[str]]:
        sessions = [r["key"] for r in await SessionRecord.select(SessionRecord.key)]
        addresses = [r["address"] for r in await LoginAttempt.select(LoginAttempt.address)]
        return sessions, addresses

    run_in_thread(fill())
    result = CliRunner().invoke(main, ["purge"])
    assert result.exit_code == 0, result.output
    assert "1 expired session(s) and 1 old attempt(s) deleted" in result.output
    db.configure(settings)
    assert run_in_thread(left()) == (["live"], ["10.0.0.2"])


async def test_serving_purges_expired_sessions_from_its_start(app: Litestar):
    import asyncio
    from datetime import timedelta

    from yishi import clock

    await SessionRecord.insert(SessionRecord(key="old", data=b"{}", expires_at=clock.now() - timedelta(hours=1)))
    async with app.lifespan():
        for _ in range(50):
            if not await SessionRecord.exists().where(SessionRecord.key == "old"):
                break
            await asyncio.sleep(0.05)
        assert not await SessionRecord.exists().where(SessionRecord.key == "old")
