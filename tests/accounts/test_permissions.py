"""Who may do what, where: the roles' capabilities and their scope, as pure rules
(the routes that apply them are in ``tests/web/test_permission_matrix.py``)."""

from __future__ import annotations

import pytest

from yishi.accounts.permissions import ROLE_CAPABILITIES, Capability, Principal, Role

ALPHA, BETA = 1, 2
BUILDING_1, BUILDING_2 = 11, 12


def person(roles: dict[int, set[Role]], buildings: dict[int, set[int]] | None = None) -> Principal:
    return Principal(
        user_id=7,
        username="someone",
        display_name="某人",
        language="zh_CN",
        roles_by_compound={c: frozenset(r) for c, r in roles.items()},
        buildings_by_compound={c: frozenset(b) for c, b in (buildings or {}).items()},
    )


# What each role may do in its compound (True) and may not (False).
MATRIX = {
    Role.COMMUNITY_ADMIN: set(Capability),
    Role.SECRETARY: set(Capability) - {Capability.ESCALATION_HANDLE},
    Role.PROPERTY_MANAGER: {
        Capability.ROSTER_VIEW,
        Capability.PROPOSAL_RECORD,
        Capability.MEETING_VIEW,
        Capability.POSITION_STATE,
        Capability.ACTION_UPDATE,
        Capability.FIGURES_VIEW,
    },
    Role.COMMITTEE_MEMBER: {
        Capability.ROSTER_VIEW,
        Capability.PROPOSAL_RECORD,
        Capability.MEETING_VIEW,
        Capability.POSITION_STATE,
        Capability.BALLOT_SCRUTINY,
        Capability.ACTION_UPDATE,
        Capability.FIGURES_VIEW,
    },
    Role.GRID_WORKER: {
        Capability.ROSTER_VIEW,
        Capability.HOUSEHOLD_LINKS,
        Capability.PROPOSAL_RECORD,
        Capability.MEETING_VIEW,
        Capability.MEETING_RECORD,
        Capability.BALLOT_SCRUTINY,
    },
}


def test_every_role_has_its_row_in_the_matrix():
    assert set(MATRIX) == set(Role) == set(ROLE_CAPABILITIES)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("capability", list(Capability))
def test_a_role_may_exactly_what_the_matrix_says_in_its_compound(role, capability):
    someone = person({ALPHA: {role}})
    assert someone.can(capability, ALPHA) is (capability in MATRIX[role])


@pytest.mark.parametrize("role", list(Role))
def test_a_role_in_one_compound_gives_nothing_in_another(role):
    someone = person({ALPHA: {role}})
    assert someone.sees_compound(ALPHA) and not someone.sees_compound(BETA)
    assert not any(someone.can(capability, BETA) for capability in Capability)


def test_only_the_managing_roles_convene_meetings_and_open_ballots():
    may = {role for role in Role if person({ALPHA: {role}}).can(Capability.MEETING_MANAGE, ALPHA)}
    assert may == {Role.COMMUNITY_ADMIN, Role.SECRETARY}
    may = {role for role in Role if person({ALPHA: {role}}).can(Capability.BALLOT_MANAGE, ALPHA)}
    assert may == {Role.COMMUNITY_ADMIN, Role.SECRETARY}


def test_only_the_community_admin_handles_escalations():
    may = {role for role in Role if person({ALPHA: {role}}).can(Capability.ESCALATION_HANDLE, ALPHA)}
    assert may == {Role.COMMUNITY_ADMIN}


def test_a_grid_worker_is_limited_to_their_buildings():
    grid = person({ALPHA: {Role.GRID_WORKER}}, {ALPHA: {BUILDING_1}})
    assert grid.building_limit(ALPHA) == {BUILDING_1}
    assert grid.can_in_building(Capability.BALLOT_SCRUTINY, ALPHA, BUILDING_1)
    assert not grid.can_in_building(Capability.BALLOT_SCRUTINY, ALPHA, BUILDING_2)
    assert not grid.can_in_building(Capability.BALLOT_MANAGE, ALPHA, BUILDING_1)


def test_a_grid_worker_without_buildings_is_limited_to_none():
    grid = person({ALPHA: {Role.GRID_WORKER}})
    assert grid.building_limit(ALPHA) == frozenset()
    assert not grid.can_in_building(Capability.MEETING_RECORD, ALPHA, BUILDING_1)


def test_another_role_in_the_same_compound_lifts_the_building_limit():
    both = person({ALPHA: {Role.GRID_WORKER, Role.COMMITTEE_MEMBER}}, {ALPHA: {BUILDING_1}})
    assert both.building_limit(ALPHA) is None
    assert both.can_in_building(Capability.BALLOT_SCRUTINY, ALPHA, BUILDING_2)


def test_roles_add_up_within_a_compound_and_stay_apart_between_compounds():
    someone = person({ALPHA: {Role.PROPERTY_MANAGER, Role.GRID_WORKER}, BETA: {Role.COMMITTEE_MEMBER}})
    assert someone.can(Capability.ACTION_UPDATE, ALPHA) and someone.can(Capability.HOUSEHOLD_LINKS, ALPHA)
    assert not someone.can(Capability.HOUSEHOLD_LINKS, BETA)
    assert someone.roles == {Role.PROPERTY_MANAGER, Role.GRID_WORKER, Role.COMMITTEE_MEMBER}
    assert someone.compound_ids == [ALPHA, BETA]


def test_nobody_without_a_role_may_anything():
    nobody = person({})
    assert not nobody.sees_compound(ALPHA)
    assert not any(nobody.can(capability, ALPHA) for capability in Capability)
    assert nobody.compound_ids == []
