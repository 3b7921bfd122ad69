"""Chart geometry: exact bar lengths, no bar without data, inside the box."""

from hypothesis import given
from hypothesis import strategies as st

from yishi.supervision import plots
from yishi.supervision.figures import Ratio


def test_a_full_rate_fills_the_plot_and_a_half_rate_half_of_it():
    chart = plots.column_chart([("5", Ratio(1, 1)), ("6", Ratio(1, 2)), ("7", Ratio(0, 0))])
    full, half, empty = chart.bars
    assert half.height * 2 == full.height
    assert full.value_text == "100%" and half.value_text == "50%"
    assert empty.height == 0 and empty.empty and empty.value_text == "—"
    assert [g.label for g in chart.gridlines] == ["0%", "50%", "100%"]


def test_counts_scale_to_the_largest():
    chart = plots.column_chart([("5", 3), ("6", 0), ("7", 6)])
    assert chart.bars[2].height == 2 * chart.bars[0].height
    assert chart.gridlines[-1].label == "6" and chart.gridlines[1].label == "3"


def test_compounds_are_compared_on_horizontal_bars_with_their_names():
    chart = plots.bar_chart([("银河湾小区", Ratio(3, 4)), ("人保小区", Ratio(0, 0))])
    assert chart.horizontal
    assert chart.bars[0].label == "银河湾小区" and chart.bars[0].value_text == "75%"
    assert chart.bars[1].width == 0
    assert chart.view_box == f"0 0 {plots.WIDTH} {chart.height}"


@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)), min_size=1, max_size=12))
def test_every_bar_stays_inside_the_drawing(pairs):
    ratios = [(str(i), Ratio(min(p, w), w)) for i, (p, w) in enumerate(pairs)]
    for chart in (plots.column_chart(ratios), plots.bar_chart(ratios)):
        for bar in chart.bars:
            assert bar.x >= 0 and bar.x + bar.width <= chart.width
            assert bar.y >= 0 and bar.y + bar.height <= chart.height
            assert bar.width >= 0 and bar.height >= 0
