"""The live tally as a bar chart: figures in, bar geometry out. Pure.

One row per choice (agree, disagree, abstain, or each option then abstain),
plus a first row for participation. Under a headcount rule a row has one bar
(ballots, as a share of ballots cast); under a civil code rule it has two, the
owners (dark) and their exclusive area (light), each as a share of those who
took part. Lengths are exact integer fractions of the plot width, so the
chart never disagrees with the figures printed beside it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from yishi.areas import parse_area
from yishi.rules import ABSTAIN, NO, YES
from yishi.shares import format_share, share_tenths

WIDTH = 640
VALUE_WIDTH = 170
PLOT_WIDTH = WIDTH - VALUE_WIDTH - 12
LABEL_HEIGHT = 26  # each row's label sits on its own line above the bars: options have long names
BAR_HEIGHT = 26
ROW_GAP = 14


@dataclass(frozen=True)
class Bar:
    """One bar: ``part`` of ``whole`` drawn ``length`` long at height ``y``."""

    part: int
    whole: int
    y: int
    length: int

    @property
    def share_text(self) -> str:
        """The share as documents print it: exact, in tenths of a percent ("—": nothing to divide by)."""
        return format_share(share_tenths(self.part, self.whole))


@dataclass(frozen=True)
class Row:
    """A choice (``code`` is yes, no, abstain or an option's label) or, with
    ``code == "took_part"``, participation. ``area`` is set under civil code rules."""

    code: str
    top: int
    count: Bar
    area: Bar | None
    leading: bool

    @property
    def label_y(self) -> int:
        return self.top + LABEL_HEIGHT - 6

    @property
    def value_y(self) -> int:
        return self.count.y + BAR_HEIGHT - 7


@dataclass(frozen=True)
class TallyChart:
    rows: tuple[Row, ...]
    height: int
    counts_owners: bool
    cast: int

    width: int = WIDTH
    plot_x: int = 0
    value_x: int = PLOT_WIDTH + 12
    plot_width: int = PLOT_WIDTH
    bar_height: int = BAR_HEIGHT

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


def _length(part: int, whole: int) -> int:
    return PLOT_WIDTH * part // whole if whole > 0 else 0


def _area(text: Any) -> int:
    if text in (None, "", "0", "0.00"):
        return 0
    return parse_area(str(text)) or 0


def _choices(figures: Mapping[str, Any], options: Sequence[str]) -> list[tuple[str, int, int]]:
    """(code, headcount, area) per choice, in ballot order."""
    counts_owners = figures["rule"] in ("civil_code_ordinary", "civil_code_special")
    key = "owners" if counts_owners else "ballots"
    if options:
        found = {o["label"]: o for o in figures.get("options") or ()}
        rows = [
            (label, int(found.get(label, {}).get(key, 0)), _area(found.get(label, {}).get("area_m2")))
            for label in options
        ]
    else:
        rows = [(code, int(figures[f"{code}_{key}"]), _area(figures[f"{code}_area_m2"])) for code in (YES, NO)]
    rows.append((ABSTAIN, int(figures[f"{ABSTAIN}_{key}"]), _area(figures[f"{ABSTAIN}_area_m2"])))
    return rows


def tally_chart(figures: Mapping[str, Any], options: Sequence[str] = ()) -> TallyChart:
    """The chart of one count (``result_json(...)["actual"]``: the rules engine's
    figures); of participation alone for sealed figures (``counting.participation``)."""
    counts_owners = figures["rule"] in ("civil_code_ordinary", "civil_code_special")
    cast = int(figures["ballots_cast"])
    participating = int(figures["participating_owners"]) if counts_owners else cast
    participating_area = _area(figures["participating_area_m2"])
    row_height = LABEL_HEIGHT + BAR_HEIGHT * (2 if counts_owners else 1) + ROW_GAP
    rows: list[Row] = []

    def add(code: str, count: int, count_whole: int, area: int, area_whole: int, leading: bool) -> None:
        top = 4 + len(rows) * row_height
        bar_y = top + LABEL_HEIGHT
        area_bar = Bar(area, area_whole, bar_y + BAR_HEIGHT, _length(area, area_whole)) if counts_owners else None
        rows.append(Row(code, top, Bar(count, count_whole, bar_y, _length(count, count_whole)), area_bar, leading))

    add(
        "took_part",
        participating,
        int(figures["total_owners"]),
        participating_area,
        _area(figures["total_area_m2"]),
        False,
    )
    choices = [] if figures.get("sealed") else _choices(figures, options)
    top_count = max((count for code, count, _a in choices if code != ABSTAIN), default=0)
    for code, count, area in choices:
        add(
            code,
            count,
            participating,
            area,
            participating_area,
            leading=code != ABSTAIN and count > 0 and count == top_count,
        )
    return TallyChart(rows=tuple(rows), height=4 + len(rows) * row_height, counts_owners=counts_owners, cast=cast)
