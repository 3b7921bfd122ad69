"""Supervision rules (群众监督): ratings, reopening, escalation. Pure, exact.

A done action is rated once per household per completion ("round"): satisfied
满意, basically satisfied 基本满意 or unsatisfied 不满意. The action reopens when
at least ``min_ratings`` households have rated this round and the unsatisfied
ratings are strictly more than the compound's share of them
(``numerator/denominator``, 1/3 by default), compared in integers:
``unsatisfied · denominator > numerator · ratings``. An objection the secretary
upholds reopens it too. A reopened action is escalated to the community; when
the escalation is still open ``days`` days later it goes up to the street
(分级响应: compound → community → street).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from yishi import labels
from yishi.i18n import N_


class Verdict(StrEnum):
    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    UNSATISFIED = "unsatisfied"


VERDICT_LABELS = labels.register(
    "verdict",
    {
        Verdict.SATISFIED: N_("Satisfied"),
        Verdict.BASICALLY_SATISFIED: N_("Basically satisfied"),
        Verdict.UNSATISFIED: N_("Unsatisfied"),
    },
)


class ObjectionStatus(StrEnum):
    OPEN = "open"
    UPHELD = "upheld"
    DISMISSED = "dismissed"


OBJECTION_LABELS = labels.register(
    "objection",
    {
        ObjectionStatus.OPEN: N_("Awaiting the secretary"),
        ObjectionStatus.UPHELD: N_("Upheld: the action was reopened"),
        ObjectionStatus.DISMISSED: N_("Not upheld"),
    },
)


class Level(StrEnum):
    COMMUNITY = "community"
    STREET = "street"


LEVEL_LABELS = labels.register("escalation_level", {Level.COMMUNITY: N_("Community"), Level.STREET: N_("Street")})


class Cause(StrEnum):
    RATINGS = "ratings"
    OBJECTION = "objection"


CAUSE_LABELS = labels.register(
    "reopen_cause",
    {
        Cause.RATINGS: N_("Too many unsatisfied ratings"),
        Cause.OBJECTION: N_("An objection was upheld"),
    },
)


@dataclass(frozen=True)
class RatingCounts:
    satisfied: int = 0
    basically_satisfied: int = 0
    unsatisfied: int = 0

    @property
    def total(self) -> int:
        return self.satisfied + self.basically_satisfied + self.unsatisfied

    @property
    def content(self) -> int:
        """Satisfied or basically satisfied: what the satisfaction rate counts."""
        return self.satisfied + self.basically_satisfied

    @classmethod
    def of(cls, verdicts: Iterable[str]) -> RatingCounts:
        counts = dict.fromkeys(Verdict, 0)
        for verdict in verdicts:
            counts[Verdict(verdict)] += 1
        return cls(
            satisfied=counts[Verdict.SATISFIED],
            basically_satisfied=counts[Verdict.BASICALLY_SATISFIED],
            unsatisfied=counts[Verdict.UNSATISFIED],
        )


@dataclass(frozen=True)
class ReopenShare:
    """A compound's rule: reopen when unsatisfied > numerator/denominator of
    at least ``min_ratings`` ratings."""

    numerator: int = 1
    denominator: int = 3
    min_ratings: int = 3

    def __post_init__(self) -> None:
        if self.denominator <= 0 or self.numerator < 0 or self.min_ratings < 1:
            raise ValueError("the reopening share needs a positive denominator and min_ratings ≥ 1")


def should_reopen(counts: RatingCounts, share: ReopenShare) -> bool:
    return counts.total >= share.min_ratings and (
        counts.unsatisfied * share.denominator > share.numerator * counts.total
    )


def street_due_at(opened_at: datetime, days: int) -> datetime:
    """When a community-level escalation still open goes up to the street."""
    return opened_at + timedelta(days=max(days, 0))


def goes_to_street(level: Level | str, opened_at: datetime, days: int, now: datetime) -> bool:
    return Level(level) is Level.COMMUNITY and now >= street_due_at(opened_at, days)
