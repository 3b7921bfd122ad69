"""Staff list, record and triage proposals, each only where their role allows."""

import pytest

from tests.proposals.support import PROPOSAL, current_stage, identify, number_in, propose
from tests.support import login, post, text_of
from yishi.proposals.tables import Proposal, ProposalEvent, Second

VIEW = [
    ("admin", "alpha", 200),
    ("admin", "beta", 200),
    ("sec_alpha", "alpha", 200),
    ("sec_alpha", "beta", 404),
    ("pm_alpha", "alpha", 200),
    ("pm_alpha", "beta", 404),
    ("committee_alpha", "alpha", 200),
    ("committee_alpha", "beta", 404),
    ("grid_alpha1", "alpha", 200),
    ("grid_alpha1", "beta", 404),
]

TRIAGE = [
    ("admin", 200),
    ("sec_alpha", 200),
    ("pm_alpha", 403),
    ("committee_alpha", 403),
    ("grid_alpha1", 403),
    ("sec_beta", 404),
    ("pm_beta", 404),
]


async def resident_proposal(client, key: str = "alpha:1-1-101", **values: str) -> int:
    await identify(client, key)
    return number_in(await propose(client, key.split(":")[0], **values))


async def status_of(number: int, compound_id: int) -> str:
    row = (
        await Proposal.select(Proposal.status)
        .where((Proposal.number == number) & (Proposal.compound == compound_id))
        .first()
    )
    return row["status"]


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize(("username", "compound", "status"), VIEW)
async def test_the_staff_list_is_open_only_inside_the_persons_places(client, username, compound, status):
    await resident_proposal(client, f"{compound}:1-1-101")
    await login(client, username)
    response = await client.get(f"/compounds/{compound}/proposals")
    assert response.status_code == status
    assert (PROPOSAL["title"] in response.text) == (status == 200)


async def test_the_staff_list_filters_by_status_newest_first_with_seconds_and_the_threshold_badge(client, world):
    from yishi.roster.tables import Compound

    await Compound.update({Compound.seconds_threshold: 1}).where(Compound.id == world.compounds["alpha"])
    first = await resident_proposal(client, title="小区东门路灯不亮", category="safety")
    await resident_proposal(client, title="广场舞音响太吵", category="noise")
    await identify(client, "alpha:1-1-102")
    await post(client, f"/c/alpha/proposals/{first}/second")
    await login(client, "sec_alpha")
    page = text_of((await client.get("/compounds/alpha/proposals")).text)
    assert page.index("广场舞音响太吵") < page.index("小区东门路灯不亮")
    assert "附议 1 / 1 户" in page and "已达 1 户附议" in page
    await post(client, f"/compounds/alpha/proposals/{first}/accept")
    submitted = text_of((await client.get("/compounds/alpha/proposals?status=submitted")).text)
    assert "广场舞音响太吵" in submitted and "小区东门路灯不亮" not in submitted


@pytest.mark.parametrize(("username", "status"), TRIAGE)
async def test_only_the_secretary_or_admin_of_the_compound_accepts_a_proposal(client, username, status, world):
    number = await resident_proposal(client)
    await login(client, username)
    response = await post(client, f"/compounds/alpha/proposals/{number}/accept")
    assert response.status_code == status
    expected = "accepted" if status == 200 else "submitted"
    assert await status_of(number, world.compounds["alpha"]) == expected


@pytest.mark.parametrize(("username", "status"), TRIAGE)
async def test_only_the_secretary_or_admin_of_the_compound_declines_or_merges(client, username, status, world):
    number = await resident_proposal(client)
    other = await resident_proposal(client, "alpha:1-1-102")
    await login(client, username)
    declined = await post(
        client, f"/compounds/alpha/proposals/{number}/decline", {"reason": "不属于小区事务", "confirmed": "yes"}
    )
    assert declined.status_code == status
    merged = await post(
        client, f"/compounds/alpha/proposals/{other}/merge", {"target": str(number), "confirmed": "yes"}
    )
    assert merged.status_code == (status if status != 200 else 400)  # a declined target is refused
    if status != 200:
        assert await status_of(number, world.compounds["alpha"]) == "submitted"
        assert await status_of(other, world.compounds["alpha"]) == "submitted"


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize(("username", "status"), TRIAGE)
async def test_only_the_secretary_or_admin_marks_a_matter_for_all_owners(client, username, status):
    number = await resident_proposal(client)
    await login(client, username)
    response = await post(client, f"/compounds/alpha/proposals/{number}/owners-matter", {"owners_matter": "1"})
    assert response.status_code == status
    row = await Proposal.select(Proposal.owners_matter).first()
    assert row["owners_matter"] == (status == 200)


