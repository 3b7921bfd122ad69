"""Residents propose and second from their phones, as their own household only."""

import io

import pytest
from PIL import Image

from tests.proposals.support import PROPOSAL, identify, number_in, png, propose
from tests.support import post, text_of
from yishi.proposals.tables import Proposal, ProposalEvent, ProposalPhoto, Second
from yishi.roster.tables import Compound


@pytest.mark.usefixtures("world")
async def test_a_resident_proposes_with_a_photo_and_neighbours_read_it_on_the_public_page(client):
    await identify(client, "alpha:1-1-101")
    response = await propose(client, files=[("photos", ("车棚.png", png(), "image/png"))])
    assert response.status_code == 200
    number = number_in(response)
    page = text_of(response.text)
    assert PROPOSAL["title"] in page and "电动车在楼道里充电" in page
    assert "居民" in page and "1号楼" in page
    assert "1-1-101" not in page  # the public page names the building, not the flat
    photo = await ProposalPhoto.select().first()
    served = await client.get(f"/c/alpha/proposals/{number}/photos/{photo['id']}")
    assert served.status_code == 200
    assert served.headers["content-type"].startswith("image/png")
    assert Image.open(io.BytesIO(served.content)).size == (64, 48)


@pytest.mark.usefixtures("world")
async def test_the_short_link_leads_to_the_compounds_proposals(client):
    response = await client.get("/p/alpha")
    assert str(response.url).endswith("/c/alpha/proposals")
    assert "银河湾小区" in text_of(response.text)


@pytest.mark.usefixtures("world")
async def test_the_qr_code_is_an_svg_of_the_short_link(client):
    response = await client.get("/c/alpha/proposals/qr.svg")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert response.text.lstrip().startswith("<svg")


@pytest.mark.usefixtures("world")
async def test_the_compounds_public_page_leads_to_its_proposals(client):
    page = (await client.get("/c/alpha")).text
    assert 'href="/c/alpha/proposals/new"' in page and 'href="/c/alpha/proposals"' in page


@pytest.mark.usefixtures("world")
async def test_a_visitor_is_asked_which_household_they_are_before_proposing(client):
    response = await client.get("/c/alpha/proposals/new")
    assert "/c/alpha/me" in str(response.url)
    assert "next=/c/alpha/proposals/new" in str(response.url)
    response = await propose(client)
    assert "/c/alpha/me" in str(response.url)
    assert await Proposal.count() == 0


@pytest.mark.usefixtures("world")
async def test_an_empty_title_and_no_problem_are_shown_next_to_their_fields_and_the_rest_is_kept(client):
    await identify(client, "alpha:1-1-101")
    response = await propose(client, title="", problem="  ", suggestion="加装感应灯")
    assert response.status_code == 400
    assert 'id="e-title"' in response.text and 'id="e-problem"' in response.text
    assert "加装感应灯" in response.text
    assert await Proposal.count() == 0


@pytest.mark.usefixtures("world")
async def test_a_title_that_is_too_long_is_refused_with_the_text_kept(client):
    await identify(client, "alpha:1-1-101")
    response = await propose(client, title="长" * 130)
    assert response.status_code == 400
    assert "130" in text_of(response.text)
    assert PROPOSAL["problem"] in response.text
    assert await Proposal.count() == 0


@pytest.mark.usefixtures("world")
async def test_a_category_that_is_not_on_the_list_is_refused(client):
    await identify(client, "alpha:1-1-101")
    response = await propose(client, category="weather")
    assert response.status_code == 400
    assert 'id="e-category"' in response.text
    assert await Proposal.count() == 0


@pytest.mark.usefixtures("world")
async def test_a_file_that_is_not_a_photo_is_refused_and_every_word_typed_is_kept(client):
    await identify(client, "alpha:1-1-101")
    response = await propose(client, files=[("photos", ("照片.jpg", b"%PDF-1.7 not a photo", "image/jpeg"))])
    assert response.status_code == 400
    assert 'id="e-photos"' in response.text
    assert "照片.jpg" in text_of(response.text)
    for value in PROPOSAL.values():
        assert value in response.text
    assert await Proposal.count() == 0
    assert await ProposalPhoto.count() == 0


@pytest.mark.usefixtures("world")
async def test_a_photo_over_five_megabytes_is_refused(client):
    await identify(client, "alpha:1-1-101")
    huge = png() + b"\0" * (5 * 1024 * 1024)
    response = await propose(client, files=[("photos", ("big.png", huge, "image/png"))])
    assert response.status_code == 400
    assert "5 MB" in text_of(response.text)
    assert await Proposal.count() == 0


@pytest.mark.usefixtures("world")
async def test_a_sixth_photo_is_refused(client):
    await identify(client, "alpha:1-1-101")
    files = [("photos", (f"{i}.png", png(), "image/png")) for i in range(6)]
    response = await propose(client, files=files)
    assert response.status_code == 400
    assert 'id="e-photos"' in response.text
    assert await Proposal.count() == 0
    response = await propose(client, files=files[:5])
    assert response.status_code == 200
    assert await ProposalPhoto.count() == 5


@pytest.mark.usefixtures("world")
async def test_a_household_of_another_compound_is_asked_which_household_here_it_is(client):
    await identify(client, "beta:1-1-101")
    response = await propose(client, "alpha")
    assert "/c/alpha/me" in str(response.url)
    assert await Proposal.count() == 0


