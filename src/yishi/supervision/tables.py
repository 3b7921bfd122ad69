"""Ratings, objections and escalations of done actions."""

from piccolo.columns import ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from yishi.accounts.tables import StaffUser
from yishi.actions.tables import Action
from yishi.roster.tables import Community, Compound, Household


class Rating(Table, tablename="action_rating"):
    """评价: one per household per action per completion (``round``); a unique
    index enforces it. ``verdict`` is a ``yishi.supervision.rules.Verdict``."""

    action = ForeignKey(Action, on_delete=OnDelete.cascade, null=False)
    household = ForeignKey(Household, on_delete=OnDelete.cascade, null=False)
    round = Integer()
    verdict = Varchar(length=24)
    comment = Text(default="")
    at = Timestamptz(default=TimestamptzNow())


class Objection(Table, tablename="action_objection"):
    """异议 of a household against a done action; the secretary upholds it
    (the action reopens) or dismisses it, with a note either way."""

    action = ForeignKey(Action, on_delete=OnDelete.cascade, null=False)
    household = ForeignKey(Household, on_delete=OnDelete.cascade, null=False)
    round = Integer()
    reason = Text()
    status = Varchar(length=16, default="open", index=True)
    decided_by = ForeignKey(StaffUser, on_delete=OnDelete.set_null, null=True, default=None)
    decision_note = Text(default="")
    decided_at = Timestamptz(null=True, default=None)
    at = Timestamptz(default=TimestamptzNow())


class ObjectionPhoto(Table, tablename="action_objection_photo"):
    """A re-encoded photo of an objection; ``path`` is relative to the uploads folder."""

    objection = ForeignKey(Objection, on_delete=OnDelete.cascade, null=False)
    path = Varchar(length=200)
    width = Integer(default=0)
    height = Integer(default=0)


class Escalation(Table, tablename="action_escalation"):
    """分级响应: a reopened action sent up to the community, then to the street
    when still open after the compound's ``escalate_to_street_after_days``.

    ``cause`` is ratings or objection (then ``objection`` names it). It closes
    when the action is done again (``closed_reason`` done_again), or when the
    community admin closes it with a note (``closed_reason`` handled).
    """

    action = ForeignKey(Action, on_delete=OnDelete.cascade, null=False)
    compound = ForeignKey(Compound, on_delete=OnDelete.cascade, null=False)
    community = ForeignKey(Community, on_delete=OnDelete.cascade, null=False)
    level = Varchar(length=16, default="community", index=True)
    cause = Varchar(length=16)
    objection = ForeignKey(Objection, on_delete=OnDelete.set_null, null=True, default=None)
    opened_at = Timestamptz(default=TimestamptzNow())
    street_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None, index=True)
    closed_reason = Varchar(length=16, default="")
    closed_by = ForeignKey(StaffUser, on_delete=OnDelete.set_null, null=True, default=None)
    closed_note = Text(default="")
