"""Documents of step 3, vote: the paper ballot (书面表决票) of an agenda item,
numbered sheet by sheet, and the results announcement (表决结果公告) of a
meeting. Both read the voting package's tables (read-only)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from yishi import clock
from yishi.documents.kinds import DocumentKind, Source, register
from yishi.documents.sources import is_published, meeting_facts, meeting_title, parties_of, vote_results
from yishi.errors import DomainError, NotFound
from yishi.i18n import N_
from yishi.i18n import gettext as _
from yishi.meetings.tables import AgendaItem
from yishi.rules import Rule
from yishi.voting.tables import Ballot, BallotRollEntry

CLOSED = "closed"
SHEETS_PER_PAGE = 2


def paper_serial(ballot_id: int, number: int) -> str:
    """The number printed on a paper ballot, which scrutineers type in when
    they enter it: "B12-0007" is sheet 7 of ballot 12."""
    return f"B{ballot_id}-{number:04d}"


async def load_paper_ballot(agenda_item_id: int, _variant: str) -> Source:
    item = await AgendaItem.select(AgendaItem.id, AgendaItem.meeting).where(AgendaItem.id == agenda_item_id).first()
    if item is None:
        raise NotFound()
    facts = await meeting_facts(item["meeting"])
    item = next(i for i in facts["items"] if i["id"] == agenda_item_id)
    ballot = await (
        Ballot.select(
            Ballot.id,
            Ballot.title,
            Ballot.question,
            Ballot.rule,
            Ballot.options,
            Ballot.secret,
            Ballot.status,
            Ballot.opens_at,
            Ballot.closes_at,
            Ballot.links_binding,
        )
        .where(Ballot.agenda_item == agenda_item_id)
        .order_by(Ballot.id, ascending=False)
        .output(load_json=True)
        .first()
    )
    if ballot is None:
        raise DomainError(_("Open the vote on this item first: the paper ballots are numbered from its roll."))
    if ballot["status"] == CLOSED:
        raise DomainError(_("The vote on this item is closed: there is nothing left to vote on paper."))
    entries = await BallotRollEntry.select(
        BallotRollEntry.label,
        BallotRollEntry.area,
        BallotRollEntry.party_kind,
        BallotRollEntry.position,
        BallotRollEntry.id,
    ).where(BallotRollEntry.ballot == ballot["id"])
    entries.sort(key=lambda e: (e["position"], e["id"]))
    counts_owners = ballot["rule"] in (Rule.CIVIL_CODE_ORDINARY.value, Rule.CIVIL_CODE_SPECIAL.value)
    sheets = [
        {
            "serial": paper_serial(ballot["id"], number),
            "label": "" if ballot["secret"] else entry["label"],
            "area": entry["area"] if counts_owners and not ballot["secret"] else None,
            "party_kind": entry["party_kind"],
        }
        for number, entry in enumerate(entries, start=1)
    ]
    pages = [sheets[i : i + SHEETS_PER_PAGE] for i in range(0, len(sheets), SHEETS_PER_PAGE)]
    meeting = facts["meeting"]
    return Source(
        compound_id=meeting["compound"],
        compound_name=facts["compound"]["name"],
        title=_("Paper ballots: %(title)s", title=item["title"]),
        summary=_(
            "%(n)d numbered paper ballots (%(first)s to %(last)s) for agenda item %(item)d of the meeting on %(date)s.",
            n=len(sheets),
            first=sheets[0]["serial"] if sheets else "—",
            last=sheets[-1]["serial"] if sheets else "—",
            item=item["number"],
            date=clock.local_text(meeting["starts_at"], "%Y-%m-%d"),
        ),
        context={
            **facts,
            "item": item,
            "ballot": ballot,
            "pages": pages,
            "count": len(sheets),
            "counts_owners": counts_owners,
        },
    )


async def load_results_announcement(meeting_id: int, _variant: str) -> Source:
    facts = await meeting_facts(meeting_id)
    meeting = facts["meeting"]
    results = await vote_results([i["id"] for i in facts["items"]])
    if not results:
        raise DomainError(_("No vote of this meeting is closed yet: the announcement lists closed votes."))
    voted = []
    for item in facts["items"]:
        if item["id"] in results:
            voted.append({**item, "vote": results[item["id"]]})
    facts["parties"] = await parties_of(meeting["compound"])
    facts["voted"] = voted
    facts["closed_at"] = max(v["vote"]["closed_at"] for v in voted)
    return Source(
        compound_id=meeting["compound"],
        compound_name=facts["compound"]["name"],
        title=meeting_title(_("Results announcement"), meeting),
        summary=_(
            "Results of %(n)d votes of the meeting on %(date)s: %(adopted)d adopted.",
            n=len(voted),
            adopted=sum(1 for v in voted if v["vote"]["passed"]),
            date=clock.local_text(meeting["starts_at"], "%Y-%m-%d"),
        ),
        context=facts,
    )


def has_closed_votes(meeting: Mapping[str, Any]) -> bool:
    return bool(meeting.get("closed_votes"))


def votes_on_item(row: Mapping[str, Any]) -> bool:
    return row.get("kind") == "decision" and row.get("withdrawn_at") is None and bool(row.get("open_vote"))


register(
    DocumentKind(
        name="paper_ballot",
        label=N_("Paper ballot"),
        template="pdf/paper_ballot.html",
        subject_type="agenda_item",
        load=load_paper_ballot,
        filename=N_("paper-ballot"),
        available=votes_on_item,
        order=35,
    )
)
register(
    DocumentKind(
        name="results_announcement",
        label=N_("Results announcement"),
        template="pdf/results_announcement.html",
        subject_type="meeting",
        load=load_results_announcement,
        filename=N_("results-announcement"),
        public=True,
        available=lambda m: is_published(m) and has_closed_votes(m),
        order=45,
    )
)
