"""Use cases of staff accounts and household links."""

from __future__ import annotations

import hashlib
import secrets
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from yishi import clock, db
from yishi.accounts import attempts, passwords
from yishi.accounts.permissions import Principal, Role
from yishi.accounts.session_store import DatabaseStore
from yishi.accounts.tables import HouseholdLink, PartyMember, RoleGrant, StaffUser
from yishi.db import write_transaction
from yishi.errors import DomainError, FormErrors, NotFound
from yishi.i18n import gettext as _
from yishi.roster.tables import Building, Compound, Household, Party


@dataclass(frozen=True)
class Scope:
    """Where a role applies: exactly one of these is set, matching the role."""

    community_id: int | None = None
    compound_id: int | None = None
    building_id: int | None = None
    company_id: int | None = None


ROLE_SCOPE = {
    Role.COMMUNITY_ADMIN: "community_id",
    Role.SECRETARY: "compound_id",
    Role.COMMITTEE_MEMBER: "compound_id",
    Role.PROPERTY_MANAGER: "company_id",
    Role.GRID_WORKER: "building_id",
}


def password_problem(password: str) -> str | None:
    """What is wrong with a new password, in words, or None (one rule for every form)."""
    if len(password) < passwords.MIN_LENGTH:
        return _("The password needs at least %(n)d characters.", n=passwords.MIN_LENGTH)
    return None


async def create_user(
    username: str, display_name: str, password: str, *, language: str = "zh_CN", phone: str = ""
) -> int:
    username = username.strip()
    errors = {}
    if not username or len(username) > 64:
        errors["username"] = _("Enter a user name of at most 64 characters.")
    elif await StaffUser.exists().where(StaffUser.username == username):
        errors["username"] = _("The user name %(name)s is taken.", name=username)
    if not display_name.strip():
        errors["display_name"] = _("Enter the person's name.")
    if problem := password_problem(password):
        errors["password"] = problem
    if errors:
        raise FormErrors(errors)
    rows = await StaffUser.insert(
        StaffUser(
            username=username,
            display_name=display_name.strip(),
            password_hash=passwords.hash_password(password),
            language=language,
            phone=phone,
        )
    ).returning(StaffUser.id)
    return rows[0]["id"]


async def grant_role(user_id: int, role: Role, scope: Scope) -> None:
    wanted = ROLE_SCOPE[role]
    set_fields = {name for name, value in vars(scope).items() if value is not None}
    if set_fields != {wanted}:
        raise DomainError(_("This role must be granted over exactly one matching place."))
    exists = await RoleGrant.exists().where(
        (RoleGrant.user == user_id)
        & (RoleGrant.role == role.value)
        & (getattr(RoleGrant, wanted.removesuffix("_id")) == getattr(scope, wanted))
    )
    if not exists:
        await RoleGrant.insert(
            RoleGrant(
                user=user_id,
                role=role.value,
                community=scope.community_id,
                compound=scope.compound_id,
                building=scope.building_id,
                company=scope.company_id,
            )
        )


async def load_principal(user_id: int) -> Principal | None:
    user = (
        await StaffUser.select()
        .where((StaffUser.id == user_id) & (StaffUser.active == True))  # noqa: E712
        .first()
    )
    if user is None:
        return None
    grants = await RoleGrant.select().where(RoleGrant.user == user_id)
    roles: dict[int, set[Role]] = defaultdict(set)
    buildings: dict[int, set[int]] = defaultdict(set)
    communities: set[int] = set()
    for grant in grants:
        role = Role(grant["role"])
        if role is Role.COMMUNITY_ADMIN:
            communities.add(grant["community"])
            compound_ids = await Compound.select(Compound.id).where(Compound.community == grant["community"])
        elif role is Role.PROPERTY_MANAGER:
            compound_ids = await Compound.select(Compound.id).where(Compound.property_company == grant["company"])
        elif role is Role.GRID_WORKER:
            compound_ids = await Building.select(Building.compound.as_alias("id")).where(
                Building.id == grant["building"]
            )
            for row in compound_ids:
                buildings[row["id"]].add(grant["building"])
        else:
            compound_ids = [{"id": grant["compound"]}]
        for row in compound_ids:
            roles[row["id"]].add(role)
    return Principal(
        user_id=user["id"],
        username=user["username"],
        display_name=user["display_name"],
        language=user["language"],
        roles_by_compound={k: frozenset(v) for k, v in roles.items()},
        buildings_by_compound={k: frozenset(v) for k, v in buildings.items()},
        community_ids=frozenset(communities),
    )


