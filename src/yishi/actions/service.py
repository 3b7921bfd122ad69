"""Use cases of actions (落实事项): draft, progress updates with evidence, moves,
the lists by urgency; and the look-ups the other steps need.

Permissions are checked here too, so a view cannot forget them: drafting needs
``ACTION_DRAFT`` in the compound (the secretary); an update or a move needs to
be the responsible person, staff of the responsible party in the compound with
``ACTION_UPDATE``, or the secretary.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from yishi import clock
from yishi.accounts.permissions import Capability, Principal, Role
from yishi.accounts.tables import PartyMember, RoleGrant, StaffUser
from yishi.actions import evidence, flow, timeline
from yishi.actions.flow import Move, Status
from yishi.actions.money import FUNDING_SOURCES, BudgetError, parse_yuan
from yishi.actions.outcome import item_outcome
from yishi.actions.tables import Action, ActionUpdate, Evidence, StatusChange
from yishi.audit import service as audit
from yishi.db import write_transaction
from yishi.errors import Forbidden, FormErrors, NotFound
from yishi.forms import whole_number
from yishi.i18n import N_
from yishi.i18n import gettext as _
from yishi.live import channels
from yishi.meetings.tables import AgendaItem, Meeting
from yishi.photos import Upload, off_loop
from yishi.roster.tables import PARTY_LABELS, Community, Compound, Party, PartyKind

COMMUNITY = "community"
PARTY_KINDS = (PartyKind.PROPERTY, PartyKind.BRANCH, PartyKind.COMMITTEE, COMMUNITY)
RESPONSIBLE_LABELS = {**PARTY_LABELS, COMMUNITY: N_("Community")}
# Roles whose holders count as staff of a party, besides its listed members.
PARTY_ROLES = {
    PartyKind.PROPERTY: Role.PROPERTY_MANAGER,
    PartyKind.BRANCH: Role.SECRETARY,
    PartyKind.COMMITTEE: Role.COMMITTEE_MEMBER,
    COMMUNITY: Role.COMMUNITY_ADMIN,
}
MAX_TITLE = 120
MAX_TEXT = 4000
MAX_FILES = 6
MEETING_CLOSED = "closed"
DECISION = "decision"


# Live updates ---------------------------------------------------------------


def topics_for(compound_id: int, community_id: int) -> list[str]:
    """What screens watch: one compound, one community, or every place."""
    return [
        channels.topic_name("actions", compound_id),
        channels.topic_name("actions_community", community_id),
        channels.topic_name("actions", "all"),
    ]


def home_topic(compounds: list[dict[str, Any]]) -> str:
    """One topic that covers every compound on a person's home page."""
    communities = {c["community"] for c in compounds}
    if len(compounds) == 1:
        return channels.topic_name("actions", compounds[0]["id"])
    if len(communities) == 1:
        return channels.topic_name("actions_community", communities.pop())
    return channels.topic_name("actions", "all")


async def notify_changed(compound_id: int) -> None:
    """Tell open screens an action of the compound changed (after the commit)."""
    row = await Compound.select(Compound.community).where(Compound.id == compound_id).first()
    if row is not None:
        for topic in topics_for(compound_id, row["community"]):
            channels.notify(topic)


# Who is responsible -----------------------------------------------------------


async def responsible_candidates(compound_id: int, party_kind: str) -> list[dict[str, Any]]:
    """Active staff who can answer for an action of ``party_kind`` in the compound:
    members of that party of the compound, and holders of the party's role there
    (the property manager of the company serving it, the secretary, committee
    members, the community admin)."""
    if party_kind not in PARTY_KINDS:
        return []
    compound = (
        await Compound.select(Compound.id, Compound.community, Compound.property_company)
        .where(Compound.id == compound_id)
        .first()
    )
    if compound is None:
        return []
    user_ids: dict[int, str] = {}
    if party_kind != COMMUNITY:
        members = await PartyMember.select(PartyMember.user, PartyMember.title).where(
            (PartyMember.party.compound == compound_id)
            & (PartyMember.party.kind == party_kind)
            & (PartyMember.party.active == True)  # noqa: E712
        )
        user_ids.update({m["user"]: m["title"] for m in members})
    role = PARTY_ROLES[party_kind]
    grants = RoleGrant.select(RoleGrant.user).where(RoleGrant.role == role.value)
    if role is Role.PROPERTY_MANAGER:
        grants = grants.where(RoleGrant.company == (compound["property_company"] or -1))
    elif role is Role.COMMUNITY_ADMIN:
        grants = grants.where(RoleGrant.community == compound["community"])
    else:
        grants = grants.where(RoleGrant.compound == compound_id)
    for grant in await grants:
        user_ids.setdefault(grant["user"], "")
    if not user_ids:
        return []
    users = (
        await StaffUser.select(StaffUser.id, StaffUser.display_name)
        .where(
            StaffUser.id.is_in(list(user_ids)) & (StaffUser.active == True)  # noqa: E712
        )
        .order_by(StaffUser.display_name)
    )
    return [{**u, "title": user_ids[u["id"]]} for u in users]


