"""Documents of the vote: numbered paper ballots, the results announcement,
and the minutes with each vote's figures and bar chart."""

from tests.documents.support import add_ballot, add_meeting, pdf_pages, pdf_text
from tests.support import issue, login
from yishi import i18n, labels
from yishi.documents import labels as document_labels
from yishi.meetings.tables import AgendaItem, Meeting

CHOICES = {"1-1-101": "yes", "1-1-102": "yes", "1-1-201": "yes", "2-1-101": "yes", "2-1-102": "no"}


async def items_of(meeting_id: int) -> list[int]:
    rows = await AgendaItem.select(AgendaItem.id).where(AgendaItem.meeting == meeting_id).order_by(AgendaItem.position)
    return [r["id"] for r in rows]


async def test_paper_ballots_are_numbered_per_voter_with_the_question_choices_unit_and_area(client, world):
    meeting_id = await add_meeting(world, kind="owners_decision", title="业主大会临时会议")
    first, _second = await items_of(meeting_id)
    ballot_id = await add_ballot(world, first)
    await login(client, "sec_alpha")
    page = await client.get("/compounds/alpha/documents")
    assert f"/compounds/alpha/documents/pdf/paper_ballot/{first}" in page.text
    response = await issue(client, f"/compounds/alpha/documents/pdf/paper_ballot/{first}")
    assert response.status_code == 200, response.text[:1000]
    text = pdf_text(response.content)
    assert pdf_pages(response.content) == 1 + 3  # the cover, then six voters two to a page
    assert "书面表决票" in text and "是否同意在地下车库出口加装照明？" in text
    for n in range(1, 7):
        assert f"B{ballot_id}-{n:04d}" in text
    assert "1-1-101" in text and "90.00 m²" in text
    with i18n.language("zh_CN"):
        assert labels.label("choice", "yes") in text and labels.label("choice", "abstain") in text
    assert "书面委托书" in text


async def test_no_paper_ballot_before_the_vote_is_opened(client, world):
    meeting_id = await add_meeting(world)
    first, _second = await items_of(meeting_id)
    await login(client, "sec_alpha")
    response = await issue(client, f"/compounds/alpha/documents/pdf/paper_ballot/{first}")
    assert response.status_code == 400
    assert "请先开启本议程的表决" in response.text


async def test_the_results_announcement_and_the_minutes_show_each_closed_vote_with_its_figures(client, world):
    meeting_id = await add_meeting(world, kind="owners_decision", title="业主大会临时会议", status="closed")
    await Meeting.update({Meeting.closed_at: Meeting.starts_at}).where(Meeting.id == meeting_id)
    first, second = await items_of(meeting_id)
    await add_ballot(world, first, closed=True, choices=CHOICES)
    await add_ballot(
        world,
        second,
        closed=True,
        options=["3号楼北侧空地", "东门停车场西角"],
        choices={"1-1-101": "3号楼北侧空地", "2-1-201": "东门停车场西角"},
    )
    await login(client, "sec_alpha")
    page = await client.get("/compounds/alpha/documents")
    assert f"/compounds/alpha/documents/pdf/results_announcement/{meeting_id}" in page.text
    response = await issue(client, f"/compounds/alpha/documents/pdf/results_announcement/{meeting_id}")
    assert response.status_code == 200, response.text[:1000]
    text = pdf_text(response.content)
    assert "表决结果公告" in text
    # 5 of 6 owners took part, holding 490 of 600 m².
    flat = "".join(text.split())
    assert "5/6" in flat and "83.3%" in flat and "490.00/600.00" in flat and "81.7%" in flat
    with i18n.language("zh_CN"):
        assert i18n.gettext("Adopted") in text and i18n.gettext("Not adopted") in text
    with i18n.language("zh_CN"):
        assert document_labels.decided_by_text("civil_code_ordinary", "participation_area") in text

    minutes = await issue(client, f"/compounds/alpha/documents/pdf/minutes/{meeting_id}")
    text = pdf_text(minutes.content)
    assert "参与表决" in text and "5/6" in "".join(text.split())
    with i18n.language("zh_CN"):
        assert i18n.gettext("Adopted") in text
    assert "本议程未在议事平台计票" not in text


async def test_without_a_closed_vote_there_is_no_results_announcement(client, world):
    meeting_id = await add_meeting(world)
    await login(client, "sec_alpha")
    page = await client.get("/compounds/alpha/documents")
    assert f"/pdf/results_announcement/{meeting_id}" not in page.text
    response = await issue(client, f"/compounds/alpha/documents/pdf/results_announcement/{meeting_id}")
    assert response.status_code == 400
