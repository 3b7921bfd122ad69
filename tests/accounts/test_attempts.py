"""Attempt limits hold against bursts and behind a proxy: an attempt is
counted before it is checked, so N simultaneous guesses are limited exactly
like N guesses in a row, over real HTTP and across workers."""

from __future__ import annotations

import asyncio
import itertools
import random
from pathlib import Path

import httpx
import pytest
from litestar import Litestar

from tests.conftest import BASE_URL
from tests.support import PASSWORD, build_world
from tests.voting.test_workers import workers
from yishi.accounts import attempts
from yishi.accounts.tables import LoginAttempt
from yishi.app import create_app
from yishi.settings import Settings
from yishi.web.addresses import client_address


async def _fresh_clients(urls: list[str], count: int) -> list[httpx.AsyncClient]:
    """``count`` browsers that have each loaded the login page (at once, so that
    no kept-alive connection idles out before the burst)."""
    clients = [httpx.AsyncClient(base_url=urls[n % len(urls)], timeout=60) for n in range(count)]
    await asyncio.gather(*[c.get("/login") for c in clients])
    return clients


async def _post(client: httpx.AsyncClient, path: str, data: dict[str, str]) -> int:
    response = await client.post(path, data=data, headers={"x-csrftoken": client.cookies["yishi_csrf"]})
    return response.status_code


@pytest.mark.usefixtures("world")
async def test_a_burst_of_wrong_passwords_is_checked_no_more_than_the_limit(settings: Settings, tmp_path: Path):
    with workers(settings, tmp_path, 1 if not settings.is_postgres else 2) as urls:
        clients = await _fresh_clients(urls, 40)
        statuses = await asyncio.gather(
            *[_post(c, "/login", {"username": "sec_alpha", "password": f"guess {n}"}) for n, c in enumerate(clients)]
        )
        for c in clients:
            await c.aclose()
    assert statuses.count(400) == attempts.PER_KEY_AND_ADDRESS
    assert statuses.count(429) == 40 - attempts.PER_KEY_AND_ADDRESS
    assert await LoginAttempt.count() == attempts.PER_KEY_AND_ADDRESS


@pytest.mark.usefixtures("world")
async def test_a_burst_of_phone_guesses_for_one_unit_lets_no_more_than_the_limit_be_checked(
    settings: Settings, tmp_path: Path
):
    guesses = [f"1390000{n:04d}" for n in range(99)] + ["13900001100"]  # the roster's phone of 1-1-101
    random.Random(7).shuffle(guesses)
    with workers(settings, tmp_path, 1 if not settings.is_postgres else 2) as urls:
        clients = await _fresh_clients(urls, len(guesses))
        statuses = await asyncio.gather(
            *[
                _post(c, "/c/alpha/me", {"building": "1", "unit": "1-101", "phone": phone})
                for c, phone in zip(clients, guesses)
            ]
        )
        for c in clients:
            await c.aclose()
    checked = [s for s in statuses if s != 429]
    assert len(checked) <= attempts.PER_KEY_AND_ADDRESS
    assert statuses.count(429) >= len(guesses) - attempts.PER_KEY_AND_ADDRESS


def _browser(app: Litestar, address: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 40000)), base_url=BASE_URL)


async def _login(client: httpx.AsyncClient, username: str, password: str, forwarded_for: str | None = None) -> int:
    await client.get("/login")
    headers = {"x-csrftoken": client.cookies["yishi_csrf"]}
    if forwarded_for:
        headers["x-forwarded-for"] = forwarded_for
    response = await client.post("/login", data={"username": username, "password": password}, headers=headers)
    return response.status_code


@pytest.mark.usefixtures("world")
async def test_a_guesser_at_one_address_does_not_lock_out_the_account_holder_at_another(
    app: Litestar, client: httpx.AsyncClient
):
    async with _browser(app, "203.0.113.7") as guesser, _browser(app, "198.51.100.2") as holder:
        for n in range(6):
            await _login(guesser, "sec_alpha", f"guess {n}")
        assert await _login(guesser, "sec_alpha", PASSWORD) == 429
        assert await _login(holder, "sec_alpha", PASSWORD) == 302


@pytest.mark.usefixtures("world")
async def test_behind_an_unnamed_proxy_failures_do_not_lock_out_everyone(app: Litestar, client: httpx.AsyncClient):
    async with _browser(app, "10.0.0.1") as proxy:
        for n in range(attempts.PER_ADDRESS + 1):
            assert await _login(proxy, f"someone{n}", "wrong", forwarded_for=f"192.0.2.{n}") == 400
        assert await _login(proxy, "sec_alpha", PASSWORD, forwarded_for="192.0.2.200") == 302


@pytest.fixture
def quick_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    """The waits between guesses, shortened: the tests count what is checked, not seconds."""
    monkeypatch.setattr(attempts, "DELAY_STEP", 0.01)


async def _identify(
    client: httpx.AsyncClient, unit: str, phone: str, forwarded_for: str | None = None
) -> httpx.Response:
    await client.get("/c/alpha/me")
    headers = {"x-csrftoken": client.cookies["yishi_csrf"]}
    if forwarded_for:
        headers["x-forwarded-for"] = forwarded_for
    return await client.post("/c/alpha/me", data={"building": "1", "unit": unit, "phone": phone}, headers=headers)


