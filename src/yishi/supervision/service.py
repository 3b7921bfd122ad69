"""Use cases of supervision (群众监督): ratings, objections, reopening,
escalations up the levels, the public board and the figures.

Residents act as their household (``HouseholdIdentity``) and only on actions
of their compound that concern their building (the meeting's buildings; none
listed means the whole compound). Moving escalations up to the street happens
in :func:`raise_overdue_escalations`, which the ``yishi escalate`` command runs
(for a daily cron job) and which the community's and the street's escalation
pages and the public board also run when they load, so an escalation is never
shown at a level it has outgrown.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any

import asyncpg

from yishi import clock
from yishi.accounts.permissions import Capability, Principal
from yishi.accounts.residents import HouseholdIdentity
from yishi.actions import evidence, timeline
from yishi.actions import service as actions
from yishi.actions.flow import Status
from yishi.actions.tables import Action
from yishi.audit import service as audit
from yishi.db import write_transaction
from yishi.errors import Conflict, Forbidden, FormErrors, NotFound
from yishi.i18n import gettext as _
from yishi.photos import off_loop
from yishi.roster.tables import Community, Compound
from yishi.supervision import figures as fig
from yishi.supervision import rules
from yishi.supervision.rules import Cause, Level, ObjectionStatus, RatingCounts, ReopenShare, Verdict
from yishi.supervision.tables import Escalation, Objection, ObjectionPhoto, Rating

MAX_COMMENT = 1000
MAX_REASON = 2000
MIN_REASON = 4
MAX_OBJECTION_PHOTOS = 3
DONE_AGAIN = "done_again"
HANDLED = "handled"


# Households: who may rate and object -------------------------------------------------


def concerns_household(action: dict[str, Any], household: HouseholdIdentity) -> bool:
    buildings = action.get("building_ids") or []
    return household.compound_id == action["compound"] and (not buildings or household.building_id in buildings)


def _check_household(action: dict[str, Any], household: HouseholdIdentity) -> None:
    if household.compound_id != action["compound"]:
        raise NotFound()
    if not concerns_household(action, household):
        raise Forbidden(_("This action concerns other buildings: only their households rate it or object."))


@dataclass
class HouseholdState:
    """What one household may still do on one action, and what it did."""

    concerned: bool
    rating: dict[str, Any] | None = None
    objection: dict[str, Any] | None = None

    def can_object(self, action: dict[str, Any]) -> bool:
        return (
            self.concerned
            and action["status"] == Status.DONE
            and (self.objection is None or self.objection["status"] != ObjectionStatus.OPEN)
        )


async def household_state(action: dict[str, Any], household: HouseholdIdentity | None) -> HouseholdState | None:
    if household is None or household.compound_id != action["compound"]:
        return None
    rating = (
        await Rating.select()
        .where(
            (Rating.action == action["id"])
            & (Rating.household == household.household_id)
            & (Rating.round == action["round"])
        )
        .first()
    )
    objection = (
        await Objection.select()
        .where((Objection.action == action["id"]) & (Objection.household == household.household_id))
        .order_by(Objection.at, ascending=False)
        .first()
    )
    return HouseholdState(concerned=concerns_household(action, household), rating=rating, objection=objection)


def _is_unique_violation(error: BaseException) -> bool:
    return isinstance(error, asyncpg.UniqueViolationError) or (
        isinstance(error, sqlite3.IntegrityError) and "UNIQUE" in str(error)
    )


# Ratings -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RatingOutcome:
    counts: RatingCounts
    reopened: bool


async def round_counts(action_id: int, round_: int) -> RatingCounts:
    rows = await Rating.select(Rating.verdict).where((Rating.action == action_id) & (Rating.round == round_))
    return RatingCounts.of(r["verdict"] for r in rows)


async def rate(
    household: HouseholdIdentity,
    compound_id: int,
    number: int,
    verdict: str,
    comment: str,
    *,
    now: datetime | None = None,
) -> RatingOutcome:
    """One household's rating of a done action; may reopen and escalate it."""
    now = now or clock.now()
    errors = {}
    if verdict not in set(Verdict):
        errors["verdict"] = _("Choose satisfied, basically satisfied or unsatisfied.")
    comment = comment.strip()
    if len(comment) > MAX_COMMENT:
        errors["comment"] = _("At most %(n)d characters.", n=MAX_COMMENT)
    reopened = False
    try:
        async with write_transaction():
            action = await actions.get_action(compound_id, number)
            _check_household(action, household)
            if action["status"] != Status.DONE:
                raise Conflict(_("An action is rated once it is done."))
            earlier = (
                await Rating.select()
                .where(
                    (Rating.action == action["id"])
                    & (Rating.household == household.household_id)
                    & (Rating.round == action["round"])
                )
                .first()
            )
            if earlier is not None:
                raise Conflict(
                    _(
                        "Your household already rated this action on %(date)s: %(verdict)s. Each household rates once.",
                        date=clock.local_date(earlier["at"]).isoformat(),
                        verdict=_(rules.VERDICT_LABELS[Verdict(earlier["verdict"])]),
                    )
                )
            if errors:
                raise FormErrors(errors)
            await Rating.insert(
                Rating(
                    action=action["id"],
                    household=household.household_id,
                    round=action["round"],
                    verdict=verdict,
                    comment=comment,
                    at=now,
                )
            )
            counts = await round_counts(action["id"], action["round"])
            compound = await Compound.select().where(Compound.id == compound_id).first()
            share = ReopenShare(
                numerator=compound["reopen_unsatisfied_numerator"],
                denominator=compound["reopen_unsatisfied_denominator"],
                min_ratings=compound["reopen_min_ratings"],
            )
            if rules.should_reopen(counts, share):
                await _reopen_and_escalate(action, compound, Cause.RATINGS, None, None, now)
                reopened = True
    except (sqlite3.IntegrityError, asyncpg.UniqueViolationError) as error:
        if _is_unique_violation(error):
            raise Conflict(_("Your household has already rated this action. Each household rates once.")) from None
        raise
    await actions.notify_changed(compound_id)
    return RatingOutcome(counts=counts, reopened=reopened)


