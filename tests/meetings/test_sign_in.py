"""Sign-in: the door QR for residents, staff marking households and parties, the quorum figures."""

from datetime import UTC, datetime

import pytest

from tests.meetings.support import add_item, convene, proposal, publish
from tests.support import login, post, text_of
from yishi.meetings.pages import door_key
from yishi.meetings.tables import Attendance, Meeting
from yishi.roster.tables import Household, Party


async def published_meeting(client, world, kind="bench_meeting", hours=1.0, **kwargs):
    await login(client, "sec_alpha")
    meeting_id = await convene(client, kind=kind, days=hours / 24, **kwargs)
    await add_item(client, meeting_id, await proposal(world))
    response = await publish(client, meeting_id, urgent_reason="楼道火灾隐患，需尽快商议")
    assert response.status_code == 200, text_of(response.text)
    return meeting_id


def door_url(settings, meeting_id, compound="alpha"):
    return f"/c/{compound}/meetings/{meeting_id}/sign-in/{door_key(settings.secret_key, meeting_id)}"


async def identify(client, compound="alpha", building="1", unit="1-101", phone=None):
    phone = phone or f"1390000{building}{['1-101', '1-102', '1-201'].index(unit)}00"
    response = await post(client, f"/c/{compound}/me", {"building": building, "unit": unit, "phone": phone})
    assert response.status_code == 200, text_of(response.text)


async def test_a_resident_signs_in_with_the_door_qr_and_a_second_tap_changes_nothing(client, settings, world):
    meeting_id = await published_meeting(client, world)
    await post(client, "/logout")
    url = door_url(settings, meeting_id)
    page = await client.get(url)
    assert page.status_code == 200 and "我住在这里" in text_of(page.text)
    await identify(client)
    page = text_of((await client.get(url)).text)
    assert "住户 1-1-101" in page
    response = await post(client, url, {"household": str(world.households["alpha:2-1-101"])})
    assert response.status_code == 200
    assert "已于" in text_of(response.text)
    await post(client, url)
    rows = await Attendance.select()
    assert len(rows) == 1 and rows[0]["household"] == world.households["alpha:1-1-101"] and rows[0]["method"] == "qr"


async def test_the_door_address_needs_the_posters_key(client, settings, world):
    meeting_id = await published_meeting(client, world)
    await identify(client)
    response = await post(client, f"/c/alpha/meetings/{meeting_id}/sign-in/guessed")
    assert response.status_code == 404
    assert not await Attendance.exists()


async def test_a_household_outside_the_buildings_concerned_cannot_sign_in(client, settings, world):
    meeting_id = await published_meeting(client, world, building=[str(world.buildings[("alpha", "2")])])
    await identify(client, building="1")
    response = await post(client, door_url(settings, meeting_id))
    assert response.status_code == 403
    assert "不在其中" in text_of(response.text)
    assert not await Attendance.exists()


async def test_a_household_of_another_compound_is_asked_to_identify_here(client, settings, world):
    meeting_id = await published_meeting(client, world)
    await identify(client, compound="beta")
    response = await post(client, door_url(settings, meeting_id), follow_redirects=False)
    assert response.status_code in (302, 303)
    assert response.headers["location"].startswith("/c/alpha/me?next=")
    assert not await Attendance.exists()


async def test_door_sign_in_opens_only_near_the_meeting_time(client, settings, world):
    await login(client, "sec_alpha")
    meeting_id = await convene(client, days=3)
    await add_item(client, meeting_id, await proposal(world))
    await publish(client, meeting_id)
    await identify(client)
    response = await post(client, door_url(settings, meeting_id))
    assert response.status_code == 409
    assert "前三小时开放" in text_of(response.text)


async def test_staff_find_a_household_by_unit_and_sign_it_in(client, world):
    meeting_id = await published_meeting(client, world)
    page = text_of((await client.get(f"/meetings/{meeting_id}/sign-in?q=2-1-10")).text)
    assert "2-1-101" in page and "2-1-102" in page and "2-1-201" not in page
    fragment = await client.get(
        f"/meetings/{meeting_id}/sign-in?q=2-1-101", headers={"hx-request": "true", "hx-target": "household-results"}
    )
    assert fragment.text.lstrip().startswith('<div id="household-results">')
    response = await post(
        client,
        f"/meetings/{meeting_id}/sign-in/household",
        {"household": str(world.households["alpha:2-1-101"]), "label": "2-1-101"},
    )
    assert response.status_code == 200
    assert "2-1-101 已签到" in text_of(response.text)
    row = await Attendance.select().first()
    assert row["method"] == "staff" and row["marked_by"] == world.users["sec_alpha"]
    listing = text_of((await client.get(f"/meetings/{meeting_id}/sign-in/list")).text)
    assert "2-1-101" in listing and "到会住户：1 / 6" in listing


async def test_a_grid_worker_signs_in_only_households_of_their_buildings(client, world):
    meeting_id = await published_meeting(client, world)
    await post(client, "/logout")
    await login(client, "grid_alpha1")
    response = await post(
        client, f"/meetings/{meeting_id}/sign-in/household", {"household": str(world.households["alpha:2-1-101"])}
    )
    assert response.status_code == 403
    assert not await Attendance.exists()
    page = text_of((await client.get(f"/meetings/{meeting_id}/sign-in?q=1-10")).text)
    assert "1-1-101" in page and "2-1-101" not in page
    response = await post(
        client, f"/meetings/{meeting_id}/sign-in/household", {"household": str(world.households["alpha:1-1-101"])}
    )
    assert response.status_code == 200
    assert await Attendance.count() == 1


