"""What the ballot pages show: the console of a ballot (its live part is also
re-rendered by the live stream) and the figures the pages share."""

from __future__ import annotations

from typing import Any

from yishi import clock
from yishi.accounts.permissions import Capability, Principal
from yishi.audit import service as audit
from yishi.codes import natural_key
from yishi.rules import Rule
from yishi.voting import labels as voting_labels
from yishi.voting import screen, service


async def console(principal: Principal, compound: dict[str, Any], ballot_id: int) -> dict[str, Any]:
    """The ballot console as this person sees it (a grid worker: their buildings only)."""
    ballot = await service.ballot_in_compound(compound["id"], ballot_id)
    now = clock.now()
    compound_id = compound["id"]
    roll = await service.roll(ballot_id)
    limit = principal.building_limit(compound_id)
    shown_roll = _within(roll, limit)
    return {
        "principal": principal,
        "compound": compound,
        "ballot": ballot,
        "phase": service.phase(ballot, now),
        "now": now,
        "roll": shown_roll,
        "roll_voters": len({e["voter_key"] for e in roll}),
        "votes": _within(await service.votes(ballot_id), limit),
        "building_limited": limit is not None,
        "conflicts": await service.conflicts(ballot_id),
        **await console_live_context(ballot, roll, limit),
        "history": history_within(await audit.history("ballot", ballot_id), shown_roll, limit),
        "buildings": _roll_buildings(roll, limit),
        "choices": service.choices_of(ballot),
        "can_manage": principal.can(Capability.BALLOT_MANAGE, compound_id),
        "can_scrutinise": principal.can(Capability.BALLOT_SCRUTINY, compound_id),
        "hand_rule": Rule(ballot["rule"]) in service.HAND_RULES and not ballot["options"],
        "closing": await service.closing_terms(ballot, now),
        **figures_context(),
    }


def figures_context() -> dict[str, Any]:
    return {"voting_text": voting_labels, "Rule": Rule}


async def console_live_context(
    ballot: dict[str, Any], roll: list[dict[str, Any]] | None = None, buildings: frozenset[int] | None = None
) -> dict[str, Any]:
    """What the console's live part (``voting/_console_live.html``) shows (``roll``: if already read;
    ``buildings``: a grid worker's, whose list of who has not voted is of those buildings only)."""
    tally = await screen.live_tally(ballot)
    return {
        "hands": await service.hand_count(ballot["id"]),
        "figures": tally.figures,
        "chart": tally.chart,
        "not_voted": None if ballot["status"] == service.CLOSED else await screen.not_voted(ballot, roll, buildings),
    }


def history_within(
    history: list[dict[str, Any]], roll: list[dict[str, Any]], limit: frozenset[int] | None
) -> list[dict[str, Any]]:
    """A ballot's history as a grid worker may read it: only the voters of their buildings."""
    if limit is None:
        return history
    labels = {e["label"] for e in roll}
    return [h for h in history if not h["detail"].get("voter") or h["detail"]["voter"] in labels]


def _within(rows: list[dict[str, Any]], limit: frozenset[int] | None) -> list[dict[str, Any]]:
    """The rows of the buildings a grid worker covers (all rows without a limit)."""
    return rows if limit is None else [r for r in rows if r["building"] in limit]


def _roll_buildings(roll: list[dict[str, Any]], limit: frozenset[int] | None) -> list[tuple[int, str]]:
    """The roll's buildings (id, code) in natural order, within the limit."""
    buildings = sorted(
        {(e["building"], e["building_code"]) for e in roll if e["building"]}, key=lambda b: natural_key(b[1] or "")
    )
    return buildings if limit is None else [b for b in buildings if b[0] in limit]