async def _reopen_and_escalate(
    action: dict[str, Any],
    compound: dict[str, Any],
    cause: Cause,
    objection_id: int | None,
    author: Principal | None,
    now: datetime,
    note: str = "",
) -> None:
    await actions.reopen(action["id"], cause.value, note, author=author, now=now)
    await Escalation.insert(
        Escalation(
            action=action["id"],
            compound=compound["id"],
            community=compound["community"],
            level=Level.COMMUNITY.value,
            cause=cause.value,
            objection=objection_id,
            opened_at=now,
        )
    )
    await audit.record(
        "action",
        action["id"],
        "escalated to community",
        actor=author.user_id if author else None,
        compound=compound["id"],
        cause=cause.value,
    )
    await timeline.action_reopened(action["agenda_item"], action["number"], action["title"])


# Objections ------------------------------------------------------------------------------------


async def object_to(
    household: HouseholdIdentity,
    compound_id: int,
    number: int,
    reason: str,
    photos: list[actions.Upload],
    uploads_dir: Path,
    *,
    now: datetime | None = None,
) -> int:
    """A household's objection to a done action, with photos."""
    now = now or clock.now()
    action = await actions.get_action(compound_id, number)
    _check_household(action, household)
    errors = {}
    reason = reason.strip()
    if len(reason) < MIN_REASON:
        errors["reason"] = _("Say what is wrong, in a sentence or two.")
    elif len(reason) > MAX_REASON:
        errors["reason"] = _("At most %(n)d characters.", n=MAX_REASON)
    photos = [p for p in photos if p.filename or p.content]
    prepared: list[evidence.PreparedFile] = []
    if len(photos) > MAX_OBJECTION_PHOTOS:
        errors["photos"] = _("At most %(n)d photos.", n=MAX_OBJECTION_PHOTOS)
    else:
        try:
            prepared = [
                await off_loop(partial(evidence.prepare, allow_pdf=False), p.content, p.filename) for p in photos
            ]
        except evidence.EvidenceRefused as error:
            errors["photos"] = error.message
    if action["status"] != Status.DONE:
        raise Conflict(_("An objection is raised against a done action."))
    if errors:
        raise FormErrors(errors)
    stored = [evidence.store(p, uploads_dir, f"objections/{compound_id}") for p in prepared]
    try:
        async with write_transaction():
            current = await Action.select(Action.status).where(Action.id == action["id"]).first()
            if current["status"] != Status.DONE:
                raise Conflict(_("An objection is raised against a done action."))
            if await Objection.exists().where(
                (Objection.action == action["id"])
                & (Objection.household == household.household_id)
                & (Objection.status == ObjectionStatus.OPEN.value)
            ):
                raise Conflict(_("Your household's objection to this action is already with the secretary."))
            rows = await Objection.insert(
                Objection(
                    action=action["id"],
                    household=household.household_id,
                    round=action["round"],
                    reason=reason,
                    at=now,
                )
            ).returning(Objection.id)
            objection_id = rows[0]["id"]
            if stored:
                await ObjectionPhoto.insert(
                    *[
                        ObjectionPhoto(objection=objection_id, path=s.path, width=s.width, height=s.height)
                        for s in stored
                    ]
                )
    except BaseException:
        evidence.remove(uploads_dir, stored)
        raise
    await actions.notify_changed(compound_id)
    return objection_id


