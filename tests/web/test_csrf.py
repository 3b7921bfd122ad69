"""A form's CSRF token is good only in the session it was made for: a token
from another browser, from before a login or from before a logout is refused,
and nothing is changed."""

from __future__ import annotations

import httpx
import pytest
from litestar import Litestar

from tests.support import PASSWORD, browser, login, post
from yishi.accounts.service import issue_household_link

NEW_PASSWORD = "a brand new password"


async def change_password(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post(
        "/account/password",
        data={"current": PASSWORD, "new": NEW_PASSWORD, "repeat": NEW_PASSWORD, "_csrf_token": token},
    )


async def password_unchanged(app: Litestar) -> bool:
    async with browser(app) as other:
        await other.get("/login")
        response = await post(other, "/login", {"username": "sec_alpha", "password": PASSWORD})
        return response.status_code in (302, 303)


@pytest.mark.usefixtures("world")
async def test_a_token_planted_from_another_browser_is_refused(app: Litestar, client: httpx.AsyncClient):
    async with browser(app) as attacker:
        await attacker.get("/login")
        planted = attacker.cookies["yishi_csrf"]
    await login(client, "sec_alpha")
    client.cookies.set("yishi_csrf", planted, domain="testserver.local")
    response = await change_password(client, planted)
    assert response.status_code == 403
    assert "表单已过期" in response.text
    assert await password_unchanged(app)


@pytest.mark.usefixtures("world")
async def test_a_token_from_before_the_login_is_refused_after_it(client: httpx.AsyncClient, app: Litestar):
    await client.get("/login")
    before = client.cookies["yishi_csrf"]
    await login(client, "sec_alpha")
    after = client.cookies["yishi_csrf"]
    assert after != before
    client.cookies.set("yishi_csrf", before, domain="testserver.local")
    assert (await change_password(client, before)).status_code == 403
    assert await password_unchanged(app)


@pytest.mark.usefixtures("world")
async def test_a_token_from_before_the_logout_is_refused_after_it(client: httpx.AsyncClient):
    await login(client, "sec_alpha")
    staff_token = client.cookies["yishi_csrf"]
    await post(client, "/logout")
    assert client.cookies["yishi_csrf"] != staff_token
    other = await client.post(
        "/logout", data={"_csrf_token": staff_token}, headers={"cookie": f"yishi_csrf={staff_token}"}
    )
    assert other.status_code == 403


@pytest.mark.usefixtures("world")
async def test_the_session_token_works_in_its_own_session(client: httpx.AsyncClient, app: Litestar):
    await login(client, "sec_alpha")
    page = await client.get("/account/password")
    token = client.cookies["yishi_csrf"]
    assert f'value="{token}"' in page.text
    response = await change_password(client, token)
    assert response.status_code == 200 and "密码已修改" in response.text
    assert not await password_unchanged(app)


async def test_opening_ones_own_link_again_keeps_the_forms_already_open(client: httpx.AsyncClient, world):
    """A resident who opens the personal link a second time (another tab, the
    chat message again) is the same household: the page open in the first tab
    can still be sent."""
    token = await issue_household_link(world.households["alpha:1-1-101"], None)
    await client.get(f"/h/{token}")
    session, form_token = client.cookies["yishi_session"], client.cookies["yishi_csrf"]
    await client.get(f"/h/{token}")
    assert client.cookies["yishi_session"] == session
    assert client.cookies["yishi_csrf"] == form_token
