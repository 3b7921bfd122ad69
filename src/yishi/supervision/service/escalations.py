"""Escalations to the community and the street, and their deadlines."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from yishi import clock
from yishi.accounts.permissions import Capability, Principal
from yishi.actions import service as actions
from yishi.audit import service as audit
from yishi.db import write_transaction
from yishi.errors import Conflict, Forbidden, FormErrors, NotFound
from yishi.i18n import gettext as _
from yishi.roster.tables import Community
from yishi.supervision import rules
from yishi.supervision.rules import Level
from yishi.supervision.service.common import DONE_AGAIN, HANDLED
from yishi.supervision.tables import Escalation


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
