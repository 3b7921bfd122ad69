"""A document is rendered only when its data changed; otherwise the stored
bytes are served. A change makes a new version that supersedes the old one."""

from tests.documents.support import add_meeting, pdf_text
from tests.support import issue, login, post
from yishi.documents.tables import IssuedDocument
from yishi.meetings.tables import AgendaItem, Attendance


async def test_a_second_download_of_unchanged_data_serves_the_stored_bytes(client, world):
    meeting_id = await add_meeting(world)
    await login(client, "sec_alpha")
    url = f"/compounds/alpha/documents/pdf/meeting_notice/{meeting_id}"
    first, second = await issue(client, url), await issue(client, url)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert first.headers["x-verification-code"] == second.headers["x-verification-code"]
    assert await IssuedDocument.count() == 1


async def test_another_person_downloading_unchanged_data_gets_the_same_document(client, world):
    meeting_id = await add_meeting(world)
    url = f"/compounds/alpha/documents/pdf/minutes/{meeting_id}"
    await login(client, "sec_alpha")
    first = await issue(client, url)
    await login(client, "admin")
    second = await issue(client, url)
    assert first.headers["x-verification-code"] == second.headers["x-verification-code"]


async def test_a_change_makes_version_two_and_the_first_is_superseded_by_it(client, world):
    meeting_id = await add_meeting(world)
    await login(client, "sec_alpha")
    url = f"/compounds/alpha/documents/pdf/sign_in_sheet/{meeting_id}"
    first = await issue(client, url)
    await Attendance.insert(Attendance(meeting=meeting_id, household=world.households["alpha:1-1-201"], method="qr"))
    second = await issue(client, url)
    old_code, new_code = first.headers["x-verification-code"], second.headers["x-verification-code"]
    assert old_code != new_code
    assert "第 2 版" in pdf_text(second.content)
    old = await IssuedDocument.select().where(IssuedDocument.code == old_code).first()
    new = await IssuedDocument.select().where(IssuedDocument.code == new_code).first()
    assert (old["version"], new["version"]) == (1, 2)
    assert old["superseded_by"] == new["id"] and new["superseded_by"] is None
    third = await issue(client, url)
    assert third.headers["x-verification-code"] == new_code


async def test_the_same_data_in_english_is_the_same_version_and_does_not_supersede_the_chinese(client, world):
    meeting_id = await add_meeting(world)
    await login(client, "sec_alpha")
    url = f"/compounds/alpha/documents/pdf/meeting_notice/{meeting_id}"
    chinese = await issue(client, url)
    client.cookies.set("yishi_lang", "en")
    english = await issue(client, url)
    rows = await IssuedDocument.select(
        IssuedDocument.code, IssuedDocument.version, IssuedDocument.language, IssuedDocument.superseded_by
    ).order_by(IssuedDocument.id)
    assert [(r["language"], r["version"], r["superseded_by"]) for r in rows] == [("zh_CN", 1, None), ("en", 1, None)]
    assert chinese.headers["x-verification-code"] != english.headers["x-verification-code"]
    # New data supersedes both languages.
    await AgendaItem.update({AgendaItem.title: "地下车库出口及坡道照明改造"}).where(
        (AgendaItem.meeting == meeting_id) & (AgendaItem.position == 1)
    )
    client.cookies.set("yishi_lang", "zh_CN")
    await issue(client, url)
    rows = await IssuedDocument.select(IssuedDocument.version, IssuedDocument.superseded_by).order_by(IssuedDocument.id)
    assert [r["version"] for r in rows] == [1, 1, 2]
    assert rows[0]["superseded_by"] == rows[1]["superseded_by"] is not None


async def test_the_documents_page_lists_what_can_be_issued_and_what_was_issued(client, world):
    meeting_id = await add_meeting(world)
    draft_id = await add_meeting(world, status="draft", title="草稿会议")
    await login(client, "sec_alpha")
    await issue(client, f"/compounds/alpha/documents/pdf/minutes/{meeting_id}")
    page = await client.get("/compounds/alpha/documents")
    assert page.status_code == 200
    assert f"/compounds/alpha/documents/pdf/meeting_notice/{meeting_id}" in page.text
    assert f"/compounds/alpha/documents/pdf/meeting_notice/{draft_id}" not in page.text
    assert "会议发布后即可打印相关文件" in page.text
    assert "/compounds/alpha/documents/pdf/proposal_poster" in page.text
    assert "/compounds/alpha/documents/voter-slips" in page.text
    code = (await IssuedDocument.select(IssuedDocument.code).first())["code"]
    assert f"/verify/{code}" in page.text and f"/compounds/alpha/documents/issued/{code}" in page.text
    stored = await client.get(f"/compounds/alpha/documents/issued/{code}")
    assert stored.status_code == 200 and stored.headers["x-verification-code"] == code


async def test_a_document_is_issued_by_post_and_then_opened_by_get(client, world):
    """Opening an address (a prefetch, a crawler, a link in a chat) never
    issues a document; the issuing form does, and leads to the copy."""
    meeting_id = await add_meeting(world)
    await login(client, "sec_alpha")
    url = f"/compounds/alpha/documents/pdf/meeting_notice/{meeting_id}"
    refused = await client.get(url)
    assert refused.status_code == 405 and "<html" in refused.text
    assert await IssuedDocument.count() == 0
    response = await post(client, url, follow_redirects=False)
    assert response.status_code == 303
    record = await IssuedDocument.select(IssuedDocument.code).first()
    assert response.headers["location"] == f"/compounds/alpha/documents/issued/{record['code']}"
    copy = await client.get(response.headers["location"])
    assert copy.status_code == 200 and copy.headers["content-type"] == "application/pdf"
    assert copy.headers["x-verification-code"] == record["code"]
    assert await IssuedDocument.count() == 1


async def test_one_person_renders_at_most_two_documents_at_once_and_others_are_not_held_back(
    app, client, world, monkeypatch
):
    import asyncio
    import time

    from tests.support import browser
    from yishi.documents import render, service

    real = render.html_to_pdf

    def slow(html: str) -> bytes:  # the same render, long enough for the clicks to overlap
        time.sleep(0.4)
        return real(html)

    monkeypatch.setattr(render, "html_to_pdf", slow)
    meetings = [await add_meeting(world) for _ in range(4)]
    await login(client, "sec_alpha")
    urls = [f"/compounds/alpha/documents/pdf/meeting_notice/{m}" for m in meetings[:3]]
    answers = await asyncio.gather(*[issue(client, url) for url in urls])
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200, 200, 429]
    refused = next(a for a in answers if a.status_code == 429)
    assert "还在生成中" in refused.text
    async with browser(app) as other:  # another person at the same time is served
        await login(other, "admin")
        both = await asyncio.gather(
            issue(client, f"/compounds/alpha/documents/pdf/meeting_notice/{meetings[3]}"),
            issue(other, f"/compounds/alpha/documents/pdf/sign_in_sheet/{meetings[3]}"),
        )
        assert [b.status_code for b in both] == [200, 200]
    assert service._rendering[world.users["sec_alpha"]] == 0
