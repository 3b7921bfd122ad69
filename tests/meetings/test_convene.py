"""Convening a meeting, editing it, the notice periods, and who may see and do what."""

import pytest

from tests.meetings.support import convene, local_in, meeting_form
from tests.support import login, post, text_of
from yishi.audit.tables import AuditEntry
from yishi.meetings.tables import Invitation, Meeting
from yishi.roster.tables import Compound, Party


async def test_secretary_convenes_a_tripartite_meeting_that_invites_all_three_parties_by_default(client, world):
    await login(client, "sec_alpha")
    meeting_id = await convene(
        client, kind="tripartite", title="地下车库出口照明三方联席会", guests="王警官，社区民警\n刘桂兰，居民代表"
    )
    meeting = await Meeting.select().where(Meeting.id == meeting_id).first()
    assert meeting["status"] == "draft" and meeting["convener"] == world.users["sec_alpha"]
    parties = await Party.select(Party.id).where(Party.compound == world.compounds["alpha"])
    invited = await Invitation.select().where(Invitation.meeting == meeting_id)
    assert sorted(i["party"] for i in invited if i["party"]) == sorted(p["id"] for p in parties)
    assert {(i["guest_name"], i["guest_role"]) for i in invited if i["guest_name"]} == {
        ("王警官", "社区民警"),
        ("刘桂兰", "居民代表"),
    }
    page = text_of((await client.get(f"/meetings/{meeting_id}")).text)
    assert "地下车库出口照明三方联席会" in page and "王警官（社区民警）" in page
    assert await AuditEntry.exists().where((AuditEntry.subject == "meeting") & (AuditEntry.action == "create"))


@pytest.mark.usefixtures("world")
async def test_the_form_keeps_what_was_typed_and_says_what_is_wrong_next_to_each_field(client):
    await login(client, "sec_alpha")
    data = meeting_form(
        starts_at=local_in(days=-1), place="", duration_minutes="0", title="楼道堆物清理议事会", guests="王警官"
    )
    response = await post(client, "/compounds/alpha/meetings/new", data)
    assert response.status_code == 400
    html = response.text
    assert 'value="楼道堆物清理议事会"' in html
    page = text_of(html)
    assert "这个时间已经过去" in page
    assert "请填写会议地点" in page
    assert "1 到 600" in page
    assert "第 1 行" in page
    assert not await Meeting.exists()


@pytest.mark.usefixtures("world")
async def test_a_time_that_is_not_a_date_is_refused(client):
    await login(client, "sec_alpha")
    response = await post(client, "/compounds/alpha/meetings/new", meeting_form(starts_at="下周三晚上"))
    assert response.status_code == 400
    assert 'value="下周三晚上"' in response.text


async def test_host_and_invited_staff_must_be_staff_of_the_compound(client, world):
    await login(client, "sec_alpha")
    response = await post(
        client,
        "/compounds/alpha/meetings/new",
        meeting_form(host=str(world.users["sec_beta"]), staff=[str(world.users["pm_beta"])]),
    )
    assert response.status_code == 400
    page = text_of(response.text)
    assert "主持人必须是本小区的工作人员" in page
    assert not await Meeting.exists()


async def test_buildings_of_another_compound_are_refused(client, world):
    await login(client, "sec_alpha")
    response = await post(
        client, "/compounds/alpha/meetings/new", meeting_form(building=[str(world.buildings[("beta", "1")])])
    )
    assert response.status_code == 400
    assert not await Meeting.exists()


CONVENE = [
    ("admin", 200),
    ("sec_alpha", 200),
    ("pm_alpha", 403),
    ("committee_alpha", 403),
    ("grid_alpha1", 403),
    ("sec_beta", 404),
    ("pm_beta", 404),
]


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize(("username", "status"), CONVENE)
async def test_only_the_secretary_and_community_admin_of_the_compound_convene(client, username, status):
    await login(client, username)
    form = await client.get("/compounds/alpha/meetings/new")
    assert form.status_code == status
    response = await post(client, "/compounds/alpha/meetings/new", meeting_form())
    assert response.status_code == status
    assert await Meeting.exists() == (status == 200)


VIEW = [
    ("sec_alpha", 200),
    ("pm_alpha", 200),
    ("committee_alpha", 200),
    ("grid_alpha1", 200),
    ("sec_beta", 404),
    ("pm_beta", 404),
]


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize(("username", "status"), VIEW)
async def test_a_meeting_is_seen_only_inside_the_persons_compounds(client, username, status):
    await login(client, "sec_alpha")
    meeting_id = await convene(client)
    await post(client, "/logout")
    await login(client, username)
    response = await client.get(f"/meetings/{meeting_id}")
    assert response.status_code == status
    if status == 404:
        assert "3号楼电动车充电板凳会" not in response.text
    listing = await client.get("/compounds/alpha/meetings")
    assert listing.status_code == status


@pytest.mark.usefixtures("world")
async def test_editing_a_meeting_records_each_changed_field_before_and_after(client):
    await login(client, "sec_alpha")
    meeting_id = await convene(client)
    form = await client.get(f"/meetings/{meeting_id}/edit")
    assert 'value="3号楼架空层"' in form.text
    response = await post(client, f"/meetings/{meeting_id}/edit", meeting_form(place="党群服务站议事厅"))
    assert response.status_code == 200
    entry = await AuditEntry.select().where(AuditEntry.action == "edit").output(load_json=True).first()
    assert entry["detail"]["changes"]["place"] == ["3号楼架空层", "党群服务站议事厅"]
    page = text_of((await client.get(f"/meetings/{meeting_id}")).text)
    assert "3号楼架空层 → 党群服务站议事厅" in page


@pytest.mark.usefixtures("world")
async def test_a_property_manager_cannot_edit_a_meeting(client):
    await login(client, "sec_alpha")
    meeting_id = await convene(client)
    await post(client, "/logout")
    await login(client, "pm_alpha")
    response = await post(client, f"/meetings/{meeting_id}/edit", meeting_form(place="物业办公室"))
    assert response.status_code == 403
    assert (await Meeting.select(Meeting.place).first())["place"] == "3号楼架空层"


async def test_the_secretary_sets_the_compounds_notice_periods_but_not_below_the_law(client, world):
    await login(client, "sec_alpha")
    bad = {"bench_meeting": "2", "tripartite": "5", "council": "3", "owners_decision": "10"}
    response = await post(client, "/compounds/alpha/meetings/notice-days", bad)
    assert response.status_code == 400
    assert "15" in text_of(response.text)
    assert 'value="10"' in response.text
    good = {**bad, "owners_decision": "20"}
    response = await post(client, "/compounds/alpha/meetings/notice-days", good)
    assert response.status_code == 200
    row = (
        await Compound.select(Compound.notice_days)
        .where(Compound.id == world.compounds["alpha"])
        .output(load_json=True)
        .first()
    )
    assert row["notice_days"] == {"bench_meeting": 2, "tripartite": 5, "council": 3, "owners_decision": 20}


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize(("username", "status"), [("pm_alpha", 403), ("sec_beta", 404), ("grid_alpha1", 403)])
async def test_only_the_compounds_secretary_sets_its_notice_periods(client, username, status):
    await login(client, username)
    response = await post(
        client,
        "/compounds/alpha/meetings/notice-days",
        {"bench_meeting": "0", "tripartite": "0", "council": "0", "owners_decision": "15"},
    )
    assert response.status_code == status
