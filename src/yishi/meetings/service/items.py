"""Building the agenda: add, edit, move, reorder and withdraw items."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from yishi import clock
from yishi.accounts.permissions import Capability, Principal
from yishi.db import write_transaction
from yishi.errors import Conflict, DomainError, FormErrors
from yishi.forms import whole_number
from yishi.i18n import gettext as _
from yishi.meetings import flow, topics
from yishi.meetings.flow import ITEM_DECISION, Kind
from yishi.meetings.service.common import (
    MAX_FULL_TEXT,
    MAX_REASON,
    MAX_TITLE,
    PUBLISHED,
    changes,
    ensure_in_compound,
    ensure_open,
    locked_meeting,
    record_audit,
)
from yishi.meetings.service.reading import agenda_item
from yishi.meetings.tables import AgendaItem


async def _item_order(meeting_id: int) -> list[int]:
    rows = await AgendaItem.select(AgendaItem.id).where(AgendaItem.meeting == meeting_id).order_by(AgendaItem.position)
    return [r["id"] for r in rows]


async def _write_order(meeting_id: int, order: Sequence[int]) -> None:
    """Renumber in two passes so the unique (meeting, position) index never sees a duplicate."""
    for index, item_id in enumerate(order, start=1):
        await AgendaItem.update({AgendaItem.position: -index}).where(
            (AgendaItem.id == item_id) & (AgendaItem.meeting == meeting_id)
        )
    for index, item_id in enumerate(order, start=1):
        await AgendaItem.update({AgendaItem.position: index}).where(
            (AgendaItem.id == item_id) & (AgendaItem.meeting == meeting_id)
        )


def _titles(items: Iterable[Mapping[str, Any]], order: Sequence[int]) -> list[str]:
    by_id = {i["id"]: i["title"] for i in items}
    return [by_id[i] for i in order]


async def add_item(meeting_id: int, principal: Principal, form: Mapping[str, str]) -> int:
    async with write_transaction():
        current = await locked_meeting(meeting_id)
        ensure_in_compound(principal, Capability.MEETING_MANAGE, current["compound"])
        ensure_open(current)
        _refuse_late_owners_item(current)
        errors: dict[str, str] = {}
        kind = (form.get("kind") or ITEM_DECISION).strip()
        if kind not in flow.ITEM_KINDS:
            errors["kind"] = _("Choose a decision or a report.")
        proposal_row = await _decided_proposal(current, kind, (form.get("proposal") or "").strip(), errors)
        title, full_text = _item_texts(form, proposal_row, errors)
        minutes = flow.parse_minutes(form.get("minutes") or "")
        if minutes is None:
            errors["minutes"] = _(
                "Enter the time for this item in minutes, a whole number from 1 to %(max)d.", max=flow.MAX_ITEM_MINUTES
            )
        if errors:
            raise FormErrors(errors)
        assert minutes is not None
        order = await _item_order(meeting_id)
        rule = flow.default_rule(current["kind"]) if kind == ITEM_DECISION else None
        after_notice = current["status"] == PUBLISHED
        created = await AgendaItem.insert(
            AgendaItem(
                meeting=meeting_id,
                position=len(order) + 1,
                kind=kind,
                title=title,
                full_text=full_text,
                proposal=proposal_row["id"] if proposal_row else None,
                minutes=minutes,
                rule=rule.value if rule else "",
                on_published_notice=False,
            )
        ).returning(AgendaItem.id)
        item_id = created[0]["id"]
        await record_audit(
            "agenda_item",
            item_id,
            "add_after_notice" if after_notice else "create",
            principal,
            current["compound"],
            values={
                "kind": kind,
                "title": title,
                "minutes": minutes,
                "proposal": proposal_row["number"] if proposal_row else None,
                "rule": rule.value if rule else "",
            },
        )
        if proposal_row:
            await topics.put_on_agenda(proposal_row["id"], _timeline_text(current), principal.display_name)
    return item_id


def _refuse_late_owners_item(meeting: Mapping[str, Any]) -> None:
    if meeting["status"] == PUBLISHED and meeting["kind"] == Kind.OWNERS_DECISION:
        raise Conflict(
            _(
                "The notice of this owners' decision was published on %(at)s. Items can no longer be "
                "added: owners must be told every item at least 15 days ahead. Convene a new owners' "
                "decision for further items.",
                at=clock.local_text(meeting["published_at"]),
            )
        )


async def _decided_proposal(
    meeting: Mapping[str, Any], kind: str, proposal_text: str, errors: dict[str, str]
) -> dict[str, Any] | None:
    """The accepted proposal a decision item decides (None for a report, or with an error)."""
    if kind != ITEM_DECISION:
        if proposal_text:
            errors["proposal"] = _("A report decides no proposal; choose “decision” to decide one.")
        return None
    if not proposal_text:
        errors["proposal"] = _("Choose the accepted proposal this item decides.")
        return None
    number = whole_number(proposal_text)
    proposal_row = await topics.proposal(number) if number is not None else None
    if proposal_row is None or proposal_row["compound"] != meeting["compound"]:
        errors["proposal"] = _("This proposal is not one of this compound's.")
        return None
    if proposal_row["status"] != topics.ACCEPTED:
        errors["proposal"] = _(
            "Proposal #%(number)d is not accepted for deliberation; only accepted proposals go on an agenda.",
            number=proposal_row["number"],
        )
        return None
    if await AgendaItem.exists().where(
        (AgendaItem.meeting == meeting["id"])
        & (AgendaItem.proposal == proposal_row["id"])
        & AgendaItem.withdrawn_at.is_null()
    ):
        errors["proposal"] = _("Proposal #%(number)d is already on this agenda.", number=proposal_row["number"])
    return proposal_row


def _item_texts(
    form: Mapping[str, str], proposal_row: Mapping[str, Any] | None, errors: dict[str, str]
) -> tuple[str, str]:
    """The item's title and full text, taken from its proposal where left empty."""
    title = (form.get("title") or "").strip() or (proposal_row["title"] if proposal_row else "")
    if not title and "kind" not in errors and "proposal" not in errors:
        errors["title"] = _("Give the item a title.")
    elif len(title) > MAX_TITLE:
        errors["title"] = _("At most %(n)d characters.", n=MAX_TITLE)
    full_text = (form.get("full_text") or "").strip()
    if not full_text and proposal_row:
        full_text = "\n\n".join(t for t in (proposal_row["problem"], proposal_row["suggestion"]) if t)
    if len(full_text) > MAX_FULL_TEXT:
        errors["full_text"] = _("At most %(n)d characters.", n=MAX_FULL_TEXT)
    return title, full_text