@pytest.mark.usefixtures("world")
async def test_a_proposal_of_another_compound_is_not_found_for_a_secretary(client):
    number = await resident_proposal(client, "beta:1-1-101")
    await login(client, "sec_alpha")
    assert (await client.get(f"/compounds/beta/proposals/{number}")).status_code == 404
    assert (await post(client, f"/compounds/beta/proposals/{number}/accept")).status_code == 404


async def test_declining_asks_first_with_the_reason_the_proposer_will_read(client, world):
    number = await resident_proposal(client)
    await login(client, "sec_alpha")
    reason = "不属于小区公共事务，已转交社区居委会"
    asked = await post(client, f"/compounds/alpha/proposals/{number}/decline", {"reason": reason})
    assert asked.status_code == 200
    text = text_of(asked.text)
    assert f"确定不予采纳第 {number} 号提议" in text and reason in text and "不能再受理" in text
    assert await status_of(number, world.compounds["alpha"]) == "submitted"
    await post(client, f"/compounds/alpha/proposals/{number}/decline", {"reason": reason, "confirmed": "yes"})
    assert await status_of(number, world.compounds["alpha"]) == "declined"


async def test_declining_without_a_reason_is_refused_next_to_the_field(client, world):
    number = await resident_proposal(client)
    await login(client, "sec_alpha")
    response = await post(client, f"/compounds/alpha/proposals/{number}/decline", {"reason": "  "})
    assert response.status_code == 400
    assert 'id="e-reason"' in response.text
    assert await status_of(number, world.compounds["alpha"]) == "submitted"


@pytest.mark.usefixtures("world")
async def test_a_declined_proposal_shows_its_reason_to_the_proposer_and_the_public(client):
    number = await resident_proposal(client)
    await login(client, "sec_alpha")
    reason = "充电棚选址涉及消防通道，已转交物业按消防规范另行规划。"
    await post(client, f"/compounds/alpha/proposals/{number}/decline", {"reason": reason, "confirmed": "yes"})
    public = text_of((await client.get(f"/c/alpha/proposals/{number}")).text)
    assert "未采纳" in public and reason in public
    await identify(client, "alpha:1-1-101")
    mine = text_of((await client.get("/c/alpha/proposals/mine")).text)
    assert reason in mine


@pytest.mark.usefixtures("world")
async def test_a_triaged_proposal_cannot_be_triaged_again(client):
    number = await resident_proposal(client)
    await login(client, "sec_alpha")
    await post(client, f"/compounds/alpha/proposals/{number}/accept")
    again = await post(client, f"/compounds/alpha/proposals/{number}/decline", {"reason": "重复", "confirmed": "yes"})
    assert again.status_code == 409
    assert "已经处理过" in text_of(again.text)


async def test_merging_carries_seconds_over_without_counting_a_household_twice(client, world):
    kept = await resident_proposal(client, "alpha:1-1-101")
    for key in ("alpha:1-1-102", "alpha:1-1-201"):
        await identify(client, key)
        await post(client, f"/c/alpha/proposals/{kept}/second")
    merged = await resident_proposal(client, "alpha:2-1-101", title="3号楼楼道充电太危险")
    for key in ("alpha:1-1-102", "alpha:2-1-102"):
        await identify(client, key)
        await post(client, f"/c/alpha/proposals/{merged}/second")
    await login(client, "sec_alpha")
    asked = text_of((await post(client, f"/compounds/alpha/proposals/{merged}/merge", {"target": f"#{kept}"})).text)
    assert f"确定合并第 {merged} 号提议" in asked and "2 户" in asked and "合并后不能撤销" in asked
    assert await status_of(merged, world.compounds["alpha"]) == "submitted"
    response = await post(
        client, f"/compounds/alpha/proposals/{merged}/merge", {"target": str(kept), "confirmed": "yes"}
    )
    assert response.status_code == 200
    assert "转入 2 户附议" in text_of(response.text)
    kept_id = (await Proposal.select(Proposal.id).where(Proposal.number == kept).first())["id"]
    behind = {r["household"] for r in await Second.select(Second.household).where(Second.proposal == kept_id)}
    assert behind == {world.households[k] for k in ("alpha:1-1-102", "alpha:1-1-201", "alpha:2-1-101", "alpha:2-1-102")}
    public = text_of((await client.get(f"/c/alpha/proposals/{merged}")).text)
    assert f"本提议已并入第 {kept} 号提议" in public and "并入另一条提议" in public
    target = text_of((await client.get(f"/c/alpha/proposals/{kept}")).text)
    assert "另一条提议并入本提议" in target and "4 户已附议" in target
    await identify(client, "alpha:2-1-101")
    mine = text_of((await client.get("/c/alpha/proposals/mine")).text)
    assert "已合并" in mine and f"#{kept}" in mine


