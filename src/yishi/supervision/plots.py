"""Geometry of the server-rendered SVG charts. Pure: numbers in, shapes out.

Charts are drawn in a fixed coordinate box (``viewBox``) that the page scales
to the screen, so they read the same on a phone and on paper. Bar lengths are
exact integer fractions of the plot; a rate without data draws no bar and
says "—".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from yishi.supervision.figures import Ratio

WIDTH = 360
FONT = 14


@dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    x: int
    y: int
    width: int
    height: int
    label_x: int
    label_y: int
    value_x: int
    value_y: int
    empty: bool


@dataclass(frozen=True)
class Gridline:
    x1: int
    y1: int
    x2: int
    y2: int
    label: str
    label_x: int
    label_y: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: tuple[Bar, ...]
    gridlines: tuple[Gridline, ...]
    horizontal: bool = False

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


def _scaled(length: int, part: int, whole: int) -> int:
    return length * part // whole if whole > 0 else 0


def column_chart(items: Sequence[tuple[str, Ratio | int]], *, maximum: int | None = None, height: int = 220) -> Chart:
    """Vertical bars, one per item: a :class:`Ratio` (0–100 %) or a count.

    Counts are scaled to ``maximum`` (default: the largest count, at least 1).
    """
    left, right, top, bottom = 40, WIDTH - 8, 24, height - 28
    plot_height = bottom - top
    count = max(len(items), 1)
    slot = (right - left) // count
    bar_width = max(slot * 3 // 5, 4)
    is_rate = any(isinstance(value, Ratio) for _label, value in items)
    if not is_rate:
        counts = [value for _label, value in items if isinstance(value, int)]
        maximum = max(maximum or 0, *counts, 1)
    bars = []
    for index, (label, value) in enumerate(items):
        if isinstance(value, Ratio):
            bar_height = _scaled(plot_height, value.part, value.whole)
            text, empty = value.percent_text, not value.has_data
        else:
            bar_height = _scaled(plot_height, value, maximum or 1)
            text, empty = str(value), False
        x = left + index * slot + (slot - bar_width) // 2
        centre = x + bar_width // 2
        bars.append(
            Bar(
                label=label,
                value_text=text,
                x=x,
                y=bottom - bar_height,
                width=bar_width,
                height=bar_height,
                label_x=centre,
                label_y=bottom + FONT + 4,
                value_x=centre,
                value_y=bottom - bar_height - 5,
                empty=empty,
            )
        )
    steps = (("0%", 0), ("50%", 1), ("100%", 2)) if is_rate else (("0", 0), (_half(maximum or 1), 1), (str(maximum), 2))
    gridlines = tuple(
        Gridline(
            x1=left,
            y1=bottom - plot_height * step // 2,
            x2=right,
            y2=bottom - plot_height * step // 2,
            label=text,
            label_x=left - 4,
            label_y=bottom - plot_height * step // 2 + 5,
        )
        for text, step in steps
    )
    return Chart(width=WIDTH, height=height, bars=tuple(bars), gridlines=gridlines)


def _half(maximum: int) -> str:
    whole, rest = divmod(maximum, 2)
    return str(whole) if rest == 0 else f"{whole}.5"


def bar_chart(items: Sequence[tuple[str, Ratio]]) -> Chart:
    """Horizontal bars (0–100 %), one row per item with its label above: for
    comparing compounds, whose names are long."""
    left, right, row = 8, WIDTH - 64, 50
    plot_width = right - left
    bars = []
    for index, (label, value) in enumerate(items):
        top = 8 + index * row
        length = _scaled(plot_width, value.part, value.whole)
        bars.append(
            Bar(
                label=label,
                value_text=value.percent_text,
                x=left,
                y=top + 22,
                width=length,
                height=18,
                label_x=left,
                label_y=top + 16,
                value_x=left + length + 6,
                value_y=top + 36,
                empty=not value.has_data,
            )
        )
    height = 16 + max(len(items), 1) * row
    gridlines = tuple(
        Gridline(
            x1=left + plot_width * step // 2,
            y1=8,
            x2=left + plot_width * step // 2,
            y2=height - 8,
            label="",
            label_x=0,
            label_y=0,
        )
        for step in (0, 1, 2)
    )
    return Chart(width=WIDTH, height=height, bars=tuple(bars), gridlines=gridlines, horizontal=True)
