"""Answers that are the same for everyone (icons, styles, scripts, the health
check) carry nobody's cookies, are kept by browsers rather than replayed by
the server, and a page load that stores nothing in a session writes no
session row."""

from __future__ import annotations

import re

import httpx
import pytest
from litestar import Litestar

from tests.support import PASSWORD, browser, login, text_of
from yishi.accounts.service import issue_household_link
from yishi.accounts.tables import SessionRecord

SHARED = [
    "/favicon.ico",
    "/apple-touch-icon.png",
    "/apple-touch-icon-precomposed.png",
    "/static/css/yishi.css",
    "/static/icons/icon-192.png",
    "/healthz",
]


def _set_cookies(response: httpx.Response) -> list[str]:
    return response.headers.get_list("set-cookie")


async def test_shared_answers_never_hand_one_persons_cookies_to_another(
    app: Litestar, client: httpx.AsyncClient, world
):
    await login(client, "sec_alpha")
    await client.get("/")
    staff_cookies = {client.cookies["yishi_session"], client.cookies["yishi_csrf"]}
    async with browser(app) as resident:
        token = await issue_household_link(world.households["alpha:1-1-101"], None)
        await resident.get(f"/h/{token}", follow_redirects=True)
        resident_cookies = {resident.cookies["yishi_session"]}
        for path in SHARED:  # the secretary's browser, then the resident's, ask first
            for person in (client, resident):
                asked = await person.get(path)
                assert asked.status_code == 200, path
                assert _set_cookies(asked) == [], (path, _set_cookies(asked))
    async with browser(app) as stranger:
        for path in SHARED:
            answer = await stranger.get(path)
            assert answer.status_code == 200
            assert _set_cookies(answer) == [], (path, _set_cookies(answer))
            assert not any(value in str(answer.headers) for value in staff_cookies | resident_cookies)
        # Had a replayed answer planted the secretary's session, this would be her roster.
        assert (await stranger.get("/compounds/alpha/roster")).status_code != 200


async def test_icons_and_static_files_are_cached_by_browsers_not_by_the_server(
    app: Litestar, client: httpx.AsyncClient
):
    for path in SHARED[:-1]:
        answer = await client.get(path)
        assert "public" in answer.headers["cache-control"] and "max-age=" in answer.headers["cache-control"], path
    stored_on_server = [
        handler.handler_name for route in app.routes for handler in route.route_handlers if getattr(handler, "cache", 0)
    ]
    assert stored_on_server == []


@pytest.mark.usefixtures("world")
async def test_a_fresh_browser_logs_in_on_its_first_try_after_fetching_the_icon(app: Litestar):
    async with browser(app) as first:  # the first to ask for the icon after a start is logged in
        await login(first, "sec_alpha")
        first.cookies.delete("yishi_csrf")
        await first.get("/favicon.ico")
    async with browser(app) as fresh:  # a new phone: the login page, then (as browsers do) the icon
        page = await fresh.get("/login")
        token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
        await fresh.get("/favicon.ico")
        answer = await fresh.post("/login", data={"username": "sec_beta", "password": PASSWORD, "_csrf_token": token})
        assert answer.status_code in (302, 303), text_of(answer.text)[:300]
        home = await fresh.get("/", follow_redirects=True)
        assert "Sec_Beta" in home.text


@pytest.mark.usefixtures("world")
async def test_pages_that_store_nothing_write_no_session(client: httpx.AsyncClient):
    before = await SessionRecord.count()
    for path in ("/login", "/c/alpha", "/c/alpha/proposals", "/c/alpha/board", "/no-such-page"):
        for _ in range(3):
            client.cookies.clear()
            answer = await client.get(path)
            assert "yishi_session" not in " ".join(_set_cookies(answer)), path
    assert await SessionRecord.count() == before
    await login(client, "sec_alpha")
    assert await SessionRecord.count() == before + 1
