"""The clock and China's local time: one home for "now", for reading the
date and time a person typed, and for writing a moment as people read it.

Moments are stored and compared in UTC; people type and read them in China
time (Asia/Shanghai, no daylight saving).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    """The current moment, in UTC."""
    return datetime.now(UTC)


def parse_local_datetime(text: str) -> datetime | None:
    """A date and time typed in China time ("2026-12-05T19:30", as a
    ``datetime-local`` field sends it, or "2026-12-05 19:30"), as a UTC moment;
    None for anything else, a time with its own zone included."""
    text = (text or "").strip().replace(" ", "T", 1)
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    if value.tzinfo is not None:
        return None
    return value.replace(tzinfo=LOCAL_TZ).astimezone(UTC)


def parse_local_date(text: str) -> date | None:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def local(moment: datetime) -> datetime:
    """A moment in China time (a naive moment is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_TZ)


def local_text(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A moment as people read it in China ("" for none)."""
    return "" if value is None else local(value).strftime(fmt)


def local_input(value: datetime | None) -> str:
    """The value of a ``datetime-local`` input."""
    return local_text(value, "%Y-%m-%dT%H:%M")


def local_date(moment: datetime) -> date:
    return local(moment).date()


def local_today(at: datetime | None = None) -> date:
    """Today's date in China (at ``at``, default now)."""
    return local_date(at or now())


def start_of_local_day(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=LOCAL_TZ)