async def party_name(compound_id: int, party_kind: str) -> str:
    if party_kind == COMMUNITY:
        row = (
            await Community.select(Community.name)
            .where(Community.id.is_in(Compound.select(Compound.community).where(Compound.id == compound_id)))
            .first()
        )
        return row["name"] if row else ""
    row = await Party.select(Party.name).where((Party.compound == compound_id) & (Party.kind == party_kind)).first()
    return row["name"] if row else ""


# Resolutions: what a closed meeting adopted -------------------------------------------


@dataclass
class Resolution:
    item: dict[str, Any]
    meeting: dict[str, Any]
    adopted: bool
    decided: bool
    adopted_option: str | None
    ballot_id: int | None
    actions: list[dict[str, Any]] = field(default_factory=list)


async def resolutions(compound_id: int) -> list[Resolution]:
    """Decision items of the compound's closed meetings, newest meeting first,
    each with its outcome and the actions drafted for it."""
    meetings = (
        await Meeting.select(
            Meeting.id,
            Meeting.title,
            Meeting.kind,
            Meeting.starts_at,
            Meeting.closed_at,
            Meeting.building_ids,
        )
        .where((Meeting.compound == compound_id) & (Meeting.status == MEETING_CLOSED))
        .order_by(Meeting.starts_at, ascending=False)
        .output(load_json=True)
    )
    if not meetings:
        return []
    items = (
        await AgendaItem.select()
        .where(
            AgendaItem.meeting.is_in([m["id"] for m in meetings])
            & (AgendaItem.kind == DECISION)
            & AgendaItem.withdrawn_at.is_null()
        )
        .order_by(AgendaItem.position)
        .output(load_json=True)
    )
    actions = (
        await Action.select(Action.id, Action.number, Action.title, Action.status, Action.due_on, Action.agenda_item)
        .where(Action.compound == compound_id)
        .order_by(Action.number)
    )
    by_meeting = {m["id"]: m for m in meetings}
    found = []
    for meeting in meetings:
        for item in (i for i in items if i["meeting"] == meeting["id"]):
            outcome = await item_outcome(item["id"])
            found.append(
                Resolution(
                    item=item,
                    meeting=by_meeting[item["meeting"]],
                    adopted=outcome.adopted,
                    decided=outcome.decided,
                    adopted_option=outcome.adopted_option,
                    ballot_id=outcome.ballot_id,
                    actions=[a for a in actions if a["agenda_item"] == item["id"]],
                )
            )
    return found


async def adopted_item(compound_id: int, agenda_item_id: int) -> Resolution:
    """The item an action will carry out, refusing anything that is not an
    adopted decision of a closed meeting of this compound."""
    item = await AgendaItem.select().where(AgendaItem.id == agenda_item_id).output(load_json=True).first()
    meeting = None
    if item is not None:
        meeting = await Meeting.select().where(Meeting.id == item["meeting"]).output(load_json=True).first()
    if item is None or meeting is None or meeting["compound"] != compound_id:
        raise FormErrors({"item": _("Choose an agenda item of a meeting of this compound.")})
    if item["kind"] != DECISION:
        raise FormErrors({"item": _("A report item decides nothing, so it has no actions.")})
    if item["withdrawn_at"] is not None:
        raise FormErrors({"item": _("This item was withdrawn from the agenda.")})
    if meeting["status"] != MEETING_CLOSED:
        raise FormErrors({"item": _("The meeting is not closed yet: actions follow its decisions.")})
    outcome = await item_outcome(agenda_item_id)
    if not outcome.decided:
        raise FormErrors({"item": _("This item has no closed ballot, so nothing was decided.")})
    if not outcome.adopted:
        raise FormErrors({"item": _("This item was not adopted: a failed item gets no action.")})
    return Resolution(
        item=item,
        meeting=meeting,
        adopted=True,
        decided=True,
        adopted_option=outcome.adopted_option,
        ballot_id=outcome.ballot_id,
    )


# Drafting ---------------------------------------------------------------------------


DRAFT_FIELDS = ("item", "title", "details", "party_kind", "responsible", "due_on", "budget", "funding_source")


