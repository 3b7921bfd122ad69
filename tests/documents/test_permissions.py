"""Only staff of the compound with the document capability issue documents;
outside their compounds nothing exists; voter slips need household links too."""

import pytest

from tests.documents.support import add_meeting
from tests.support import issue, login, post
from yishi.documents.tables import IssuedDocument

ISSUE = [
    ("admin", 200),
    ("sec_alpha", 200),
    ("sec_beta", 404),
    ("pm_alpha", 403),
    ("pm_beta", 404),
    ("committee_alpha", 403),
    ("grid_alpha1", 403),
]


@pytest.mark.parametrize(("username", "status"), ISSUE)
async def test_issuing_a_document_needs_the_document_capability_in_the_compound(client, username, status, world):
    meeting_id = await add_meeting(world)
    await login(client, username)
    for url in (
        "/compounds/alpha/documents/pdf/proposal_poster",
        f"/compounds/alpha/documents/pdf/minutes/{meeting_id}",
        "/compounds/alpha/documents/action-ledger.csv",
    ):
        response = await issue(client, url)
        assert response.status_code == status, url
    assert await IssuedDocument.count() == (2 if status == 200 else 0)


SLIPS = [
    ("admin", 200),
    ("sec_alpha", 200),
    ("sec_beta", 404),
    ("pm_alpha", 403),
    ("pm_beta", 404),
    ("committee_alpha", 403),
    ("grid_alpha1", 403),
]


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize(("username", "status"), SLIPS)
async def test_only_staff_who_may_issue_documents_and_household_links_print_voter_slips(client, username, status):
    await login(client, username)
    form = await client.get("/compounds/alpha/documents/voter-slips")
    assert form.status_code == status
    response = await post(client, "/compounds/alpha/documents/voter-slips", {"building": "all", "confirm": "yes"})
    assert response.status_code == status
    assert await IssuedDocument.count() == (1 if status == 200 else 0)


async def test_a_property_manager_sees_the_issued_documents_but_not_the_voter_slips(client, world):
    meeting_id = await add_meeting(world)
    await login(client, "sec_alpha")
    notice = (await issue(client, f"/compounds/alpha/documents/pdf/meeting_notice/{meeting_id}")).headers[
        "x-verification-code"
    ]
    slips = (
        await post(client, "/compounds/alpha/documents/voter-slips", {"building": "all", "confirm": "yes"})
    ).url.params["issued"]
    await login(client, "pm_alpha")
    page = await client.get("/compounds/alpha/documents")
    assert page.status_code == 200
    assert notice in page.text and slips not in page.text
    assert "/compounds/alpha/documents/voter-slips" not in page.text
    assert (await client.get(f"/compounds/alpha/documents/issued/{notice}")).status_code == 200
    assert (await client.get(f"/compounds/alpha/documents/issued/{slips}")).status_code == 403


async def test_outside_their_compounds_staff_find_no_documents_page_and_no_issued_copy(client, world):
    meeting_id = await add_meeting(world)
    await login(client, "sec_alpha")
    code = (await issue(client, f"/compounds/alpha/documents/pdf/meeting_notice/{meeting_id}")).headers[
        "x-verification-code"
    ]
    await login(client, "pm_beta")
    assert (await client.get("/compounds/alpha/documents")).status_code == 404
    assert (await client.get(f"/compounds/alpha/documents/issued/{code}")).status_code == 404
    await login(client, "sec_beta")
    assert (await client.get(f"/compounds/beta/documents/issued/{code}")).status_code == 404


@pytest.mark.usefixtures("world")
async def test_without_a_login_the_staff_pages_ask_to_log_in(client):
    response = await client.get("/compounds/alpha/documents", follow_redirects=False)
    assert response.status_code in (302, 303) and "/login" in response.headers["location"]
