"""While a secret ballot is open nobody, staff included, sees its figures per
choice: the console, the projector, the voter's page, their live streams and
the published files show participation only. Even a secret ballot opened
with live figures (as earlier releases allowed) obeys it."""

from __future__ import annotations

from pathlib import Path

import httpx
from httpx_sse import aconnect_sse

from tests.support import World, login, text_of
from tests.voting.support import make_item, make_meeting
from tests.voting.test_workers import workers
from yishi.accounts.service import issue_household_link
from yishi.settings import Settings
from yishi.voting import service
from yishi.voting.service import BallotSettings

PER_CHOICE = ('data-choice="yes"', 'data-choice="no"', 'data-choice="abstain"', "同意 1", "反对 1")


async def _sealed_ballot(world: World) -> tuple[int, int]:
    meeting = await make_meeting(world)
    item = await make_item(meeting, "majority_of_cast")
    ballot_id = await service.open_ballot(
        world.compounds["alpha"],
        item,
        BallotSettings(secret=True, results_visibility="live"),
        actor=world.users["sec_alpha"],
    )
    await service.cast_link_vote(ballot_id, world.households["alpha:1-1-101"], "yes")
    await service.cast_link_vote(ballot_id, world.households["alpha:1-1-102"], "no")
    return meeting, ballot_id


def _shows_no_split(html: str) -> bool:
    return not any(marker in html for marker in PER_CHOICE)


async def test_the_console_projector_and_voter_page_of_an_open_secret_vote_show_participation_only(
    client: httpx.AsyncClient, resident: httpx.AsyncClient, world: World
):
    meeting, ballot_id = await _sealed_ballot(world)
    await login(client, "sec_alpha")
    console = (await client.get(f"/compounds/alpha/ballots/{ballot_id}")).text
    assert _shows_no_split(console) and 'data-choice="took_part"' in console
    assert "任何人（包括工作人员）都看不到" in console
    screen = (await client.get(f"/meetings/{meeting}/screen")).text
    assert _shows_no_split(screen) and "<strong>2</strong> / 6" in screen
    page = (await resident.get(f"/c/alpha/ballots/{ballot_id}")).text
    assert _shows_no_split(page)
    assert (await resident.get(f"/c/alpha/results/{ballot_id}/votes.csv")).status_code == 404

    await service.close_ballot(ballot_id, actor=world.users["sec_alpha"])
    console = (await client.get(f"/compounds/alpha/ballots/{ballot_id}")).text
    assert 'data-choice="yes"' in console and 'data-choice="no"' in console


async def test_a_new_secret_vote_never_shows_voters_its_figures_before_closing(client: httpx.AsyncClient, world: World):
    meeting = await make_meeting(world)
    item = await make_item(meeting, "majority_of_cast")
    await login(client, "sec_alpha")
    from tests.support import post

    response = await post(
        client,
        "/compounds/alpha/ballots/",
        {
            "item": str(item),
            "roll_source": "households",
            "secret": "on",
            "results_visibility": "live",
            "timing": "by_hand",
        },
    )
    assert response.status_code == 200
    ballot = (await service.ballots_in_compound(world.compounds["alpha"]))[0]
    assert (await service.ballot_in_compound(world.compounds["alpha"], ballot["id"]))[
        "results_visibility"
    ] == "after_closing"


async def _first_event(client: httpx.AsyncClient, path: str) -> str:
    async with aconnect_sse(client, "GET", path) as source:
        async for event in source.aiter_sse():
            if event.event == "update":
                return event.data
    raise AssertionError(f"no update from {path}")


async def test_the_live_streams_of_an_open_secret_vote_send_participation_only(
    settings: Settings, tmp_path: Path, world: World
):
    meeting, ballot_id = await _sealed_ballot(world)
    token = await issue_household_link(world.households["alpha:1-1-101"], None)
    with workers(settings, tmp_path, 1) as (url,):
        async with httpx.AsyncClient(base_url=url, follow_redirects=True, timeout=10) as staff:
            await staff.get("/login")
            await staff.post(
                "/login",
                data={"username": "sec_alpha", "password": "correct horse battery"},
                headers={"x-csrftoken": staff.cookies["yishi_csrf"]},
            )
            console = await _first_event(staff, f"/compounds/alpha/ballots/{ballot_id}/stream")
            screen = await _first_event(staff, f"/meetings/{meeting}/screen/stream")
        async with httpx.AsyncClient(base_url=url, follow_redirects=True, timeout=10) as resident:
            await resident.get(f"/h/{token}")
            voter = await _first_event(resident, f"/c/alpha/ballots/{ballot_id}/stream")
    assert 'data-choice="took_part"' in console and _shows_no_split(console)
    assert "2 / 6" in text_of(screen) and _shows_no_split(screen)
    assert _shows_no_split(voter)
