"""What action templates call: labels of statuses, parties and funding, amounts, dates."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from yishi import clock
from yishi.actions import flow, money
from yishi.actions.service import RESPONSIBLE_LABELS
from yishi.i18n import gettext


def status_label(shown_status: str) -> str:
    return gettext(flow.STATUS_LABELS.get(shown_status, shown_status))


def move_label(move: str) -> str:
    return gettext(flow.MOVE_LABELS[flow.Move(move)])


def responsible_label(party_kind: str) -> str:
    return gettext(RESPONSIBLE_LABELS.get(party_kind, party_kind))


def funding_label(source: str) -> str:
    return gettext(money.FUNDING_SOURCES[source]) if source in money.FUNDING_SOURCES else ""


def local_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = clock.local_date(value)
    return value.isoformat()


def template_globals() -> dict[str, Any]:
    return {
        "action_status_label": status_label,
        "action_move_label": move_label,
        "responsible_label": responsible_label,
        "funding_label": funding_label,
        "funding_sources": lambda: [(k, gettext(v)) for k, v in money.FUNDING_SOURCES.items()],
        "yuan": money.format_yuan,
        "local_date": local_date,
    }
