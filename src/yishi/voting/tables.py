"""Ballots (表决): the roll snapshotted at opening, the votes of every channel,
secret choices kept apart from who took part, shows of hands.

One counted vote per voter per ballot is enforced by a unique index on
``(ballot, voter_key, stream)`` over the votes that are not voided (see the
migration ``*_unique``). ``stream`` separates what is counted together:

``count``         the ballot's result: every channel when link votes bind, else
                  paper, in-room and proxy votes;
``consultation``  link votes where they do not bind owners' decisions (意向);
``city``          results imported from the city's e-voting system, counted with
                  ``count``; an owner in both is a conflict the scrutineers
                  resolve before closing.
"""

from piccolo.columns import JSONB, BigInt, Boolean, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from yishi.accounts.tables import StaffUser
from yishi.meetings.tables import AgendaItem, Meeting
from yishi.roster.tables import Building, Compound, Household, Party


class Ballot(Table, tablename="ballot"):
    """One vote on one agenda item, with its settings and, once closed, its
    frozen result.

    ``roll_source``: households (of ``building_ids``, empty: the whole
    compound), parties, or attendees (households signed in at the meeting).
    ``results_visibility``: live, after_voting or after_closing.
    ``links_binding``: False when link votes are consultation only (an owners'
    decision in a compound whose link votes do not bind). ``deemed_clause``:
    the compound's clause counting served non-voters, copied at opening (empty:
    off). ``status``: open or closed; whether an open ballot is scheduled,
    running or past its closing time follows from ``opens_at``/``closes_at``.
    ``extensions``: ``[{at, by, by_name, from, to, reason}]``.
    ``notice_bound``: the closing time was announced by the meeting's notice
    (an owners' decision), so the vote cannot close before it unless every
    voter on the roll has voted. ``early_close_reason``: why a vote that was
    not bound closed before its closing time (shown with the result). ``result``:
    ``{"actual", "deemed", "consultation", "counted_by", ...}`` (see
    ``service.close_ballot``); ``*_csv``: the frozen exports in the ``yishi
    tally`` format.
    """

    compound = ForeignKey(Compound, on_delete=OnDelete.cascade, null=False)
    meeting = ForeignKey(Meeting, on_delete=OnDelete.cascade, null=False)
    agenda_item = ForeignKey(AgendaItem, on_delete=OnDelete.cascade, null=False)
    title = Varchar(length=120)
    question = Text(default="")
    rule = Varchar(length=32)
    options = JSONB(default=[])
    roll_source = Varchar(length=16)
    building_ids = JSONB(default=[])
    secret = Boolean(default=False)
    results_visibility = Varchar(length=16, default="after_closing")
    changeable = Boolean(default=False)
    links_binding = Boolean(default=True)
    deemed_clause = Text(default="")
    opens_at = Timestamptz(null=True, default=None)
    closes_at = Timestamptz(null=True, default=None)
    status = Varchar(length=16, default="open", index=True)
    extensions = JSONB(default=[])
    opened_at = Timestamptz(default=TimestamptzNow())
    opened_by = ForeignKey(StaffUser, on_delete=OnDelete.set_null, null=True, default=None)
    notice_bound = Boolean(default=False)
    closed_at = Timestamptz(null=True, default=None)
    closed_by = ForeignKey(StaffUser, on_delete=OnDelete.set_null, null=True, default=None)
    early_close_reason = Text(default="")
    passed = Boolean(null=True, default=None)
    result = JSONB(null=True, default=None)
    roll_csv = Text(default="")
    votes_csv = Text(default="")
    deemed_votes_csv = Text(default="")
    seal_salt = Varchar(length=32, default="")  # a secret ballot's keys: see ``voting.sealing``


class BallotRollEntry(Table, tablename="ballot_roll_entry"):
    """表决名册: one household or party as it was when the ballot opened.

    ``member_key`` names the household (``h:<id>``) or party (``p:<id>``);
    ``voter_key`` is who casts the one vote: the owner (``o:<owner_key>``) for
    civil code rules, otherwise the member itself. ``served_at`` marks that the
    ballot was served on it (for the deemed-votes clause).
    """

    ballot = ForeignKey(Ballot, on_delete=OnDelete.cascade, null=False)
    member_key = Varchar(length=32)
    voter_key = Varchar(length=80, index=True)
    household = ForeignKey(Household, on_delete=OnDelete.set_null, null=True, default=None)
    party = ForeignKey(Party, on_delete=OnDelete.set_null, null=True, default=None)
    party_kind = Varchar(length=16, default="")
    building = ForeignKey(Building, on_delete=OnDelete.set_null, null=True, default=None)
    label = Varchar(length=100)
    area = Integer(default=0)
    owner_key = Varchar(length=64, null=True, default=None)
    position = Integer(default=0)
    served_at = Timestamptz(null=True, default=None)
    served_by = ForeignKey(StaffUser, on_delete=OnDelete.set_null, null=True, default=None)


