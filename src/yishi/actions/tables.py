"""Actions (落实事项), their status history, progress updates and evidence."""

from piccolo.columns import BigInt, Date, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from yishi.accounts.tables import StaffUser
from yishi.meetings.tables import AgendaItem
from yishi.roster.tables import Compound


class Action(Table, tablename="action_item"):
    """One thing to be done to carry out an adopted agenda item.

    ``number`` counts a compound's actions from 1 (its public reference).
    ``party_kind`` is the responsible party: property, branch, committee (one
    of the compound's three parties) or community; ``responsible`` the person.
    ``budget_fen`` is in fen (分), exact. ``status`` is the stored status
    (``yishi.actions.flow.Status``; overdue is derived, never stored).
    ``round`` counts completions: ratings and objections belong to a round, so
    a reopened action that is done again is rated afresh. ``done_at`` is the
    last completion.
    """

    compound = ForeignKey(Compound, on_delete=OnDelete.cascade, null=False)
    agenda_item = ForeignKey(AgendaItem, on_delete=OnDelete.restrict, null=False)
    number = Integer()
    title = Varchar(length=120)
    details = Text(default="")
    party_kind = Varchar(length=16)
    responsible = ForeignKey(StaffUser, on_delete=OnDelete.restrict, null=False)
    due_on = Date()
    budget_fen = BigInt(null=True, default=None)
    funding_source = Varchar(length=32, default="")
    status = Varchar(length=16, default="planned", index=True)
    round = Integer(default=0)
    done_at = Timestamptz(null=True, default=None)
    created_by = ForeignKey(StaffUser, on_delete=OnDelete.set_null, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    changed_at = Timestamptz(default=TimestamptzNow(), index=True)


class StatusChange(Table, tablename="action_status_change"):
    """One dated, signed move of an action; never edited.

    ``cause``: staff (a person moved it), ratings (residents' ratings reopened
    it) or objection (an upheld objection reopened it). ``author_label`` keeps
    the author's name as it was.
    """

    action = ForeignKey(Action, on_delete=OnDelete.cascade, null=False)
    from_status = Varchar(length=16, default="")
    to_status = Varchar(length=16)
    cause = Varchar(length=16, default="staff")
    note = Text(default="")
    author = ForeignKey(StaffUser, on_delete=OnDelete.set_null, null=True, default=None)
    author_label = Varchar(length=100, default="")
    at = Timestamptz(default=TimestamptzNow())


class ActionUpdate(Table, tablename="action_update"):
    """A dated progress report by the responsible party or the secretary."""

    action = ForeignKey(Action, on_delete=OnDelete.cascade, null=False)
    text = Text()
    author = ForeignKey(StaffUser, on_delete=OnDelete.set_null, null=True, default=None)
    author_label = Varchar(length=100, default="")
    at = Timestamptz(default=TimestamptzNow())


class Evidence(Table, tablename="action_evidence"):
    """A photo (re-encoded, metadata stripped) or a PDF attached to an update.

    ``path`` is relative to the uploads folder.
    """

    update = ForeignKey(ActionUpdate, on_delete=OnDelete.cascade, null=False)
    kind = Varchar(length=8)
    path = Varchar(length=200)
    width = Integer(default=0)
    height = Integer(default=0)
    size = Integer(default=0)
    name = Varchar(length=120, default="")
