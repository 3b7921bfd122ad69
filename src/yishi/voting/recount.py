"""The recount format: a closed ballot exported as two CSV files.

``ROLL.csv`` has the columns ``voter,area_m2,owner_key``: one line per unit (or
party), the area in m² with at most two decimals, and the owner key shared by
units of one owner (empty for a unit that is its own owner; the column may be
left out). ``area_m2`` may be empty only for rules that do not weigh area,
as for the parties of a tripartite item. ``VOTES.csv`` has ``voter,choice``.

Both are UTF-8, with or without a byte-order mark, with a header line; the
columns may come in any order, and blank lines are skipped. Anything wrong is a
``RecountError`` naming the 1-based line of the file, so a scrutineer can find
it. The app writes the same files with ``write_roll_csv`` and
``write_votes_csv``; anyone can recount them with ``yishi tally``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

from yishi.errors import DomainError
from yishi.rules import RollEntry, Rule, TallyError, TallyResult, Vote, format_area, parse_area, tally, validate_options
from yishi.spreadsheet import guard, unguard

Source = Literal["roll", "votes"]
T = TypeVar("T")

ROLL_COLUMNS = ("voter", "area_m2", "owner_key")
VOTES_COLUMNS = ("voter", "choice")


class RecountError(DomainError):
    """A line of a recount file is wrong; ``str()`` reads ``line 4: reason``.

    ``source`` says which file (``"roll"`` or ``"votes"``) when it is known.
    """

    def __init__(self, line: int, message: str, *, source: Source | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.source = source

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


def decode_csv(data: bytes, source: Source | None = None) -> str:
    """Decode UTF-8 (a byte-order mark is dropped), naming the line of a bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise RecountError(line, "the file is not UTF-8 text", source=source) from error


def parse_roll_csv(text: str, *, area_required: bool = True) -> list[RollEntry]:
    """Read ``ROLL.csv``; ``area_required=False`` lets ``area_m2`` be empty (area 0)."""
    return _read_roll(text, area_required=area_required).entries


def parse_votes_csv(text: str) -> list[Vote]:
    """Read ``VOTES.csv``. Whether each vote fits the roll is checked by ``load_and_tally``."""
    return _read_votes(text).entries


def write_roll_csv(entries: Iterable[RollEntry]) -> str:
    """Write ``ROLL.csv`` exactly as ``parse_roll_csv`` reads it (area 0 as an empty cell)."""
    return _write(
        ROLL_COLUMNS,
        ([e.voter, format_area(e.area) if e.area else "", e.owner_key or ""] for e in entries),
    )


def write_votes_csv(votes: Iterable[Vote]) -> str:
    """Write ``VOTES.csv`` exactly as ``parse_votes_csv`` reads it."""
    return _write(VOTES_COLUMNS, ([vote.voter, vote.choice] for vote in votes))


def load_and_tally(
    rule: Rule | str,
    roll_text: str,
    votes_text: str,
    options: Iterable[str] | None = None,
) -> TallyResult:
    """Parse both files and tally them by ``rule``.

    Raises ``RecountError`` (with ``source`` set) for anything wrong in a file,
    including a vote that does not fit the roll, and ``TallyError`` for bad
    option labels, which belong to no file.
    """
    rule = Rule(rule)
    labels = validate_options(options)
    roll = _read_roll(roll_text, area_required=rule.counts_owners)
    if not roll.entries:
        raise RecountError(roll.end_line + 1, "the roll lists no voter", source="roll")
    votes = _read_votes(votes_text)
    try:
        return tally(roll.entries, votes.entries, rule, labels)
    except TallyError as error:
        source: Source
        if error.vote_index is not None:
            line, source = votes.lines[error.vote_index], "votes"
        elif error.roll_index is not None:
            line, source = roll.lines[error.roll_index], "roll"
        else:
            raise
        raise RecountError(line, error.message, source=source) from error


@dataclass(frozen=True)
class _Parsed(Generic[T]):
    entries: list[T]
    lines: list[int]  # the line each entry starts on
    end_line: int  # the last line read


@dataclass(frozen=True)
class _Row:
    line: int
    cells: dict[str, str]


def _read_roll(text: str, *, area_required: bool) -> _Parsed[RollEntry]:
    rows, end_line = _read_rows(text, ROLL_COLUMNS, required=("voter", "area_m2"), source="roll")
    entries: list[RollEntry] = []
    first_line: dict[str, int] = {}
    for row in rows:
        voter = _required_cell(row, "voter", "roll")
        if voter in first_line:
            raise RecountError(
                row.line,
                f"voter {voter} is already on the roll (line {first_line[voter]})",
                source="roll",
            )
        first_line[voter] = row.line
        area_text = row.cells["area_m2"]
        if area_text or area_required:
            try:
                area = parse_area(area_text)
            except ValueError as error:
                raise RecountError(row.line, str(error), source="roll") from error
        else:
            area = 0
        entries.append(RollEntry(voter, area, row.cells.get("owner_key") or None))
    return _Parsed(entries, [row.line for row in rows], end_line)


def _read_votes(text: str) -> _Parsed[Vote]:
    rows, end_line = _read_rows(text, VOTES_COLUMNS, required=VOTES_COLUMNS, source="votes")
    entries = [Vote(_required_cell(row, "voter", "votes"), _required_cell(row, "choice", "votes")) for row in rows]
    return _Parsed(entries, [row.line for row in rows], end_line)


def _required_cell(row: _Row, column: str, source: Source) -> str:
    value = row.cells[column]
    if not value:
        raise RecountError(row.line, f"{column} is empty", source=source)
    return value


def _read_rows(text: str, columns: Sequence[str], *, required: Sequence[str], source: Source) -> tuple[list[_Row], int]:
    """The non-blank rows after the header, cells stripped, keyed by column name."""
    expected = ",".join(columns)
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    header: list[str] | None = None
    rows: list[_Row] = []
    end_line = 0
    while True:
        start_line = end_line + 1
        try:
            raw = next(reader, None)
        except csv.Error as error:
            raise RecountError(reader.line_num, f"not valid CSV: {error}", source=source) from error
        if raw is None:
            break
        end_line = reader.line_num
        cells = [unguard(cell.strip()) for cell in raw]
        if not any(cells):
            continue
        if header is None:
            header = _check_header(cells, columns, required, start_line, source)
        elif len(cells) != len(header):
            raise RecountError(
                start_line,
                f"expected {len(header)} cells ({','.join(header)}), found {len(cells)}",
                source=source,
            )
        else:
            rows.append(_Row(start_line, dict(zip(header, cells, strict=True))))
    if header is None:
        raise RecountError(1, f"the header is missing: expected {expected}", source=source)
    return rows, end_line


def _check_header(
    cells: list[str], columns: Sequence[str], required: Sequence[str], line: int, source: Source
) -> list[str]:
    expected = ",".join(columns)
    names = [cell.lower() for cell in cells]
    for name in names:
        if name not in columns:
            raise RecountError(line, f"unknown column {name!r} in the header: expected {expected}", source=source)
        if names.count(name) > 1:
            raise RecountError(line, f"column {name!r} appears twice in the header", source=source)
    for name in required:
        if name not in names:
            raise RecountError(line, f"the header lacks column {name!r}: expected {expected}", source=source)
    return names


def _write(columns: Sequence[str], rows: Iterable[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([guard(cell) for cell in row] for row in rows)
    return out.getvalue()
