"""The figures of closed ballots, as documents print them.

A closed ballot keeps its roll and votes as frozen CSV files (the format
``yishi tally`` reads); the documents recount them with the same rules
engine, so the printed figures are the published, checkable ones. A show of
hands has numbers only. Shares are exact (integer arithmetic, tenths of a
percent, rounded half up).
"""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict
from typing import Any

from yishi.rules import ABSTAIN, NO, PARTY_PREFIX, YES, TallyError, TallyResult
from yishi.shares import format_share, share_tenths
from yishi.voting.recount import RecountError, load_and_tally
from yishi.voting.tables import Ballot, BallotRollEntry, HandCount

log = logging.getLogger("yishi.documents")
CLOSED = "closed"
RECOUNT_CACHE_SIZE = 256

# Recounts of frozen files, keyed by their content: a closed ballot's files
# never change, so a document downloaded again does not recount them.
_recounts: OrderedDict[tuple[Any, ...], TallyResult] = OrderedDict()


def recount(rule: str, options: list[str] | None, roll_csv: str, votes_csv: str) -> TallyResult:
    """``load_and_tally`` of a ballot's frozen files, remembered by content."""
    digest = hashlib.sha256(f"{roll_csv}\0{votes_csv}".encode()).hexdigest()
    key = (rule, tuple(options or ()), digest)
    if key in _recounts:
        _recounts.move_to_end(key)
        return _recounts[key]
    result = load_and_tally(rule, roll_csv, votes_csv, options or None)
    _recounts[key] = result
    if len(_recounts) > RECOUNT_CACHE_SIZE:
        _recounts.popitem(last=False)
    return result


def _choice(
    code: str | None, label: str, owners: int, area: int, ballots: int, result: TallyResult | None, *, strong: bool
) -> dict[str, Any]:
    participating_owners = result.participating_owners if result else 0
    participating_area = result.participating_area if result else 0
    cast = result.cast if result else 0
    return {
        "code": code,
        "label": label,
        "owners": owners,
        "area": area,
        "ballots": ballots,
        "strong": strong,
        "owners_share": format_share(share_tenths(owners, participating_owners)),
        "area_share": format_share(share_tenths(area, participating_area)),
        "ballots_share": format_share(share_tenths(ballots, cast)),
    }


def figures_of(result: TallyResult, *, party_names: dict[str, str]) -> dict[str, Any]:
    """A tally as plain data for a template (choices, shares, what decided it)."""
    if result.options:
        choices = [_choice(None, o.label, o.owners, o.area, o.ballots, result, strong=o.passed) for o in result.options]
        choices.append(
            _choice(
                ABSTAIN, "", result.abstain_owners, result.abstain_area, result.abstain_ballots, result, strong=False
            )
        )
    else:
        choices = [
            _choice(YES, "", result.yes_owners, result.yes_area, result.yes_ballots, result, strong=True),
            _choice(NO, "", result.no_owners, result.no_area, result.no_ballots, result, strong=False),
            _choice(
                ABSTAIN, "", result.abstain_owners, result.abstain_area, result.abstain_ballots, result, strong=False
            ),
        ]
    decided_by, party = result.decided_by, ""
    if decided_by.startswith(PARTY_PREFIX):
        voter = decided_by.removeprefix(PARTY_PREFIX)
        party = party_names.get(voter, "")
    return {
        "rule": result.rule.value,
        "counts_owners": result.rule.counts_owners,
        "passed": result.passed,
        "quorum_met": result.quorum_met,
        "decided_by": decided_by,
        "decided_by_party": party,
        "adopted_option": result.adopted_option,
        "total_area": result.total_area,
        "total_owners": result.total_owners,
        "participating_area": result.participating_area,
        "participating_owners": result.participating_owners,
        "participation_area_share": format_share(share_tenths(result.participating_area, result.total_area)),
        "participation_owners_share": format_share(share_tenths(result.participating_owners, result.total_owners)),
        "cast": result.cast,
        "choices": choices,
        "hand_count": False,
    }


