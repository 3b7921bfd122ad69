"""The roster CSV: what a spreadsheet in China saves, and what it gets back."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yishi.i18n import language
from yishi.roster.csvio import RosterParse, RosterRow, RowError, parse_roster, write_roster

ZH_HEADER = "楼栋,房号,专有部分面积,业主,电话,人数,产权人编号"
EN_HEADER = "building,unit,area_m2,owner,phone,residents,owner_key"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with language("en"):
        yield


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    return "\r\n".join(lines).encode(encoding) + b"\r\n"


def parsed(*lines: str) -> RosterParse:
    return parse_roster(csv_bytes(*lines))


def error_lines(result: RosterParse) -> list[int]:
    return [error.line for error in result.errors]


def only_error(result: RosterParse) -> RowError:
    assert result.rows == []
    assert len(result.errors) == 1, result.errors
    return result.errors[0]


# Encodings ---------------------------------------------------------------------


def test_utf8_file_with_bom_is_read() -> None:
    result = parse_roster(b"\xef\xbb\xbf" + csv_bytes(ZH_HEADER, "1,101,89.5,张伟,13800000000,3,A-1"))

    assert result.ok
    assert result.rows == [RosterRow(2, "1", "101", 8950, "张伟", "13800000000", 3, "A-1")]


def test_utf8_file_without_bom_is_read() -> None:
    result = parse_roster(csv_bytes(ZH_HEADER, "1,101,89.5,张伟,13800000000,3,A-1"))

    assert result.ok
    assert result.rows == [RosterRow(2, "1", "101", 8950, "张伟", "13800000000", 3, "A-1")]


def test_gb18030_file_with_chinese_headers_is_read() -> None:
    data = csv_bytes(ZH_HEADER, "3号楼,1单元201,120,欧阳娜娜,,2,", "3号楼,1单元202,75.25,䶮,,,", encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")

    result = parse_roster(data)

    assert result.ok
    assert result.rows == [
        RosterRow(2, "3号楼", "1单元201", 12000, "欧阳娜娜", "", 2, None),
        RosterRow(3, "3号楼", "1单元202", 7525, "䶮", "", 0, None),
    ]


def test_undecodable_bytes_are_refused_for_the_whole_file() -> None:
    error = only_error(parse_roster(csv_bytes(ZH_HEADER) + b"1,101,89.5,\xff\xfe\xff,,,\r\n"))

    assert error.line == 0
    assert "neither UTF-8 nor GB18030" in error.message


def test_utf16_file_as_excel_saves_unicode_text_is_refused() -> None:
    error = only_error(parse_roster((ZH_HEADER + "\r\n1,101,89.5,,,,\r\n").encode("utf-16")))

    assert error.line == 0


# Header ------------------------------------------------------------------------


def test_english_headers_in_any_order_with_surrounding_spaces_are_read() -> None:
    result = parsed(" owner_key , area_m2,Unit ,BUILDING,phone,residents,owner", "K7,66.6,0502,5,+86 139,1,Li Lei")

    assert result.rows == [RosterRow(2, "5", "0502", 6660, "Li Lei", "+86 139", 1, "K7")]


def test_chinese_and_english_header_names_may_be_mixed() -> None:
    result = parsed("楼栋,unit,专有部分面积", "1,101,50")

    assert result.rows == [RosterRow(2, "1", "101", 5000)]


def test_missing_optional_columns_give_empty_values() -> None:
    result = parsed("楼栋,房号,专有部分面积", "1,101,50")

    assert result.rows == [RosterRow(2, "1", "101", 5000, owner="", phone="", residents=0, owner_key=None)]


def test_unknown_column_is_refused_by_name() -> None:
    error = only_error(parsed("楼栋,房号,专有部分面积,备注", "1,101,50,南向"))

    assert error.line == 1
    assert error.message.startswith("Unknown column 备注. Known columns: 楼栋/building, 房号/unit,")


def test_missing_required_column_is_refused() -> None:
    error = only_error(parsed("楼栋,房号,业主", "1,101,张伟"))

    assert error.line == 1
    assert error.message == "The column 专有部分面积/area_m2 is missing."


def test_every_missing_required_column_is_named() -> None:
    result = parsed("楼栋,业主", "1,张伟")

    assert [e.message for e in result.errors] == [
        "The column 房号/unit is missing.",
        "The column 专有部分面积/area_m2 is missing.",
    ]


def test_duplicated_column_is_refused_even_across_languages() -> None:
    error = only_error(parsed("楼栋,房号,专有部分面积,building", "1,101,50,2"))

    assert error.line == 1
    assert error.message == "The column 楼栋/building appears twice."


def test_column_without_a_name_is_refused() -> None:
    error = only_error(parsed("楼栋,房号,专有部分面积,", "1,101,50,"))

    assert error.message == "Column 4 has no name."


def test_first_line_without_column_names_is_refused_as_no_header() -> None:
    error = only_error(parsed("1,101,89.5", "1,102,90"))

    assert error.line == 1
    assert error.message.startswith("The first line must name the columns")


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\r\n\r\n", b" , ,\r\n"])
def test_empty_file_is_refused(data: bytes) -> None:
    error = only_error(parse_roster(data))

    assert (error.line, error.message) == (1, "The file is empty.")


def test_file_with_a_header_and_no_households_is_not_ok() -> None:
    result = parsed(ZH_HEADER)

    assert result.errors == []
    assert not result.ok


# Values ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "hundredths"),
    [("89.5", 8950), ("120", 12000), ("0.01", 1), (" 89.50 ", 8950), ("007.10", 710), ("100000", 10000000)],
)
def test_area_is_read_as_hundredths_of_a_square_metre(text: str, hundredths: int) -> None:
    result = parsed("楼栋,房号,专有部分面积", f'1,101,"{text}"')

    assert [row.area for row in result.rows] == [hundredths]


@pytest.mark.parametrize(
    "text",
    ["0", "0.00", "-3", "+3", "1.234", "1e3", "abc", ".5", "5.", "1,5", "1 000", "nan", "inf", "８９", "٣", "1.٣"],
)
def test_area_that_is_not_a_positive_number_with_two_decimals_is_reported_with_its_line(text: str) -> None:
    error = only_error(parsed("楼栋,房号,专有部分面积", "1,101,50", f'1,102,"{text}"'))

    assert error.line == 3
    assert error.message == (f"The area {text} is not a positive number with at most two decimals.")


def test_empty_area_is_reported_with_its_line() -> None:
    error = only_error(parsed("楼栋,房号,专有部分面积", "1,101,50", "1,102,  "))

    assert (error.line, error.message) == (3, "The area is empty.")


def test_empty_building_is_reported_with_its_line() -> None:
    error = only_error(parsed("楼栋,房号,专有部分面积", "1,101,50", " ,102,50"))

    assert (error.line, error.message) == (3, "The building is empty.")


def test_empty_unit_is_reported_with_its_line() -> None:
    error = only_error(parsed("楼栋,房号,专有部分面积", "1,101,50", "1,,50"))

    assert (error.line, error.message) == (3, "The unit is empty.")


@pytest.mark.parametrize("text", ["-1", "2.5", "two", "²", "３", "1e2"])
def test_residents_that_are_not_a_whole_number_are_reported_with_their_line(text: str) -> None:
    error = only_error(parsed("楼栋,房号,专有部分面积,人数", "1,101,50,2", f"1,102,50,{text}"))

    assert (error.line, error.message) == (3, f"The number of residents {text} is not a whole number.")


def test_empty_residents_count_as_zero() -> None:
    result = parsed("楼栋,房号,专有部分面积,人数", "1,101,50, ")

    assert [row.residents for row in result.rows] == [0]


def test_blank_owner_key_becomes_none_and_others_are_stripped() -> None:
    result = parsed("楼栋,房号,专有部分面积,产权人编号", "1,101,50,  ", "1,102,50, K-9 ")

    assert [row.owner_key for row in result.rows] == [None, "K-9"]


def test_row_with_wrong_number_of_fields_is_reported_with_its_line() -> None:
    result = parsed("楼栋,房号,专有部分面积", "1,101,50", "1,102", "1,103,50,extra")

    assert [(e.line, e.message) for e in result.errors] == [
        (3, "This row has 2 fields; the header has 3."),
        (4, "This row has 4 fields; the header has 3."),
    ]


def test_duplicate_unit_in_one_building_is_reported_with_both_lines() -> None:
    error = only_error(parsed("楼栋,房号,专有部分面积", "1,101,50", "1,102,60", "1, 101 ,70"))

    assert error.line == 4
    assert error.message == "Unit 101 of building 1 already appears on line 2."


def test_same_unit_in_two_buildings_is_fine() -> None:
    result = parsed("楼栋,房号,专有部分面积", "1,101,50", "2,101,50")

    assert result.ok
    assert [(row.building, row.unit) for row in result.rows] == [("1", "101"), ("2", "101")]


def test_all_errors_are_collected_not_just_the_first() -> None:
    result = parsed("楼栋,房号,专有部分面积,人数", ",101,0,x", "1,102,50,1", "1,102,abc,1", "1,103", "1,104,5,")

    assert [(e.line, e.message) for e in result.errors] == [
        (2, "The building is empty."),
        (2, "The area 0 is not a positive number with at most two decimals."),
        (2, "The number of residents x is not a whole number."),
        (4, "The area abc is not a positive number with at most two decimals."),
        (4, "Unit 102 of building 1 already appears on line 3."),
        (5, "This row has 2 fields; the header has 4."),
    ]


def test_file_with_any_error_yields_no_rows() -> None:
    result = parsed("楼栋,房号,专有部分面积", "1,101,50", "1,102,-1", "1,103,50")

    assert result.rows == []
    assert not result.ok


# Lines -------------------------------------------------------------------------


def test_quoted_field_with_comma_and_newline_keeps_later_line_numbers_right() -> None:
    result = parsed("楼栋,房号,专有部分面积,业主", '1,101,50,"张伟,\r\n李娜"', "1,102,0,王芳")

    assert error_lines(result) == [4]
    good = parsed("楼栋,房号,专有部分面积,业主", '1,101,50,"张伟,\r\n李娜"', "1,102,60,王芳")
    assert [(row.line, row.owner) for row in good.rows] == [(2, "张伟,\r\n李娜"), (4, "王芳")]


def test_blank_lines_are_skipped_and_still_counted() -> None:
    result = parsed("", "楼栋,房号,专有部分面积", "", "1,101,50", ",,", "  ", "1,102,60", "")

    assert result.ok
    assert [row.line for row in result.rows] == [4, 7]


def test_lone_newlines_and_carriage_returns_count_as_lines() -> None:
    result = parse_roster("楼栋,房号,专有部分面积\n1,101,50\r1,102,0\n".encode())

    assert error_lines(result) == [3]


def test_unclosed_quote_is_reported_where_the_row_starts() -> None:
    error = only_error(parsed("楼栋,房号,专有部分面积,业主", "1,101,50,张伟", '1,102,50,"李娜', "1,103,50,王芳"))

    assert error.line == 3
    assert error.message.startswith("The quote marks on this line do not pair up")


def test_stray_quote_is_reported_and_later_lines_are_still_checked() -> None:
    result = parsed("楼栋,房号,专有部分面积,业主", '1,101,50,"张伟"x', "1,102,abc,李娜")

    assert error_lines(result) == [2, 3]


# Export ------------------------------------------------------------------------


def test_export_is_utf8_with_bom_crlf_and_a_chinese_header() -> None:
    data = write_roster([RosterRow(2, "1", "101", 8950, "张伟", "13800000000", 3, "A-1")])

    assert data.startswith(b"\xef\xbb\xbf")
    assert data[3:].decode("utf-8") == ZH_HEADER + "\r\n1,101,89.50,张伟,13800000000,3,A-1\r\n"


def test_export_has_an_english_header_when_asked() -> None:
    data = write_roster([], header_language="en")

    assert data.decode("utf-8-sig") == EN_HEADER + "\r\n"


@pytest.mark.parametrize(("hundredths", "text"), [(1, "0.01"), (10, "0.10"), (8950, "89.50"), (12000, "120.00")])
def test_export_writes_the_area_with_two_decimals(hundredths: int, text: str) -> None:
    data = write_roster(
        [SimpleNamespace(building="1", unit="101", area=hundredths, owner="", phone="", residents=0, owner_key=None)]
    )

    assert data.decode("utf-8-sig").splitlines()[1] == f"1,101,{text},,,0,"


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_export_guards_owner_and_phone_that_a_spreadsheet_would_run_as_formulas(start: str) -> None:
    row = RosterRow(2, "1", "101", 5000, f"{start}HYPERLINK(1)", f"{start}86 138", 0, None)

    assert write_roster([row]).decode("utf-8-sig").splitlines()[1] == (
        f"1,101,50.00,'{start}HYPERLINK(1),'{start}86 138,0,"
    )


def test_export_guards_building_unit_and_owner_key_too_and_reads_them_back_exactly() -> None:
    row = RosterRow(2, "-1", "=B2", 5000, owner_key="@dev")

    data = write_roster([row])
    assert data.decode("utf-8-sig").splitlines()[1] == "'-1,'=B2,50.00,,,0,'@dev"
    back = parse_roster(data).rows[0]
    assert (back.building, back.unit, back.owner_key) == ("-1", "=B2", "@dev")


@pytest.mark.parametrize("invisible", ["\ufeff", "\x00", "\x1b", "\u200b", "\u202e"])
def test_an_invisible_character_is_refused_with_its_line(invisible: str) -> None:
    data = f"楼栋,房号,专有部分面积\n1,101,90\n{invisible}1,102,90\n".encode()
    parsed = parse_roster(data)
    assert not parsed.rows and [e.line for e in parsed.errors] == [3]
    assert "invisible character" in parsed.errors[0].message


def test_a_second_byte_order_mark_of_joined_files_is_refused() -> None:
    part = "\ufeff楼栋,房号,专有部分面积\n1,101,90\n"
    parsed = parse_roster((part + "\ufeff2,201,80\n").encode("utf-8"))
    assert [e.line for e in parsed.errors] == [3]


def test_import_strips_the_formula_guard_from_every_text_cell() -> None:
    result = parsed(ZH_HEADER, "'=1,'-2,50,'=张伟,'+86 138,0,'=K")

    assert result.rows == [RosterRow(2, "=1", "-2", 5000, "=张伟", "+86 138", 0, "=K")]


def test_import_keeps_a_quote_that_is_not_a_formula_guard() -> None:
    result = parsed(ZH_HEADER, "1,101,50,'张伟,',0,")

    assert [(row.owner, row.phone) for row in result.rows] == [("'张伟", "'")]


def test_owner_that_already_looks_guarded_survives_a_round_trip() -> None:
    row = RosterRow(2, "1", "101", 5000, "'=张伟", "''-1", 0, None)

    assert parse_roster(write_roster([row])).rows == [row]


def test_export_saved_again_as_gb18030_reads_the_same() -> None:
    rows = [RosterRow(2, "3号楼", "201", 12000, "欧阳娜娜", "+86 138", 2, "产-1")]

    resaved = write_roster(rows).decode("utf-8-sig").encode("gb18030")

    assert parse_roster(resaved).rows == rows


# Round trip --------------------------------------------------------------------

CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
TRICKY = st.sampled_from(list(",\"'\n\r =+-@#"))
ASCII = st.sampled_from(list("0123456789ABCabc"))


def stripped_text(alphabet: st.SearchStrategy[str], max_size: int = 12) -> st.SearchStrategy[str]:
    return st.text(alphabet, min_size=1, max_size=max_size).map(str.strip).filter(bool)


ROWS = st.builds(
    RosterRow,
    line=st.just(0),
    building=stripped_text(st.one_of(ASCII, CJK, TRICKY), 6),
    unit=stripped_text(st.one_of(ASCII, CJK, TRICKY), 8),
    area=st.integers(1, 10**7),
    owner=st.one_of(
        st.just(""),
        st.tuples(
            st.sampled_from(["", "=", "+", "-", "@", "'", "'=", "''-"]), stripped_text(st.one_of(CJK, TRICKY), 8)
        ).map("".join),
    ),
    phone=st.one_of(st.just(""), st.from_regex(r"(\+86 |-|=)?1[0-9]{10}", fullmatch=True)),
    residents=st.integers(0, 99),
    owner_key=st.one_of(st.none(), stripped_text(st.one_of(ASCII, CJK, TRICKY), 8)),
)


@given(
    rows=st.lists(ROWS, min_size=1, max_size=20, unique_by=lambda row: (row.building, row.unit)),
    header_language=st.sampled_from(["zh_CN", "en"]),
)
def test_written_roster_reads_back_as_the_same_rows(rows: list[RosterRow], header_language: str) -> None:
    result = parse_roster(write_roster(rows, header_language=header_language))

    assert result.errors == []
    assert [replace(row, line=0) for row in result.rows] == rows
