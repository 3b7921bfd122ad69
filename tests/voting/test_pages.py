"""Ballot pages: who may do what, the resident's phone ballot, published results."""

from __future__ import annotations

import re

import httpx

from tests.conftest import BASE_URL
from tests.support import World, login, post, text_of
from tests.voting.support import make_item, make_meeting
from yishi.accounts.service import issue_household_link
from yishi.voting import service
from yishi.voting.recount import load_and_tally
from yishi.voting.service import BallotSettings
from yishi.voting.tables import Ballot, BallotVote


async def _item(world: World, rule: str = "majority_of_cast", compound: str = "alpha", **kwargs) -> int:
    meeting = await make_meeting(
        world, compound, kind="owners_decision" if rule.startswith("civil") else "bench_meeting"
    )
    return await make_item(meeting, rule, **kwargs)


async def _ballot(world: World, rule: str = "majority_of_cast", settings: BallotSettings | None = None) -> int:
    item = await _item(world, rule)
    return await service.open_ballot(
        world.compounds["alpha"], item, settings or BallotSettings(), actor=world.users["sec_alpha"]
    )


async def _open_link(client: httpx.AsyncClient, world: World, label: str, next_path: str) -> httpx.Response:
    token = await issue_household_link(world.households[f"alpha:{label}"], world.users["sec_alpha"])
    return await client.get(f"/h/{token}", params={"next": next_path})


# Roles ---------------------------------------------------------------------------------


async def test_the_secretary_opens_a_vote_from_the_form(client: httpx.AsyncClient, world: World):
    item = await _item(world)
    await login(client, "sec_alpha")
    page = await client.get(f"/compounds/alpha/ballots/new?item={item}")
    assert page.status_code == 200 and "发起表决" in page.text
    response = await post(
        client,
        "/compounds/alpha/ballots",
        {"item": str(item), "roll_source": "households", "results_visibility": "live", "timing": "by_hand"},
    )
    assert response.status_code == 200 and "表决已开始" in response.text
    assert str(response.url).startswith(f"{BASE_URL}/compounds/alpha/ballots/")
    assert await Ballot.count() == 1


async def test_the_open_form_keeps_what_was_typed_and_says_what_is_missing(client: httpx.AsyncClient, world: World):
    item = await _item(world)
    await login(client, "sec_alpha")
    response = await post(
        client,
        "/compounds/alpha/ballots",
        {
            "item": str(item),
            "roll_source": "households",
            "results_visibility": "after_voting",
            "timing": "set_times",
            "opens_at": "2030-01-01T09:00",
        },
    )
    assert response.status_code == 400
    assert "请填写表决截止时间" in response.text and 'value="2030-01-01T09:00"' in response.text
    assert await Ballot.count() == 0


async def test_opening_an_item_not_on_the_notice_as_an_owners_vote_is_refused_with_a_message(
    client: httpx.AsyncClient, world: World
):
    item = await _item(world, "civil_code_special", on_notice=False)
    await login(client, "sec_alpha")
    response = await post(client, "/compounds/alpha/ballots", {"item": str(item), "roll_source": "households"})
    assert response.status_code == 400 and "只有已公告的会议通知中列明的议程" in response.text


async def test_a_property_manager_cannot_open_a_vote(client: httpx.AsyncClient, world: World):
    item = await _item(world)
    await login(client, "pm_alpha")
    assert (await client.get(f"/compounds/alpha/ballots/new?item={item}")).status_code == 403
    response = await post(client, "/compounds/alpha/ballots", {"item": str(item)})
    assert response.status_code == 403 and await Ballot.count() == 0


