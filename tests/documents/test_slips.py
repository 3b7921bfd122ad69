"""Voter slips: printing them issues new links, which exist only in the PDF."""

import re

import pytest

from tests.documents.support import building_id, pdf_pages, pdf_text
from tests.support import login, post, text_of
from yishi.accounts.service import household_for_token, issue_household_link
from yishi.audit.tables import AuditEntry
from yishi.documents.tables import IssuedDocument

TOKEN = re.compile(r"/h/([A-Za-z0-9_-]{20,})")


AFTER = re.compile(r'name="after" value="(\d*)"')


async def form_state(client) -> str:
    """The form's record of the latest slips it was shown with."""
    return AFTER.search((await client.get("/compounds/alpha/documents/voter-slips")).text).group(1)


async def issue(client, building: str):
    data = {"building": building, "confirm": "yes", "after": await form_state(client)}
    response = await post(client, "/compounds/alpha/documents/voter-slips", data)
    assert response.status_code == 200, response.text
    code = response.url.params["issued"]
    pdf = await client.get(f"/compounds/alpha/documents/issued/{code}")
    assert pdf.status_code == 200 and pdf.headers["cache-control"] == "private, no-store"
    return code, pdf.content


@pytest.mark.usefixtures("world")
async def test_the_form_warns_that_printing_issues_new_links_before_anything_happens(client):
    await login(client, "sec_alpha")
    page = await client.get("/compounds/alpha/documents/voter-slips")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "打印链接条会签发新链接" in text and "原有链接立即失效" in text
    assert "全小区（6 户）" in text and "1号楼（3 户）" in text


async def test_without_the_confirmation_nothing_is_issued_and_the_choice_is_kept(client, world):
    old = await issue_household_link(world.households["alpha:1-1-101"], None)
    await login(client, "sec_alpha")
    b1 = await building_id(world.compounds["alpha"], "1")
    response = await post(client, "/compounds/alpha/documents/voter-slips", {"building": str(b1)})
    assert response.status_code == 400
    assert "请勾选，确认这些住户的旧链接将失效" in response.text
    assert f'value="{b1}" checked' in response.text
    assert await IssuedDocument.count() == 0
    assert await household_for_token(old) == world.households["alpha:1-1-101"]


async def test_slips_of_the_whole_compound_carry_a_new_working_link_per_household_and_old_links_stop(client, world):
    old = await issue_household_link(world.households["alpha:1-1-101"], None)
    await login(client, "sec_alpha")
    code, data = await issue(client, "all")
    text = pdf_text(data)
    assert pdf_pages(data) == 2  # the cover, then six slips on one sheet
    assert "投票链接条" in text and "以下均为新链接" in text
    for unit in ("1-1-101", "1-1-102", "1-1-201", "2-1-101", "2-1-102", "2-1-201"):
        assert unit in text
    tokens = TOKEN.findall(text)
    assert len(tokens) == 6
    households = {await household_for_token(t) for t in tokens}
    assert households == {world.households[f"alpha:{b}-{u}"] for b in "12" for u in ("1-101", "1-102", "1-201")}
    assert await household_for_token(old) is None
    assert f"批次 {code}" in text


async def test_eight_slips_fit_on_a_sheet(client, world):
    from datetime import UTC, datetime

    from yishi.roster.tables import Household

    b1 = await building_id(world.compounds["alpha"], "1")
    await Household.insert(
        *[
            Household(building=b1, unit=f"2-{n}01", exclusive_area=8000, updated_at=datetime.now(UTC))
            for n in range(1, 8)
        ]
    )
    await login(client, "sec_alpha")
    _code, data = await issue(client, str(b1))
    assert pdf_pages(data) == 1 + 2  # 10 households: a full sheet of 8 and one of 2
    assert len(TOKEN.findall(pdf_text(data))) == 10


@pytest.mark.usefixtures("world")
async def test_the_tokens_exist_only_inside_the_pdf(client):
    await login(client, "sec_alpha")
    code, data = await issue(client, "all")
    tokens = TOKEN.findall(pdf_text(data))
    record = await IssuedDocument.select().where(IssuedDocument.code == code).first()
    stored = " ".join(str(v) for k, v in record.items() if k != "pdf")
    audit = " ".join(str(r) for r in await AuditEntry.select())
    verify = await client.get(f"/verify/{code}")
    for token in tokens:
        assert token not in stored and token not in audit and token not in verify.text
    assert "链接只印在纸上" in text_of(verify.text)
    client.cookies.clear()
    assert (await client.get(f"/verify/{code}/pdf")).status_code == 404


async def test_new_slips_of_a_building_supersede_its_earlier_slips_and_the_verify_page_says_the_links_no_longer_work(
    client,
    world,
):
    await login(client, "sec_alpha")
    b1 = await building_id(world.compounds["alpha"], "1")
    first, _ = await issue(client, str(b1))
    second, _ = await issue(client, str(b1))
    page = text_of((await client.get(f"/verify/{first}")).text)
    assert "此版本已被替代" in page and "其上所印的专属链接已失效" in page
    whole, _ = await issue(client, "all")
    rows = {r["code"]: r for r in await IssuedDocument.select()}
    assert rows[second]["superseded_by"] == rows[whole]["id"]


async def test_slips_of_one_building_are_noted_on_the_verify_page_of_earlier_whole_compound_slips(client, world):
    await login(client, "sec_alpha")
    whole, _ = await issue(client, "all")
    b2 = await building_id(world.compounds["alpha"], "2")
    later, _ = await issue(client, str(b2))
    page = await client.get(f"/verify/{whole}")
    assert "本小区此后又签发了投票链接条" in text_of(page.text)
    assert f'href="/verify/{later}"' in page.text


async def test_the_same_form_sent_twice_issues_once_and_the_printed_links_keep_working(client, world):
    await login(client, "sec_alpha")
    data = {"building": "all", "confirm": "yes", "after": await form_state(client)}
    first = await post(client, "/compounds/alpha/documents/voter-slips", data)
    assert first.status_code == 200 and "issued" in first.url.params
    printed = TOKEN.findall(
        pdf_text((await client.get(f"/compounds/alpha/documents/issued/{first.url.params['issued']}")).content)
    )
    again = await post(client, "/compounds/alpha/documents/voter-slips", data)
    assert again.status_code == 409
    assert "没有再次发放" in text_of(again.text) and 'id="slips-changed"' in again.text
    assert await IssuedDocument.count().where(IssuedDocument.kind == "voter_slips") == 1
    assert printed
    for token in printed:
        assert await household_for_token(token) is not None


async def test_the_form_says_which_printed_slips_stop_working(client, world):
    await login(client, "sec_alpha")
    form = text_of((await client.get("/compounds/alpha/documents/voter-slips")).text)
    assert "将失效" not in form
    await issue(client, "all")
    form = text_of((await client.get("/compounds/alpha/documents/voter-slips")).text)
    assert "此前打印的所有链接条都将失效" in form and "打印的链接条将失效" in form