@pytest.mark.usefixtures("world")
async def test_neighbours_second_once_each_and_a_second_attempt_is_told_why(client):
    await identify(client, "alpha:1-1-101")
    number = number_in(await propose(client))
    await identify(client, "alpha:1-1-102")
    response = await post(client, f"/c/alpha/proposals/{number}/second")
    assert response.status_code == 200
    assert "1 户已附议" in text_of(response.text)
    again = await post(client, f"/c/alpha/proposals/{number}/second")
    assert again.status_code == 409
    assert "已于" in text_of(again.text) and "每户只能附议一次" in text_of(again.text)
    assert await Second.count() == 1


@pytest.mark.usefixtures("world")
async def test_the_proposers_household_cannot_second_its_own_proposal(client):
    await identify(client, "alpha:1-1-101")
    number = number_in(await propose(client))
    response = await post(client, f"/c/alpha/proposals/{number}/second")
    assert response.status_code == 409
    assert await Second.count() == 0


@pytest.mark.usefixtures("world")
async def test_a_household_of_another_compound_is_asked_who_it_is_before_seconding(client):
    await identify(client, "alpha:1-1-101")
    number = number_in(await propose(client))
    await identify(client, "beta:1-1-102")
    response = await post(client, f"/c/alpha/proposals/{number}/second")
    assert "/c/alpha/me" in str(response.url)
    assert await Second.count() == 0


async def test_a_resident_can_only_second_for_the_household_in_their_session(client, world):
    await identify(client, "alpha:1-1-101")
    number = number_in(await propose(client))
    await identify(client, "alpha:1-1-102")
    await post(client, f"/c/alpha/proposals/{number}/second", {"household": str(world.households["alpha:2-1-201"])})
    seconds = await Second.select(Second.household)
    assert seconds == [{"household": world.households["alpha:1-1-102"]}]


@pytest.mark.usefixtures("world")
async def test_a_visitor_who_seconds_is_first_asked_which_household_they_are(client):
    await identify(client, "alpha:1-1-101")
    number = number_in(await propose(client))
    await post(client, "/c/alpha/me/leave")
    response = await post(client, f"/c/alpha/proposals/{number}/second")
    assert "/c/alpha/me" in str(response.url)
    assert await Second.count() == 0


@pytest.mark.usefixtures("world")
async def test_seconding_with_htmx_answers_with_the_panel_only(client):
    await identify(client, "alpha:1-1-101")
    number = number_in(await propose(client))
    await identify(client, "alpha:1-1-102")
    response = await post(client, f"/c/alpha/proposals/{number}/second", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section class="card second-panel" id="second-panel"')
    assert "<html" not in response.text


async def test_reaching_the_compounds_threshold_is_recorded_once_and_shown(client, world):
    await Compound.update({Compound.seconds_threshold: 2}).where(Compound.id == world.compounds["alpha"])
    await identify(client, "alpha:1-1-101")
    number = number_in(await propose(client))
    for key in ("alpha:1-1-102", "alpha:1-1-201"):
        await identify(client, key)
        await post(client, f"/c/alpha/proposals/{number}/second")
    await identify(client, "alpha:2-1-101")
    response = await post(client, f"/c/alpha/proposals/{number}/second")
    proposal = await Proposal.select().first()
    assert proposal["threshold_reached_at"] is not None
    assert await ProposalEvent.count().where(ProposalEvent.kind == "threshold_reached") == 1
    assert "已达 2 户附议" in text_of(response.text)


@pytest.mark.usefixtures("world")
async def test_an_owners_matter_backed_by_a_fifth_of_owners_and_area_obliges_the_committee(client):
    await identify(client, "alpha:1-1-101")
    number = number_in(await propose(client, owners_matter="1", title="使用维修资金更换3号楼电梯"))
    page = text_of((await client.get(f"/c/alpha/proposals/{number}")).text)
    assert "附议了本事项" not in page
    assert (await Proposal.select(Proposal.obliges_committee_at).first())["obliges_committee_at"] is None
    await identify(client, "alpha:1-1-102")
    response = await post(client, f"/c/alpha/proposals/{number}/second")
    assert "附议了本事项：业主委员会应当召开会议" in text_of(response.text)
    assert (await Proposal.select(Proposal.obliges_committee_at).first())["obliges_committee_at"] is not None


@pytest.mark.usefixtures("world")
async def test_a_household_sees_its_own_proposals_with_their_status(client):
    await identify(client, "alpha:1-1-101")
    await propose(client)
    await propose(client, title="广场舞音响太吵", category="noise")
    page = text_of((await client.get("/c/alpha/proposals/mine")).text)
    assert PROPOSAL["title"] in page and "广场舞音响太吵" in page
    assert "征集附议中" in page


@pytest.mark.usefixtures("world")
async def test_a_photo_is_served_only_under_its_own_proposal_and_compound(client):
    await identify(client, "alpha:1-1-101")
    number = number_in(await propose(client, files=[("photos", ("a.png", png(), "image/png"))]))
    photo = await ProposalPhoto.select().first()
    assert (await client.get(f"/c/beta/proposals/{number}/photos/{photo['id']}")).status_code == 404
    assert (await client.get(f"/c/alpha/proposals/{number + 1}/photos/{photo['id']}")).status_code == 404
