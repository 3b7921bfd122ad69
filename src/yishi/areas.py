"""Exclusive areas as exact integers: hundredths of m², never floats."""

from __future__ import annotations

import re

AREA_TEXT = re.compile(r"([0-9]+)(?:\.([0-9]{1,2}))?")


def parse_area(text: str) -> int | None:
    """ "89.5" → 8950, "0.01" → 1; None unless a positive number of m² with at
    most two decimals, written with ASCII digits and one dot."""
    match = AREA_TEXT.fullmatch(text.strip())
    if not match:
        return None
    value = int(match.group(1)) * 100 + int((match.group(2) or "").ljust(2, "0"))
    return value if value > 0 else None


def format_area(hundredths: int) -> str:
    """8950 → "89.50": always two decimals."""
    sign = "-" if hundredths < 0 else ""
    whole, fraction = divmod(abs(hundredths), 100)
    return f"{sign}{whole}.{fraction:02d}"
