"""Proposals (提议): the topic that keeps one identity through all five steps."""

from piccolo.columns import Boolean, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from yishi.accounts.tables import StaffUser
from yishi.roster.tables import Compound, Household


class Proposal(Table, tablename="proposal"):
    """A topic raised in a compound.

    ``source`` is who raised it: resident, grid_worker (recorded door to door on
    behalf of ``household``), property, branch or committee. ``status``:
    submitted → accepted (for deliberation) | merged (into ``merged_into``) |
    declined (with ``decline_reason``). ``owners_matter`` marks matters that
    owners decide together (Civil Code art. 278), whose seconds are also
    counted by area and by owners. ``stage`` is the furthest of the five steps
    the topic has reached (propose, deliberate, vote, implement, supervise);
    it never moves backwards.
    """

    compound = ForeignKey(Compound, on_delete=OnDelete.cascade, null=False)
    number = Integer()
    title = Varchar(length=120)
    problem = Text()
    suggestion = Text(default="")
    category = Varchar(length=32)
    source = Varchar(length=32)
    household = ForeignKey(Household, on_delete=OnDelete.restrict, null=True, default=None)
    recorded_by = ForeignKey(StaffUser, on_delete=OnDelete.set_null, null=True, default=None)
    status = Varchar(length=16, default="submitted", index=True)
    owners_matter = Boolean(default=False)
    merged_into = ForeignKey("self", on_delete=OnDelete.set_null, null=True, default=None)
    decline_reason = Text(default="")
    threshold_reached_at = Timestamptz(null=True, default=None)
    obliges_committee_at = Timestamptz(null=True, default=None)
    stage = Varchar(length=16, default="propose")
    created_at = Timestamptz(default=TimestamptzNow())


class Second(Table, tablename="proposal_second"):
    """附议: one per household per proposal (a unique index enforces it)."""

    proposal = ForeignKey(Proposal, on_delete=OnDelete.cascade, null=False)
    household = ForeignKey(Household, on_delete=OnDelete.cascade, null=False)
    carried_from = ForeignKey(Proposal, on_delete=OnDelete.set_null, null=True, default=None)
    at = Timestamptz(default=TimestamptzNow())


class ProposalPhoto(Table, tablename="proposal_photo"):
    """A re-encoded photo (metadata stripped); ``path`` is relative to the uploads folder."""

    proposal = ForeignKey(Proposal, on_delete=OnDelete.cascade, null=False)
    path = Varchar(length=200)
    width = Integer()
    height = Integer()
    at = Timestamptz(default=TimestamptzNow())


class ProposalEvent(Table, tablename="proposal_event"):
    """The public timeline: submitted, seconded, threshold reached, accepted,
    merged, declined, put on an agenda, voted, action done, ..."""

    proposal = ForeignKey(Proposal, on_delete=OnDelete.cascade, null=False)
    kind = Varchar(length=32)
    text = Text(default="")
    actor_label = Varchar(length=100, default="")
    at = Timestamptz(default=TimestamptzNow())