async def test_a_property_manager_sees_the_console_but_cannot_close_or_enter_paper_ballots(
    client: httpx.AsyncClient, world: World
):
    ballot_id = await _ballot(world)
    await login(client, "pm_alpha")
    console = await client.get(f"/compounds/alpha/ballots/{ballot_id}")
    assert console.status_code == 200 and "录入书面表决票" not in console.text
    assert "结束表决并公布结果" not in console.text
    for action, data in (
        ("paper", {"voter": "1-1-101", "choice": "yes", "serial": "1"}),
        ("room", {"voter": "1-1-101", "choice": "yes"}),
        ("proxy", {"voter": "1-1-101", "choice": "yes", "holder": "王", "authorization": "x"}),
        ("hands", {"yes": "1"}),
        ("close", {}),
        ("extend", {}),
    ):
        response = await post(client, f"/compounds/alpha/ballots/{ballot_id}/{action}", data)
        assert response.status_code == 403, action
    assert await BallotVote.count() == 0
    assert (await Ballot.select(Ballot.status).first())["status"] == "open"


async def test_another_compounds_secretary_finds_nothing(client: httpx.AsyncClient, world: World):
    ballot_id = await _ballot(world)
    item = await _item(world)
    await login(client, "sec_beta")
    assert (await client.get(f"/compounds/alpha/ballots/{ballot_id}")).status_code == 404
    assert (await client.get(f"/compounds/alpha/ballots/{ballot_id}/roll")).status_code == 404
    assert (await client.get(f"/compounds/alpha/ballots/new?item={item}")).status_code == 404
    assert (await client.get(f"/compounds/beta/ballots/{ballot_id}")).status_code == 404
    for action in ("paper", "close"):
        response = await post(
            client,
            f"/compounds/alpha/ballots/{ballot_id}/{action}",
            {"voter": "1-1-101", "choice": "yes", "serial": "1"},
        )
        assert response.status_code == 404
    response = await post(client, "/compounds/beta/ballots", {"item": str(item)})
    assert response.status_code == 404


async def test_a_committee_member_enters_paper_ballots_but_cannot_close(client: httpx.AsyncClient, world: World):
    ballot_id = await _ballot(world)
    await login(client, "committee_alpha")
    response = await post(
        client, f"/compounds/alpha/ballots/{ballot_id}/paper", {"voter": "1-1-101", "choice": "no", "serial": "B-12"}
    )
    assert response.status_code == 200 and "回执码" in response.text
    assert (await post(client, f"/compounds/alpha/ballots/{ballot_id}/close")).status_code == 403


async def test_a_grid_worker_cannot_enter_a_ballot_for_a_building_they_do_not_look_after(
    client: httpx.AsyncClient, world: World
):
    ballot_id = await _ballot(world)
    await login(client, "grid_alpha1")
    response = await post(
        client, f"/compounds/alpha/ballots/{ballot_id}/paper", {"voter": "2-1-101", "choice": "no", "serial": "B-12"}
    )
    assert response.status_code == 403 and await BallotVote.count() == 0


async def test_a_second_paper_ballot_for_a_household_is_refused_next_to_the_form(
    client: httpx.AsyncClient, world: World
):
    ballot_id = await _ballot(world)
    await service.cast_link_vote(ballot_id, world.households["alpha:1-1-101"], "yes")
    await login(client, "sec_alpha")
    response = await post(
        client, f"/compounds/alpha/ballots/{ballot_id}/paper", {"voter": "1-1-101", "choice": "no", "serial": "B-12"}
    )
    assert response.status_code == 409
    assert "该户已于" in response.text and "通过专属链接投票" in response.text
    assert 'value="B-12"' in response.text


async def test_voiding_without_a_reason_re_renders_the_form(client: httpx.AsyncClient, world: World):
    ballot_id = await _ballot(world)
    await service.cast_link_vote(ballot_id, world.households["alpha:1-1-101"], "yes")
    vote_id = (await BallotVote.select(BallotVote.id).first())["id"]
    await login(client, "committee_alpha")
    response = await post(client, f"/compounds/alpha/ballots/{ballot_id}/votes/{vote_id}/void", {"reason": ""})
    assert response.status_code == 400 and "请写明作废理由" in response.text
    response = await post(
        client, f"/compounds/alpha/ballots/{ballot_id}/votes/{vote_id}/void", {"reason": "户主称手机被他人使用"}
    )
    assert response.status_code == 200 and "该票已作废" in response.text
    await login(client, "pm_alpha")
    assert (await client.get(f"/compounds/alpha/ballots/{ballot_id}/votes/{vote_id}/void")).status_code == 403


