"""Each document renders in Chinese from test data: real text (pdftotext gives
it back), its page count, its verification code and page numbers."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.documents.support import add_meeting, add_positions_and_sign_ins, pdf_pages, pdf_text
from tests.support import issue, login
from yishi import i18n, labels
from yishi.actions.tables import Action, ActionUpdate
from yishi.documents.tables import IssuedDocument
from yishi.meetings.tables import AgendaItem

PAGE = "第{}页/共{}页"


def squeezed(text: str) -> str:
    return "".join(text.split())


async def download(client, url: str):
    response = await issue(client, url)
    assert response.status_code == 200, response.text[:2000]
    assert response.headers["content-type"] == "application/pdf"
    return response


def spaced_code(code: str) -> str:
    return f"{code[:4]} {code[4:]}"


@pytest.mark.usefixtures("world")
async def test_the_proposal_poster_is_one_page_of_chinese_with_the_proposals_link_and_its_code(client):
    await login(client, "sec_alpha")
    response = await download(client, "/compounds/alpha/documents/pdf/proposal_poster")
    text, code = pdf_text(response.content), response.headers["x-verification-code"]
    assert pdf_pages(response.content) == 1
    assert "有事好商量" in text and "打开微信" in text and "附议" in text
    assert "http://testserver.local/c/alpha/proposals" in text
    assert f"核验码 {spaced_code(code)}" in text
    assert PAGE.format(1, 1) in squeezed(text)
    assert "银河湾小区" in text  # the running header


async def test_the_meeting_notice_lists_time_place_and_agenda_with_page_numbers(client, world):
    meeting_id = await add_meeting(world)
    await login(client, "sec_alpha")
    response = await download(client, f"/compounds/alpha/documents/pdf/meeting_notice/{meeting_id}")
    text, pages = pdf_text(response.content), pdf_pages(response.content)
    assert "会议通知" in text and "板凳会" in text and "3号楼前党群服务站" in text
    assert "地下车库出口照明改造" in text and "电动车充电棚选址" in text
    with i18n.language("zh_CN"):
        assert labels.label("rule", "majority_of_cast") in text
    assert PAGE.format(pages, pages) in squeezed(text)
    assert spaced_code(response.headers["x-verification-code"]) in text


async def test_an_owners_decision_notice_prints_each_items_full_text_the_voting_method_and_when_the_committee_was_told(
    client,
    world,
):
    meeting_id = await add_meeting(world, kind="owners_decision", title="业主大会临时会议")
    await AgendaItem.update({AgendaItem.owners_matter: 5, AgendaItem.rule: "civil_code_ordinary"}).where(
        AgendaItem.meeting == meeting_id
    )
    await login(client, "sec_alpha")
    text = pdf_text((await download(client, f"/compounds/alpha/documents/pdf/meeting_notice/{meeting_id}")).content)
    assert "全体业主" in text and "议题全文" in text
    assert "拟在出口坡道加装 6 盏 LED 灯" in text
    assert "表决方式" in text and "现场举手表决与书面表决票相结合" in text
    assert "告知社区居委会" in text
    with i18n.language("zh_CN"):
        assert labels.label("owners_matter", 5) in text
        assert labels.label("rule", "civil_code_ordinary") in text


async def test_a_draft_meeting_has_no_documents_yet(client, world):
    meeting_id = await add_meeting(world, status="draft")
    await login(client, "sec_alpha")
    response = await issue(client, f"/compounds/alpha/documents/pdf/meeting_notice/{meeting_id}")
    assert response.status_code == 400
    assert "会议尚未发布" in response.text
    assert await IssuedDocument.count() == 0


async def test_the_sign_in_sheet_has_a_table_per_party_blank_cells_and_the_live_sign_ins(client, world):
    meeting_id = await add_meeting(world)
    await add_positions_and_sign_ins(world, meeting_id)
    await login(client, "sec_alpha")
    response = await download(client, f"/compounds/alpha/documents/pdf/sign_in_sheet/{meeting_id}")
    text = pdf_text(response.content)
    assert "签到表" in text
    for party in ("党支部", "物业服务企业", "业主委员会"):
        assert party in text
    assert "Pm_Alpha" in text and "刘警官" in text and "社区民警" not in text.split("刘警官")[0][-5:]
    assert "1-1-101" in text and "2-1-201" in text
    assert "扫码签到" in text and "工作人员登记" in text
    assert "打印时应到 6 户，已签到 2 户（33.3%）" in text


async def test_the_minutes_show_attendance_by_party_notes_positions_rules_and_a_signature_block(client, world):
    meeting_id = await add_meeting(world)
    await add_positions_and_sign_ins(world, meeting_id)
    await login(client, "sec_alpha")
    response = await download(client, f"/compounds/alpha/documents/pdf/minutes/{meeting_id}")
    text = pdf_text(response.content)
    assert "会议纪要" in text and "出席情况" in text
    assert "应邀 3 方，到会 1 方" in text
    assert "33.3%" in text  # 2 of 6 households
    assert "照明问题已反映多次" in text
    assert "物业同意，两周内完成安装" in text
    with i18n.language("zh_CN"):
        assert labels.label("stance", "conditions") in text
    assert "方案一" not in text and "3号楼北侧空地" in text
    assert "本议程未在议事平台计票" in text
    assert "签字确认" in text and "＿＿＿＿年＿＿月＿＿日" in text


async def test_the_action_ledger_lists_the_actions_of_the_period_as_pdf_and_as_csv(client, world):
    meeting_id = await add_meeting(world, status="closed")
    item = await AgendaItem.select(AgendaItem.id).where(AgendaItem.meeting == meeting_id).first()
    now = datetime.now(UTC)
    rows = await Action.insert(
        Action(
            compound=world.compounds["alpha"],
            agenda_item=item["id"],
            number=1,
            title="加装出口照明 6 盏",
            party_kind="property",
            responsible=world.users["pm_alpha"],
            due_on=now.date() - timedelta(days=3),
            status="in_progress",
        ),
        Action(
            compound=world.compounds["alpha"],
            agenda_item=item["id"],
            number=2,
            title="公示费用明细",
            party_kind="committee",
            responsible=world.users["committee_alpha"],
            due_on=now.date() + timedelta(days=30),
            status="done",
            done_at=now,
        ),
    ).returning(Action.id)
    await ActionUpdate.insert(ActionUpdate(action=rows[0]["id"], text="灯具已到货，周五安装。"))
    await login(client, "sec_alpha")
    year = now.year
    response = await download(client, f"/compounds/alpha/documents/pdf/action_ledger?from={year}-01-01&to={year}-12-31")
    text = pdf_text(response.content)
    assert "落实台账" in text and "加装出口照明 6 盏" in text and "公示费用明细" in text
    with i18n.language("zh_CN"):
        overdue = labels.label("action_status", "overdue")
    assert overdue in text and "灯具已到货" in text
    assert "办结率 50.0%" in text
    csv_response = await client.get(f"/compounds/alpha/documents/action-ledger.csv?from={year}-01-01&to={year}-12-31")
    assert csv_response.status_code == 200
    body = csv_response.content.decode("utf-8-sig")
    assert body.splitlines()[0].startswith("序号,落实事项")
    assert "加装出口照明 6 盏" in body and overdue in body


@pytest.mark.usefixtures("world")
async def test_a_bad_ledger_period_is_shown_next_to_the_field(client):
    await login(client, "sec_alpha")
    response = await issue(client, "/compounds/alpha/documents/pdf/action_ledger?from=2026-12-31&to=2026-01-01")
    assert response.status_code == 400
    assert "截止日期不能早于起始日期" in response.text
    assert 'value="2026-12-31"' in response.text


async def test_an_english_reader_gets_the_document_in_english_with_page_n_of_m(client, world):
    meeting_id = await add_meeting(world)
    await login(client, "sec_alpha")
    client.cookies.set("yishi_lang", "en")
    response = await download(client, f"/compounds/alpha/documents/pdf/meeting_notice/{meeting_id}")
    text, pages = pdf_text(response.content), pdf_pages(response.content)
    assert "Meeting notice" in text and f"Page1of{pages}" in squeezed(text)
    assert "银河湾小区" in text and "地下车库出口照明改造" in text  # the data stays as it was written
    english = (
        await IssuedDocument.select().where(IssuedDocument.code == response.headers["x-verification-code"]).first()
    )
    assert english["language"] == "en"


async def test_a_subject_of_another_compound_is_not_found_and_nothing_is_rendered(client, world):
    beta_meeting = await add_meeting(world, compound="beta")
    await login(client, "sec_alpha")
    response = await issue(client, f"/compounds/alpha/documents/pdf/minutes/{beta_meeting}")
    assert response.status_code == 404
    assert await IssuedDocument.count() == 0
