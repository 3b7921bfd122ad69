"""The public verify page: the facts of an issued document, and an upload that
matches only the issued bytes."""

from tests.documents.support import add_meeting
from tests.support import issue, login, post, text_of
from yishi.meetings.tables import Attendance


async def issue_notice(client, world):
    meeting_id = await add_meeting(world)
    await login(client, "sec_alpha")
    response = await issue(client, f"/compounds/alpha/documents/pdf/meeting_notice/{meeting_id}")
    return meeting_id, response.headers["x-verification-code"], response.content


async def test_the_verify_page_shows_what_was_issued_without_a_login(client, world):
    _meeting, code, data = await issue_notice(client, world)
    client.cookies.clear()
    page = await client.get(f"/verify/{code}")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "会议通知" in text and "银河湾小区" in text and "Sec_Alpha" in text
    assert "现行版本" in text
    import hashlib

    assert hashlib.sha256(data).hexdigest() in text


async def test_the_issued_bytes_match_and_a_modified_copy_is_refused(client, world):
    _meeting, code, data = await issue_notice(client, world)
    client.cookies.clear()
    same = await post(client, f"/verify/{code}", files={"file": ("notice.pdf", data, "application/pdf")})
    assert same.status_code == 200
    assert "一致。" in text_of(same.text) and "不一致" not in text_of(same.text)
    changed = data.replace(b"/Producer", b"/Produce2", 1) if b"/Producer" in data else data + b"\n%"
    assert changed != data
    refused = await post(client, f"/verify/{code}", files={"file": ("notice.pdf", changed, "application/pdf")})
    assert "不一致。" in text_of(refused.text)


async def test_with_htmx_the_check_answers_with_the_result_fragment(client, world):
    _meeting, code, data = await issue_notice(client, world)
    response = await post(
        client, f"/verify/{code}", files={"file": ("n.pdf", data, "application/pdf")}, headers={"hx-request": "true"}
    )
    assert response.status_code == 200
    assert "<html" not in response.text and "一致。" in response.text


async def test_checking_without_a_file_says_so_next_to_the_field(client, world):
    _meeting, code, _data = await issue_notice(client, world)
    response = await post(client, f"/verify/{code}", files={"file": ("", b"", "application/octet-stream")})
    assert response.status_code == 400
    assert "请选择要核验的 PDF 文件" in response.text


async def test_a_superseded_version_says_so_and_links_to_the_new_one(client, world):
    meeting_id = await add_meeting(world)
    await login(client, "sec_alpha")
    url = f"/compounds/alpha/documents/pdf/sign_in_sheet/{meeting_id}"
    old = (await issue(client, url)).headers["x-verification-code"]
    await Attendance.insert(Attendance(meeting=meeting_id, household=world.households["alpha:1-1-101"], method="qr"))
    new = (await issue(client, url)).headers["x-verification-code"]
    page = await client.get(f"/verify/{old}")
    assert "此版本已被替代" in text_of(page.text)
    assert f'href="/verify/{new}"' in page.text
    current = await client.get(f"/verify/{new}")
    assert "现行版本" in text_of(current.text)


async def test_codes_are_read_in_any_case_with_spaces_and_unknown_codes_are_not_found(client, world):
    _meeting, code, _data = await issue_notice(client, world)
    typed = f"{code[:4].lower()} {code[4:].lower()}"
    lookup = await client.get("/verify", params={"code": typed})
    assert lookup.status_code == 200 and str(lookup.url).endswith(f"/verify/{code}")
    assert (await client.get("/verify/ZZZZ2222")).status_code == 404
    bad = await client.get("/verify", params={"code": "O0I1"})
    assert bad.status_code == 400 and "8 位" in bad.text


async def test_a_public_notice_can_be_downloaded_from_its_verify_page_but_a_sign_in_sheet_cannot(client, world):
    meeting_id, code, data = await issue_notice(client, world)
    sheet = (await issue(client, f"/compounds/alpha/documents/pdf/sign_in_sheet/{meeting_id}")).headers[
        "x-verification-code"
    ]
    client.cookies.clear()
    notice = await client.get(f"/verify/{code}/pdf")
    assert notice.status_code == 200 and notice.content == data
    assert (await client.get(f"/verify/{sheet}/pdf")).status_code == 404
