import pytest
from hypothesis import given
from hypothesis import strategies as st

from yishi.actions.money import BudgetError, format_yuan, parse_yuan, plain_yuan


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("12800", 1280000),
        ("12800.5", 1280050),
        ("12,800.50", 1280050),
        ("¥ 0.01", 1),
        ("3500元", 350000),
        ("  ", None),
        ("", None),
        ("0", 0),
    ],
)
def test_budgets_are_read_as_exact_fen(text, fen):
    assert parse_yuan(text) == fen


@pytest.mark.parametrize("text", ["-5", "1.234", "1e3", "一万", "12,80", "1,2345", "0.1.2", "99999999999999"])
def test_anything_but_an_amount_with_two_decimals_is_refused(text):
    with pytest.raises(BudgetError):
        parse_yuan(text)


def test_budgets_show_with_thousands_separators_and_two_decimals():
    assert format_yuan(1280050) == "12,800.50"
    assert format_yuan(5) == "0.05"
    assert format_yuan(None) == ""
    assert plain_yuan(1280050) == "12800.50"


@given(st.integers(min_value=0, max_value=10**13))
def test_what_is_shown_reads_back_to_the_same_fen(fen):
    assert parse_yuan(format_yuan(fen)) == fen
    assert parse_yuan(plain_yuan(fen)) == fen
