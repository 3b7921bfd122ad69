"""CSV files are sent as UTF-8, said once in their Content-Type."""

from __future__ import annotations

from tests.support import World, login, post
from tests.voting.support import make_item, make_meeting
from yishi.voting import service

CSV = "text/csv; charset=utf-8"


async def test_the_roster_export_names_its_charset_once(client, world: World):
    await login(client, "sec_alpha")
    response = await client.get("/compounds/alpha/roster/export.csv")
    assert response.status_code == 200 and response.headers.get_list("content-type") == [CSV]


async def test_a_result_export_names_its_charset_once(client, world: World):
    meeting = await make_meeting(world)
    ballot_id = await service.open_ballot(
        world.compounds["alpha"],
        await make_item(meeting, "majority_of_cast"),
        service.BallotSettings(),
        actor=world.users["sec_alpha"],
    )
    await service.cast_link_vote(ballot_id, world.households["alpha:1-1-101"], "yes")
    await service.close_ballot(ballot_id, actor=world.users["sec_alpha"], reason="测试")
    response = await client.get(f"/c/alpha/results/{ballot_id}/roll.csv")
    assert response.status_code == 200 and response.headers.get_list("content-type") == [CSV]


async def test_the_action_ledger_names_its_charset_once(client, world: World):
    await login(client, "sec_alpha")
    response = await post(client, "/compounds/alpha/documents/action-ledger.csv", {})
    assert response.status_code == 200 and response.headers.get_list("content-type") == [CSV]