def hand_count_figures(ballot: dict[str, Any], count: dict[str, Any]) -> dict[str, Any]:
    cast = count["yes"] + count["no"] + count["abstain"]

    def choice(code: str, n: int) -> dict[str, Any]:
        return {
            "code": code,
            "label": "",
            "owners": n,
            "area": 0,
            "ballots": n,
            "strong": code == YES,
            "owners_share": "",
            "area_share": "",
            "ballots_share": format_share(share_tenths(n, cast)),
        }

    return {
        "rule": ballot["rule"],
        "counts_owners": False,
        "passed": bool(ballot["passed"]),
        "quorum_met": True,
        "decided_by": "passed_all" if ballot["passed"] else "approval_cast",
        "decided_by_party": "",
        "adopted_option": None,
        "total_area": 0,
        "total_owners": 0,
        "participating_area": 0,
        "participating_owners": cast,
        "participation_area_share": "",
        "participation_owners_share": "",
        "cast": cast,
        "choices": [choice(YES, count["yes"]), choice(NO, count["no"]), choice(ABSTAIN, count["abstain"])],
        "hand_count": True,
    }


async def closed_results(item_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Each item's latest closed ballot as figures (items without one are absent)."""
    if not item_ids:
        return {}
    ballots = (
        await Ballot.select(
            Ballot.id,
            Ballot.agenda_item,
            Ballot.rule,
            Ballot.options,
            Ballot.passed,
            Ballot.result,
            Ballot.roll_csv,
            Ballot.votes_csv,
            Ballot.closed_at,
            Ballot.secret,
            Ballot.deemed_clause,
        )
        .where(Ballot.agenda_item.is_in(item_ids) & (Ballot.status == CLOSED))
        .order_by(Ballot.id)
        .output(load_json=True)
    )
    latest = {b["agenda_item"]: b for b in ballots}
    if not latest:
        return {}
    ids = [b["id"] for b in latest.values()]
    hands = {h["ballot"]: h for h in await HandCount.select().where(HandCount.ballot.is_in(ids))}
    entries = await BallotRollEntry.select(
        BallotRollEntry.ballot,
        BallotRollEntry.member_key,
        BallotRollEntry.voter_key,
        BallotRollEntry.label,
        BallotRollEntry.party.name.as_alias("party_name"),
    ).where(BallotRollEntry.ballot.is_in(ids) & BallotRollEntry.party.is_not_null())
    found: dict[int, dict[str, Any]] = {}
    for item_id, ballot in latest.items():
        figures = _figures_of_ballot(
            ballot, hands.get(ballot["id"]), [e for e in entries if e["ballot"] == ballot["id"]]
        )
        if figures is None:
            continue
        deemed = (ballot["result"] or {}).get("deemed") if isinstance(ballot["result"], dict) else None
        figures.update(
            ballot_id=ballot["id"],
            closed_at=ballot["closed_at"],
            secret=ballot["secret"],
            deemed=deemed if isinstance(deemed, dict) and "passed" in deemed else None,
            deemed_clause=ballot["deemed_clause"],
        )
        found[item_id] = figures
    return found


def _figures_of_ballot(
    ballot: dict[str, Any], hands: dict[str, Any] | None, party_entries: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """A closed ballot's figures: its show of hands, or a recount of its roll and votes
    (None when it has neither, or its record cannot be recounted)."""
    if hands is not None:
        return hand_count_figures(ballot, hands)
    if not ballot["roll_csv"].strip():
        return None
    names: dict[str, str] = {}
    for entry in party_entries:
        name = entry["party_name"] or entry["label"]
        names.update({entry["member_key"]: name, entry["voter_key"]: name, entry["label"]: name})
    try:
        result = recount(ballot["rule"], ballot["options"], ballot["roll_csv"], ballot["votes_csv"])
    except (RecountError, TallyError, ValueError) as error:
        log.warning("ballot %s cannot be recounted for a document: %s", ballot["id"], error)
        return None
    return figures_of(result, party_names=names)