def _timeline_text(meeting_row: Mapping[str, Any]) -> str:
    return f"{meeting_row['title']} · {clock.local_text(meeting_row['starts_at'])} · {meeting_row['place']}"


async def edit_item(meeting_id: int, item_id: int, principal: Principal, form: Mapping[str, str]) -> None:
    async with write_transaction():
        current = await locked_meeting(meeting_id)
        ensure_in_compound(principal, Capability.MEETING_MANAGE, current["compound"])
        ensure_open(current)
        item = await agenda_item(meeting_id, item_id)
        errors: dict[str, str] = {}
        title = (form.get("title") or "").strip()
        if not title:
            errors["title"] = _("Give the item a title.")
        elif len(title) > MAX_TITLE:
            errors["title"] = _("At most %(n)d characters.", n=MAX_TITLE)
        full_text = (form.get("full_text") or "").strip()
        if len(full_text) > MAX_FULL_TEXT:
            errors["full_text"] = _("At most %(n)d characters.", n=MAX_FULL_TEXT)
        minutes = flow.parse_minutes(form.get("minutes") or "")
        if minutes is None:
            errors["minutes"] = _(
                "Enter the time for this item in minutes, a whole number from 1 to %(max)d.", max=flow.MAX_ITEM_MINUTES
            )
        if errors:
            raise FormErrors(errors)
        values = {"title": title, "full_text": full_text, "minutes": minutes}
        changed = changes(item, values)
        if changed:
            await AgendaItem.update(values).where(AgendaItem.id == item_id)
            await record_audit("agenda_item", item_id, "edit", principal, current["compound"], changes=changed)


async def move_item(meeting_id: int, item_id: int, direction: str, principal: Principal) -> None:
    async with write_transaction():
        current = await locked_meeting(meeting_id)
        ensure_in_compound(principal, Capability.MEETING_MANAGE, current["compound"])
        ensure_open(current)
        await agenda_item(meeting_id, item_id)
        if direction not in ("up", "down"):
            raise DomainError(_("Move an item up or down."))
        order = await _item_order(meeting_id)
        new_order = flow.moved(order, item_id, direction)
        if new_order != order:
            await _reordered(current, principal, order, new_order)


async def reorder(meeting_id: int, item_ids: Sequence[int], principal: Principal) -> None:
    async with write_transaction():
        current = await locked_meeting(meeting_id)
        ensure_in_compound(principal, Capability.MEETING_MANAGE, current["compound"])
        ensure_open(current)
        order = await _item_order(meeting_id)
        if sorted(item_ids) != sorted(order) or len(set(item_ids)) != len(item_ids):
            raise Conflict(_("The agenda changed while you were reordering it. Reload the page and try again."))
        if list(item_ids) != order:
            await _reordered(current, principal, order, list(item_ids))


async def _reordered(meeting_row: Mapping[str, Any], principal: Principal, before: list[int], after: list[int]) -> None:
    await _write_order(meeting_row["id"], after)
    items = await AgendaItem.select(AgendaItem.id, AgendaItem.title).where(AgendaItem.meeting == meeting_row["id"])
    await record_audit(
        "meeting",
        meeting_row["id"],
        "reorder",
        principal,
        meeting_row["compound"],
        changes={"order": [_titles(items, before), _titles(items, after)]},
    )


async def withdraw_item(meeting_id: int, item_id: int, principal: Principal, reason: str) -> None:
    async with write_transaction():
        current = await locked_meeting(meeting_id)
        ensure_in_compound(principal, Capability.MEETING_MANAGE, current["compound"])
        ensure_open(current)
        item = await agenda_item(meeting_id, item_id)
        if item["withdrawn_at"]:
            raise Conflict(_("This item was already withdrawn on %(at)s.", at=clock.local_text(item["withdrawn_at"])))
        reason = reason.strip()
        if not reason:
            raise FormErrors({"reason": _("Say why the item is withdrawn; the notice shows the reason.")})
        if len(reason) > MAX_REASON:
            raise FormErrors({"reason": _("At most %(n)d characters.", n=MAX_REASON)})
        now = clock.now()
        await AgendaItem.update({AgendaItem.withdrawn_at: now, AgendaItem.withdrawn_reason: reason}).where(
            AgendaItem.id == item_id
        )
        await record_audit("agenda_item", item_id, "withdraw", principal, current["compound"], reason=reason)
        if item["proposal"]:
            await topics.taken_off_agenda(
                item["proposal"], f"{_timeline_text(current)} · {reason}", principal.display_name
            )
