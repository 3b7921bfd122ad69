"""Reopening by unsatisfied ratings and moving escalations up: exact integers."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yishi.supervision import rules
from yishi.supervision.rules import Level, RatingCounts, ReopenShare

DEFAULT = ReopenShare()


def counts(satisfied=0, basically=0, unsatisfied=0):
    return RatingCounts(satisfied, basically, unsatisfied)


def test_one_unsatisfied_of_three_is_not_more_than_a_third():
    assert not rules.should_reopen(counts(1, 1, 1), DEFAULT)


def test_two_unsatisfied_of_five_is_more_than_a_third():
    assert rules.should_reopen(counts(2, 1, 2), DEFAULT)


def test_fewer_than_the_minimum_ratings_never_reopen():
    assert not rules.should_reopen(counts(0, 0, 2), DEFAULT)
    assert rules.should_reopen(counts(0, 0, 3), DEFAULT)


def test_exactly_the_share_is_not_enough_strictly_more_is():
    share = ReopenShare(numerator=1, denominator=2, min_ratings=4)
    assert not rules.should_reopen(counts(2, 0, 2), share)
    assert rules.should_reopen(counts(1, 0, 3), share)


def test_a_compound_can_set_its_own_share_and_minimum():
    share = ReopenShare(numerator=1, denominator=5, min_ratings=10)
    assert not rules.should_reopen(counts(7, 0, 2), share)  # 2/9: too few ratings
    assert rules.should_reopen(counts(7, 0, 3), share)  # 3/10 > 1/5


@pytest.mark.parametrize("bad", [{"denominator": 0}, {"numerator": -1}, {"min_ratings": 0}])
def test_a_nonsense_share_is_refused(bad):
    with pytest.raises(ValueError):
        ReopenShare(**bad)


@given(
    st.integers(0, 200),
    st.integers(0, 200),
    st.integers(0, 200),
    st.integers(0, 10),
    st.integers(1, 10),
    st.integers(1, 20),
)
def test_reopening_matches_the_rational_comparison(s, b, u, numerator, denominator, minimum):
    from fractions import Fraction

    c = counts(s, b, u)
    share = ReopenShare(numerator, denominator, minimum)
    expected = c.total >= minimum and c.total > 0 and Fraction(u, c.total) > Fraction(numerator, denominator)
    assert rules.should_reopen(c, share) == expected


def test_counts_are_gathered_from_verdicts():
    c = RatingCounts.of(["satisfied", "unsatisfied", "basically_satisfied", "unsatisfied"])
    assert (c.satisfied, c.basically_satisfied, c.unsatisfied, c.total, c.content) == (1, 1, 2, 4, 2)
    with pytest.raises(ValueError):
        RatingCounts.of(["meh"])


OPENED = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def test_an_escalation_goes_to_the_street_when_still_open_after_the_set_days():
    assert not rules.goes_to_street(Level.COMMUNITY, OPENED, 7, OPENED + timedelta(days=6, hours=23))
    assert rules.goes_to_street(Level.COMMUNITY, OPENED, 7, OPENED + timedelta(days=7))
    assert not rules.goes_to_street(Level.STREET, OPENED, 7, OPENED + timedelta(days=30))
    assert rules.street_due_at(OPENED, 0) == OPENED
