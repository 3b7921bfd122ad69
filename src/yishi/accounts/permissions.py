"""Roles, what each may do, and over which places. Pure: no I/O.

A :class:`Principal` is a signed-in staff member with their grants already
resolved to compound ids (a property manager's company → the compounds it
serves; a community admin's community → its compounds; a grid worker's
buildings → their compounds, limited to those buildings).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from yishi import labels
from yishi.i18n import N_


class Role(StrEnum):
    COMMUNITY_ADMIN = "community_admin"
    SECRETARY = "secretary"
    PROPERTY_MANAGER = "property_manager"
    COMMITTEE_MEMBER = "committee_member"
    GRID_WORKER = "grid_worker"


ROLE_LABELS: dict[Role, str] = labels.register(
    "role",
    {
        Role.COMMUNITY_ADMIN: N_("Community administrator"),
        Role.SECRETARY: N_("Secretary"),
        Role.PROPERTY_MANAGER: N_("Property manager"),
        Role.COMMITTEE_MEMBER: N_("Owners' committee member"),
        Role.GRID_WORKER: N_("Grid worker"),
    },
)


class Capability(StrEnum):
    ROSTER_VIEW = "roster.view"
    ROSTER_EDIT = "roster.edit"
    HOUSEHOLD_LINKS = "household.links"
    PROPOSAL_RECORD = "proposal.record"
    PROPOSAL_TRIAGE = "proposal.triage"
    MEETING_MANAGE = "meeting.manage"
    MEETING_RECORD = "meeting.record"
    MEETING_VIEW = "meeting.view"
    POSITION_STATE = "position.state"
    BALLOT_MANAGE = "ballot.manage"
    BALLOT_SCRUTINY = "ballot.scrutiny"
    ACTION_DRAFT = "action.draft"
    ACTION_UPDATE = "action.update"
    ESCALATION_HANDLE = "escalation.handle"
    FIGURES_VIEW = "figures.view"
    DOCUMENT_ISSUE = "document.issue"


C = Capability
ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.COMMUNITY_ADMIN: frozenset(Capability),
    Role.SECRETARY: frozenset(Capability) - {C.ESCALATION_HANDLE},
    Role.PROPERTY_MANAGER: frozenset(
        {C.ROSTER_VIEW, C.PROPOSAL_RECORD, C.MEETING_VIEW, C.POSITION_STATE, C.ACTION_UPDATE, C.FIGURES_VIEW}
    ),
    Role.COMMITTEE_MEMBER: frozenset(
        {
            C.ROSTER_VIEW,
            C.PROPOSAL_RECORD,
            C.MEETING_VIEW,
            C.POSITION_STATE,
            C.BALLOT_SCRUTINY,
            C.ACTION_UPDATE,
            C.FIGURES_VIEW,
        }
    ),
    Role.GRID_WORKER: frozenset(
        {C.ROSTER_VIEW, C.HOUSEHOLD_LINKS, C.PROPOSAL_RECORD, C.MEETING_VIEW, C.MEETING_RECORD, C.BALLOT_SCRUTINY}
    ),
}


@dataclass(frozen=True)
class Principal:
    user_id: int
    username: str
    display_name: str
    language: str
    roles_by_compound: dict[int, frozenset[Role]] = field(default_factory=dict)
    buildings_by_compound: dict[int, frozenset[int]] = field(default_factory=dict)
    community_ids: frozenset[int] = frozenset()

    @property
    def compound_ids(self) -> list[int]:
        return sorted(self.roles_by_compound)

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(r for roles in self.roles_by_compound.values() for r in roles)

    def sees_compound(self, compound_id: int) -> bool:
        return compound_id in self.roles_by_compound

    def can(self, capability: Capability, compound_id: int) -> bool:
        return any(capability in ROLE_CAPABILITIES[role] for role in self.roles_by_compound.get(compound_id, ()))

    def building_limit(self, compound_id: int) -> frozenset[int] | None:
        """The buildings this person is limited to in a compound, or None for all.

        Only a person whose sole role there is grid worker is limited.
        """
        roles = self.roles_by_compound.get(compound_id, frozenset())
        if roles and roles <= {Role.GRID_WORKER}:
            return self.buildings_by_compound.get(compound_id, frozenset())
        return None

    def can_in_building(self, capability: Capability, compound_id: int, building_id: int) -> bool:
        if not self.can(capability, compound_id):
            return False
        limit = self.building_limit(compound_id)
        return limit is None or building_id in limit