async def test_merging_into_an_unknown_or_the_same_proposal_is_refused_next_to_the_field(client, world):
    number = await resident_proposal(client)
    await login(client, "sec_alpha")
    for target in ("99", str(number), "abc"):
        response = await post(client, f"/compounds/alpha/proposals/{number}/merge", {"target": target})
        assert response.status_code == 400
        assert 'id="e-target"' in response.text
    assert await status_of(number, world.compounds["alpha"]) == "submitted"


async def test_a_proposal_cannot_be_merged_into_one_of_another_compound(client, world):
    number = await resident_proposal(client)
    await resident_proposal(client, "beta:1-1-101")
    await resident_proposal(client, "beta:1-1-102")
    await login(client, "admin")
    response = await post(client, f"/compounds/alpha/proposals/{number}/merge", {"target": "2"})
    assert response.status_code == 400
    assert await status_of(number, world.compounds["alpha"]) == "submitted"


async def test_a_grid_worker_records_a_proposal_for_a_household_of_their_building(client, world):
    await login(client, "grid_alpha1")
    response = await post(
        client, "/compounds/alpha/proposals", {**PROPOSAL, "source": "grid_worker", "building": "1", "unit": "1-201"}
    )
    assert response.status_code == 200
    number = number_in(response)
    page = text_of(response.text)
    assert "网格员入户收集" in page and "1-1-201" in page and "Grid_Alpha1 登记" in page
    row = await Proposal.select().first()
    assert row["household"] == world.households["alpha:1-1-201"] and row["source"] == "grid_worker"
    await identify(client, "alpha:1-1-201")
    refused = await post(client, f"/c/alpha/proposals/{number}/second")
    assert refused.status_code == 409  # the household it was recorded for is its proposer


@pytest.mark.usefixtures("world")
async def test_a_grid_worker_cannot_record_for_a_household_outside_their_buildings(client):
    await login(client, "grid_alpha1")
    response = await post(
        client, "/compounds/alpha/proposals", {**PROPOSAL, "source": "grid_worker", "building": "2", "unit": "1-101"}
    )
    assert response.status_code == 400
    assert 'id="e-building"' in response.text
    assert PROPOSAL["problem"] in response.text
    assert await Proposal.count() == 0


@pytest.mark.usefixtures("world")
async def test_a_grid_worker_cannot_raise_a_proposal_in_the_name_of_the_branch(client):
    await login(client, "grid_alpha1")
    response = await post(client, "/compounds/alpha/proposals", {**PROPOSAL, "source": "branch"})
    assert response.status_code == 400
    assert 'id="e-source"' in response.text
    assert await Proposal.count() == 0


@pytest.mark.usefixtures("world")
async def test_recording_for_a_unit_that_is_not_on_the_roster_is_refused(client):
    await login(client, "sec_alpha")
    response = await post(
        client, "/compounds/alpha/proposals", {**PROPOSAL, "source": "grid_worker", "building": "1", "unit": "9-999"}
    )
    assert response.status_code == 400
    assert "1-9-999" in text_of(response.text)
    assert await Proposal.count() == 0


@pytest.mark.usefixtures("world")
async def test_the_property_company_raises_a_proposal_in_its_own_name(client):
    await login(client, "pm_alpha")
    response = await post(
        client, "/compounds/alpha/proposals", {**PROPOSAL, "source": "property", "title": "更换地下车库出口照明"}
    )
    assert response.status_code == 200
    assert "物业服务企业" in text_of(response.text)
    row = await Proposal.select().first()
    assert row["source"] == "property" and row["household"] is None


@pytest.mark.usefixtures("world")
async def test_a_property_manager_of_another_compound_cannot_record_here(client):
    await login(client, "pm_beta")
    response = await post(client, "/compounds/alpha/proposals", {**PROPOSAL, "source": "property"})
    assert response.status_code == 404
    assert await Proposal.count() == 0


@pytest.mark.usefixtures("world")
async def test_the_staff_form_keeps_the_text_when_a_photo_is_refused(client):
    await login(client, "sec_alpha")
    response = await post(
        client,
        "/compounds/alpha/proposals",
        {**PROPOSAL, "source": "branch"},
        files=[("photos", ("notes.txt", b"just words", "text/plain"))],
    )
    assert response.status_code == 400
    assert 'id="e-photos"' in response.text and PROPOSAL["suggestion"] in response.text
    assert await Proposal.count() == 0


@pytest.mark.usefixtures("world")
async def test_accepting_puts_the_topic_into_deliberation_on_its_timeline(client):
    number = await resident_proposal(client)
    await login(client, "sec_alpha")
    response = await post(client, f"/compounds/alpha/proposals/{number}/accept")
    assert "已受理，进入议事" in text_of(response.text)
    public = (await client.get(f"/c/alpha/proposals/{number}")).text
    assert current_stage(public) == "2 民主议事"
    assert await ProposalEvent.count().where(ProposalEvent.kind == "accepted") == 1
    row = await Proposal.select(Proposal.stage).first()
    assert row["stage"] == "deliberate"
