"""Deliberation: comments, notes, each party's position, and the draft vote."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from yishi import clock
from yishi.accounts.permissions import Capability, Principal, Role
from yishi.db import write_transaction
from yishi.errors import Conflict, Forbidden, FormErrors, NotFound
from yishi.i18n import gettext as _
from yishi.meetings import flow
from yishi.meetings.flow import ITEM_DECISION, Kind
from yishi.meetings.service.common import (
    DRAFT,
    MAX_NOTES,
    MAX_POSITION_TEXT,
    MAX_REASON,
    PUBLISHED,
    changes,
    ensure_in_compound,
    ensure_open,
    locked_meeting,
    record_audit,
)
from yishi.meetings.service.reading import agenda_item, invitations, meeting, parties
from yishi.meetings.tables import AgendaItem, Comment, Position
from yishi.roster.tables import PartyKind


async def public_meeting(compound_id: int, meeting_id: int) -> dict[str, Any]:
    """A meeting whose notice is public: published or closed, of this compound."""
    row = await meeting(meeting_id)
    if row["compound"] != compound_id or row["status"] == DRAFT:
        raise NotFound()
    return row


def comments_open(meeting_row: Mapping[str, Any], now: datetime) -> bool:
    return meeting_row["status"] == PUBLISHED and now < meeting_row["starts_at"]


async def comment(
    meeting_id: int, item_id: int, household_id: int, household_compound: int, text: str, now: datetime
) -> int:
    """A household's comment on an item, before the meeting starts."""
    current = await meeting(meeting_id)
    if current["compound"] != household_compound:
        raise Forbidden(
            _("Only households of %(compound)s can comment on its meetings.", compound=current["compound_name"])
        )
    if current["status"] == DRAFT:
        raise NotFound()
    item = await agenda_item(meeting_id, item_id)
    if not comments_open(current, now):
        raise Conflict(_("Comments closed when the meeting began. Say it in the meeting, or raise a new proposal."))
    if item["withdrawn_at"]:
        raise Conflict(_("This item was withdrawn from the agenda; comments are closed."))
    text = text.strip()
    if not text:
        raise FormErrors({"text": _("Write your comment.")})
    if len(text) > flow.COMMENT_MAX_LENGTH:
        raise FormErrors(
            {
                "text": _(
                    "A comment may have at most %(max)d characters; this one has %(n)d.",
                    max=flow.COMMENT_MAX_LENGTH,
                    n=len(text),
                )
            }
        )
    created = await Comment.insert(Comment(agenda_item=item_id, household=household_id, text=text)).returning(
        Comment.id
    )
    return created[0]["id"]


async def hide_comment(meeting_id: int, item_id: int, comment_id: int, principal: Principal, reason: str) -> None:
    async with write_transaction():
        current = await locked_meeting(meeting_id)
        ensure_in_compound(principal, Capability.MEETING_MANAGE, current["compound"])
        ensure_open(current)
        await agenda_item(meeting_id, item_id)
        row = (
            await Comment.select(
                Comment.all_columns(),
                Comment.household.unit.as_alias("unit"),
                Comment.household.building.code.as_alias("building_code"),
            )
            .where((Comment.id == comment_id) & (Comment.agenda_item == item_id))
            .first()
        )
        if row is None:
            raise NotFound()
        if row["hidden_reason"]:
            raise Conflict(_("This comment is already hidden."))
        reason = reason.strip()
        if not reason:
            raise FormErrors({"reason": _("Say why the comment is hidden; residents see the reason.")})
        if len(reason) > MAX_REASON:
            raise FormErrors({"reason": _("At most %(n)d characters.", n=MAX_REASON)})
        await Comment.update({Comment.hidden_reason: reason, Comment.hidden_by: principal.user_id}).where(
            Comment.id == comment_id
        )
        await record_audit(
            "agenda_item",
            item_id,
            "hide_comment",
            principal,
            current["compound"],
            comment=comment_id,
            household=f"{row['building_code']}-{row['unit']}",
            text=row["text"],
            reason=reason,
        )


def is_recorder(principal: Principal, meeting_row: Mapping[str, Any]) -> bool:
    return meeting_row["recorder"] == principal.user_id and principal.can(
        Capability.MEETING_RECORD, meeting_row["compound"]
    )


async def save_notes(meeting_id: int, item_id: int, principal: Principal, notes: str) -> None:
    async with write_transaction():
        current = await locked_meeting(meeting_id)
        ensure_in_compound(principal, Capability.MEETING_RECORD, current["compound"])
        ensure_open(current)
        item = await agenda_item(meeting_id, item_id)
        notes = notes.strip()
        if len(notes) > MAX_NOTES:
            raise FormErrors({"notes": _("At most %(n)d characters.", n=MAX_NOTES)})
        changed = changes(item, {"notes": notes})
        if changed:
            await AgendaItem.update({AgendaItem.notes: notes}).where(AgendaItem.id == item_id)
            await record_audit("agenda_item", item_id, "notes", principal, current["compound"], changes=changed)


