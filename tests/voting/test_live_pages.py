"""The projector page and the live parts of the console: what each shows, and
who may open them. (The streams themselves run in tests/voting/test_workers.py
and tests/e2e/test_live_flow.py.)"""

from __future__ import annotations

import re

import httpx

from tests.support import World, login
from tests.voting.support import make_item, make_meeting
from yishi.voting import service
from yishi.voting.service import BallotSettings


async def _meeting_with_ballot(
    world: World, settings: BallotSettings, *, title: str = "是否在3号楼东侧加装电动车充电桩", vote: bool = True
) -> tuple[int, int]:
    meeting = await make_meeting(world)
    item = await make_item(meeting, "majority_of_cast", title=title)
    ballot_id = await service.open_ballot(world.compounds["alpha"], item, settings, actor=world.users["sec_alpha"])
    if vote:
        await service.cast_link_vote(ballot_id, world.households["alpha:1-1-101"], "yes")
    return meeting, ballot_id


def _section(html: str, element_id: str) -> str:
    match = re.search(rf'<section class="card" id="{element_id}">(.*?)</section>', html, re.S)
    assert match, f"no #{element_id} on the page"
    return match.group(1)


async def test_the_projector_shows_the_item_being_voted_its_tally_and_a_qr_code_to_vote(
    client: httpx.AsyncClient, world: World
):
    meeting, _ballot_id = await _meeting_with_ballot(world, BallotSettings(results_visibility="live"))
    await login(client, "sec_alpha")
    response = await client.get(f"/meetings/{meeting}/screen")
    assert response.status_code == 200
    html = response.text
    assert "是否在3号楼东侧加装电动车充电桩" in html
    assert f'sse-connect="/meetings/{meeting}/screen/stream"' in html
    assert "<strong>1</strong> / 6" in html  # one of the compound's six households
    assert 'data-choice="yes"' in html and "1 · 100.0%" in html
    assert 'class="screen-qr"' in html and "<svg" in html.split('class="screen-qr"', 1)[1]


async def test_the_projector_hides_the_split_until_closing_when_voters_may_not_see_it(
    client: httpx.AsyncClient, world: World
):
    meeting, ballot_id = await _meeting_with_ballot(world, BallotSettings(results_visibility="after_closing"))
    await login(client, "sec_alpha")
    html = (await client.get(f"/meetings/{meeting}/screen")).text
    assert 'data-choice="took_part"' in html and 'data-choice="yes"' not in html
    assert "各选项票数在表决结束后公布。" in html

    await service.close_ballot(ballot_id, actor=world.users["sec_alpha"])
    html = (await client.get(f"/meetings/{meeting}/screen")).text
    assert 'data-choice="yes"' in html and "通过" in html
    assert 'class="screen-qr"' not in html


async def test_a_meeting_without_a_vote_shows_its_agenda_on_the_projector(client: httpx.AsyncClient, world: World):
    meeting = await make_meeting(world)
    await make_item(meeting, "majority_of_cast", title="楼道堆物清理")
    await login(client, "sec_alpha")
    html = (await client.get(f"/meetings/{meeting}/screen")).text
    assert "本次会议尚未发起表决。" in html and "楼道堆物清理" in html


async def test_the_console_lists_who_has_not_voted_by_building(client: httpx.AsyncClient, world: World):
    _meeting, ballot_id = await _meeting_with_ballot(world, BallotSettings())
    await login(client, "sec_alpha")
    html = (await client.get(f"/compounds/alpha/ballots/{ballot_id}")).text
    waiting = _section(html, "not-voted")
    assert '<span class="not-voted-count">5</span> / 6' in waiting
    assert "1-1-102" in waiting and "2-1-101" in waiting and "1-1-101" not in waiting
    assert f'sse-connect="/compounds/alpha/ballots/{ballot_id}/stream"' in html


async def test_the_console_of_a_secret_vote_gives_only_the_number_not_yet_voted(
    client: httpx.AsyncClient, world: World
):
    _meeting, ballot_id = await _meeting_with_ballot(world, BallotSettings(secret=True))
    await login(client, "sec_alpha")
    waiting = _section((await client.get(f"/compounds/alpha/ballots/{ballot_id}")).text, "not-voted")
    assert '<span class="not-voted-count">5</span> / 6' in waiting
    assert "1-1-102" not in waiting and "只显示户数" in waiting


async def test_another_compounds_staff_cannot_open_the_projector_or_the_streams(
    client: httpx.AsyncClient, world: World
):
    meeting, ballot_id = await _meeting_with_ballot(world, BallotSettings(results_visibility="live"))
    await login(client, "sec_beta")
    assert (await client.get(f"/meetings/{meeting}/screen")).status_code == 404
    assert (await client.get(f"/meetings/{meeting}/screen/stream")).status_code == 404
    assert (await client.get(f"/compounds/alpha/ballots/{ballot_id}/stream")).status_code == 404
    assert (await client.get(f"/compounds/beta/ballots/{ballot_id}/stream")).status_code == 404


async def test_without_a_login_the_projector_and_the_console_stream_ask_to_log_in(
    client: httpx.AsyncClient, world: World
):
    meeting, ballot_id = await _meeting_with_ballot(world, BallotSettings(results_visibility="live"))
    for path in (
        f"/meetings/{meeting}/screen",
        f"/meetings/{meeting}/screen/stream",
        f"/compounds/alpha/ballots/{ballot_id}/stream",
    ):
        response = await client.get(path, follow_redirects=False)
        assert response.status_code in (302, 303) and "/login" in response.headers["location"], path


async def test_a_voters_stream_is_not_served_under_another_compound(client: httpx.AsyncClient, world: World):
    _meeting, ballot_id = await _meeting_with_ballot(world, BallotSettings(results_visibility="live"))
    assert (await client.get(f"/c/beta/ballots/{ballot_id}/stream")).status_code == 404
