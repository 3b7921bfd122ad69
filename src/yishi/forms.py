"""Reading what a form sent: whole numbers and ids, and where to go next; never trusted. Pure."""

from __future__ import annotations

# The largest id a row can have: ids are Piccolo's ``Serial``, a 32-bit
# ``integer`` on PostgreSQL (SQLite's is wider, but its ids count up from 1 as
# well, so none is larger there either). A larger number names no row, and on
# PostgreSQL it would not even fit the column.
MAX_ID = 2**31 - 1
# Text a form may carry: no NUL byte (PostgreSQL's text cannot hold one).
FORBIDDEN_IN_TEXT = "\x00"


def whole_number(text: object, *, maximum: int = MAX_ID) -> int | None:
    """A whole number of ASCII digits from 0 to ``maximum``, or None for
    anything else ("", "-1", "1.5", "²", "٣", a 4,301-digit number)."""
    value = str(text if text is not None else "").strip()
    if not value or not value.isascii() or not value.isdigit() or len(value) > len(str(maximum)):
        return None
    number = int(value)
    return number if number <= maximum else None


def safe_next(target: str | None, fallback: str = "/") -> str:
    """Only same-site paths: never send a person to another site after a form."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return fallback