@pytest.mark.parametrize(("username", "status"), [("pm_alpha", 403), ("committee_alpha", 403), ("sec_beta", 404)])
async def test_only_recorders_sign_in_households(client, username, status, world):
    meeting_id = await published_meeting(client, world)
    await post(client, "/logout")
    await login(client, username)
    response = await post(
        client, f"/meetings/{meeting_id}/sign-in/household", {"household": str(world.households["alpha:1-1-101"])}
    )
    assert response.status_code == status
    assert not await Attendance.exists()


async def test_a_secretary_cannot_sign_in_a_household_of_another_compound(client, world):
    meeting_id = await published_meeting(client, world)
    response = await post(
        client, f"/meetings/{meeting_id}/sign-in/household", {"household": str(world.households["beta:1-1-101"])}
    )
    assert response.status_code == 403
    assert not await Attendance.exists()


async def test_sign_in_waits_for_the_notice(client, world):
    await login(client, "sec_alpha")
    meeting_id = await convene(client)
    response = await post(
        client, f"/meetings/{meeting_id}/sign-in/household", {"household": str(world.households["alpha:1-1-101"])}
    )
    assert response.status_code == 409


async def test_the_tripartite_list_is_grouped_by_party_and_shows_which_parties_are_present(client, world):
    meeting_id = await published_meeting(client, world, kind="tripartite", guests="王警官，社区民警")
    parties = {p["kind"]: p["id"] for p in await Party.select().where(Party.compound == world.compounds["alpha"])}
    await post(client, f"/meetings/{meeting_id}/sign-in/person", {"party": str(parties["branch"]), "name": "李红霞"})
    await post(client, f"/meetings/{meeting_id}/sign-in/person", {"party": str(parties["property"]), "name": "王志强"})
    response = await post(
        client, f"/meetings/{meeting_id}/sign-in/person", {"party": str(parties["property"]), "name": ""}
    )
    assert response.status_code == 400
    assert "请填写到场人员的姓名" in text_of(response.text)
    listing = text_of((await client.get(f"/meetings/{meeting_id}/sign-in/list")).text)
    assert "2 / 3" in listing
    assert "alphacommittee：未到" in listing.replace("银河湾小区", "alpha")
    from yishi.meetings.tables import Invitation

    guest = await Invitation.select().where(Invitation.guest_name == "王警官").first()
    await post(client, f"/meetings/{meeting_id}/sign-in/person", {"invitation": str(guest["id"])})
    await post(client, f"/meetings/{meeting_id}/sign-in/person", {"invitation": str(guest["id"])})
    await post(client, f"/meetings/{meeting_id}/sign-in/person", {"party": str(parties["committee"]), "name": "张建国"})
    listing = text_of((await client.get(f"/meetings/{meeting_id}/sign-in/list")).text)
    assert "3 / 3" in listing and "王警官" in listing
    assert await Attendance.count() == 4


async def test_a_party_of_another_compound_is_refused(client, world):
    meeting_id = await published_meeting(client, world, kind="tripartite")
    other = await Party.select().where(Party.compound == world.compounds["beta"]).first()
    response = await post(client, f"/meetings/{meeting_id}/sign-in/person", {"party": str(other["id"]), "name": "某人"})
    assert response.status_code == 400
    assert not await Attendance.exists()


async def test_owners_decision_quorum_counts_area_and_owners_with_shared_owner_keys(client, world):
    await Household.update({Household.owner_key: "owner-zhang"}).where(
        Household.id.is_in([world.households["alpha:1-1-101"], world.households["alpha:1-1-102"]])
    )
    await login(client, "sec_alpha")
    meeting_id = await convene(client, kind="owners_decision", days=20, voting_method="书面表决")
    await Meeting.update({Meeting.status: "published", Meeting.published_at: datetime.now(UTC)}).where(
        Meeting.id == meeting_id
    )
    for key in ("alpha:1-1-101", "alpha:2-1-201"):
        await post(client, f"/meetings/{meeting_id}/sign-in/household", {"household": str(world.households[key])})
    listing = text_of((await client.get(f"/meetings/{meeting_id}/sign-in/list")).text)
    # Areas: 90.00 + 100.00 (one owner) and 110.00 present, of 2 × (90 + 100 + 110) = 600.00 m².
    assert "面积：300.00 / 600.00 平方米" in listing
    assert "50.0%" in listing
    # Owners: five (1-1-101 and 1-1-102 are one), two present.
    assert "业主人数：2 / 5" in listing and "40.0%" in listing


async def test_the_door_poster_shows_a_qr_code_of_the_sign_in_address(client, settings, world):
    meeting_id = await published_meeting(client, world)
    page = await client.get(f"/meetings/{meeting_id}/door")
    assert page.status_code == 200
    assert "<svg" in page.text and 'class="segno"' in page.text
    assert f"{settings.base_url}{door_url(settings, meeting_id)}" in page.text
    await post(client, "/logout")
    await login(client, "pm_alpha")
    assert (await client.get(f"/meetings/{meeting_id}/door")).status_code == 403