class BallotVote(Table, tablename="ballot_vote"):
    """One vote as recorded, by channel: link, paper, room, proxy or city.

    In an open ballot it carries the ``choice`` and the ``receipt_code``. In a
    secret ballot it records only that the voter took part: the choice is a
    :class:`SecretChoice` under the public half of the voter's receipt code,
    and ``receipt_check`` is a salted, slow hash of the whole code (see
    ``voting.receipts``): it proves a receipt belongs to this vote when the
    voter hands it over, but without the private half, which is stored
    nowhere, it cannot be matched to any choice. A voided vote stays, with who
    voided it and why, and frees the voter.
    """

    ballot = ForeignKey(Ballot, on_delete=OnDelete.cascade, null=False)
    roll_entry = ForeignKey(BallotRollEntry, on_delete=OnDelete.cascade, null=False)
    voter_key = Varchar(length=80)
    stream = Varchar(length=16, default="count")
    channel = Varchar(length=16)
    choice = Varchar(length=120, default="")
    receipt_code = Varchar(length=16, default="")
    receipt_check = Varchar(length=160, default="")
    paper_serial = Varchar(length=32, default="")
    proxy_holder = Varchar(length=100, default="")
    proxy_authorization = Text(default="")
    recorded_by = ForeignKey(StaffUser, on_delete=OnDelete.set_null, null=True, default=None)
    recorded_at = Timestamptz(default=TimestamptzNow())
    changed_at = Timestamptz(null=True, default=None)
    voided_at = Timestamptz(null=True, default=None)
    voided_by = ForeignKey(StaffUser, on_delete=OnDelete.set_null, null=True, default=None)
    void_reason = Text(default="")


class SecretChoice(Table, tablename="ballot_secret_choice"):
    """What was chosen in a secret ballot.

    While the ballot is open, only ``sealed`` holds it: a box with the public
    half of the receipt code, the choice and the voter's weight that only the
    ballot's key opens (see ``voting.sealing``), and ``tag``, a keyed hash of
    the receipt that finds the box when a vote is voided; ``receipt_code`` and
    ``choice`` are empty. Closing opens the boxes and writes the ballot's rows
    again in receipt-code order, in the clear, without weights or boxes (the
    weights go to :class:`SecretTally`, summed per choice). Rows cast before
    choices were sealed hold their ``receipt_code`` and ``choice`` in the
    clear, their weights summed in :class:`SecretTally` already.

    No voter, no time, and a random ``id`` (on SQLite the id is the row's
    storage key), so neither the rows nor their order point back to a voter.
    """

    id = BigInt(primary_key=True)
    ballot = ForeignKey(Ballot, on_delete=OnDelete.cascade, null=False)
    stream = Varchar(length=16, default="count")
    receipt_code = Varchar(length=16)
    choice = Varchar(length=120)
    sealed = Text(default="")
    tag = Varchar(length=64, default="")


class SecretTally(Table, tablename="ballot_secret_tally"):
    """A closed secret ballot's sum per stream and choice: owners and their
    exclusive area (hundredths of m²), written by closing from the opened
    boxes. An open ballot has none, except the running sums of choices cast
    before choices were sealed (added to at closing).
    """

    ballot = ForeignKey(Ballot, on_delete=OnDelete.cascade, null=False)
    stream = Varchar(length=16, default="count")
    choice = Varchar(length=120)
    owners = Integer(default=0)
    area = BigInt(default=0)


class HandCount(Table, tablename="ballot_hand_count"):
    """A show of hands (举手表决) entered as numbers: it replaces per-voter
    counting for its ballot (majority or two-thirds rules only)."""

    ballot = ForeignKey(Ballot, on_delete=OnDelete.cascade, null=False, unique=True)
    yes = Integer(default=0)
    no = Integer(default=0)
    abstain = Integer(default=0)
    recorded_by = ForeignKey(StaffUser, on_delete=OnDelete.set_null, null=True, default=None)
    recorded_at = Timestamptz(default=TimestamptzNow())
