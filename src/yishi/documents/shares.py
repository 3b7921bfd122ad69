"""Shares as documents print them: exact, in tenths of a percent."""

from __future__ import annotations


def share_tenths(part: int, whole: int) -> int | None:
    """``part / whole`` in tenths of a percent, rounded half up, exactly (no floats)."""
    if whole <= 0:
        return None
    return (part * 2000 + whole) // (2 * whole)


def format_share(tenths: int | None) -> str:
    """667 → "66.7%"; None (nothing to divide by) → "—"."""
    if tenths is None:
        return "—"
    return f"{tenths // 10}.{tenths % 10}%"
