"""Errors and bad input never reach a 500: unknown addresses, wrong methods,
impossible ids and numbers answer a page in the site's layout, in the
reader's language, or a message next to the field."""

from __future__ import annotations

import httpx
import pytest

from tests.support import login, post
from tests.voting.support import make_item, make_meeting
from yishi.voting import service
from yishi.voting.service import BallotSettings

HUGE = "9" * 4301


@pytest.mark.parametrize(
    "method, path, status",
    [
        ("GET", "/no-such-page", 404),
        ("GET", "/static/missing.css", 404),
        ("GET", "/c/no-such/x/y", 404),
        ("PUT", "/", 405),
        ("DELETE", "/login", 405),
    ],
)
async def test_an_unknown_address_or_method_answers_a_page_in_the_layout(
    client: httpx.AsyncClient, method: str, path: str, status: int
):
    response = await client.request(method, path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert 'class="site-header"' in response.text and "返回首页" in response.text
    client.cookies.set("yishi_lang", "en")
    english = await client.request(method, path)
    assert english.status_code == status and "Back to the start page" in english.text


async def test_the_site_has_a_favicon_and_a_touch_icon(client: httpx.AsyncClient):
    icon = await client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon"
    touch = await client.get("/apple-touch-icon.png")
    assert touch.status_code == 200 and touch.content.startswith(b"\x89PNG")
    page = (await client.get("/login")).text
    assert 'rel="icon" href="/favicon.ico"' in page and 'rel="apple-touch-icon"' in page


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize(
    "path",
    [
        "/meetings/9223372036854775808",
        "/meetings/99999999999999999999999",
        "/compounds/alpha/ballots/9223372036854775808",
        "/c/alpha/ballots/18446744073709551616",
    ],
)
async def test_an_id_beyond_any_row_is_not_found(client: httpx.AsyncClient, path: str):
    await login(client, "sec_alpha")
    response = await client.get(path)
    assert response.status_code == 404 and 'class="site-header"' in response.text


async def test_a_huge_or_strange_number_in_a_form_is_a_field_error(client: httpx.AsyncClient, world):
    meeting = await make_meeting(world)
    item = await make_item(meeting, "majority_of_cast")
    ballot_id = await service.open_ballot(
        world.compounds["alpha"], item, BallotSettings(), actor=world.users["sec_alpha"]
    )
    await login(client, "sec_alpha")
    for value in (HUGE, "²", "٣", "-1", "1e3"):
        response = await post(
            client, f"/compounds/alpha/ballots/{ballot_id}/hands", {"yes": value, "no": "0", "abstain": "0"}
        )
        assert response.status_code == 400 and "请填写举手人数（整数）" in response.text, value
    response = await post(client, "/compounds/alpha/ballots/", {"item": HUGE, "roll_source": "households"})
    assert response.status_code == 404
    response = await post(client, f"/meetings/{meeting}/sign-in", {"household": HUGE})
    assert response.status_code < 500
