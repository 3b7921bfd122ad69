"""Shares and percentages: one rounding rule everywhere. A share is computed
exactly from integers, in tenths of a percent, rounded half up (66.65% →
66.7%); no float is involved. Where a threshold matters the page says
whether it is reached, beside the rounded figure."""

from __future__ import annotations


def share_tenths(part: int, whole: int) -> int | None:
    """``part / whole`` in tenths of a percent, rounded half up, exactly (None: nothing to divide by)."""
    if whole <= 0:
        return None
    return (part * 2000 + whole) // (2 * whole)


def format_share(tenths: int | None) -> str:
    """667 → "66.7%"; None (nothing to divide by) → "—"."""
    if tenths is None:
        return "—"
    return f"{tenths // 10}.{tenths % 10}%"


def percent_figure(part: int, whole: int) -> str:
    """The number of a share without its sign, for text that adds it: "66.7"; "0.0" when nothing to divide by."""
    tenths = share_tenths(part, whole) or 0
    return f"{tenths // 10}.{tenths % 10}"
