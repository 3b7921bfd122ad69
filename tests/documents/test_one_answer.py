"""One answer for one question: the web pages and the PDF documents compute
quorum, rule wording and shares in one place each, so they agree."""

from __future__ import annotations

from tests.documents.support import add_meeting, pdf_text
from tests.support import issue, login, text_of
from yishi import labels
from yishi.meetings.tables import AgendaItem, Attendance
from yishi.roster.tables import Household
from yishi.rules import RULE_LABELS, Rule


async def test_the_sign_in_page_and_the_minutes_count_a_present_owner_with_all_their_area(client, world):
    meeting_id = await add_meeting(world, kind="owners_decision", title="电梯维修业主共同决定")
    # One buyer holds 1-1-101 (90 m²) and 1-1-102 (100 m²); only 1-1-101 signs in.
    await Household.update({Household.owner_key: "zhang"}).where(
        Household.id.is_in([world.households["alpha:1-1-101"], world.households["alpha:1-1-102"]])
    )
    await Attendance.insert(Attendance(meeting=meeting_id, household=world.households["alpha:1-1-101"], method="qr"))
    await login(client, "sec_alpha")
    page = text_of((await client.get(f"/meetings/{meeting_id}/sign-in")).text)
    assert "190.00" in page  # the owner's two units
    minutes = pdf_text((await issue(client, f"/compounds/alpha/documents/pdf/minutes/{meeting_id}")).content)
    assert "190.00" in minutes and " 90.00 " not in minutes
    assert "31.7%" in minutes and "31.7%" in page  # 190 of 600 m², one rounding rule on both


async def test_a_rule_reads_the_same_on_the_agenda_the_ballot_and_the_documents(client, world):
    meeting_id = await add_meeting(world, kind="owners_decision", title="电梯维修业主共同决定")
    await AgendaItem.update({AgendaItem.rule: "civil_code_special", AgendaItem.owners_matter: 6}).where(
        AgendaItem.meeting == meeting_id
    )
    await login(client, "sec_alpha")
    wording = "业主共同决定重大事项（民法典第二百七十八条）"
    assert labels.label("rule", "civil_code_special") == wording
    assert RULE_LABELS[Rule.CIVIL_CODE_SPECIAL] == "Owners' decision, special matter (Civil Code art. 278)"
    meeting_page = text_of((await client.get(f"/meetings/{meeting_id}")).text)
    notice = pdf_text((await issue(client, f"/compounds/alpha/documents/pdf/meeting_notice/{meeting_id}")).content)
    assert wording in meeting_page and wording in notice