async def objections(action_id: int) -> list[dict[str, Any]]:
    rows = (
        await Objection.select(
            Objection.all_columns(),
            Objection.household.unit.as_alias("unit"),
            Objection.household.building.code.as_alias("building_code"),
            Objection.decided_by.display_name.as_alias("decided_by_name"),
        )
        .where(Objection.action == action_id)
        .order_by(Objection.at)
    )
    photos = await ObjectionPhoto.select().where(ObjectionPhoto.objection.is_in([r["id"] for r in rows] or [-1]))
    for row in rows:
        row["photos"] = [p for p in photos if p["objection"] == row["id"]]
    return rows


async def objection_photo(compound_id: int, photo_id: int) -> dict[str, Any]:
    row = (
        await ObjectionPhoto.select(
            ObjectionPhoto.all_columns(), ObjectionPhoto.objection.action.compound.as_alias("compound_id")
        )
        .where(ObjectionPhoto.id == photo_id)
        .first()
    )
    if row is None or row["compound_id"] != compound_id:
        raise NotFound()
    return row


async def decide_objection(
    principal: Principal,
    compound_id: int,
    objection_id: int,
    uphold: bool,
    note: str,
    *,
    now: datetime | None = None,
) -> None:
    """The secretary upholds an objection (the action reopens and escalates) or not."""
    now = now or clock.now()
    if not principal.sees_compound(compound_id):
        raise NotFound()
    if not principal.can(Capability.ACTION_DRAFT, compound_id):
        raise Forbidden(_("Only the secretary decides on objections."))
    note = note.strip()
    if len(note) < 2:
        raise FormErrors({"note": _("Write the reason for the decision: residents read it on the board.")})
    async with write_transaction():
        objection = await Objection.select().where(Objection.id == objection_id).first()
        action = await actions.action_by_id(objection["action"]) if objection else None
        if objection is None or action is None or action["compound"] != compound_id:
            raise NotFound()
        if objection["status"] != ObjectionStatus.OPEN:
            raise Conflict(_("This objection was already decided."))
        status = ObjectionStatus.UPHELD if uphold else ObjectionStatus.DISMISSED
        await Objection.update(
            {
                Objection.status: status.value,
                Objection.decided_by: principal.user_id,
                Objection.decision_note: note,
                Objection.decided_at: now,
            }
        ).where(Objection.id == objection_id)
        await audit.record(
            "objection", objection_id, status.value, actor=principal.user_id, compound=compound_id, note=note
        )
        if uphold and action["status"] == Status.DONE:
            compound = await Compound.select().where(Compound.id == compound_id).first()
            await _reopen_and_escalate(action, compound, Cause.OBJECTION, objection_id, principal, now, note)
    await actions.notify_changed(compound_id)


# Escalations ----------------------------------------------------------------------------------


async def action_done_again(action_id: int, principal: Principal, now: datetime) -> None:
    """Close the action's open escalations: the work was done again (called by
    the actions service inside its transaction)."""
    await Escalation.update(
        {
            Escalation.closed_at: now,
            Escalation.closed_reason: DONE_AGAIN,
            Escalation.closed_by: principal.user_id,
        }
    ).where((Escalation.action == action_id) & Escalation.closed_at.is_null())


ESCALATION_COLUMNS = (
    Escalation.all_columns(),
    Escalation.action.number.as_alias("action_number"),
    Escalation.action.title.as_alias("action_title"),
    Escalation.action.status.as_alias("action_status"),
    Escalation.action.due_on.as_alias("action_due_on"),
    Escalation.action.party_kind.as_alias("party_kind"),
    Escalation.action.responsible.display_name.as_alias("responsible_name"),
    Escalation.compound.code.as_alias("compound_code"),
    Escalation.compound.name.as_alias("compound_name"),
    Escalation.compound.escalate_to_street_after_days.as_alias("street_days"),
    Escalation.community.name.as_alias("community_name"),
    Escalation.community.code.as_alias("community_code"),
    Escalation.community.street.as_alias("street"),
    Escalation.closed_by.display_name.as_alias("closed_by_name"),
)


def _decorate_escalation(row: dict[str, Any]) -> dict[str, Any]:
    row["street_due_at"] = rules.street_due_at(row["opened_at"], row["street_days"])
    row["is_open"] = row["closed_at"] is None
    return row


