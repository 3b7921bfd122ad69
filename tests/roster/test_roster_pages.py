import pytest

from tests.support import build_world, login, post, text_of
from yishi.roster.tables import Building, Household

GOOD_CSV = "楼栋,房号,专有部分面积,业主,电话,人数,产权人编号\n1,1-101,90.00,业主10,13900001000,2,\n3,2-301,120.55,王建功,13900003001,3,\n".encode(
    "utf-8-sig"
)
BAD_CSV = "楼栋,房号,专有部分面积,业主\n3,2-301,120.55,王建功\n3,2-302,-5,李四\n".encode()

VIEW = [
    ("admin", "alpha", 200),
    ("admin", "beta", 200),
    ("sec_alpha", "alpha", 200),
    ("sec_alpha", "beta", 404),
    ("pm_alpha", "alpha", 200),
    ("pm_alpha", "beta", 404),
    ("pm_beta", "alpha", 404),
    ("committee_alpha", "alpha", 200),
    ("committee_alpha", "beta", 404),
    ("grid_alpha1", "alpha", 200),
    ("grid_alpha1", "beta", 404),
]


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize(("username", "compound", "status"), VIEW)
async def test_roster_page_is_open_only_inside_the_persons_places(client, username, compound, status):
    await login(client, username)
    response = await client.get(f"/compounds/{compound}/roster")
    assert response.status_code == status
    if status == 404:
        assert "业主" not in text_of(response.text)


IMPORT = [
    ("admin", 200),
    ("sec_alpha", 200),
    ("pm_alpha", 403),
    ("committee_alpha", 403),
    ("grid_alpha1", 403),
    ("sec_beta", 404),
    ("pm_beta", 404),
]


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize(("username", "status"), IMPORT)
async def test_only_secretaries_and_admins_of_the_compound_may_import_a_roster(client, username, status):
    await login(client, username)
    response = await post(
        client, "/compounds/alpha/roster/import", files={"file": ("roster.csv", GOOD_CSV, "text/csv")}
    )
    assert response.status_code == status
    export = await client.get("/compounds/alpha/roster/export.csv")
    assert export.status_code == status


@pytest.mark.usefixtures("world")
async def test_grid_worker_sees_only_the_buildings_they_look_after(client):
    await login(client, "grid_alpha1")
    page = text_of((await client.get("/compounds/alpha/roster")).text)
    assert "1-1-101" in page
    assert "2-1-101" not in page


async def test_a_file_with_a_bad_row_is_refused_whole_with_its_line_and_reason(client, world):
    await login(client, "sec_alpha")
    response = await post(client, "/compounds/alpha/roster/import", files={"file": ("roster.csv", BAD_CSV, "text/csv")})
    assert response.status_code == 400
    page = text_of(response.text)
    assert "没有保存任何内容" in page
    assert "3" in page and "-5" in page
    # Confirming the same bytes anyway writes nothing either.
    import base64

    response = await post(
        client,
        "/compounds/alpha/roster/import/confirm",
        {"payload": base64.b64encode(BAD_CSV).decode(), "filename": "roster.csv"},
    )
    assert response.status_code == 400
    assert not await Building.exists().where((Building.compound == world.compounds["alpha"]) & (Building.code == "3"))


@pytest.mark.usefixtures("world")
async def test_preview_then_confirm_imports_new_and_changed_households(client):
    await login(client, "sec_alpha")
    preview = await post(client, "/compounds/alpha/roster/import", files={"file": ("roster.csv", GOOD_CSV, "text/csv")})
    assert preview.status_code == 200
    page = text_of(preview.text)
    assert "导入 2 行" in page
    assert not await Household.exists().where(Household.unit == "2-301")
    payload = preview.text.split('name="payload" value="')[1].split('"')[0]
    assert 'name="new_buildings" value="3"' in preview.text  # building 3 is new: the secretary confirms it
    form = {"payload": payload, "filename": "roster.csv", "new_buildings": "3"}
    refused = await post(client, "/compounds/alpha/roster/import/confirm", form)
    assert refused.status_code == 400 and "并勾选确认" in text_of(refused.text)
    assert not await Household.exists().where(Household.unit == "2-301")
    done = await post(
        client, "/compounds/alpha/roster/import/confirm", {**form, "confirm_buildings": "yes"}, follow_redirects=True
    )
    assert done.status_code == 200
    assert "3-2-301" in text_of(done.text)
    household = await Household.select().where(Household.unit == "2-301").first()
    assert household["exclusive_area"] == 12055
    assert household["owner_names"] == "王建功"


@pytest.mark.usefixtures("world")
async def test_export_then_import_gives_the_same_roster(client):
    await login(client, "sec_alpha")
    exported = (await client.get("/compounds/alpha/roster/export.csv")).content
    assert exported.startswith(b"\xef\xbb\xbf")
    preview = await post(client, "/compounds/alpha/roster/import", files={"file": ("r.csv", exported, "text/csv")})
    assert preview.status_code == 200
    page = text_of(preview.text)
    assert "6 未变" in page


async def test_roster_page_shows_the_three_parties_with_their_members(client):
    from yishi.accounts.tables import PartyMember
    from yishi.roster.tables import Party

    world = await build_world()
    branch = (
        await Party.select(Party.id)
        .where((Party.compound == world.compounds["alpha"]) & (Party.kind == "branch"))
        .first()
    )
    await PartyMember.insert(PartyMember(party=branch["id"], user=world.users["sec_alpha"], title="党支部书记"))
    await login(client, "pm_alpha")
    page = text_of((await client.get("/compounds/alpha/roster")).text)
    assert "党支部" in page and "Sec_Alpha（党支部书记）" in page
    assert "物业服务企业" in page and "业主委员会" in page


@pytest.mark.usefixtures("world")
async def test_lettered_and_named_building_codes_import_and_sort_among_numbers(client):
    await login(client, "sec_alpha")
    data = ("楼栋,房号,专有部分面积\nA座,101,90\n东区3号楼,1-101,80\n10,101,70\n2,101,60\n").encode()
    preview = await post(client, "/compounds/alpha/roster/import", files={"file": ("r.csv", data, "text/csv")})
    assert preview.status_code == 200
    payload = preview.text.split('name="payload" value="')[1].split('"')[0]
    done = await post(
        client,
        "/compounds/alpha/roster/import/confirm",
        {"payload": payload, "filename": "r.csv", "new_buildings": "10\nA座\n东区3号楼", "confirm_buildings": "yes"},
    )
    assert done.status_code == 200
    page = text_of((await client.get("/compounds/alpha/roster")).text)
    order = [page.index(code) for code in ("2-101", "10-101", "A座-101", "东区3号楼-1-101")]
    assert order == sorted(order)
    exported = await client.get("/compounds/alpha/roster/export.csv")
    assert exported.status_code == 200 and "A座,101,90.00" in exported.content.decode("utf-8-sig")
