"""The clock, China local time and shares each have one home, used by every
package: a time typed into any form means the same moment, and a share
reads the same on every page and document."""

from datetime import UTC, datetime

from yishi import clock
from yishi.meetings import flow
from yishi.proposals.support import Unit, owner_support
from yishi.shares import format_share, percent_figure, share_tenths
from yishi.supervision.figures import Ratio
from yishi.voting import service


def test_a_typed_local_time_is_the_same_moment_in_every_form():
    moment = datetime(2026, 12, 5, 11, 30, tzinfo=UTC)
    for text in ("2026-12-05T19:30", "2026-12-05 19:30", " 2026-12-05T19:30:00 "):
        assert clock.parse_local_datetime(text) == moment
    for text in ("", "明天", "2026-13-01T10:00", "2026-12-05T19:30+08:00"):
        assert clock.parse_local_datetime(text) is None
    # Meetings and ballots read their forms with it; no package keeps a copy.
    assert not hasattr(flow, "parse_local_datetime")
    assert service.settings_from_form({"timing": "set_times", "closes_at": "2026-12-05 19:30"}).closes_at == moment


def test_local_text_reads_a_moment_in_china_time():
    assert clock.local_text(datetime(2026, 12, 5, 16, 30, tzinfo=UTC)) == "2026-12-06 00:30"
    assert clock.local_today(datetime(2026, 12, 5, 16, 30, tzinfo=UTC)).isoformat() == "2026-12-06"


def test_every_share_is_rounded_half_up_in_tenths_of_a_percent():
    assert share_tenths(1, 16) == 63 and format_share(share_tenths(1, 16)) == "6.3%"  # 6.25 → 6.3
    assert percent_figure(2, 3) == "66.7" and percent_figure(0, 0) == "0.0"
    assert flow.Share(1, 16).percent == "6.3"
    assert Ratio(1, 16).percent_text == "6.3%"
    assert owner_support([Unit(i, 1) for i in range(1, 17)], {1}).owners_percent() == "6.3"
