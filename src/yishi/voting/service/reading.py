"""What the ballot pages read: ballots, rolls, votes, counts, receipts and results."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from yishi.errors import Forbidden, NotFound
from yishi.i18n import gettext as _
from yishi.meetings.tables import AgendaItem
from yishi.rules import Rule, TallyError
from yishi.voting import counting
from yishi.voting.counting import CastVote, Count, Hands, RollLine, SecretSum
from yishi.voting.service.common import CLOSED, OPEN, item_in_compound
from yishi.voting.tables import Ballot, BallotRollEntry, BallotVote, HandCount, SecretChoice, SecretTally


async def roll(ballot_id: int) -> list[dict[str, Any]]:
    return (
        await BallotRollEntry.select(
            BallotRollEntry.all_columns(),
            BallotRollEntry.building.code.as_alias("building_code"),
        )
        .where(BallotRollEntry.ballot == ballot_id)
        .order_by(BallotRollEntry.position)
    )


def _roll_lines(entries: list[dict[str, Any]]) -> list[RollLine]:
    return [
        RollLine(
            voter=_voter_name(e),
            voter_key=e["voter_key"],
            area=e["area"],
            owner_key=e["owner_key"],
            served=e["served_at"] is not None,
        )
        for e in entries
    ]


def _voter_name(entry: dict[str, Any]) -> str:
    """A party is named by its kind in the tally (``party:committee``), a unit by its label."""
    if entry["member_key"].startswith("p:") and entry["party_kind"]:
        return entry["party_kind"]
    return entry["label"]


async def ballot_count(ballot: dict[str, Any]) -> Count:
    """The figures of a ballot as they stand, with its recount files."""
    rule = Rule(ballot["rule"])
    options = ballot["options"] or None
    entries = await roll(ballot["id"])
    lines = _roll_lines(entries)
    hands = await HandCount.select().where(HandCount.ballot == ballot["id"]).first()
    if hands:
        return counting.count_hands(rule, lines, Hands(hands["yes"], hands["no"], hands["abstain"]))
    deemed = bool(ballot["deemed_clause"])
    votes = await BallotVote.select(
        BallotVote.voter_key,
        BallotVote.stream,
        BallotVote.choice,
        BallotVote.roll_entry,
    ).where((BallotVote.ballot == ballot["id"]) & BallotVote.voided_at.is_null())
    if ballot["secret"]:
        secret = await SecretChoice.select().where(SecretChoice.ballot == ballot["id"])
        sums = await SecretTally.select().where(SecretTally.ballot == ballot["id"])
        return counting.count_secret(
            rule,
            options,
            lines,
            [(v["voter_key"], v["stream"]) for v in votes],
            [(s["receipt_code"], s["choice"], s["stream"]) for s in secret],
            [SecretSum(s["stream"], s["choice"], s["owners"], s["area"]) for s in sums],
            deemed=deemed,
        )
    by_id = {e["id"]: e for e in entries}
    return counting.count_open(
        rule,
        options,
        lines,
        [CastVote(_voter_name(by_id[v["roll_entry"]]), v["voter_key"], v["choice"], v["stream"]) for v in votes],
        deemed=deemed,
    )


def sealed(ballot: dict[str, Any]) -> bool:
    """An open secret ballot: nobody, staff included, sees its figures per
    choice, only who took part; they are counted when it closes."""
    return bool(ballot["secret"]) and ballot["status"] != CLOSED


async def participation(ballot: dict[str, Any]) -> dict[str, Any]:
    """The participation figures of a ballot, read without its choices."""
    votes = await BallotVote.select(BallotVote.voter_key).where(
        (BallotVote.ballot == ballot["id"])
        & BallotVote.voided_at.is_null()
        & BallotVote.stream.is_in(list(counting.BINDING_STREAMS))
    )
    return counting.participation(
        Rule(ballot["rule"]), _roll_lines(await roll(ballot["id"])), [v["voter_key"] for v in votes]
    )


async def current_count(ballot: dict[str, Any]) -> Count | None:
    """The live figures of an open ballot (None if they cannot be counted).
    Never for a sealed ballot: see ``participation``."""
    if sealed(ballot):
        raise Forbidden(_("The figures of a secret vote are counted when it closes."))
    try:
        return await ballot_count(ballot)
    except (TallyError, ValueError):
        return None


async def ballot_in_compound(compound_id: int, ballot_id: int) -> dict[str, Any]:
    ballot = (
        await Ballot.select(
            Ballot.all_columns(),
            Ballot.meeting.title.as_alias("meeting_title"),
            Ballot.meeting.kind.as_alias("meeting_kind"),
            Ballot.meeting.starts_at.as_alias("meeting_starts_at"),
            Ballot.opened_by.display_name.as_alias("opened_by_name"),
            Ballot.closed_by.display_name.as_alias("closed_by_name"),
        )
        .where((Ballot.id == ballot_id) & (Ballot.compound == compound_id))
        .output(load_json=True)
        .first()
    )
    if ballot is None:
        raise NotFound()
    ballot["extensions"] = [
        {**e, **{k: datetime.fromisoformat(e[k]) if e.get(k) else None for k in ("at", "from", "to")}}
        for e in ballot["extensions"]
    ]
    return ballot


async def ballots_in_compound(compound_id: int) -> list[dict[str, Any]]:
    return (
        await Ballot.select(
            Ballot.id,
            Ballot.title,
            Ballot.rule,
            Ballot.status,
            Ballot.opens_at,
            Ballot.closes_at,
            Ballot.closed_at,
            Ballot.passed,
            Ballot.secret,
            Ballot.agenda_item,
            Ballot.meeting.title.as_alias("meeting_title"),
            Ballot.opened_at,
        )
        .where(Ballot.compound == compound_id)
        .order_by(Ballot.opened_at, ascending=False)
        .output(load_json=True)
    )


async def decision_items(compound_id: int) -> list[dict[str, Any]]:
    """Agenda items with a voting rule in the compound's meetings, with their ballot if any."""
    items = (
        await AgendaItem.select(
            AgendaItem.id,
            AgendaItem.title,
            AgendaItem.rule,
            AgendaItem.kind,
            AgendaItem.withdrawn_at,
            AgendaItem.on_published_notice,
            AgendaItem.position,
            AgendaItem.meeting,
            AgendaItem.meeting.title.as_alias("meeting_title"),
            AgendaItem.meeting.status.as_alias("meeting_status"),
            AgendaItem.meeting.starts_at.as_alias("meeting_starts_at"),
        )
        .where((AgendaItem.meeting.compound == compound_id) & (AgendaItem.kind == "decision") & (AgendaItem.rule != ""))
        .order_by(AgendaItem.meeting.starts_at, ascending=False)
    )
    ballots = {
        b["agenda_item"]: b["id"]
        for b in await Ballot.select(Ballot.id, Ballot.agenda_item).where(Ballot.compound == compound_id)
    }
    for item in items:
        item["ballot_id"] = ballots.get(item["id"])
    return sorted(
        items, key=lambda i: (i["meeting_starts_at"] is None, i["meeting_starts_at"], i["position"]), reverse=True
    )


