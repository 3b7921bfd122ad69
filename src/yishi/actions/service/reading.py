"""What the action pages read, and the home page's lists."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from yishi import clock
from yishi.accounts.permissions import Principal, Role
from yishi.actions import flow
from yishi.actions.flow import Status
from yishi.actions.service.common import may_update
from yishi.actions.tables import Action, ActionUpdate, Evidence, StatusChange
from yishi.errors import NotFound

ACTION_COLUMNS = (
    Action.all_columns(),
    Action.responsible.display_name.as_alias("responsible_name"),
    Action.agenda_item.title.as_alias("item_title"),
    Action.agenda_item.meeting.id.as_alias("meeting_id"),
    Action.agenda_item.meeting.title.as_alias("meeting_title"),
    Action.agenda_item.meeting.building_ids.as_alias("building_ids"),
    Action.agenda_item.proposal.id.as_alias("proposal_id"),
    Action.compound.code.as_alias("compound_code"),
    Action.compound.name.as_alias("compound_name"),
)


def _decorate(row: dict[str, Any], today: date) -> dict[str, Any]:
    row["shown_status"] = flow.shown_status(row["status"], row["due_on"], today)
    row["urgency"] = flow.urgency(row["status"], row["due_on"], today).value
    row["days_late"] = flow.days_late(row["due_on"], today)
    row["days_left"] = (row["due_on"] - today).days
    row["is_open"] = flow.is_open(row["status"])
    return row


async def get_action(compound_id: int, number: int, today: date | None = None) -> dict[str, Any]:
    row = (
        await Action.select(*ACTION_COLUMNS)
        .where((Action.compound == compound_id) & (Action.number == number))
        .output(load_json=True)
        .first()
    )
    if row is None:
        raise NotFound()
    return _decorate(row, today or clock.local_today())


async def action_by_id(action_id: int) -> dict[str, Any] | None:
    row = await Action.select(*ACTION_COLUMNS).where(Action.id == action_id).output(load_json=True).first()
    return _decorate(row, clock.local_today()) if row else None


async def history(action_id: int) -> list[dict[str, Any]]:
    return (
        await StatusChange.select()
        .where(StatusChange.action == action_id)
        .order_by(StatusChange.at)
        .order_by(StatusChange.id)
    )


async def updates(action_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Updates of each action, newest first, each with its evidence."""
    if not action_ids:
        return {}
    rows = (
        await ActionUpdate.select()
        .where(ActionUpdate.action.is_in(action_ids))
        .order_by(ActionUpdate.at, ascending=False)
        .order_by(ActionUpdate.id, ascending=False)
    )
    files = (
        await Evidence.select().where(Evidence.update.is_in([r["id"] for r in rows] or [-1])).order_by(Evidence.id)
        if rows
        else []
    )
    by_action: dict[int, list[dict[str, Any]]] = {a: [] for a in action_ids}
    for row in rows:
        row["evidence"] = [f for f in files if f["update"] == row["id"]]
        by_action[row["action"]].append(row)
    return by_action


async def evidence_file(compound_id: int, evidence_id: int) -> dict[str, Any]:
    row = (
        await Evidence.select(Evidence.all_columns(), Evidence.update.action.compound.as_alias("compound_id"))
        .where(Evidence.id == evidence_id)
        .first()
    )
    if row is None or row["compound_id"] != compound_id:
        raise NotFound()
    return row


async def compound_actions(compound_id: int, today: date | None = None) -> list[dict[str, Any]]:
    """Every action of the compound, most recently changed first."""
    today = today or clock.local_today()
    rows = (
        await Action.select(*ACTION_COLUMNS)
        .where(Action.compound == compound_id)
        .order_by(Action.changed_at, ascending=False)
        .order_by(Action.id, ascending=False)
        .output(load_json=True)
    )
    return [_decorate(r, today) for r in rows]


@dataclass
class UrgencyGroups:
    overdue: list[dict[str, Any]] = field(default_factory=list)
    due_soon: list[dict[str, Any]] = field(default_factory=list)
    later: list[dict[str, Any]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.overdue) + len(self.due_soon) + len(self.later)

    def groups(self) -> list[tuple[str, list[dict[str, Any]]]]:
        return [("overdue", self.overdue), ("due_soon", self.due_soon), ("later", self.later)]


def group_by_urgency(rows: list[dict[str, Any]]) -> UrgencyGroups:
    groups = UrgencyGroups()
    for row in sorted(rows, key=lambda r: (r["due_on"], r["number"])):
        if row["urgency"] != flow.Urgency.DONE:
            getattr(groups, row["urgency"]).append(row)
    return groups


async def my_open_actions(principal: Principal, today: date | None = None) -> UrgencyGroups:
    """The open actions a person answers for: every open action of the compounds
    where they are secretary; elsewhere those they are responsible for or may
    update as staff of the responsible party."""
    today = today or clock.local_today()
    compound_ids = principal.compound_ids
    if not compound_ids:
        return UrgencyGroups()
    rows = (
        await Action.select(*ACTION_COLUMNS)
        .where(Action.compound.is_in(compound_ids) & (Action.status != Status.DONE.value))
        .output(load_json=True)
    )
    mine = []
    for row in rows:
        roles = principal.roles_by_compound.get(row["compound"], frozenset())
        if (
            Role.SECRETARY in roles
            or row["responsible"] == principal.user_id
            or (Role.COMMUNITY_ADMIN not in roles and await may_update(principal, row))
        ):
            mine.append(row)
    return group_by_urgency([_decorate(r, today) for r in mine])


def shows_action_list(principal: Principal) -> bool:
    """Whether a person's home page has an action list at all."""
    return bool(principal.roles & {Role.SECRETARY, Role.PROPERTY_MANAGER, Role.COMMITTEE_MEMBER})