# The resident's ballot -----------------------------------------------------------------


async def test_a_resident_votes_from_the_personal_link_and_a_second_attempt_is_refused(
    resident: httpx.AsyncClient, world: World
):
    ballot_id = await _ballot(world)
    page = await _open_link(resident, world, "1-1-101", f"/c/alpha/ballots/{ballot_id}")
    assert page.status_code == 200 and 'type="radio" name="choice" value="yes"' in page.text
    assert "<script" not in page.text.split("<main", 1)[1]  # the ballot needs no JavaScript
    response = await post(resident, f"/c/alpha/ballots/{ballot_id}/vote", {"choice": "yes"})
    assert response.status_code == 200
    vote = await BallotVote.select().first()
    assert vote["receipt_code"] in response.text and "您的投票已计入" in response.text
    assert 'name="choice"' not in response.text  # no second form
    again = await post(resident, f"/c/alpha/ballots/{ballot_id}/vote", {"choice": "no"})
    assert again.status_code == 409 and "通过专属链接投票" in again.text
    assert await BallotVote.count() == 1


async def test_a_vote_without_a_choice_re_renders_the_ballot(resident: httpx.AsyncClient, world: World):
    ballot_id = await _ballot(world)
    await _open_link(resident, world, "1-1-101", f"/c/alpha/ballots/{ballot_id}")
    response = await post(resident, f"/c/alpha/ballots/{ballot_id}/vote", {})
    assert response.status_code == 400 and "请选择表决票上的一个选项" in response.text


async def test_a_visitor_who_is_not_a_household_is_asked_which_household_they_are(
    resident: httpx.AsyncClient, world: World
):
    ballot_id = await _ballot(world)
    page = await resident.get(f"/c/alpha/ballots/{ballot_id}")
    assert "我住在这里" in page.text
    response = await post(resident, f"/c/alpha/ballots/{ballot_id}/vote", {"choice": "yes"}, follow_redirects=False)
    assert response.status_code in (302, 303) and "/c/alpha/me?next=" in response.headers["location"]


async def test_a_household_of_another_compound_is_asked_which_household_here_it_is(
    resident: httpx.AsyncClient, world: World
):
    ballot_id = await _ballot(world)
    token = await issue_household_link(world.households["beta:1-1-101"], None)
    await resident.get(f"/h/{token}")
    response = await post(resident, f"/c/alpha/ballots/{ballot_id}/vote", {"choice": "yes"}, follow_redirects=False)
    assert response.status_code in (302, 303) and response.headers["location"].startswith("/c/alpha/me?next=")
    assert await BallotVote.count() == 0


async def test_a_household_not_on_the_roll_is_told_so(resident: httpx.AsyncClient, world: World):
    meeting = await make_meeting(world, building_ids=[world.buildings[("alpha", "2")]])
    item = await make_item(meeting, "majority_of_cast")
    ballot_id = await service.open_ballot(world.compounds["alpha"], item, BallotSettings(), actor=None)
    page = await _open_link(resident, world, "1-1-101", f"/c/alpha/ballots/{ballot_id}")
    assert "不在本次表决名册中" in page.text
    response = await post(resident, f"/c/alpha/ballots/{ballot_id}/vote", {"choice": "yes"})
    assert response.status_code == 403


async def test_figures_are_hidden_from_voters_until_closing_when_so_set(resident: httpx.AsyncClient, world: World):
    ballot_id = await _ballot(world, settings=BallotSettings(results_visibility="after_closing"))
    await _open_link(resident, world, "1-1-101", "/")
    await post(resident, f"/c/alpha/ballots/{ballot_id}/vote", {"choice": "yes"})
    page = await resident.get(f"/c/alpha/ballots/{ballot_id}")
    assert "当前票数" not in page.text and "票数在表决结束后公布" in page.text
    live = await _ballot(world, settings=BallotSettings(results_visibility="live"))
    assert "当前票数" in (await resident.get(f"/c/alpha/ballots/{live}")).text


