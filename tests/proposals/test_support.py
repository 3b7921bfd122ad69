"""The arithmetic of support: seconds threshold, and owners and area for owners' matters."""

from hypothesis import given
from hypothesis import strategies as st

from yishi.proposals.support import Unit, obliges_committee, owner_support, threshold_reached


def test_the_threshold_is_reached_at_exactly_the_compounds_number_of_seconds():
    assert not threshold_reached(4, 5)
    assert threshold_reached(5, 5)
    assert threshold_reached(6, 5)


def test_a_compound_without_a_threshold_puts_every_proposal_before_the_secretary():
    assert threshold_reached(0, 0)


def test_exactly_one_fifth_of_area_and_owners_obliges_the_committee():
    assert obliges_committee(area=2000, owners=2, total_area=10000, total_owners=10)


def test_one_hundredth_of_a_square_metre_short_of_a_fifth_does_not_oblige():
    assert not obliges_committee(area=1999, owners=2, total_area=10000, total_owners=10)


def test_one_owner_short_of_a_fifth_does_not_oblige_even_with_all_the_area():
    assert not obliges_committee(area=10000, owners=1, total_area=10000, total_owners=10)


def test_a_fifth_of_owners_with_too_little_area_does_not_oblige():
    assert not obliges_committee(area=1000, owners=5, total_area=10000, total_owners=10)


def test_a_fifth_that_is_not_a_whole_number_is_compared_exactly():
    # 7 owners: a fifth is 1.4, so 2 owners are needed; 1 is not enough.
    assert not obliges_committee(area=3000, owners=1, total_area=10001, total_owners=7)
    assert obliges_committee(area=2001, owners=2, total_area=10001, total_owners=7)
    assert not obliges_committee(area=2000, owners=2, total_area=10001, total_owners=7)


def test_an_empty_compound_obliges_nobody():
    assert not obliges_committee(0, 0, 0, 0)


def test_units_of_one_buyer_are_one_owner_with_their_areas_added():
    units = [Unit(1, 9000, "zhang"), Unit(2, 11000, "zhang"), Unit(3, 10000), Unit(4, 10000)]
    support = owner_support(units, {1})
    assert (support.owners, support.total_owners) == (1, 3)
    assert (support.area, support.total_area) == (20000, 40000)


def test_the_developers_unsold_units_count_as_one_owner():
    units = [Unit(1, 9000, "developer"), Unit(2, 9000, "developer"), Unit(3, 9000, "developer"), Unit(4, 9000)]
    support = owner_support(units, {2, 3})
    assert (support.owners, support.total_owners) == (1, 2)
    assert support.area == 27000


def test_an_owner_seconding_from_two_units_counts_once():
    units = [Unit(1, 9000, "zhang"), Unit(2, 11000, "zhang"), Unit(3, 10000)]
    assert owner_support(units, {1, 2}).owners == 1


def test_supporters_outside_the_compound_are_not_counted():
    units = [Unit(1, 9000), Unit(2, 9000)]
    support = owner_support(units, {1, 99})
    assert (support.owners, support.area) == (1, 9000)


def test_the_shares_shown_follow_the_one_rounding_rule_and_a_near_miss_is_not_reached():
    support = owner_support([Unit(i, 1) for i in range(1, 10001)], set(range(1, 2000)))
    assert support.owners_percent() == "20.0"  # 19.99%, rounded half up like every share
    assert not support.obliges_committee


@given(
    areas=st.lists(st.integers(min_value=1, max_value=50_000), min_size=1, max_size=40),
    data=st.data(),
)
def test_obliging_agrees_with_exact_fractions(areas, data):
    from fractions import Fraction

    units = [Unit(i, a) for i, a in enumerate(areas)]
    supporters = data.draw(st.sets(st.integers(min_value=0, max_value=len(areas) - 1)))
    support = owner_support(units, supporters)
    expected = Fraction(support.area, support.total_area) >= Fraction(1, 5) and Fraction(
        support.owners, support.total_owners
    ) >= Fraction(1, 5)
    assert support.obliges_committee == expected
