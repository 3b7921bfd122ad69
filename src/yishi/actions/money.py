"""Budgets in exact integer fen (分): parse what people type, show it back.

Pure: never through a float. ``"12,800.5"`` → 1280050 fen → ``"12,800.50"``.
"""

from __future__ import annotations

import re

from yishi import labels
from yishi.i18n import N_

MAX_FEN = 10**13  # a hundred billion yuan: anything larger is a typing mistake
_YUAN = re.compile(r"(?P<whole>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.(?P<fraction>[0-9]{1,2}))?")

FUNDING_SOURCES = labels.register(
    "funding",
    {
        "maintenance_fund": N_("Maintenance fund"),  # 维修资金
        "property_fee": N_("Property fees"),  # 物业费
        "public_income": N_("Income from common parts"),  # 公共收益
        "community_fund": N_("Community funds"),  # 社区资金
        "government": N_("Government funds"),  # 政府专项资金
        "other": N_("Other"),
    },
)


class BudgetError(ValueError):
    """The text is not an amount of yuan with at most two decimals."""


def parse_yuan(text: str) -> int | None:
    """An amount in yuan → fen; empty text → ``None`` (no budget).

    Accepts ``12800``, ``12800.5``, ``12,800.50``, an optional ``¥`` or ``元``.
    Refuses negatives, more than two decimals, exponents and words.
    """
    cleaned = text.strip().removeprefix("¥").removeprefix("￥").removesuffix("元").strip()
    if not cleaned:
        return None
    match = _YUAN.fullmatch(cleaned)
    if match is None:
        raise BudgetError(cleaned)
    whole = int(match["whole"].replace(",", ""))
    fraction = int((match["fraction"] or "").ljust(2, "0"))
    fen = whole * 100 + fraction
    if fen > MAX_FEN:
        raise BudgetError(cleaned)
    return fen


def format_yuan(fen: int | None) -> str:
    """1280050 → ``"12,800.50"``; ``None`` → ``""``."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def plain_yuan(fen: int | None) -> str:
    """1280050 → ``"12800.50"``: what a form field shows back."""
    if fen is None:
        return ""
    whole, cents = divmod(fen, 100)
    return f"{whole}.{cents:02d}"