# Results -------------------------------------------------------------------------------


async def test_a_closed_vote_is_published_with_figures_receipts_and_recount_files(
    client: httpx.AsyncClient, resident: httpx.AsyncClient, world: World
):
    ballot_id = await _ballot(world, "civil_code_ordinary")
    receipts = []
    for label, choice in (
        ("1-1-101", "yes"),
        ("1-1-102", "yes"),
        ("1-1-201", "no"),
        ("2-1-101", "yes"),
        ("2-1-102", "abstain"),
    ):
        receipts.append(await service.cast_link_vote(ballot_id, world.households[f"alpha:{label}"], choice))
    assert (await resident.get(f"/c/alpha/results/{ballot_id}")).status_code == 404
    await login(client, "sec_alpha")
    response = await post(client, f"/compounds/alpha/ballots/{ballot_id}/close", {"confirmed": "yes"})
    assert "表决已结束，结果已公布" in response.text

    page = await resident.get(f"/c/alpha/results/{ballot_id}")
    text = text_of(page.text)
    assert "通过" in text and "参与表决面积" in text and "参与表决人数" in text
    assert "5 / 6" in text and "达到了表决规则的全部门槛" in text
    assert all(r.receipt_code in text for r in receipts)
    assert "1-1-102" in text and "100.00" in text and "业主" not in text.split("回执码清单")[1].split("自行复核")[0]
    found = await resident.get(f"/c/alpha/results/{ballot_id}", params={"receipt": receipts[2].receipt_code.lower()})
    assert "已计入：反对" in found.text

    roll = await resident.get(f"/c/alpha/results/{ballot_id}/roll.csv")
    votes = await resident.get(f"/c/alpha/results/{ballot_id}/votes.csv")
    assert roll.headers["content-type"].startswith("text/csv")
    ballot = await Ballot.select().where(Ballot.id == ballot_id).output(load_json=True).first()
    assert load_and_tally("civil_code_ordinary", roll.text, votes.text).to_json_dict() == ballot["result"]["actual"]
    assert (await resident.get(f"/c/alpha/results/{ballot_id}/other.csv")).status_code == 404

    section = await resident.get("/c/alpha/ballots/section")
    assert f"/c/alpha/results/{ballot_id}" in section.text
    public = await resident.get("/c/alpha")
    assert "/c/alpha/ballots/section" in public.text and "表决与结果" in public.text


async def test_an_overdue_vote_offers_the_secretary_to_close_it(client: httpx.AsyncClient, world: World):
    from datetime import UTC, datetime, timedelta

    ballot_id = await _ballot(world)
    await Ballot.update({Ballot.closes_at: datetime.now(UTC) - timedelta(minutes=5)}).where(Ballot.id == ballot_id)
    await login(client, "sec_alpha")
    page = await client.get(f"/compounds/alpha/ballots/{ballot_id}")
    assert 'id="overdue"' in page.text and "已过截止时间，待结束" in page.text


async def test_the_ballots_page_lists_items_waiting_for_their_vote(client: httpx.AsyncClient, world: World):
    item = await _item(world, title="楼道加装声控灯")
    await login(client, "sec_alpha")
    page = await client.get("/compounds/alpha/ballots")
    assert "楼道加装声控灯" in page.text and f"/compounds/alpha/ballots/new?item={item}" in page.text


# The console's other forms, and what they publish -------------------------------------


