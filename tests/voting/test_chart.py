"""The live tally's bar chart: exact lengths and shares from the rules engine's figures."""

from __future__ import annotations

from yishi.voting.chart import PLOT_WIDTH, tally_chart


def figures(rule: str = "majority_of_cast", **counts: object) -> dict[str, object]:
    base: dict[str, object] = {
        "rule": rule,
        "ballots_cast": 0,
        "total_owners": 10,
        "participating_owners": 0,
        "total_area_m2": "1000.00",
        "participating_area_m2": "0.00",
        "options": [],
    }
    for choice in ("yes", "no", "abstain"):
        base.update({f"{choice}_ballots": 0, f"{choice}_owners": 0, f"{choice}_area_m2": "0.00"})
    base.update(counts)
    return base


def values(chart) -> dict[str, tuple[int, int, int]]:
    return {r.code: (r.count.part, r.count.whole, r.count.length) for r in chart.rows}


def test_a_headcount_tally_draws_participation_then_each_choice_as_a_share_of_ballots_cast():
    chart = tally_chart(figures(ballots_cast=3, yes_ballots=2, no_ballots=1))
    assert [r.code for r in chart.rows] == ["took_part", "yes", "no", "abstain"]
    assert values(chart) == {
        "took_part": (3, 10, PLOT_WIDTH * 3 // 10),
        "yes": (2, 3, PLOT_WIDTH * 2 // 3),
        "no": (1, 3, PLOT_WIDTH // 3),
        "abstain": (0, 3, 0),
    }
    yes = chart.rows[1]
    assert yes.count.share_text == "66.7%" and yes.leading and yes.area is None
    assert not chart.counts_owners and chart.cast == 3


def test_an_empty_tally_has_no_bars_and_no_leader():
    chart = tally_chart(figures())
    assert all(r.count.length == 0 for r in chart.rows)
    assert not any(r.leading for r in chart.rows)
    assert chart.rows[1].count.share_text == "—"


def test_a_civil_code_tally_draws_owners_and_their_area_against_those_who_took_part():
    chart = tally_chart(
        figures(
            "civil_code_ordinary",
            ballots_cast=4,
            participating_owners=4,
            participating_area_m2="400.00",
            yes_owners=3,
            yes_area_m2="300.01",
            no_owners=1,
            no_area_m2="99.99",
        )
    )
    took_part, yes, no, _abstain = chart.rows
    assert (took_part.count.part, took_part.count.whole) == (4, 10)
    assert (took_part.area.part, took_part.area.whole) == (40000, 100000)
    assert (yes.area.part, yes.area.whole, yes.area.length) == (30001, 40000, PLOT_WIDTH * 30001 // 40000)
    assert yes.area.share_text == "75.0%" and no.area.share_text == "25.0%"
    assert yes.area.y > yes.count.y and chart.counts_owners


def test_options_are_drawn_in_ballot_order_with_the_most_chosen_leading():
    options = ["方案一", "方案二", "方案三"]
    chart = tally_chart(
        figures(
            ballots_cast=5,
            abstain_ballots=1,
            options=[
                {"label": "方案二", "ballots": 3, "owners": 3, "area_m2": "0.00"},
                {"label": "方案一", "ballots": 1, "owners": 1, "area_m2": "0.00"},
            ],
        ),
        options,
    )
    assert [r.code for r in chart.rows] == ["took_part", *options, "abstain"]
    assert [r.count.part for r in chart.rows[1:]] == [1, 3, 0, 1]
    assert [r.code for r in chart.rows if r.leading] == ["方案二"]


def test_a_full_bar_fills_the_plot_and_rows_never_overlap():
    chart = tally_chart(figures(ballots_cast=10, yes_ballots=10))
    assert chart.rows[0].count.length == PLOT_WIDTH and chart.rows[1].count.length == PLOT_WIDTH
    bottoms = [r.count.y + 26 for r in chart.rows]
    assert all(bottom <= following.top for bottom, following in zip(bottoms, chart.rows[1:]))
    assert bottoms[-1] <= chart.height
