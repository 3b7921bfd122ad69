"""What every use case of an action shares: live updates, who is responsible, who may post."""

from __future__ import annotations

from typing import Any

from yishi import labels
from yishi.accounts.permissions import Capability, Principal, Role
from yishi.accounts.tables import PartyMember, RoleGrant, StaffUser
from yishi.errors import Forbidden, NotFound
from yishi.i18n import N_
from yishi.i18n import gettext as _
from yishi.live import channels
from yishi.roster.tables import PARTY_LABELS, Community, Compound, Party, PartyKind

COMMUNITY = "community"


PARTY_KINDS = (PartyKind.PROPERTY, PartyKind.BRANCH, PartyKind.COMMITTEE, COMMUNITY)


RESPONSIBLE_LABELS = labels.register("responsible", {**PARTY_LABELS, COMMUNITY: N_("Community")})


# Roles whose holders count as staff of a party, besides its listed members.
PARTY_ROLES = {
    PartyKind.PROPERTY: Role.PROPERTY_MANAGER,
    PartyKind.BRANCH: Role.SECRETARY,
    PartyKind.COMMITTEE: Role.COMMITTEE_MEMBER,
    COMMUNITY: Role.COMMUNITY_ADMIN,
}


MAX_TITLE = 120


MAX_TEXT = 4000


MAX_FILES = 6


MEETING_CLOSED = "closed"


DECISION = "decision"


def topics_for(compound_id: int, community_id: int) -> list[str]:
    """What screens watch: one compound, one community, or every place."""
    return [
        channels.topic_name("actions", compound_id),
        channels.topic_name("actions_community", community_id),
        channels.topic_name("actions", "all"),
    ]


def home_topic(compounds: list[dict[str, Any]]) -> str:
    """One topic that covers every compound on a person's home page."""
    communities = {c["community"] for c in compounds}
    if len(compounds) == 1:
        return channels.topic_name("actions", compounds[0]["id"])
    if len(communities) == 1:
        return channels.topic_name("actions_community", communities.pop())
    return channels.topic_name("actions", "all")


async def notify_changed(compound_id: int) -> None:
    """Tell open screens an action of the compound changed (after the commit)."""
    row = await Compound.select(Compound.community).where(Compound.id == compound_id).first()
    if row is not None:
        for topic in topics_for(compound_id, row["community"]):
            channels.notify(topic)


async def responsible_candidates(compound_id: int, party_kind: str) -> list[dict[str, Any]]:
    """Active staff who can answer for an action of ``party_kind`` in the compound:
    members of that party of the compound, and holders of the party's role there
    (the property manager of the company serving it, the secretary, committee
    members, the community admin)."""
    if party_kind not in PARTY_KINDS:
        return []
    compound = (
        await Compound.select(Compound.id, Compound.community, Compound.property_company)
        .where(Compound.id == compound_id)
        .first()
    )
    if compound is None:
        return []
    user_ids: dict[int, str] = {}
    if party_kind != COMMUNITY:
        members = await PartyMember.select(PartyMember.user, PartyMember.title).where(
            (PartyMember.party.compound == compound_id)
            & (PartyMember.party.kind == party_kind)
            & (PartyMember.party.active == True)  # noqa: E712
        )
        user_ids.update({m["user"]: m["title"] for m in members})
    role = PARTY_ROLES[party_kind]
    grants = RoleGrant.select(RoleGrant.user).where(RoleGrant.role == role.value)
    if role is Role.PROPERTY_MANAGER:
        grants = grants.where(RoleGrant.company == (compound["property_company"] or -1))
    elif role is Role.COMMUNITY_ADMIN:
        grants = grants.where(RoleGrant.community == compound["community"])
    else:
        grants = grants.where(RoleGrant.compound == compound_id)
    for grant in await grants:
        user_ids.setdefault(grant["user"], "")
    if not user_ids:
        return []
    users = (
        await StaffUser.select(StaffUser.id, StaffUser.display_name)
        .where(
            StaffUser.id.is_in(list(user_ids)) & (StaffUser.active == True)  # noqa: E712
        )
        .order_by(StaffUser.display_name)
    )
    return [{**u, "title": user_ids[u["id"]]} for u in users]


async def party_name(compound_id: int, party_kind: str) -> str:
    if party_kind == COMMUNITY:
        row = (
            await Community.select(Community.name)
            .where(Community.id.is_in(Compound.select(Compound.community).where(Compound.id == compound_id)))
            .first()
        )
        return row["name"] if row else ""
    row = await Party.select(Party.name).where((Party.compound == compound_id) & (Party.kind == party_kind)).first()
    return row["name"] if row else ""


async def may_update(principal: Principal, action: dict[str, Any]) -> bool:
    compound_id = action["compound"]
    if not principal.sees_compound(compound_id):
        return False
    if principal.user_id == action["responsible"]:
        return True
    if principal.can(Capability.ACTION_DRAFT, compound_id):
        return True
    if not principal.can(Capability.ACTION_UPDATE, compound_id):
        return False
    candidates = await responsible_candidates(compound_id, action["party_kind"])
    return any(c["id"] == principal.user_id for c in candidates)


async def check_may_update(principal: Principal, action: dict[str, Any]) -> None:
    if not principal.sees_compound(action["compound"]):
        raise NotFound()
    if not await may_update(principal, action):
        raise Forbidden(_("Only the responsible party and the secretary post updates on this action."))