def _parse_date(text: str) -> date | None:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _int(text: str) -> int | None:
    return whole_number(text)


async def draft_action(
    principal: Principal, compound_id: int, values: Mapping[str, str], *, now: datetime | None = None
) -> dict[str, Any]:
    """Create an action for an adopted item; every field error at once."""
    if not principal.sees_compound(compound_id):
        raise NotFound()
    if not principal.can(Capability.ACTION_DRAFT, compound_id):
        raise Forbidden(_("Your role does not allow this here."))
    now = now or clock.now()
    today = clock.local_today(now)
    errors: dict[str, str] = {}
    title = values.get("title", "").strip()
    details = values.get("details", "").strip()
    if not title:
        errors["title"] = _("Say what will be done.")
    elif len(title) > MAX_TITLE:
        errors["title"] = _("At most %(n)d characters.", n=MAX_TITLE)
    if len(details) > MAX_TEXT:
        errors["details"] = _("At most %(n)d characters.", n=MAX_TEXT)
    party_kind = values.get("party_kind", "")
    if party_kind not in PARTY_KINDS:
        errors["party_kind"] = _("Choose the party responsible.")
    responsible = _int(values.get("responsible", ""))
    due_on = _parse_date(values.get("due_on", ""))
    if due_on is None:
        errors["due_on"] = _("Enter the due date, for example %(example)s.", example=today.isoformat())
    elif due_on < today:
        errors["due_on"] = _("The due date cannot be in the past.")
    budget = None
    try:
        budget = parse_yuan(values.get("budget", ""))
    except BudgetError:
        errors["budget"] = _("Enter an amount in yuan with at most two decimals, for example 12800.50.")
    funding = values.get("funding_source", "")
    if funding and funding not in FUNDING_SOURCES:
        errors["funding_source"] = _("Choose a funding source from the list.")
    elif budget and not funding:
        errors["funding_source"] = _("Say where the money comes from.")
    item_id = _int(values.get("item", ""))

    async with write_transaction():
        if item_id is None:
            errors["item"] = _("Choose the resolution this action carries out.")
        else:
            try:
                await adopted_item(compound_id, item_id)
            except FormErrors as error:
                errors.update(error.errors)
        if party_kind in PARTY_KINDS:
            candidates = {c["id"] for c in await responsible_candidates(compound_id, party_kind)}
            if responsible not in candidates:
                errors["responsible"] = _("Choose a person of the responsible party.")
        if errors:
            raise FormErrors(errors)
        last = (
            await Action.select(Action.number)
            .where(Action.compound == compound_id)
            .order_by(Action.number, ascending=False)
            .first()
        )
        number = (last["number"] if last else 0) + 1
        rows = await Action.insert(
            Action(
                compound=compound_id,
                agenda_item=item_id,
                number=number,
                title=title,
                details=details,
                party_kind=party_kind,
                responsible=responsible,
                due_on=due_on,
                budget_fen=budget,
                funding_source=funding if budget or funding else "",
                status=Status.PLANNED.value,
                created_by=principal.user_id,
                created_at=now,
                changed_at=now,
            )
        ).returning(Action.id)
        action_id = rows[0]["id"]
        await StatusChange.insert(
            StatusChange(
                action=action_id,
                from_status="",
                to_status=Status.PLANNED.value,
                author=principal.user_id,
                author_label=principal.display_name,
                at=now,
            )
        )
        await audit.record(
            "action",
            action_id,
            "drafted",
            actor=principal.user_id,
            compound=compound_id,
            number=number,
            agenda_item=item_id,
        )
        await timeline.action_drafted(item_id, number, title, principal.display_name)
    await notify_changed(compound_id)
    return {"id": action_id, "number": number}


# Reading ------------------------------------------------------------------------------


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


# Who may post --------------------------------------------------------------------------


async def may_update(principal: Principal, action: dict[str, Any]) -> bool:
    compound_id = action["compound"]
    if not principal.sees_compound(compound_id):
        return False
    if principal.user_id == action["responsible"]:
        return True
    if principal.can(Capability.ACTION_DRAFT, compound_id):
        return True
    if not principal.can(Capability.ACTION_UPDATE, compound_id):
        return False
    candidates = await responsible_candidates(compound_id, action["party_kind"])
    return any(c["id"] == principal.user_id for c in candidates)


async def check_may_update(principal: Principal, action: dict[str, Any]) -> None:
    if not principal.sees_compound(action["compound"]):
        raise NotFound()
    if not await may_update(principal, action):
        raise Forbidden(_("Only the responsible party and the secretary post updates on this action."))


# Updates and moves ---------------------------------------------------------------------------


