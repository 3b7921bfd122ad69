"""Errors and bad input never reach a 500: unknown addresses, wrong methods,
impossible ids and numbers answer a page in the site's layout, in the
reader's language, or a message next to the field."""

from __future__ import annotations

import logging
import re
from typing import Any

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


BEYOND_32_BITS = 2**31  # PostgreSQL's integer ids end at 2³¹ − 1
ID_FIELDS = ("item", "household", "proposal", "target", "building", "after", "party", "user", "person", "meeting")


def _addresses_with_ids(app: Any) -> list[str]:
    """Every route that takes an id, with that id past PostgreSQL's integer."""
    addresses = set()
    for route in app.routes:
        if not any(param.type is int for param in route.path_parameters.values()):
            continue
        path = route.path
        for param in route.path_parameters.values():
            value = str(BEYOND_32_BITS) if param.type is int else "alpha"
            path = re.sub(r"\{" + re.escape(param.name) + r":[^}]+\}", value, path)
        addresses.add(path)
    return sorted(addresses)


async def test_ids_past_the_database_integer_answer_not_found_never_500(app: Any, client: httpx.AsyncClient, world):
    addresses = _addresses_with_ids(app)
    assert len(addresses) > 40
    form = {field: str(BEYOND_32_BITS) for field in ID_FIELDS}
    for who in (None, "sec_alpha"):
        if who:
            await login(client, who)
        for address in addresses:
            for method in ("GET", "POST"):
                if method == "POST":
                    response = await post(client, address, form, follow_redirects=False)
                else:
                    response = await client.get(address, follow_redirects=False)
                assert response.status_code < 500, (who, method, address, response.status_code)
    # The same ids in forms: a field error or not found, never a 500.
    meeting = await make_meeting(world)
    for address in (
        "/compounds/alpha/ballots/",
        f"/meetings/{meeting}/sign-in/household",
        f"/meetings/{meeting}/items",
    ):
        response = await post(client, address, form)
        assert response.status_code in (400, 404), (address, response.status_code)


@pytest.mark.usefixtures("world")
async def test_a_nul_byte_in_a_form_is_refused_with_a_message_and_nothing_is_written(client: httpx.AsyncClient):
    from yishi.accounts.tables import LoginAttempt

    refused = await post(client, "/login", {"username": "sec\x00alpha", "password": "x"})
    assert refused.status_code == 400 and "无法保存的字符" in refused.text
    refused = await post(client, "/c/alpha/me", {"building": "1", "unit": "1-101", "phone": "139\x00"})
    assert refused.status_code == 400 and "无法保存的字符" in refused.text
    assert await LoginAttempt.count() == 0
    assert (await client.get("/c/alpha/proposals?next=%00")).status_code == 400
    assert (await client.get("/c/al%00pha")).status_code == 404
    await login(client, "sec_alpha")  # and an ordinary form still goes through
    assert (await client.get("/compounds/alpha/roster")).status_code == 200


@pytest.mark.parametrize(
    "path", ["/static/%00", "/static/css/%00.css", "/static/" + "a" * 3000, "/static/css/" + "b" * 300]
)
async def test_a_static_name_no_file_can_have_is_not_found(client: httpx.AsyncClient, path: str):
    assert (await client.get(path)).status_code == 404


async def test_a_client_that_leaves_mid_request_is_not_logged_as_a_server_error(
    app: Any, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
):
    events = [
        {"type": "http.request", "body": b"username=a", "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return events.pop(0) if events else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/login",
        "raw_path": b"/login",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver.local"), (b"content-type", b"application/x-www-form-urlencoded")],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver.local", 80),
    }
    with caplog.at_level(logging.INFO, logger="yishi"):
        await app(scope, receive, send)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert [m["status"] for m in sent if m["type"] == "http.response.start"] != [500]