async def raise_overdue_escalations(now: datetime | None = None) -> list[int]:
    """Move community-level escalations still open after the compound's
    ``escalate_to_street_after_days`` up to the street; return their ids."""
    now = now or clock.now()

    async def due() -> list[int]:
        rows = await Escalation.select(
            Escalation.id,
            Escalation.level,
            Escalation.opened_at,
            Escalation.compound.escalate_to_street_after_days.as_alias("days"),
        ).where((Escalation.level == Level.COMMUNITY.value) & Escalation.closed_at.is_null())
        return [r["id"] for r in rows if rules.goes_to_street(r["level"], r["opened_at"], r["days"], now)]

    if not await due():
        return []
    async with write_transaction():
        moved = await due()
        if moved:
            await Escalation.update({Escalation.level: Level.STREET.value, Escalation.street_at: now}).where(
                Escalation.id.is_in(moved)
            )
            for escalation_id in moved:
                await audit.record("escalation", escalation_id, "escalated to street", actor=None)
    compounds = await Escalation.select(Escalation.compound).where(Escalation.id.is_in(moved or [-1]))
    for compound_id in {r["compound"] for r in compounds}:
        await actions.notify_changed(compound_id)
    return moved


async def escalations_of_actions(action_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    rows = (
        await Escalation.select(*ESCALATION_COLUMNS)
        .where(Escalation.action.is_in(action_ids or [-1]))
        .order_by(Escalation.opened_at)
    )
    by_action: dict[int, list[dict[str, Any]]] = {a: [] for a in action_ids}
    for row in rows:
        by_action[row["action"]].append(_decorate_escalation(row))
    return by_action


async def community_escalations(community_id: int) -> dict[str, list[dict[str, Any]]]:
    rows = (
        await Escalation.select(*ESCALATION_COLUMNS)
        .where(Escalation.community == community_id)
        .order_by(Escalation.opened_at, ascending=False)
    )
    rows = [_decorate_escalation(r) for r in rows]
    return {"open": [r for r in rows if r["is_open"]], "closed": [r for r in rows if not r["is_open"]][:20]}


async def street_escalations(street: str) -> dict[str, list[dict[str, Any]]]:
    rows = (
        await Escalation.select(*ESCALATION_COLUMNS)
        .where((Escalation.community.street == street) & (Escalation.level == Level.STREET.value))
        .order_by(Escalation.opened_at, ascending=False)
    )
    rows = [_decorate_escalation(r) for r in rows]
    return {"open": [r for r in rows if r["is_open"]], "closed": [r for r in rows if not r["is_open"]][:20]}


async def open_escalation_count(community_ids: list[int]) -> int:
    if not community_ids:
        return 0
    return await Escalation.count().where(Escalation.community.is_in(community_ids) & Escalation.closed_at.is_null())


async def close_escalation(
    principal: Principal,
    community_id: int,
    escalation_id: int,
    note: str,
    *,
    now: datetime | None = None,
) -> None:
    """The community admin closes an escalation with a note."""
    now = now or clock.now()
    note = note.strip()
    async with write_transaction():
        row = await Escalation.select().where(Escalation.id == escalation_id).first()
        if row is None or row["community"] != community_id or not principal.sees_compound(row["compound"]):
            raise NotFound()
        if not principal.can(Capability.ESCALATION_HANDLE, row["compound"]):
            raise Forbidden(_("Only the community handles escalations."))
        if row["closed_at"] is not None:
            raise Conflict(_("This escalation is already closed."))
        if len(note) < 2:
            raise FormErrors({"note": _("Write what was done about it: the board shows it.")})
        await Escalation.update(
            {
                Escalation.closed_at: now,
                Escalation.closed_reason: HANDLED,
                Escalation.closed_by: principal.user_id,
                Escalation.closed_note: note,
            }
        ).where(Escalation.id == escalation_id)
        await audit.record(
            "escalation", escalation_id, "closed", actor=principal.user_id, compound=row["compound"], note=note
        )
    await actions.notify_changed(row["compound"])


def check_community_admin(principal: Principal, community_id: int) -> None:
    if community_id not in principal.community_ids:
        raise NotFound()


async def check_street(principal: Principal, street: str) -> list[dict[str, Any]]:
    """The communities of ``street`` the person administers (none: not found)."""
    rows = await Community.select().where(
        (Community.street == street) & Community.id.is_in(list(principal.community_ids) or [-1])
    )
    if not street or not rows:
        raise NotFound()
    return rows


# The public board --------------------------------------------------------------------------------


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


# Figures -------------------------------------------------------------------------------------------


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
