"""Test helpers: a small world of places and staff, logging in, posting forms."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any
from urllib.parse import parse_qsl

from httpx import ASGITransport, AsyncClient, Response

from tests.conftest import BASE_URL
from yishi.accounts import service as accounts
from yishi.accounts.passwords import hash_password
from yishi.accounts.permissions import Role
from yishi.accounts.tables import StaffUser
from yishi.roster.tables import Building, Community, Compound, Household, Party, PartyKind, PropertyCompany

PASSWORD = "correct horse battery"


@cache
def password_hash() -> str:
    return hash_password(PASSWORD)


@dataclass
class World:
    community: int = 0
    compounds: dict[str, int] = field(default_factory=dict)
    buildings: dict[tuple[str, str], int] = field(default_factory=dict)
    households: dict[str, int] = field(default_factory=dict)  # "alpha:1-1-101" → id
    users: dict[str, int] = field(default_factory=dict)


async def add_user(world: World, username: str, role: Role, scope: accounts.Scope) -> int:
    rows = await StaffUser.insert(
        StaffUser(username=username, display_name=username.title(), password_hash=password_hash())
    ).returning(StaffUser.id)
    await accounts.grant_role(rows[0]["id"], role, scope)
    world.users[username] = rows[0]["id"]
    return rows[0]["id"]


async def build_world() -> World:
    """Community c1 with compounds alpha (company P1) and beta (company P2).

    Each compound has buildings 1 and 2 with three households each; staff:
    admin, sec_alpha, sec_beta, pm_alpha, pm_beta, committee_alpha,
    grid_alpha1 (building 1 of alpha only).
    """
    world = World()
    rows = await Community.insert(Community(code="c1", name="六泉路社区", street="杜桥街道")).returning(Community.id)
    world.community = rows[0]["id"]
    companies = {}
    for name in ("P1", "P2"):
        rows = await PropertyCompany.insert(PropertyCompany(name=name)).returning(PropertyCompany.id)
        companies[name] = rows[0]["id"]
    now = datetime.now(UTC)
    for code, title, company in (("alpha", "银河湾小区", "P1"), ("beta", "人保小区", "P2")):
        rows = await Compound.insert(
            Compound(community=world.community, code=code, name=title, property_company=companies[company])
        ).returning(Compound.id)
        compound_id = world.compounds[code] = rows[0]["id"]
        for kind in PartyKind.ALL:
            await Party.insert(Party(compound=compound_id, kind=kind, name=f"{title}{kind}"))
        for b in ("1", "2"):
            rows = await Building.insert(Building(compound=compound_id, code=b, name=f"{b}号楼")).returning(Building.id)
            world.buildings[(code, b)] = rows[0]["id"]
            for i, unit in enumerate(("1-101", "1-102", "1-201")):
                rows = await Household.insert(
                    Household(
                        building=world.buildings[(code, b)],
                        unit=unit,
                        exclusive_area=9000 + i * 1000,
                        owner_names=f"业主{b}{i}",
                        phone=f"1390000{b}{i}00",
                        residents=2,
                        updated_at=now,
                    )
                ).returning(Household.id)
                world.households[f"{code}:{b}-{unit}"] = rows[0]["id"]
    await add_user(world, "admin", Role.COMMUNITY_ADMIN, accounts.Scope(community_id=world.community))
    await add_user(world, "sec_alpha", Role.SECRETARY, accounts.Scope(compound_id=world.compounds["alpha"]))
    await add_user(world, "sec_beta", Role.SECRETARY, accounts.Scope(compound_id=world.compounds["beta"]))
    await add_user(world, "pm_alpha", Role.PROPERTY_MANAGER, accounts.Scope(company_id=companies["P1"]))
    await add_user(world, "pm_beta", Role.PROPERTY_MANAGER, accounts.Scope(company_id=companies["P2"]))
    await add_user(
        world, "committee_alpha", Role.COMMITTEE_MEMBER, accounts.Scope(compound_id=world.compounds["alpha"])
    )
    await add_user(world, "grid_alpha1", Role.GRID_WORKER, accounts.Scope(building_id=world.buildings[("alpha", "1")]))
    return world


def browser(app: Any, session_id: str | None = None) -> AsyncClient:
    """Another browser on the app (its own cookies), optionally holding ``session_id``."""
    client = AsyncClient(transport=ASGITransport(app=app), base_url=BASE_URL)
    if session_id:
        client.cookies.set("yishi_session", session_id)
    return client


async def csrf(client: AsyncClient) -> str:
    if "yishi_csrf" not in client.cookies:
        await client.get("/login")
    return client.cookies["yishi_csrf"]


async def post(
    client: AsyncClient,
    url: str,
    data: dict[str, Any] | None = None,
    files: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Response:
    headers = {"x-csrftoken": await csrf(client), **kwargs.pop("headers", {})}
    return await client.post(url, data=data or {}, files=files, headers=headers, **kwargs)


async def issue(client: AsyncClient, url: str) -> Response:
    """Issue a document as its button does (a POST, with the form's fields
    taken from the query part of ``url``) and open the PDF it leads to."""
    path, _, query = url.partition("?")
    return await post(client, path, dict(parse_qsl(query)), follow_redirects=True)


async def login(client: AsyncClient, username: str, password: str = PASSWORD) -> Response:
    response = await post(client, "/login", {"username": username, "password": password}, follow_redirects=False)
    assert response.status_code in (302, 303), response.text
    return response


def text_of(html: str) -> str:
    """The visible text of a page, whitespace folded, for assertions."""
    without_tags = re.sub(r"<script.*?</script>|<style.*?</style>|<[^>]+>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", without_tags).strip()