async def test_city_results_are_uploaded_and_a_conflict_resolved_from_the_console(
    client: httpx.AsyncClient, resident: httpx.AsyncClient, world: World
):
    from yishi.roster.tables import Compound

    await Compound.update({Compound.link_votes_binding: False}).where(Compound.id == world.compounds["alpha"])
    ballot_id = await _ballot(world, "civil_code_ordinary")
    await service.record_paper_vote(ballot_id, "1-1-101", "no", "P-1", actor=world.users["sec_alpha"])
    await login(client, "committee_alpha")
    console = f"/compounds/alpha/ballots/{ballot_id}"
    bad = "房号,面积,表决意见\n1-1-101,90,同意\n1-1-102,1,同意\n".encode("gb18030")
    response = await post(client, f"{console}/city", files={"file": ("结果.csv", bad, "text/csv")})
    assert response.status_code == 400 and "未导入任何内容" in response.text
    assert "面积 1.00 m² 与表决名册的 100.00 m² 不一致" in response.text
    good = "房号,面积,表决意见\n1-1-101,90,同意\n1-1-102,100,同意\n".encode("gb18030")
    response = await post(client, f"{console}/city", files={"file": ("结果.csv", good, "text/csv")})
    assert "已从市电子投票系统导入 2 条结果" in response.text and 'id="conflicts"' in response.text
    await login(client, "sec_alpha")
    refused = await post(client, f"{console}/close")
    assert refused.status_code == 400 and "请先处理书面表决票与市电子投票系统结果之间的全部冲突" in refused.text
    [conflict] = await service.conflicts(ballot_id)
    response = await post(
        client, f"{console}/conflicts", {"voter_key": conflict.voter_key, "keep": "city", "reason": ""}
    )
    assert response.status_code == 400 and "请写明以此票为准的理由" in response.text
    response = await post(
        client, f"{console}/conflicts", {"voter_key": conflict.voter_key, "keep": "city", "reason": "业主称书面票填错"}
    )
    assert "冲突已处理" in response.text and 'id="conflicts"' not in response.text
    await post(client, f"{console}/close", {"confirmed": "yes"})
    result = await resident.get(f"/c/alpha/results/{ballot_id}")
    assert result.status_code == 200 and "市电子投票系统" not in text_of(result.text).split("回执码清单")[0]


async def test_served_non_voters_show_beside_the_actual_figures_and_have_their_own_file(
    client: httpx.AsyncClient, resident: httpx.AsyncClient, world: World
):
    from yishi.roster.tables import Compound

    await Compound.update({Compound.deemed_votes_clause: "议事规则第十八条"}).where(
        Compound.id == world.compounds["alpha"]
    )
    ballot_id = await _ballot(world, "civil_code_ordinary")
    for label in ("1-1-101", "1-1-102", "1-1-201"):
        await service.cast_link_vote(ballot_id, world.households[f"alpha:{label}"], "yes")
    await login(client, "grid_alpha1")
    console = f"/compounds/alpha/ballots/{ballot_id}"
    outside = await post(client, f"{console}/served", {"building": str(world.buildings[("alpha", "2")])})
    assert outside.status_code == 403
    await login(client, "sec_alpha")
    response = await post(client, f"{console}/served", {"building": str(world.buildings[("alpha", "2")])})
    assert "已登记 3 户已送达" in response.text
    await post(client, f"{console}/close", {"confirmed": "yes"})
    page = text_of((await resident.get(f"/c/alpha/results/{ballot_id}")).text)
    assert "实际投票" in page and "计入已送达未投票业主（3）" in page and "议事规则第十八条" in page
    deemed = await resident.get(f"/c/alpha/results/{ballot_id}/votes-deemed.csv")
    roll = await resident.get(f"/c/alpha/results/{ballot_id}/roll.csv")
    ballot = await Ballot.select().where(Ballot.id == ballot_id).output(load_json=True).first()
    assert load_and_tally("civil_code_ordinary", roll.text, deemed.text).to_json_dict() == ballot["result"]["deemed"]


async def test_a_show_of_hands_entered_on_the_console_is_published_without_receipts(
    client: httpx.AsyncClient, resident: httpx.AsyncClient, world: World
):
    ballot_id = await _ballot(world)
    await login(client, "sec_alpha")
    console = f"/compounds/alpha/ballots/{ballot_id}"
    response = await post(client, f"{console}/hands", {"yes": "x", "no": "1", "abstain": ""})
    assert response.status_code == 400 and "请填写举手人数（整数）" in response.text
    response = await post(client, f"{console}/hands", {"yes": "4", "no": "1", "abstain": "0"})
    assert "举手表决已登记" in response.text and "同意 4，反对 1，弃权 0" in response.text
    await post(client, f"{console}/close", {"confirmed": "yes"})
    page = text_of((await resident.get(f"/c/alpha/results/{ballot_id}")).text)
    assert "以举手方式计票，因此没有回执码" in page and "4 票" in page


