"""Staff, their role grants, party membership, sessions, login attempts, household links."""

from piccolo.columns import Boolean, Bytea, ForeignKey, Integer, OnDelete, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from yishi.roster.tables import Building, Community, Compound, Household, Party, PropertyCompany


class StaffUser(Table, tablename="staff_user"):
    username = Varchar(length=64, unique=True)
    display_name = Varchar(length=64)
    phone = Varchar(length=32, default="")
    password_hash = Varchar(length=255)
    language = Varchar(length=8, default="zh_CN")
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class RoleGrant(Table, tablename="role_grant"):
    """One role of one person over one place.

    Exactly one scope column is set, matching the role: community admin →
    community, secretary and owners' committee member → compound, property
    manager → property company, grid worker → building.
    """

    user = ForeignKey(StaffUser, on_delete=OnDelete.cascade, null=False)
    role = Varchar(length=32)
    community = ForeignKey(Community, on_delete=OnDelete.cascade, null=True, default=None)
    compound = ForeignKey(Compound, on_delete=OnDelete.cascade, null=True, default=None)
    building = ForeignKey(Building, on_delete=OnDelete.cascade, null=True, default=None)
    company = ForeignKey(PropertyCompany, on_delete=OnDelete.cascade, null=True, default=None)


class PartyMember(Table, tablename="party_member"):
    party = ForeignKey(Party, on_delete=OnDelete.cascade, null=False)
    user = ForeignKey(StaffUser, on_delete=OnDelete.cascade, null=False)
    title = Varchar(length=64, default="")


class SessionRecord(Table, tablename="session_record"):
    """Server-side sessions, in the database so every worker process shares them."""

    key = Varchar(length=128, unique=True)
    data = Bytea()
    expires_at = Timestamptz(null=True, default=None)


class LoginAttempt(Table, tablename="login_attempt"):
    """A login or unit + phone attempt, counted per account (or unit) and per
    address to limit guessing (see ``accounts.attempts``); ``not_before``: when
    it may be checked, after the waits of the attempts before it."""

    username = Varchar(length=64, index=True)
    address = Varchar(length=64, index=True)
    at = Timestamptz(default=TimestamptzNow(), index=True)
    not_before = Timestamptz(null=True, default=None)


class HouseholdLink(Table, tablename="household_link"):
    """A household's personal link: a 128-bit random token, stored only as its hash."""

    household = ForeignKey(Household, on_delete=OnDelete.cascade, null=False)
    token_hash = Varchar(length=64, unique=True)
    hint = Varchar(length=8)
    issued_at = Timestamptz(default=TimestamptzNow())
    issued_by = ForeignKey(StaffUser, on_delete=OnDelete.set_null, null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    uses = Integer(default=0)
