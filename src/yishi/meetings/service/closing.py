"""Closing the meeting, and addenda to its minutes afterwards."""

from __future__ import annotations

from datetime import datetime

from yishi.accounts.permissions import Capability, Principal
from yishi.db import write_transaction
from yishi.errors import Conflict, FormErrors
from yishi.i18n import gettext as _
from yishi.meetings.service.common import (
    CLOSED,
    MAX_ADDENDUM,
    PUBLISHED,
    changes,
    ensure_in_compound,
    ensure_open,
    locked_meeting,
    record_audit,
)
from yishi.meetings.service.reading import agenda_item
from yishi.meetings.tables import Addendum, Meeting


async def close(meeting_id: int, principal: Principal, now: datetime) -> None:
    async with write_transaction():
        current = await locked_meeting(meeting_id)
        ensure_in_compound(principal, Capability.MEETING_MANAGE, current["compound"])
        ensure_open(current)
        if current["status"] != PUBLISHED:
            raise Conflict(_("Publish the notice first: a meeting nobody was told of cannot be held and closed."))
        values = {"status": CLOSED, "closed_at": now, "closed_by": principal.user_id}
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
