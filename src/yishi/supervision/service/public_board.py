"""The public board of actions, and its figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from yishi import clock
from yishi.actions import service as actions
from yishi.actions.flow import Status
from yishi.actions.tables import Action
from yishi.roster.tables import Compound
from yishi.supervision import figures as fig
from yishi.supervision.rules import RatingCounts
from yishi.supervision.service.escalations import escalations_of_actions
from yishi.supervision.tables import Escalation, Objection, Rating


@dataclass
class BoardAction:
    action: dict[str, Any]
    updates: list[dict[str, Any]]
    history: list[dict[str, Any]]
    counts: RatingCounts
    objections: list[dict[str, Any]]
    escalations: list[dict[str, Any]]
    party_name: str = ""

    @property
    def open_escalation(self) -> dict[str, Any] | None:
        return next((e for e in self.escalations if e["is_open"]), None)


async def board_actions(compound_id: int, today: date | None = None) -> list[BoardAction]:
    """Every action of the compound, most recently changed first, with what the
    board shows of it."""
    rows = await actions.compound_actions(compound_id, today)
    return await _board_entries(rows)


async def board_action(compound_id: int, number: int) -> BoardAction:
    row = await actions.get_action(compound_id, number)
    return (await _board_entries([row]))[0]


async def _board_entries(rows: list[dict[str, Any]]) -> list[BoardAction]:
    ids = [r["id"] for r in rows]
    updates = await actions.updates(ids)
    escalations = await escalations_of_actions(ids)
    ratings = await Rating.select(Rating.action, Rating.round, Rating.verdict).where(Rating.action.is_in(ids or [-1]))
    objection_rows = (
        await Objection.select(
            Objection.id,
            Objection.action,
            Objection.reason,
            Objection.status,
            Objection.decision_note,
            Objection.decided_at,
            Objection.at,
        )
        .where(Objection.action.is_in(ids or [-1]))
        .order_by(Objection.at)
    )
    names = {}
    entries = []
    for row in rows:
        key = (row["compound"], row["party_kind"])
        if key not in names:
            names[key] = await actions.party_name(*key)
        entries.append(
            BoardAction(
                action=row,
                updates=updates.get(row["id"], []),
                history=await actions.history(row["id"]),
                counts=RatingCounts.of(
                    r["verdict"] for r in ratings if r["action"] == row["id"] and r["round"] == row["round"]
                ),
                objections=[o for o in objection_rows if o["action"] == row["id"]],
                escalations=escalations.get(row["id"], []),
                party_name=names[key],
            )
        )
    return entries


async def ratings_of(action_id: int) -> list[dict[str, Any]]:
    """Ratings with comments, for staff (the board shows counts only)."""
    return (
        await Rating.select(
            Rating.all_columns(),
            Rating.household.unit.as_alias("unit"),
            Rating.household.building.code.as_alias("building_code"),
        )
        .where(Rating.action == action_id)
        .order_by(Rating.at, ascending=False)
    )


@dataclass
class PlaceFigures:
    figures: fig.Figures
    compounds: list[dict[str, Any]] = field(default_factory=list)
    by_compound: dict[int, fig.Figures] = field(default_factory=dict)


async def _facts(compound_ids: list[int]) -> tuple[list[fig.ActionFact], list[fig.RatingFact], dict[int, int]]:
    action_rows = await Action.select(Action.compound, Action.status, Action.due_on, Action.done_at).where(
        Action.compound.is_in(compound_ids or [-1])
    )
    rating_rows = await Rating.select(Rating.verdict, Rating.at, Rating.action.compound.as_alias("compound")).where(
        Rating.action.compound.is_in(compound_ids or [-1])
    )
    escalation_rows = await Escalation.select(Escalation.compound).where(
        Escalation.compound.is_in(compound_ids or [-1]) & Escalation.closed_at.is_null()
    )
    facts = [
        fig.ActionFact(
            status=r["status"],
            due_on=r["due_on"],
            compound_id=r["compound"],
            done_on=clock.local_date(r["done_at"]) if r["status"] == Status.DONE and r["done_at"] else None,
        )
        for r in action_rows
    ]
    rating_facts = [
        fig.RatingFact(verdict=r["verdict"], on=clock.local_date(r["at"]), compound_id=r["compound"])
        for r in rating_rows
    ]
    open_by_compound: dict[int, int] = {}
    for row in escalation_rows:
        open_by_compound[row["compound"]] = open_by_compound.get(row["compound"], 0) + 1
    return facts, rating_facts, open_by_compound


async def compound_figures(compound_id: int, today: date | None = None) -> fig.Figures:
    today = today or clock.local_today()
    facts, ratings, escalations = await _facts([compound_id])
    return fig.compute(facts, ratings, escalations.get(compound_id, 0), today)


async def community_figures(community_id: int, today: date | None = None) -> PlaceFigures:
    today = today or clock.local_today()
    compounds = (
        await Compound.select(Compound.id, Compound.code, Compound.name)
        .where(Compound.community == community_id)
        .order_by(Compound.name)
    )
    ids = [c["id"] for c in compounds]
    facts, ratings, escalations = await _facts(ids)
    return PlaceFigures(
        figures=fig.compute(facts, ratings, sum(escalations.values()), today),
        compounds=compounds,
        by_compound=fig.by_compound(ids, facts, ratings, escalations, today),
    )