async def agenda_item_in_compound(compound_id: int, item_id: int) -> dict[str, Any]:
    item, meeting = await item_in_compound(compound_id, item_id)
    return {**item, "meeting_row": meeting}


async def votes(ballot_id: int) -> list[dict[str, Any]]:
    """Every vote recorded, voided ones included, newest first (staff view)."""
    return await vote_rows(ballot_id, counted_only=False)


async def vote_rows(ballot_id: int, *, counted_only: bool) -> list[dict[str, Any]]:
    query = BallotVote.select(
        BallotVote.all_columns(),
        BallotVote.roll_entry.label.as_alias("label"),
        BallotVote.roll_entry.building.as_alias("building"),
        BallotVote.recorded_by.display_name.as_alias("recorded_by_name"),
        BallotVote.voided_by.display_name.as_alias("voided_by_name"),
    ).where(BallotVote.ballot == ballot_id)
    if counted_only:
        query = query.where(BallotVote.voided_at.is_null())
    return await query.order_by(BallotVote.recorded_at, ascending=False)


async def vote_in_ballot(ballot_id: int, vote_id: int) -> dict[str, Any]:
    vote = next((v for v in await votes(ballot_id) if v["id"] == vote_id), None)
    if vote is None:
        raise NotFound()
    return vote


async def hand_count(ballot_id: int) -> dict[str, Any] | None:
    return (
        await HandCount.select(
            HandCount.all_columns(),
            HandCount.recorded_by.display_name.as_alias("recorded_by_name"),
        )
        .where(HandCount.ballot == ballot_id)
        .first()
    )