async def test_a_secret_result_lists_receipts_without_units(
    client: httpx.AsyncClient, resident: httpx.AsyncClient, world: World
):
    ballot_id = await _ballot(world, settings=BallotSettings(secret=True))
    receipt = await service.cast_link_vote(ballot_id, world.households["alpha:1-1-102"], "yes")
    await login(client, "sec_alpha")
    console = (await client.get(f"/compounds/alpha/ballots/{ballot_id}")).text
    assert "1-1-102" in console and receipt.receipt_code not in console
    await post(client, f"/compounds/alpha/ballots/{ballot_id}/close", {"confirmed": "yes"})
    page = text_of((await resident.get(f"/c/alpha/results/{ballot_id}")).text)
    receipts = page.split("回执码清单")[1].split("自行复核")[0]
    assert receipt.receipt_code[:9] in receipts and receipt.receipt_code not in receipts
    assert "1-1-102" not in receipts


async def test_the_secretary_extends_a_vote_and_voters_read_why(
    client: httpx.AsyncClient, resident: httpx.AsyncClient, world: World
):
    ballot_id = await _ballot(world, "civil_code_ordinary")
    await login(client, "sec_alpha")
    console = f"/compounds/alpha/ballots/{ballot_id}"
    response = await post(client, f"{console}/extend", {"closes_at": "2099-01-10T18:00", "reason": ""})
    assert response.status_code == 400 and 'value="2099-01-10T18:00"' in response.text
    response = await post(
        client, f"{console}/extend", {"closes_at": "2099-01-10T18:00", "reason": "参与表决面积不足，延长一周"}
    )
    assert "表决已延长" in response.text
    page = await resident.get(f"/c/alpha/ballots/{ballot_id}")
    assert "表决已延长至 2099-01-10 18:00：参与表决面积不足，延长一周" in text_of(page.text)


async def test_a_secret_votes_receipt_is_shown_once_and_never_kept_in_the_session(
    resident: httpx.AsyncClient, world: World
):
    from yishi.accounts.tables import SessionRecord
    from yishi.voting.tables import SecretChoice

    ballot_id = await _ballot(world, settings=BallotSettings(secret=True))
    await _open_link(resident, world, "1-1-101", f"/c/alpha/ballots/{ballot_id}")
    response = await post(resident, f"/c/alpha/ballots/{ballot_id}/vote", {"choice": "no"})
    code = re.search(r"[2-9A-Z]{4}(-[2-9A-Z]{4}){3}", text_of(response.text)).group(0)
    assert response.status_code == 200 and "只显示这一次" in response.text
    assert (await SecretChoice.select().first())["receipt_code"] == ""  # sealed until closing
    sessions = await SessionRecord.select(SessionRecord.data)
    assert all(code.encode() not in bytes(s["data"]) for s in sessions)
    again = await resident.get(f"/c/alpha/ballots/{ballot_id}")
    assert code not in again.text and "回执码已在您投票时显示" in again.text


async def test_a_secret_paper_ballots_receipt_is_shown_to_the_scrutineer_but_not_kept_in_the_session(
    client: httpx.AsyncClient, world: World
):
    from yishi.accounts.tables import SessionRecord

    ballot_id = await _ballot(world, settings=BallotSettings(secret=True))
    await login(client, "committee_alpha")
    response = await post(
        client, f"/compounds/alpha/ballots/{ballot_id}/paper", {"voter": "2-1-102", "choice": "no", "serial": "S-7"}
    )
    code = re.search(r"回执码 ([2-9A-Z]{4}(-[2-9A-Z]{4}){3})", response.text).group(1)
    assert response.status_code == 200 and f"已录入 2-1-102。回执码 {code}" in response.text
    assert "反对" not in response.text.split("<h1>")[0]
    sessions = await SessionRecord.select(SessionRecord.data)
    assert all(code.encode() not in bytes(s["data"]) for s in sessions)
