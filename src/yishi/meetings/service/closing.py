"""Closing the meeting, and addenda to its minutes afterwards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from yishi import clock
from yishi.accounts.permissions import Capability, Principal
from yishi.db import write_transaction
from yishi.errors import Conflict, FormErrors
from yishi.i18n import gettext as _
from yishi.meetings.service.common import (
    CLOSED,
    MAX_ADDENDUM,
    MAX_REASON,
    PUBLISHED,
    changes,
    ensure_in_compound,
    ensure_open,
    locked_meeting,
    record_audit,
)
from yishi.meetings.service.reading import agenda_item, meeting
from yishi.meetings.tables import Addendum, Meeting


@dataclass(frozen=True)
class ClosingPreview:
    """What closing the meeting now does, said before it is done. ``early``:
    it has not started yet, so closing it needs a reason, which the minutes show."""

    early: bool
    starts_at: datetime
    reason: str


async def _check_closing(
    current: dict[str, Any], principal: Principal, reason: str, now: datetime, *, closing: bool = True
) -> bool:
    """Whether the meeting closes before its start; refused as closing would be
    (``closing``: the close itself, which needs the early close's reason)."""
    ensure_in_compound(principal, Capability.MEETING_MANAGE, current["compound"])
    ensure_open(current)
    if current["status"] != PUBLISHED:
        raise Conflict(_("Publish the notice first: a meeting nobody was told of cannot be held and closed."))
    early = now < current["starts_at"]
    if early and not reason and closing:
        raise FormErrors(
            {
                "reason": _(
                    "The meeting has not started yet (it starts %(at)s). Say why it closes now; the minutes show it.",
                    at=clock.local_text(current["starts_at"]),
                )
            }
        )
    if len(reason) > MAX_REASON:
        raise FormErrors({"reason": _("At most %(n)d characters.", n=MAX_REASON)})
    return early


async def closing_preview(meeting_id: int, principal: Principal, now: datetime, reason: str = "") -> ClosingPreview:
    """Check that the meeting may close now and say what closing does, changing nothing."""
    current = await meeting(meeting_id)
    reason = " ".join(reason.split())
    early = await _check_closing(current, principal, reason, now, closing=False)
    return ClosingPreview(early, current["starts_at"], reason)


async def close(meeting_id: int, principal: Principal, now: datetime, reason: str = "") -> None:
    """Close the meeting: its record is fixed, and only addenda follow. Before
    its start it closes only with a reason, kept for the minutes."""
    reason = " ".join(reason.split())
    async with write_transaction():
        current = await locked_meeting(meeting_id)
        early = await _check_closing(current, principal, reason, now)
        values = {
            "status": CLOSED,
            "closed_at": now,
            "closed_by": principal.user_id,
            "early_close_reason": reason if early else "",
        }
        await Meeting.update(values).where(Meeting.id == meeting_id)
        await record_audit(
            "meeting", meeting_id, "close", principal, current["compound"], changes=changes(current, values)
        )


async def add_addendum(meeting_id: int, principal: Principal, text: str, item_id: int | None) -> None:
    async with write_transaction():
        current = await locked_meeting(meeting_id)
        ensure_in_compound(principal, Capability.MEETING_RECORD, current["compound"])
        if current["status"] != CLOSED:
            raise Conflict(_("Addenda are for closed meetings; until then, edit the record itself."))
        if item_id is not None:
            await agenda_item(meeting_id, item_id)
        text = text.strip()
        if not text:
            raise FormErrors({"text": _("Write the addendum.")})
        if len(text) > MAX_ADDENDUM:
            raise FormErrors({"text": _("At most %(n)d characters.", n=MAX_ADDENDUM)})
        created = await Addendum.insert(
            Addendum(meeting=meeting_id, agenda_item=item_id, text=text, author=principal.user_id)
        ).returning(Addendum.id)
        await record_audit(
            "meeting", meeting_id, "addendum", principal, current["compound"], addendum=created[0]["id"], text=text
        )