async def check_uploads(uploads: list[Upload]) -> list[evidence.PreparedFile]:
    """Every file checked by content; the first refusal says which and why."""
    uploads = [u for u in uploads if u.filename or u.content]
    if len(uploads) > MAX_FILES:
        raise FormErrors({"files": _("At most %(n)d files at a time.", n=MAX_FILES)})
    prepared = []
    for upload in uploads:
        try:
            prepared.append(await off_loop(evidence.prepare, upload.content, upload.filename))
        except evidence.EvidenceRefused as error:
            raise FormErrors({"files": error.message}) from None
    return prepared


async def post_update(
    principal: Principal,
    action_id: int,
    text: str,
    uploads: list[Upload],
    move: str,
    uploads_dir: Path,
    *,
    now: datetime | None = None,
) -> dict[str, Any]:
    """A dated progress update with evidence, and optionally a move (start or done)."""
    now = now or clock.now()
    action = await action_by_id(action_id)
    if action is None:
        raise NotFound()
    await check_may_update(principal, action)
    errors: dict[str, str] = {}
    text = text.strip()
    if not text:
        errors["text"] = _("Write what was done, even briefly.")
    elif len(text) > MAX_TEXT:
        errors["text"] = _("At most %(n)d characters.", n=MAX_TEXT)
    if move and move not in flow.STAFF_MOVES:
        errors["move"] = _("Choose how the action stands now.")
    prepared: list[evidence.PreparedFile] = []
    try:
        prepared = await check_uploads(uploads)
    except FormErrors as error:
        errors.update(error.errors)
    if errors:
        raise FormErrors(errors)
    stored = [evidence.store(p, uploads_dir, f"actions/{action['compound']}") for p in prepared]
    try:
        async with write_transaction():
            current = await Action.select(Action.status, Action.round).where(Action.id == action_id).first()
            target = None
            if move:
                try:
                    target = flow.next_status(current["status"], move)
                except flow.MoveRefused as error:
                    raise FormErrors({"move": error.message}) from None
            rows = await ActionUpdate.insert(
                ActionUpdate(
                    action=action_id,
                    text=text,
                    author=principal.user_id,
                    author_label=principal.display_name,
                    at=now,
                )
            ).returning(ActionUpdate.id)
            update_id = rows[0]["id"]
            if stored:
                await Evidence.insert(
                    *[
                        Evidence(
                            update=update_id,
                            kind=s.kind,
                            path=s.path,
                            width=s.width,
                            height=s.height,
                            size=s.size,
                            name=s.name,
                        )
                        for s in stored
                    ]
                )
            changes: dict[Any, Any] = {Action.changed_at: now}
            if target is not None:
                changes[Action.status] = target.value
                if target is Status.DONE:
                    changes[Action.round] = current["round"] + 1
                    changes[Action.done_at] = now
                await StatusChange.insert(
                    StatusChange(
                        action=action_id,
                        from_status=current["status"],
                        to_status=target.value,
                        note=text,
                        author=principal.user_id,
                        author_label=principal.display_name,
                        at=now,
                    )
                )
                await audit.record(
                    "action",
                    action_id,
                    f"moved to {target.value}",
                    actor=principal.user_id,
                    compound=action["compound"],
                )
            await Action.update(changes).where(Action.id == action_id)
            if target is Status.DONE:
                from yishi.supervision import service as supervision

                await supervision.action_done_again(action_id, principal, now)
            await timeline.action_progress(
                action["agenda_item"],
                action["number"],
                action["title"],
                text,
                done=target is Status.DONE,
                actor_label=principal.display_name,
            )
    except BaseException:
        evidence.remove(uploads_dir, stored)
        raise
    await notify_changed(action["compound"])
    return {"update_id": update_id, "status": target.value if target else current["status"]}


async def reopen(action_id: int, cause: str, note: str, *, author: Principal | None, now: datetime) -> None:
    """Send a done action back (called by supervision inside its transaction)."""
    current = await Action.select(Action.status).where(Action.id == action_id).first()
    if current is None:
        raise NotFound()
    target = flow.next_status(current["status"], Move.REOPEN)
    await Action.update({Action.status: target.value, Action.changed_at: now}).where(Action.id == action_id)
    await StatusChange.insert(
        StatusChange(
            action=action_id,
            from_status=current["status"],
            to_status=target.value,
            cause=cause,
            note=note,
            author=author.user_id if author else None,
            author_label=author.display_name if author else "",
            at=now,
        )
    )
    await audit.record("action", action_id, "reopened", actor=author.user_id if author else None, cause=cause)


# The home page lists -----------------------------------------------------------------------


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
