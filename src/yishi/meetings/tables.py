"""Meetings and their agenda, sign-in, party positions and notes."""

from piccolo.columns import JSONB, Boolean, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from yishi.accounts.tables import StaffUser
from yishi.proposals.tables import Proposal
from yishi.roster.tables import Compound, Household, Party


class Meeting(Table, tablename="meeting"):
    """A meeting of one kind: bench_meeting 板凳会, tripartite 三方联席会,
    council 居民议事会, owners_decision 业主共同决定.

    ``building_ids`` lists the buildings it concerns (empty: the whole
    compound). ``status``: draft → published → closed. After publication an
    owners' decision may withdraw items but not add them; after closing only
    addenda are added. ``votes_open_at``/``votes_close_at``: the voting period
    the notice announced (required for an owners' decision, optional for the
    other kinds); the votes on the notice's items take votes only within it.
    ``early_close_reason``: why it was closed before its start (the minutes say it).
    """

    compound = ForeignKey(Compound, on_delete=OnDelete.cascade, null=False)
    kind = Varchar(length=32)
    title = Varchar(length=120)
    starts_at = Timestamptz()
    duration_minutes = Integer(default=60)
    place = Varchar(length=120)
    building_ids = JSONB(default=[])
    convener = ForeignKey(StaffUser, on_delete=OnDelete.set_null, null=True, default=None)
    host = ForeignKey(StaffUser, on_delete=OnDelete.set_null, null=True, default=None)
    recorder = ForeignKey(StaffUser, on_delete=OnDelete.set_null, null=True, default=None)
    scrutineer_ids = JSONB(default=[])
    status = Varchar(length=16, default="draft", index=True)
    published_at = Timestamptz(null=True, default=None)
    urgent_reason = Text(default="")
    voting_method = Text(default="")
    committee_informed_at = Timestamptz(null=True, default=None)
    votes_open_at = Timestamptz(null=True, default=None)
    votes_close_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    closed_by = ForeignKey(StaffUser, on_delete=OnDelete.set_null, null=True, default=None)
    early_close_reason = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())


class Invitation(Table, tablename="meeting_invitation"):
    """An invited party (for tripartite meetings) or person (staff or a guest by name)."""

    meeting = ForeignKey(Meeting, on_delete=OnDelete.cascade, null=False)
    party = ForeignKey(Party, on_delete=OnDelete.cascade, null=True, default=None)
    user = ForeignKey(StaffUser, on_delete=OnDelete.cascade, null=True, default=None)
    guest_name = Varchar(length=100, default="")
    guest_role = Varchar(length=100, default="")


class AgendaItem(Table, tablename="agenda_item"):
    """One ordered item. A decision item decides one topic (``proposal``) and
    names the ``rule`` that will decide it (a ``yishi.rules.Rule`` value)
    and its ``options``: an empty list is a yes/no question, otherwise the
    labels of the 方案 to choose from. ``owners_matter`` is the Civil Code
    art. 278 item number (1–9) for owners' decisions, else null. A report item
    decides nothing and has no rule."""

    meeting = ForeignKey(Meeting, on_delete=OnDelete.cascade, null=False)
    position = Integer()
    kind = Varchar(length=16, default="decision")
    title = Varchar(length=120)
    full_text = Text(default="")
    proposal = ForeignKey(Proposal, on_delete=OnDelete.set_null, null=True, default=None)
    minutes = Integer(default=15)
    question = Text(default="")
    options = JSONB(default=[])
    rule = Varchar(length=32, default="")
    owners_matter = Integer(null=True, default=None)
    notes = Text(default="")
    on_published_notice = Boolean(default=False)
    withdrawn_at = Timestamptz(null=True, default=None)
    withdrawn_reason = Text(default="")


class Position(Table, tablename="party_position"):
    """表态: a party's stated position on an item (agree / disagree / conditions)."""

    agenda_item = ForeignKey(AgendaItem, on_delete=OnDelete.cascade, null=False)
    party = ForeignKey(Party, on_delete=OnDelete.cascade, null=False)
    stance = Varchar(length=16)
    text = Text(default="")
    recorded_by = ForeignKey(StaffUser, on_delete=OnDelete.set_null, null=True, default=None)
    recorded_at = Timestamptz(default=TimestamptzNow())


class Attendance(Table, tablename="meeting_attendance"):
    """签到: a household (QR at the door or marked by staff), a staff member
    for a party, or a guest by name."""

    meeting = ForeignKey(Meeting, on_delete=OnDelete.cascade, null=False)
    household = ForeignKey(Household, on_delete=OnDelete.cascade, null=True, default=None)
    party = ForeignKey(Party, on_delete=OnDelete.set_null, null=True, default=None)
    user = ForeignKey(StaffUser, on_delete=OnDelete.set_null, null=True, default=None)
    name = Varchar(length=100, default="")
    method = Varchar(length=16)
    marked_by = ForeignKey(StaffUser, on_delete=OnDelete.set_null, null=True, default=None)
    at = Timestamptz(default=TimestamptzNow())


class Comment(Table, tablename="agenda_comment"):
    """A household's comment on an agenda item before the meeting."""

    agenda_item = ForeignKey(AgendaItem, on_delete=OnDelete.cascade, null=False)
    household = ForeignKey(Household, on_delete=OnDelete.cascade, null=False)
    text = Text()
    hidden_reason = Text(default="")
    hidden_by = ForeignKey(StaffUser, on_delete=OnDelete.set_null, null=True, default=None)
    at = Timestamptz(default=TimestamptzNow())


class Addendum(Table, tablename="meeting_addendum"):
    """What is added to a closed meeting's record, with its author and time."""

    meeting = ForeignKey(Meeting, on_delete=OnDelete.cascade, null=False)
    agenda_item = ForeignKey(AgendaItem, on_delete=OnDelete.cascade, null=True, default=None)
    text = Text()
    author = ForeignKey(StaffUser, on_delete=OnDelete.set_null, null=True, default=None)
    at = Timestamptz(default=TimestamptzNow())
