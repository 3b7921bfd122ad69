"""What the live screens show: the projector (大屏) of a meeting, the
secretary's console and a voter's page, each recomputed from the database
whenever a ballot's live topic fires (``service.ballot_topic`` and
``service.compound_topic``, fired by ``service.ballot_changed``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from yishi import clock
from yishi.codes import natural_key
from yishi.meetings import service as meetings
from yishi.voting import service
from yishi.voting.chart import TallyChart, tally_chart
from yishi.voting.tables import Ballot, BallotVote


def figures_on_screen(ballot: dict[str, Any]) -> bool:
    """A projector is seen by the whole room, voters who have not voted yet
    included: it shows the split only where voters may see it while voting,
    and never while a secret vote is open."""
    if ballot["status"] == service.CLOSED:
        return True
    return ballot["results_visibility"] == "live" and not service.sealed(ballot)


@dataclass(frozen=True)
class LiveTally:
    """A ballot's figures as they stand (the frozen result once closed; only
    participation while a secret ballot is open, with ``figures["sealed"]``)."""

    figures: dict[str, Any] | None
    chart: TallyChart | None
    cast: int
    voters: int


async def live_tally(ballot: dict[str, Any]) -> LiveTally:
    if ballot["status"] == service.CLOSED:
        figures = ballot["result"]
    elif service.sealed(ballot):
        figures = {"actual": await service.participation(ballot), "sealed": True}
    else:
        count = await service.current_count(ballot)
        figures = service.result_json(ballot, count) if count else None
    if not figures:
        return LiveTally(None, None, 0, 0)
    actual = figures["actual"]
    return LiveTally(
        figures, tally_chart(actual, ballot["options"] or ()), int(actual["ballots_cast"]), int(actual["total_owners"])
    )


async def current_ballot_of_meeting(meeting_id: int) -> dict[str, Any] | None:
    """The ballot a projector shows: the open one opened last; with none open,
    the one closed last (its result stays up until the next vote opens)."""
    rows = await Ballot.select(Ballot.id, Ballot.compound, Ballot.status, Ballot.opened_at, Ballot.closed_at).where(
        Ballot.meeting == meeting_id
    )
    if not rows:
        return None
    open_rows = [r for r in rows if r["status"] != service.CLOSED]
    if open_rows:
        chosen = max(open_rows, key=lambda r: (r["opened_at"], r["id"]))
    else:
        chosen = max(rows, key=lambda r: (r["closed_at"] or r["opened_at"], r["id"]))
    return await service.ballot_in_compound(chosen["compound"], chosen["id"])


async def meeting_screen(meeting_id: int) -> dict[str, Any]:
    """Everything the projector page draws."""
    meeting = await meetings.meeting(meeting_id)
    ballot = await current_ballot_of_meeting(meeting_id)
    agenda = [i for i in await meetings.agenda(meeting_id) if not i.get("withdrawn_at")]
    state: dict[str, Any] = {
        "meeting": meeting,
        "ballot": ballot,
        "agenda": agenda,
        "tally": None,
        "show_figures": False,
        "phase": None,
        "position": None,
    }
    if ballot is None:
        return state
    state["phase"] = service.phase(ballot, clock.now())
    state["tally"] = await live_tally(ballot)
    state["show_figures"] = figures_on_screen(ballot)
    state["position"] = next((n for n, i in enumerate(agenda, 1) if i["id"] == ballot["agenda_item"]), None)
    return state


@dataclass(frozen=True)
class NotVoted:
    """Who on the roll has no counted vote yet. ``groups`` lists unit labels by
    building (empty for a secret ballot: only the number is shown)."""

    count: int
    voters: int
    groups: tuple[tuple[str, tuple[str, ...]], ...]


async def not_voted(
    ballot: dict[str, Any], entries: list[dict[str, Any]] | None = None, buildings: frozenset[int] | None = None
) -> NotVoted:
    """``entries``: the ballot's roll, when the caller has already read it;
    ``buildings``: list only the units of these (a grid worker's)."""
    entries = entries if entries is not None else await service.roll(ballot["id"])
    voted = {
        row["voter_key"]
        for row in await BallotVote.select(BallotVote.voter_key).where(
            (BallotVote.ballot == ballot["id"]) & BallotVote.voided_at.is_null()
        )
    }
    waiting: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        if entry["voter_key"] not in voted:
            waiting.setdefault(entry["voter_key"], []).append(entry)
    voters = len({e["voter_key"] for e in entries})
    if ballot["secret"]:
        return NotVoted(len(waiting), voters, ())
    by_building: dict[str, list[str]] = {}
    for units in waiting.values():
        for entry in units:
            if buildings is not None and entry["building"] not in buildings:
                continue
            by_building.setdefault(entry["building_code"] or "", []).append(entry["label"])
    groups = tuple(
        (code, tuple(sorted(labels, key=natural_key)))
        for code, labels in sorted(by_building.items(), key=lambda item: natural_key(item[0]))
    )
    return NotVoted(len(waiting), voters, groups)
