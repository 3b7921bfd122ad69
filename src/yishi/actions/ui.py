"""What action templates call besides labels: the funding sources, amounts, dates."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from yishi import clock
from yishi.actions import money
from yishi.i18n import gettext


def local_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = clock.local_date(value)
    return value.isoformat()


def template_globals() -> dict[str, Any]:
    return {
        "funding_sources": lambda: [(k, gettext(v)) for k, v in money.FUNDING_SOURCES.items()],
        "yuan": money.format_yuan,
        "local_date": local_date,
    }
