"""Figures of a compound or a community: pure computation over plain facts.

Every rate is a :class:`Ratio` of two integers; percentages are rounded from
the integers (half up, to a tenth), never through floats. The definitions
below are the ones shown next to each figure.

completion rate (办结率)
    Of the actions whose due date has come (due today or earlier), the share
    that are done.
on-time rate (按时办结率)
    Of the done actions, the share whose last completion, in Beijing time,
    fell on or before the due date.
satisfaction rate (满意率)
    Of all ratings households gave, the share that are satisfied or basically
    satisfied.
open escalations
    Reopened actions whose escalation (to the community or the street) is not
    closed yet.
trend by month
    For each month: the completion rate of the actions due that month (due
    dates up to today), the satisfaction rate of the ratings given that month,
    and the number of actions completed that month.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from yishi.shares import share_tenths

DONE = "done"


@dataclass(frozen=True)
class Ratio:
    part: int
    whole: int

    @property
    def has_data(self) -> bool:
        return self.whole > 0

    @property
    def tenths(self) -> int | None:
        """The percentage in tenths of a percent, rounded half up (None: no data)."""
        return share_tenths(self.part, self.whole)

    @property
    def percent_text(self) -> str:
        """``"66.7%"``, ``"100%"``; ``"—"`` when there is nothing to count."""
        tenths = self.tenths
        if tenths is None:
            return "—"
        whole, tenth = divmod(tenths, 10)
        return f"{whole}%" if tenth == 0 else f"{whole}.{tenth}%"


@dataclass(frozen=True)
class ActionFact:
    status: str
    due_on: date
    done_on: date | None = None  # the last completion, Beijing date
    compound_id: int = 0


@dataclass(frozen=True)
class RatingFact:
    verdict: str
    on: date
    compound_id: int = 0


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @property
    def label(self) -> str:
        return f"{self.year}-{self.month:02d}"

    @property
    def short_label(self) -> str:
        return f"{self.month}"

    def contains(self, day: date) -> bool:
        return day.year == self.year and day.month == self.month


@dataclass(frozen=True)
class MonthFigures:
    month: Month
    completion: Ratio
    satisfaction: Ratio
    completed: int


@dataclass(frozen=True)
class Figures:
    actions: int
    open_actions: int
    overdue: int
    completion: Ratio
    on_time: Ratio
    satisfaction: Ratio
    open_escalations: int
    months: tuple[MonthFigures, ...] = field(default=())


def last_months(today: date, count: int) -> list[Month]:
    """``count`` months ending with today's, oldest first."""
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        months.append(Month(year, month))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return list(reversed(months))


def _completion(actions: list[ActionFact], today: date) -> Ratio:
    due = [a for a in actions if a.due_on <= today]
    return Ratio(sum(1 for a in due if a.status == DONE), len(due))


def _satisfaction(ratings: list[RatingFact]) -> Ratio:
    content = sum(1 for r in ratings if r.verdict in ("satisfied", "basically_satisfied"))
    return Ratio(content, len(ratings))


def _month_figures(
    month: Month, actions: list[ActionFact], done: list[ActionFact], ratings: list[RatingFact], today: date
) -> MonthFigures:
    """One month of the trend: actions due in it, ratings given in it, actions done in it."""
    return MonthFigures(
        month=month,
        completion=_completion([a for a in actions if month.contains(a.due_on)], today),
        satisfaction=_satisfaction([r for r in ratings if month.contains(r.on)]),
        completed=sum(1 for a in done if a.done_on is not None and month.contains(a.done_on)),
    )


def compute(
    actions: Iterable[ActionFact],
    ratings: Iterable[RatingFact],
    open_escalations: int,
    today: date,
    months: int = 6,
) -> Figures:
    actions, ratings = list(actions), list(ratings)
    done = [a for a in actions if a.status == DONE]
    on_time = sum(1 for a in done if a.done_on is not None and a.done_on <= a.due_on)
    trend = tuple(_month_figures(month, actions, done, ratings, today) for month in last_months(today, months))
    return Figures(
        actions=len(actions),
        open_actions=len(actions) - len(done),
        overdue=sum(1 for a in actions if a.status != DONE and a.due_on < today),
        completion=_completion(actions, today),
        on_time=Ratio(on_time, len(done)),
        satisfaction=_satisfaction(ratings),
        open_escalations=open_escalations,
        months=trend,
    )


def by_compound(
    compound_ids: Iterable[int],
    actions: Iterable[ActionFact],
    ratings: Iterable[RatingFact],
    open_escalations: dict[int, int],
    today: date,
    months: int = 6,
) -> dict[int, Figures]:
    actions, ratings = list(actions), list(ratings)
    return {
        compound_id: compute(
            [a for a in actions if a.compound_id == compound_id],
            [r for r in ratings if r.compound_id == compound_id],
            open_escalations.get(compound_id, 0),
            today,
            months,
        )
        for compound_id in compound_ids
    }