async def authenticate(username: str, password: str, address: str) -> int:
    """Return the user id, or raise with a message for the login form. The
    attempt is counted before the password is checked (see ``attempts``)."""
    username = username.strip()
    reservation = await attempts.reserve(username, address)
    await attempts.wait(reservation)
    user = (
        await StaffUser.select(StaffUser.id, StaffUser.password_hash, StaffUser.active)
        .where(StaffUser.username == username)
        .first()
    )
    if user is None or not user["active"] or not passwords.verify_password(user["password_hash"], password):
        raise DomainError(_("The user name or password is wrong."), field="password")
    await attempts.succeeded(reservation)
    if passwords.needs_rehash(user["password_hash"]):
        await StaffUser.update({StaffUser.password_hash: passwords.hash_password(password)}).where(
            StaffUser.id == user["id"]
        )
    return user["id"]


async def change_password(user_id: int, current: str, new: str, repeat: str) -> None:
    user = await StaffUser.select(StaffUser.password_hash).where(StaffUser.id == user_id).first()
    if user is None:
        raise NotFound(_("This account no longer exists."))
    errors = {}
    if not passwords.verify_password(user["password_hash"], current):
        errors["current"] = _("The current password is wrong.")
    if problem := password_problem(new):
        errors["new"] = problem
    elif new != repeat:
        errors["repeat"] = _("The two new passwords differ.")
    if errors:
        raise FormErrors(errors)
    await StaffUser.update({StaffUser.password_hash: passwords.hash_password(new)}).where(StaffUser.id == user_id)


async def set_language(user_id: int, language: str) -> None:
    await StaffUser.update({StaffUser.language: language}).where(StaffUser.id == user_id)


# Household links -------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_household_link(household_id: int, issued_by: int | None) -> str:
    """Revoke the household's current link and return a new token (shown once)."""
    token = secrets.token_urlsafe(16)  # 128 random bits
    now = clock.now()
    async with write_transaction():
        # Lock the household's row (PostgreSQL; SQLite's IMMEDIATE transaction
        # already serializes writers) so two re-issues cannot both stay valid.
        locked = Household.select(Household.id).where(Household.id == household_id)
        if not db.is_sqlite():
            locked = locked.lock_rows("UPDATE")
        if not await locked.first():
            raise NotFound(_("No such household."))
        await HouseholdLink.update({HouseholdLink.revoked_at: now}).where(
            (HouseholdLink.household == household_id) & HouseholdLink.revoked_at.is_null()
        )
        await HouseholdLink.insert(
            HouseholdLink(
                household=household_id,
                token_hash=_token_hash(token),
                hint=token[:4],
                issued_by=issued_by,
            )
        )
    return token


async def revoke_household_link(household_id: int) -> None:
    await HouseholdLink.update({HouseholdLink.revoked_at: clock.now()}).where(
        (HouseholdLink.household == household_id) & HouseholdLink.revoked_at.is_null()
    )


async def link_for_token(token: str) -> dict[str, int] | None:
    """The personal link a token opens (``id``, ``household``), or None when unknown or revoked."""
    if not token or len(token) > 64:
        return None
    return await (
        HouseholdLink.select(HouseholdLink.id, HouseholdLink.household)
        .where((HouseholdLink.token_hash == _token_hash(token)) & HouseholdLink.revoked_at.is_null())
        .first()
    )


async def household_for_token(token: str) -> int | None:
    """The household a personal link opens, or None when unknown or revoked."""
    link = await link_for_token(token)
    return link["household"] if link else None


async def link_is_current(link_id: int) -> bool:
    """Whether a personal link still works (a new one revokes it, and with it
    every session opened with it)."""
    return await HouseholdLink.exists().where((HouseholdLink.id == link_id) & HouseholdLink.revoked_at.is_null())


async def parties_with_members(compound_id: int) -> list[dict[str, Any]]:
    """The compound's three parties, each with its staff members and their titles."""
    parties = await Party.select().where(Party.compound == compound_id).order_by(Party.id)
    members = await PartyMember.select(
        PartyMember.party, PartyMember.title, PartyMember.user.display_name.as_alias("name")
    ).where(PartyMember.party.is_in([p["id"] for p in parties] or [-1]))
    for party in parties:
        party["members"] = [m for m in members if m["party"] == party["id"]]
    return parties


@dataclass(frozen=True)
class Purged:
    sessions: int
    attempts: int


async def purge_expired() -> Purged:
    """Delete the sessions past their expiry and the login attempts older than
    the limits' window: neither is read again."""
    return Purged(sessions=await DatabaseStore().delete_expired(), attempts=await attempts.purge_old())