@pytest.mark.usefixtures("world", "quick_waits")
async def test_an_address_that_fails_too_often_is_refused_unit_and_phone_but_not_a_link_or_a_sound_account(
    app: Litestar, client: httpx.AsyncClient, world
):
    from yishi.accounts.service import issue_household_link

    token = await issue_household_link(world.households["alpha:1-1-102"], None)
    async with _browser(app, "203.0.113.9") as nat:  # a carrier's NAT: many phones, one address
        for n in range(attempts.PER_ADDRESS):
            await _identify(nat, f"9-{n}", "13900000000")
        refused = await _identify(nat, "1-101", "13900001100")
        assert refused.status_code == 429 and "专属链接" in refused.text and "网格员" in refused.text
        for n in range(2):  # an account that failed from here is refused too
            await _login(nat, "sec_beta", f"wrong {n}")
        assert await _login(nat, "sec_beta", PASSWORD) == 429
        assert await _login(nat, "sec_alpha", PASSWORD) == 302  # one that has not failed is not
    async with _browser(app, "203.0.113.9") as neighbour:
        opened = await neighbour.get(f"/h/{token}", follow_redirects=True)
        assert opened.status_code == 200 and "1-1-102" in opened.text


@pytest.mark.usefixtures("world", "quick_waits")
async def test_a_forwarded_for_header_from_an_unnamed_peer_does_not_escape_the_address_limit(
    app: Litestar, client: httpx.AsyncClient
):  # client: the app runs, with its connection pool
    async with _browser(app, "203.0.113.10") as guesser:
        statuses = [
            (await _identify(guesser, f"9-{n}", "13900000000", forwarded_for=f"198.51.100.{n}")).status_code
            for n in range(attempts.PER_ADDRESS + 10)
        ]
    assert statuses[: attempts.PER_ADDRESS].count(429) == 0
    assert statuses[attempts.PER_ADDRESS :] == [429] * 10
    rows = await LoginAttempt.select(LoginAttempt.address)
    assert {r["address"] for r in rows} == {"203.0.113.10"}


@pytest.mark.usefixtures("world", "quick_waits")
async def test_guesses_from_many_addresses_at_once_are_checked_no_more_than_the_limit_of_their_key(
    app: Litestar, client: httpx.AsyncClient
):
    guesses = [f"1390000{n:04d}" for n in range(99)] + ["13900001100"]  # the roster's phone of 1-1-101
    random.Random(11).shuffle(guesses)
    phones = [_browser(app, f"10.1.{n // 200}.{n % 200 + 1}") for n in range(len(guesses))]
    statuses = await asyncio.gather(*[_identify(c, "1-101", phone) for c, phone in zip(phones, guesses)])
    codes = [r.status_code for r in statuses]
    assert len([c for c in codes if c != 429]) <= attempts.PER_KEY
    passwords = [_browser(app, f"10.2.0.{n + 1}") for n in range(40)]
    logins = await asyncio.gather(*[_login(c, "sec_alpha", f"guess {n}") for n, c in enumerate(passwords)])
    assert len([c for c in logins if c != 429]) <= attempts.PER_KEY
    for c in phones + passwords:
        await c.aclose()


@pytest.mark.usefixtures("world", "quick_waits")
async def test_the_waits_of_simultaneous_guesses_follow_one_another():
    reservations = await asyncio.gather(
        *[attempts.reserve("sec_alpha", f"10.3.0.{n}") for n in range(attempts.PER_KEY)]
    )
    turns = sorted(r.not_before for r in reservations)
    waited = turns[attempts.SLOW_AFTER - 1 :]
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(waited)]
    assert gaps and all(gap >= attempts.DELAY_STEP for gap in gaps)
    with pytest.raises(attempts.TooManyAttempts):
        await attempts.reserve("sec_alpha", "10.3.1.1")


async def test_a_trusted_proxy_names_the_client_whose_failures_count(settings: Settings):
    app = create_app(settings.with_values(trusted_proxies=("10.0.0.0/8",)))
    async with app.lifespan():
        await build_world()
        async with _browser(app, "10.0.0.1") as proxy:
            for _ in range(attempts.PER_KEY_AND_ADDRESS):
                await _login(proxy, "sec_alpha", "wrong", forwarded_for="192.0.2.1, 10.0.0.5")
            assert await _login(proxy, "sec_alpha", PASSWORD, forwarded_for="192.0.2.1") == 429
            assert await _login(proxy, "sec_alpha", PASSWORD, forwarded_for="192.0.2.2") == 302
    rows = await LoginAttempt.select(LoginAttempt.address)
    assert {r["address"] for r in rows} == {"192.0.2.1"}


def test_the_client_address_is_read_only_through_trusted_proxies():
    trusted = ("10.0.0.0/8", "127.0.0.1")
    assert client_address("203.0.113.1", {}, trusted) == "203.0.113.1"
    assert client_address("203.0.113.1", {"x-forwarded-for": "1.2.3.4"}, trusted) == "203.0.113.1"
    assert client_address("127.0.0.1", {"x-forwarded-for": "1.2.3.4, 10.1.1.1"}, trusted) == "1.2.3.4"
    assert client_address("127.0.0.1", {"x-forwarded-for": "garbage"}, trusted) == "127.0.0.1"
