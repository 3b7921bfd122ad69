"""Read and write a compound's household roster as CSV. Pure: bytes in, rows out.

Files come from Excel or WPS in China: UTF-8 with or without BOM, or GB18030.
Headers may be Chinese or English, in any order. Every problem is reported
with its line number, all of them at once; a file with any error yields no
rows, so nothing is half-imported.

Line numbers are physical lines of the file (the header is line 1 when nothing
precedes it); a row whose quoted cell spans several lines is reported on the
line where it starts, and the lines after it keep their true numbers.

Exported text cells that start with ``= + - @`` (and the tab and carriage
return a spreadsheet also treats so) are written with a leading ``'`` so that
a spreadsheet shows them as text instead of running them as a formula (CSV
injection): building, unit, owner, phone and owner key alike. Reading strips
that quote off again, so a roster survives export and re-import unchanged.

Invisible characters are refused with their line: a byte order mark inside the
file (Excel adds one when files are joined), control characters (NUL, escape,
...) and zero-width or direction marks, which would make a building "1" and a
building "\ufeff1" look the same but differ.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from yishi.areas import format_area, parse_area
from yishi.i18n import gettext as _
from yishi.spreadsheet import guard as _guard
from yishi.spreadsheet import unguard as _unguard

# key: (Chinese header, English header), in the order the export writes them.
COLUMNS = {
    "building": ("楼栋", "building"),
    "unit": ("房号", "unit"),
    "area_m2": ("专有部分面积", "area_m2"),
    "owner": ("业主", "owner"),
    "phone": ("电话", "phone"),
    "residents": ("人数", "residents"),
    "owner_key": ("产权人编号", "owner_key"),
}
REQUIRED = ("building", "unit", "area_m2")
HEADER_NAMES = {name.casefold(): key for key, names in COLUMNS.items() for name in names}
ENCODINGS = ("utf-8-sig", "gb18030")
WHOLE_NUMBER = re.compile(r"[0-9]+")
INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")


@dataclass(frozen=True)
class RosterRow:
    line: int
    building: str
    unit: str
    area: int  # exclusive area in hundredths of m²
    owner: str = ""
    phone: str = ""
    residents: int = 0
    owner_key: str | None = None


@dataclass(frozen=True)
class RowError:
    line: int  # 0: the file as a whole could not be read
    message: str


@dataclass
class RosterParse:
    rows: list[RosterRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


class RosterLike(Protocol):
    """What ``write_roster`` needs of a row: a RosterRow, a table row, ..."""

    building: str
    unit: str
    area: int
    owner: str
    phone: str
    residents: int
    owner_key: str | None


def decode(data: bytes) -> str | None:
    """The text of the file, or None when it is neither UTF-8 nor GB18030."""
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text.removeprefix("\ufeff")  # GB18030 has a byte order mark too
    return None


def _unreadable_line() -> str:
    return _(
        "The quote marks on this line do not pair up, so it cannot be read. "
        "A cell that starts with a quote mark must end with one."
    )


def _is_blank(record: list[str]) -> bool:
    return not any(cell.strip() for cell in record)


def parse_roster(data: bytes) -> RosterParse:
    """The households of one compound from a CSV file, or every reason it is refused."""
    text = decode(data)
    if text is None:
        return RosterParse(
            errors=[
                RowError(
                    0,
                    _("The file is neither UTF-8 nor GB18030 text. Save it from the spreadsheet as CSV and try again."),
                )
            ]
        )
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next((record for record in reader if not _is_blank(record)), None)
    except csv.Error:
        return RosterParse(errors=[RowError(reader.line_num, _unreadable_line())])
    if header is None:
        return RosterParse(errors=[RowError(1, _("The file is empty."))])
    header_line = reader.line_num
    columns, errors = _read_header(header, header_line)
    if errors:
        return RosterParse(errors=errors)

    rows: list[RosterRow] = []
    first_seen: dict[tuple[str, str], int] = {}
    while True:
        line = reader.line_num + 1  # where the next record starts
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error:
            errors.append(RowError(line, _unreadable_line()))
            continue
        if _is_blank(record):
            continue
        if len(record) != len(header):
            errors.append(
                RowError(
                    line,
                    _(
                        "This row has %(found)d fields; the header has %(expected)d.",
                        found=len(record),
                        expected=len(header),
                    ),
                )
            )
            continue
        row, messages = _read_row(line, record, columns, first_seen)
        errors.extend(RowError(line, message) for message in messages)
        if row is not None:
            rows.append(row)
    if errors:
        return RosterParse(errors=errors)
    return RosterParse(rows=rows)


def _read_header(header: list[str], line: int) -> tuple[dict[str, int], list[RowError]]:
    """Which column holds what, or why the header is refused."""
    names = [cell.strip() for cell in header]
    keys = [HEADER_NAMES.get(name.casefold()) for name in names]
    if not any(keys):
        example = ",".join(names[0] for names in COLUMNS.values())
        return {}, [
            RowError(line, _("The first line must name the columns, for example: %(example)s.", example=example))
        ]
    columns: dict[str, int] = {}
    errors: list[RowError] = []
    known = ", ".join(f"{zh}/{en}" for zh, en in COLUMNS.values())
    for index, (name, key) in enumerate(zip(names, keys, strict=True)):
        if not name:
            errors.append(RowError(line, _("Column %(number)d has no name.", number=index + 1)))
        elif key is None:
            errors.append(
                RowError(line, _("Unknown column %(name)s. Known columns: %(known)s.", name=name, known=known))
            )
        elif key in columns:
            errors.append(RowError(line, _("The column %(name)s appears twice.", name="/".join(COLUMNS[key]))))
        else:
            columns[key] = index
    for key in REQUIRED:
        if key not in columns:
            errors.append(RowError(line, _("The column %(name)s is missing.", name="/".join(COLUMNS[key]))))
    return columns, errors


def _invisible_characters(record: list[str], columns: dict[str, int]) -> list[str]:
    """A message for each cell that holds an invisible character."""
    messages = []
    for key, index in columns.items():
        found = INVISIBLE.search(record[index])
        if found:
            messages.append(
                _(
                    "The %(column)s cell holds an invisible character (U+%(code)04X). Delete it in the "
                    "spreadsheet (retype the cell) and save again.",
                    column="/".join(COLUMNS[key]),
                    code=ord(found.group()),
                )
            )
    return messages


def _residents(text: str, messages: list[str]) -> int:
    """The number of residents (0 when the cell is empty)."""
    if WHOLE_NUMBER.fullmatch(text):
        return int(text)
    if text:
        messages.append(_("The number of residents %(value)s is not a whole number.", value=text))
    return 0


def _read_row(
    line: int,
    record: list[str],
    columns: dict[str, int],
    first_seen: dict[tuple[str, str], int],
) -> tuple[RosterRow | None, list[str]]:
    """One household, or the reasons its line is refused."""

    def cell(key: str) -> str:
        return record[columns[key]].strip() if key in columns else ""

    messages = _invisible_characters(record, columns)
    if messages:
        return None, messages
    building, unit, area_text, residents_text = (
        _unguard(cell("building")),
        _unguard(cell("unit")),
        cell("area_m2"),
        cell("residents"),
    )
    if not building:
        messages.append(_("The building is empty."))
    if not unit:
        messages.append(_("The unit is empty."))
    area = parse_area(area_text)
    if not area_text:
        messages.append(_("The area is empty."))
    elif area is None:
        messages.append(_("The area %(value)s is not a positive number with at most two decimals.", value=area_text))
    residents = _residents(residents_text, messages)
    if building and unit:
        first = first_seen.setdefault((building, unit), line)
        if first != line:
            messages.append(
                _(
                    "Unit %(unit)s of building %(building)s already appears on line %(line)d.",
                    unit=unit,
                    building=building,
                    line=first,
                )
            )
    if messages or area is None:
        return None, messages
    return RosterRow(
        line=line,
        building=building,
        unit=unit,
        area=area,
        owner=_unguard(cell("owner")),
        phone=_unguard(cell("phone")),
        residents=residents,
        owner_key=_unguard(cell("owner_key")) or None,
    ), []


def write_roster(rows: Iterable[RosterLike], header_language: str = "zh_CN") -> bytes:
    """The roster as CSV: UTF-8 with BOM and CRLF, so Excel opens the Chinese text correctly.

    The header is Chinese for a Chinese ``header_language`` ("zh_CN"), English
    otherwise. Owner and phone cells starting with = + - @ get a leading ' (see
    the module docstring); ``parse_roster`` reads every written row back as it was.
    Building, unit and owner key cells are guarded the same way.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    column = 0 if header_language.startswith("zh") else 1
    writer.writerow([names[column] for names in COLUMNS.values()])
    for row in rows:
        writer.writerow(
            [
                _guard(row.building),
                _guard(row.unit),
                format_area(row.area),
                _guard(row.owner),
                _guard(row.phone),
                row.residents,
                _guard(row.owner_key or ""),
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
