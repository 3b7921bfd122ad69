"""The documents of the demo compound, rendered and turned into pictures to
look at: set YISHI_LOOK_DIR to keep the PNGs (``pdftoppm -r 60``)."""

import os
from pathlib import Path

from bench.demo_meeting import build_demo_meeting
from tests.documents.support import pdf_pages, pdf_text, pdf_to_png
from tests.support import issue, post
from yishi import demo
from yishi.documents.tables import IssuedDocument
from yishi.meetings.tables import AgendaItem


async def test_every_document_of_the_demo_renders_in_chinese_and_turns_into_pictures(client, tmp_path):
    await demo.load(tmp_path)
    meeting_id = await build_demo_meeting()
    look = Path(os.environ.get("YISHI_LOOK_DIR") or tmp_path)
    await post(client, "/login", {"username": "secretary", "password": demo.DEMO_PASSWORD})
    downloads = {
        "proposal_poster": "/compounds/yinhewan/documents/pdf/proposal_poster",
        "meeting_notice": f"/compounds/yinhewan/documents/pdf/meeting_notice/{meeting_id}",
        "sign_in_sheet": f"/compounds/yinhewan/documents/pdf/sign_in_sheet/{meeting_id}",
        "minutes": f"/compounds/yinhewan/documents/pdf/minutes/{meeting_id}",
        "results_announcement": f"/compounds/yinhewan/documents/pdf/results_announcement/{meeting_id}",
        "action_ledger": "/compounds/yinhewan/documents/pdf/action_ledger?from=2026-01-01&to=2027-12-31",
    }
    texts = {}
    for name, url in downloads.items():
        response = await issue(client, url)
        assert response.status_code == 200, (name, response.text[:500])
        texts[name] = pdf_text(response.content)
        assert "银河湾小区" in texts[name]
        assert pdf_to_png(response.content, look, name), name
        if name == "minutes":
            pages = pdf_pages(response.content)
            assert 8 <= pages <= 16, pages
            pdf_to_png(response.content, look, "minutes-later", first=2, last=3)
    assert "2026 年度业主大会（第二次会议）" in texts["minutes"]
    assert all(title in texts["minutes"] for title in ("修订业主大会议事规则", "公共收益年度使用计划"))
    assert "更换 3 号楼两部电梯" in texts["results_announcement"]
    assert "落实台账" in texts["action_ledger"] and "办结率" in texts["action_ledger"]

    slips = await post(client, "/compounds/yinhewan/documents/voter-slips", {"building": "all", "confirm": "yes"})
    code = slips.url.params["issued"]
    data = (await client.get(f"/compounds/yinhewan/documents/issued/{code}")).content
    assert pdf_pages(data) == 1 + 240 // 8
    assert pdf_to_png(data, look, "voter_slips", first=1, last=2)

    # Paper ballots need an open vote: reopen the first item's ballot for the picture.
    from yishi.voting.tables import Ballot, BallotRollEntry

    item = (
        await AgendaItem.select(AgendaItem.id)
        .where((AgendaItem.meeting == meeting_id) & (AgendaItem.position == 1))
        .first()
    )
    ballot = await Ballot.select(Ballot.id).where(Ballot.agenda_item == item["id"]).first()
    await Ballot.update({Ballot.status: "open"}).where(Ballot.id == ballot["id"])
    await BallotRollEntry.insert(
        BallotRollEntry(ballot=ballot["id"], member_key="h:1", voter_key="h:1", label="1-1-101", area=8956, position=0),
        BallotRollEntry(
            ballot=ballot["id"], member_key="h:2", voter_key="h:2", label="1-1-102", area=11230, position=1
        ),
    )
    paper = await issue(client, f"/compounds/yinhewan/documents/pdf/paper_ballot/{item['id']}")
    assert paper.status_code == 200, paper.text[:500]
    assert pdf_to_png(paper.content, look, "paper_ballot", first=1, last=2)
    assert await IssuedDocument.count() == len(downloads) + 2