async def household_votes(
    ballot: dict[str, Any], household_id: int
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The household's roll entry and the counted votes of its voter (any stream)."""
    entry = (
        await BallotRollEntry.select()
        .where((BallotRollEntry.ballot == ballot["id"]) & (BallotRollEntry.member_key == f"h:{household_id}"))
        .first()
    )
    if entry is None:
        return None, []
    found = await BallotVote.select(
        BallotVote.all_columns(),
        BallotVote.roll_entry.label.as_alias("label"),
    ).where(
        (BallotVote.ballot == ballot["id"])
        & (BallotVote.voter_key == entry["voter_key"])
        & BallotVote.voided_at.is_null()
    )
    return entry, found


@dataclass(frozen=True)
class ReceiptLine:
    receipt_code: str
    choice: str
    stream: str
    units: tuple[str, ...] = ()
    area: int | None = None


async def receipt_list(ballot: dict[str, Any]) -> list[ReceiptLine]:
    """The receipt codes of a closed ballot with their choices: with units and areas
    for an open ballot, nothing else for a secret one."""
    if ballot["secret"]:
        rows = (
            await SecretChoice.select().where(SecretChoice.ballot == ballot["id"]).order_by(SecretChoice.receipt_code)
        )
        return [ReceiptLine(r["receipt_code"], r["choice"], r["stream"]) for r in rows]
    entries = await roll(ballot["id"])
    units: dict[str, list[dict[str, Any]]] = {}
    for e in entries:
        units.setdefault(e["voter_key"], []).append(e)
    counts_area = Rule(ballot["rule"]).counts_owners
    lines = []
    for vote in await vote_rows(ballot["id"], counted_only=True):
        owned = units.get(vote["voter_key"], [])
        lines.append(
            ReceiptLine(
                vote["receipt_code"],
                vote["choice"],
                vote["stream"],
                tuple(e["label"] for e in owned),
                sum(e["area"] for e in owned) if counts_area else None,
            )
        )
    return sorted(lines, key=lambda line: line.receipt_code)


async def open_ballots_for_public(compound_id: int) -> list[dict[str, Any]]:
    return (
        await Ballot.select(
            Ballot.id,
            Ballot.title,
            Ballot.rule,
            Ballot.opens_at,
            Ballot.closes_at,
            Ballot.extensions,
            Ballot.meeting.title.as_alias("meeting_title"),
        )
        .where((Ballot.compound == compound_id) & (Ballot.status == OPEN))
        .order_by(Ballot.opened_at)
        .output(load_json=True)
    )


async def closed_ballots_for_public(compound_id: int, limit: int | None = None) -> list[dict[str, Any]]:
    query = (
        Ballot.select(
            Ballot.id,
            Ballot.title,
            Ballot.rule,
            Ballot.closed_at,
            Ballot.passed,
            Ballot.result,
            Ballot.meeting.title.as_alias("meeting_title"),
        )
        .where((Ballot.compound == compound_id) & (Ballot.status == CLOSED))
        .order_by(Ballot.closed_at, ascending=False)
        .output(load_json=True)
    )
    if limit:
        query = query.limit(limit)
    return await query


async def public_results(compound_id: int) -> dict[str, Any]:
    """What the compound's public page shows of votes: those open now, and recent results."""
    return {
        "open": await open_ballots_for_public(compound_id),
        "closed": await closed_ballots_for_public(compound_id, limit=5),
    }


@dataclass(frozen=True)
class ItemResult:
    """How an agenda item's vote stands, for other steps (actions, minutes, documents)."""

    ballot_id: int
    closed: bool
    passed: bool | None
    adopted_option: str | None
    result: dict[str, Any] | None


async def item_result(agenda_item_id: int) -> ItemResult | None:
    """The ballot of an agenda item, or None when no vote was opened on it."""
    ballot = (
        await Ballot.select(Ballot.id, Ballot.status, Ballot.passed, Ballot.result)
        .where(Ballot.agenda_item == agenda_item_id)
        .output(load_json=True)
        .first()
    )
    if ballot is None:
        return None
    result = ballot["result"]
    return ItemResult(
        ballot["id"],
        ballot["status"] == CLOSED,
        ballot["passed"],
        result.get("adopted_option") if result else None,
        result,
    )


def results_visible_to_voter(ballot: dict[str, Any], has_voted: bool) -> bool:
    if ballot["status"] == CLOSED:
        return True
    if sealed(ballot):
        return False
    if ballot["results_visibility"] == "live":
        return True
    return ballot["results_visibility"] == "after_voting" and has_voted
