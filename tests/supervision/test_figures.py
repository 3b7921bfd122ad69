"""Figures from plain facts: completion, on time, satisfaction, the monthly trend."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from yishi.supervision import figures as fig
from yishi.supervision.figures import ActionFact, RatingFact, Ratio

TODAY = date(2026, 6, 15)


def test_percentages_are_rounded_half_up_from_integers():
    assert Ratio(2, 3).percent_text == "66.7%"
    assert Ratio(1, 3).percent_text == "33.3%"
    assert Ratio(1, 8).percent_text == "12.5%"
    assert Ratio(1, 16).percent_text == "6.3%"  # 6.25 → 6.3
    assert Ratio(3, 3).percent_text == "100%"
    assert Ratio(0, 5).percent_text == "0%"
    assert Ratio(0, 0).percent_text == "—"
    assert not Ratio(0, 0).has_data


@given(st.integers(0, 10**6), st.integers(1, 10**6))
def test_tenths_of_a_percent_are_the_nearest_to_the_exact_fraction(part, whole):
    from fractions import Fraction

    tenths = Ratio(part, whole).tenths
    exact = Fraction(1000 * part, whole)
    assert abs(Fraction(tenths) - exact) <= Fraction(1, 2)
    assert Fraction(tenths) - exact < Fraction(1, 2) or Fraction(tenths) - exact == Fraction(1, 2)


def test_completion_counts_only_actions_already_due():
    facts = [
        ActionFact("done", date(2026, 6, 1), date(2026, 5, 30)),
        ActionFact("in_progress", date(2026, 6, 10)),  # overdue
        ActionFact("done", date(2026, 7, 1), date(2026, 6, 12)),  # done early, not yet due
        ActionFact("planned", date(2026, 8, 1)),
    ]
    figures = fig.compute(facts, [], 0, TODAY)
    assert figures.completion == Ratio(1, 2)
    assert figures.actions == 4 and figures.open_actions == 2 and figures.overdue == 1


def test_on_time_compares_the_last_completion_with_the_due_date():
    facts = [
        ActionFact("done", date(2026, 6, 1), date(2026, 6, 1)),
        ActionFact("done", date(2026, 6, 1), date(2026, 6, 2)),
        ActionFact("reopened", date(2026, 6, 1)),
    ]
    assert fig.compute(facts, [], 0, TODAY).on_time == Ratio(1, 2)


def test_satisfaction_counts_satisfied_and_basically_satisfied_over_all_ratings():
    ratings = [RatingFact(v, TODAY) for v in ("satisfied", "basically_satisfied", "unsatisfied", "unsatisfied")]
    assert fig.compute([], ratings, 2, TODAY).satisfaction == Ratio(2, 4)
    assert fig.compute([], ratings, 2, TODAY).open_escalations == 2


def test_no_data_gives_no_rate_rather_than_zero():
    figures = fig.compute([], [], 0, TODAY)
    assert figures.completion.percent_text == "—"
    assert figures.on_time.percent_text == "—"
    assert figures.satisfaction.percent_text == "—"


def test_the_trend_covers_the_last_months_oldest_first_across_a_new_year():
    months = fig.last_months(date(2026, 2, 3), 4)
    assert [m.label for m in months] == ["2025-11", "2025-12", "2026-01", "2026-02"]


def test_each_month_has_its_completion_satisfaction_and_completed_count():
    facts = [
        ActionFact("done", date(2026, 5, 20), date(2026, 5, 18)),
        ActionFact("in_progress", date(2026, 5, 25)),
        ActionFact("done", date(2026, 6, 30), date(2026, 6, 3)),
    ]
    ratings = [RatingFact("satisfied", date(2026, 5, 21)), RatingFact("unsatisfied", date(2026, 6, 4))]
    trend = {m.month.label: m for m in fig.compute(facts, ratings, 0, TODAY).months}
    assert list(trend)[-1] == "2026-06" and len(trend) == 6
    assert trend["2026-05"].completion == Ratio(1, 2)
    assert trend["2026-05"].satisfaction == Ratio(1, 1)
    assert trend["2026-05"].completed == 1
    assert trend["2026-06"].completion == Ratio(0, 0)  # due on the 30th: not yet due
    assert trend["2026-06"].completed == 1
    assert trend["2026-06"].satisfaction == Ratio(0, 1)


def test_figures_split_by_compound():
    facts = [
        ActionFact("done", date(2026, 6, 1), date(2026, 6, 1), compound_id=1),
        ActionFact("planned", date(2026, 6, 1), compound_id=2),
    ]
    split = fig.by_compound([1, 2, 3], facts, [], {2: 1}, TODAY)
    assert split[1].completion == Ratio(1, 1)
    assert split[2].completion == Ratio(0, 1) and split[2].open_escalations == 1
    assert split[3].actions == 0