def parties_statable(
    principal: Principal, meeting_row: Mapping[str, Any], party_rows: Iterable[Mapping[str, Any]]
) -> list[int]:
    """The parties whose position this person may record: the secretary (and the
    meeting's recorder) any; a property manager the property company; a committee
    member the owners' committee."""
    compound_id = meeting_row["compound"]
    if principal.can(Capability.MEETING_MANAGE, compound_id) or is_recorder(principal, meeting_row):
        return [p["id"] for p in party_rows]
    if not principal.can(Capability.POSITION_STATE, compound_id):
        return []
    roles = principal.roles_by_compound.get(compound_id, frozenset())
    own = set()
    if Role.PROPERTY_MANAGER in roles:
        own.add(PartyKind.PROPERTY)
    if Role.COMMITTEE_MEMBER in roles:
        own.add(PartyKind.COMMITTEE)
    return [p["id"] for p in party_rows if p["kind"] in own]


async def _party_speaking(
    meeting: dict[str, Any], item: dict[str, Any], principal: Principal, party_id: int
) -> dict[str, Any]:
    """The invited party whose position ``principal`` records on a decision item of a tripartite meeting."""
    if meeting["kind"] != Kind.TRIPARTITE:
        raise Conflict(_("Parties state positions in tripartite joint meetings only."))
    if item["kind"] != ITEM_DECISION or item["withdrawn_at"]:
        raise Conflict(_("Positions are stated on decision items that are on the agenda."))
    invited = [i["party"] for i in await invitations(meeting["id"]) if i["party"]]
    party_rows = [p for p in await parties(meeting["compound"]) if p["id"] in invited]
    party = next((p for p in party_rows if p["id"] == party_id), None)
    if party is None:
        raise FormErrors({"party": _("Choose one of the parties invited to this meeting.")})
    if party_id not in parties_statable(principal, meeting, party_rows):
        raise Forbidden(_("You may state the position of your own party only, not of %(party)s.", party=party["name"]))
    return party


def _checked_position(stance: str, text: str) -> str:
    """The position's text, stripped; a disagreement or conditions must say why or which."""
    errors: dict[str, str] = {}
    if stance not in flow.STANCES:
        errors["stance"] = _("Choose agree, disagree or agree with conditions.")
    text = text.strip()
    if stance == "conditions" and not text:
        errors["text"] = _("Write the conditions.")
    elif stance == "disagree" and not text:
        errors["text"] = _("Write why the party disagrees.")
    elif len(text) > MAX_POSITION_TEXT:
        errors["text"] = _("At most %(n)d characters.", n=MAX_POSITION_TEXT)
    if errors:
        raise FormErrors(errors)
    return text


async def state_position(
    meeting_id: int, item_id: int, principal: Principal, party_id: int, stance: str, text: str
) -> None:
    async with write_transaction():
        current = await locked_meeting(meeting_id)
        ensure_in_compound(principal, Capability.MEETING_VIEW, current["compound"])
        if not (principal.can(Capability.POSITION_STATE, current["compound"]) or is_recorder(principal, current)):
            # Who may speak for a party is decided before anything about the meeting is told.
            raise Forbidden(_("Only a party's representative, the secretary or the recorder states positions."))
        ensure_open(current)
        party = await _party_speaking(current, await agenda_item(meeting_id, item_id), principal, party_id)
        text = _checked_position(stance, text)
        before = await Position.select().where((Position.agenda_item == item_id) & (Position.party == party_id)).first()
        values = {"stance": stance, "text": text}
        now = clock.now()
        if before is None:
            await Position.insert(
                Position(agenda_item=item_id, party=party_id, recorded_by=principal.user_id, recorded_at=now, **values)
            )
        elif changes(before, values):
            await Position.update({**values, "recorded_by": principal.user_id, "recorded_at": now}).where(
                Position.id == before["id"]
            )
        else:
            return
        await record_audit(
            "agenda_item",
            item_id,
            "position",
            principal,
            current["compound"],
            party=party["name"],
            party_kind=party["kind"],
            changes=changes(before or {}, values),
        )


async def draft_vote(meeting_id: int, item_id: int, principal: Principal, form: Mapping[str, str]) -> None:
    async with write_transaction():
        current = await locked_meeting(meeting_id)
        ensure_in_compound(principal, Capability.MEETING_MANAGE, current["compound"])
        ensure_open(current)
        item = await agenda_item(meeting_id, item_id)
        if item["kind"] != ITEM_DECISION:
            raise Conflict(_("A report is not put to the vote."))
        draft, errors = flow.check_vote_draft(
            current["kind"],
            form.get("question") or "",
            form.get("options") or "",
            form.get("rule") or "",
            form.get("owners_matter") or "",
        )
        if errors or draft is None:
            raise FormErrors(errors)
        values = {
            "question": draft.question,
            "options": draft.options,
            "rule": draft.rule,
            "owners_matter": draft.owners_matter,
        }
        changed = changes(item, values)
        if changed:
            await AgendaItem.update(values).where(AgendaItem.id == item_id)
            await record_audit("agenda_item", item_id, "vote_options", principal, current["compound"], changes=changed)
