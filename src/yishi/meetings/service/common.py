"""What every use case of a meeting shares: states, limits, the audit record of a
change, and the guards that lock a meeting before it changes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from yishi import clock, db
from yishi.accounts.dependencies import require
from yishi.accounts.permissions import Capability, Principal
from yishi.audit import service as audit
from yishi.errors import Conflict, NotFound
from yishi.i18n import gettext as _
from yishi.meetings.tables import Meeting

DRAFT, PUBLISHED, CLOSED = "draft", "published", "closed"


METHOD_QR, METHOD_STAFF = "qr", "staff"


MAX_TITLE = 120


MAX_PLACE = 120


MAX_FULL_TEXT = 5000


MAX_NOTES = 10000


MAX_REASON = 500


MAX_POSITION_TEXT = 1000


MAX_ADDENDUM = 2000


MAX_VOTING_METHOD = 1000


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Each changed field as [before, after]."""
    return {
        key: [_jsonable(before.get(key)), _jsonable(value)]
        for key, value in after.items()
        if _jsonable(before.get(key)) != _jsonable(value)
    }


async def record_audit(
    subject: str,
    subject_id: int,
    action: str,
    principal: Principal | None,
    compound_id: int,
    *,
    actor_label: str = "",
    **detail: Any,
) -> None:
    await audit.record(
        subject,
        subject_id,
        action,
        actor=principal.user_id if principal else None,
        actor_label=principal.display_name if principal else actor_label,
        compound=compound_id,
        **{k: _jsonable(v) for k, v in detail.items()},
    )


async def locked_meeting(meeting_id: int) -> dict[str, Any]:
    """The meeting, its row locked for the rest of the transaction (PostgreSQL; on
    SQLite the IMMEDIATE transaction already serialises writers)."""
    query = Meeting.select(Meeting.all_columns()).where(Meeting.id == meeting_id)
    if not db.is_sqlite():
        query = query.lock_rows("UPDATE")
    row = await query.output(load_json=True).first()
    if row is None:
        raise NotFound()
    return row


def ensure_open(meeting_row: Mapping[str, Any]) -> None:
    if meeting_row["status"] == CLOSED:
        raise Conflict(
            _(
                "This meeting was closed on %(at)s. Only an addendum can be added now.",
                at=clock.local_text(meeting_row["closed_at"]),
            )
        )


def ensure_in_compound(principal: Principal, capability: Capability, compound_id: int) -> None:
    """The one capability check (``accounts.dependencies.require``), for use cases called with a principal."""
    require(principal, capability, compound_id)
