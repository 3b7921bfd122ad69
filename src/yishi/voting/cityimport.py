"""Read the city e-voting system's result export: one line per unit with its
label, area and choice. Pure: bytes in, rows out.

Spreadsheets in China save UTF-8 (with or without BOM) or GB18030; headers may
be Chinese or English, in any order: 房号/unit, 面积/area_m2, 表决意见/choice
(a few usual variants of each are accepted). Choices read 同意/反对/弃权 or
yes/no/abstain, or an option's label. Every bad line is reported with its line
number; a file with any error yields no rows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from yishi.areas import parse_area
from yishi.i18n import gettext as _
from yishi.rules import ABSTAIN, NO, YES

HEADERS = {
    "unit": ("unit", "房号", "户号", "房屋", "单元房号", "房屋编号"),
    "area_m2": ("area_m2", "area", "面积", "专有部分面积", "建筑面积"),
    "choice": ("choice", "vote", "表决意见", "意见", "表决结果", "选择"),
}
CHOICE_WORDS = {
    "yes": YES,
    "同意": YES,
    "赞成": YES,
    "no": NO,
    "反对": NO,
    "不同意": NO,
    "abstain": ABSTAIN,
    "弃权": ABSTAIN,
}


@dataclass(frozen=True)
class CityRow:
    line: int
    unit: str
    area: int
    choice: str


@dataclass(frozen=True)
class CityError:
    line: int
    message: str


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def parse(data: bytes, choices: Sequence[str]) -> tuple[list[CityRow], list[CityError]]:
    """The rows of the file, or every error found (and no rows)."""
    text = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[CityRow] = []
    errors: list[CityError] = []
    columns: dict[str, int] | None = None
    line = 0
    for raw in reader:
        start, line = line + 1, reader.line_num
        cells = [cell.strip() for cell in raw]
        if not any(cells):
            continue
        if columns is None:
            columns = _columns(cells)
            if columns is None:
                return [], [
                    CityError(
                        start, _("The header must name the unit (房号), the area (面积) and the choice (表决意见).")
                    )
                ]
            continue
        row_errors: list[str] = []
        unit = _cell(cells, columns["unit"])
        area_text = _cell(cells, columns["area_m2"])
        choice_text = _cell(cells, columns["choice"])
        if not unit:
            row_errors.append(_("the unit is empty"))
        area = parse_area(area_text)
        if area is None:
            row_errors.append(
                _("the area %(area)s is not a number of m² with at most two decimals", area=area_text or "—")
            )
        choice = CHOICE_WORDS.get(choice_text.lower(), choice_text)
        if choice not in choices:
            row_errors.append(_("the choice %(choice)s is not one of this vote's choices", choice=choice_text or "—"))
        if row_errors:
            errors.append(CityError(start, "; ".join(row_errors)))
        else:
            rows.append(CityRow(start, unit, area or 0, choice))
    if columns is None:
        errors.append(CityError(1, _("The file is empty.")))
    return ([], errors) if errors else (rows, [])


def _columns(cells: list[str]) -> dict[str, int] | None:
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = cell.lower()
        for key, names in HEADERS.items():
            if name in names and key not in found:
                found[key] = index
    return found if len(found) == len(HEADERS) else None


def _cell(cells: list[str], index: int) -> str:
    return cells[index] if index < len(cells) else ""
