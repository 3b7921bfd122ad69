"""The demo community, modelled on the practice articles: ``yishi demo``.

六泉路社区 (杜桥街道) with two compounds: 银河湾小区, a newer commercial compound
of four buildings and 240 households (one buyer holds three units, the
developer still holds unsold units), and 人保小区, built in 1995, which had no
property company until one was brought in recently. Loading is idempotent:
when the community exists nothing is added.
"""

from __future__ import annotations

import itertools
import random
from pathlib import Path

from yishi import clock
from yishi.accounts import service as accounts
from yishi.accounts.permissions import Role
from yishi.accounts.tables import PartyMember
from yishi.actions import demo as actions_demo
from yishi.db import write_transaction
from yishi.meetings import demo as meetings_demo
from yishi.proposals import demo as proposals_demo
from yishi.roster.service import building_name
from yishi.roster.tables import Building, Community, Compound, Household, Party, PartyKind, PropertyCompany
from yishi.supervision import demo as supervision_demo
from yishi.voting import demo as voting_demo

DEMO_PASSWORD = "yishi-demo-2026"
COMMUNITY_CODE = "liuquanlu"
NEW_COMPOUND = "yinhewan"
OLD_COMPOUND = "renbao"

# username, name, role, scope (kind, key)
STAFF = [
    ("admin", "周敏", Role.COMMUNITY_ADMIN, ("community", COMMUNITY_CODE)),
    ("secretary", "李红霞", Role.SECRETARY, ("compound", NEW_COMPOUND)),
    ("secretary2", "郭云侠", Role.SECRETARY, ("compound", OLD_COMPOUND)),
    ("manager", "王志强", Role.PROPERTY_MANAGER, ("company", "华欣物业服务有限公司")),
    ("manager2", "陈立新", Role.PROPERTY_MANAGER, ("company", "安居物业管理有限公司")),
    ("committee", "张建国", Role.COMMITTEE_MEMBER, ("compound", NEW_COMPOUND)),
    ("grid", "穆艳", Role.GRID_WORKER, ("building", (NEW_COMPOUND, "1"))),
]
LOGIN_NOTES = {
    "admin": "community administrator, 六泉路社区 (both compounds)",
    "secretary": "secretary, 银河湾小区",
    "secretary2": "secretary, 人保小区",
    "manager": "property manager, 华欣物业 (serves 银河湾小区)",
    "manager2": "property manager, 安居物业 (serves 人保小区)",
    "committee": "owners' committee member, 银河湾小区",
    "grid": "grid worker, buildings 1 and 2 of 银河湾小区",
}

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "建国 秀英 桂兰 志强 玉兰 海燕 俊杰 淑珍 明 静 伟 芳 娜 敏 磊 洋 艳 勇 军 杰 娟 涛 超 霞 平 刚 桂英 丽 强 红梅 文华 卫东 建华 小红 丽华 德明 晓东 婷婷 子涵 浩然".split()


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _phone(rng: random.Random) -> str:
    return "1" + rng.choice("3578") + "".join(rng.choice("0123456789") for _ in range(9))


def yinhewan_households(rng: random.Random) -> list[tuple[str, str, int, str, str, int, str | None]]:
    """240 households: 4 buildings × 2 entrances × 15 floors × 2 flats."""
    areas = {1: 8956, 2: 11230, 3: 12875, 4: 14320}
    rows = []
    for building, entrance, floor, flat in itertools.product(range(1, 5), (1, 2), range(1, 16), (1, 2)):
        layout = ((building + flat) % 4) + 1
        unit = f"{entrance}-{floor}{flat:02d}"
        area = areas[layout] + rng.randint(-40, 40)
        owner = _name(rng)
        rows.append((str(building), unit, area, owner, _phone(rng), rng.randint(1, 5), None))
    # One buyer holds three units in building 2; the developer still holds eight unsold units.
    for index, unit in enumerate(("1-1501", "1-1502", "2-1501")):
        _own(rows, "2", unit, "张建国", "13991310001", 4 if index == 0 else 0, "owner-zhangjianguo")
    unsold = [("4", f"2-{floor}{flat:02d}") for floor in (14, 15) for flat in (1, 2)] + [
        ("3", f"1-{floor}01") for floor in (12, 13, 14, 15)
    ]
    for b, u in unsold:
        _own(rows, b, u, "渭南银河置业有限公司", "0913-2100000", 0, "developer")
    return rows


def _own(
    rows: list[tuple[str, str, int, str, str, int, str | None]],
    building: str,
    unit: str,
    owner: str,
    phone: str,
    residents: int,
    owner_key: str,
) -> None:
    """Give one unit of the generated roster to a known owner (its area kept)."""
    index = next(i for i, r in enumerate(rows) if r[0] == building and r[1] == unit)
    rows[index] = (building, unit, rows[index][2], owner, phone, residents, owner_key)


def renbao_households(rng: random.Random) -> list[tuple[str, str, int, str, str, int, str | None]]:
    """1995 walk-ups: 3 buildings × 3 entrances × 6 floors × 2 flats, small flats."""
    rows = []
    for building in range(1, 4):
        for entrance in (1, 2, 3):
            for floor in range(1, 7):
                for flat in (1, 2):
                    area = rng.choice((5820, 6345, 7010, 7688)) + rng.randint(-30, 30)
                    rows.append(
                        (
                            str(building),
                            f"{entrance}-{floor}{flat:02d}",
                            area,
                            _name(rng),
                            _phone(rng),
                            rng.randint(1, 4),
                            None,
                        )
                    )
    return rows


async def _insert_compound(
    community_id: int,
    code: str,
    name: str,
    address: str,
    built_year: int,
    company_id: int | None,
    households: list[tuple],
) -> int:
    rows = await Compound.insert(
        Compound(
            community=community_id,
            code=code,
            name=name,
            address=address,
            built_year=built_year,
            property_company=company_id,
        )
    ).returning(Compound.id)
    compound_id = rows[0]["id"]
    buildings: dict[str, int] = {}
    now = clock.now()
    for b_code in sorted({h[0] for h in households}, key=int):
        created = await Building.insert(
            Building(compound=compound_id, code=b_code, name=building_name(b_code))
        ).returning(Building.id)
        buildings[b_code] = created[0]["id"]
    await Household.insert(
        *[
            Household(
                building=buildings[b],
                unit=u,
                exclusive_area=a,
                owner_names=o,
                phone=p,
                residents=r,
                owner_key=k,
                updated_at=now,
            )
            for b, u, a, o, p, r, k in households
        ]
    )
    return compound_id


async def load(var_dir: Path | None = None) -> bool:
    """Load the demo; return False when it was already there. Its photos and
    evidence files go to ``var_dir`` (the configured one by default)."""
    async with write_transaction():
        if await Community.exists().where(Community.code == COMMUNITY_CODE):
            return False
        rng = random.Random(20261123)
        community = await Community.insert(
            Community(code=COMMUNITY_CODE, name="六泉路社区", street="杜桥街道")
        ).returning(Community.id)
        community_id = community[0]["id"]
        companies = {}
        for company in ("华欣物业服务有限公司", "安居物业管理有限公司"):
            created = await PropertyCompany.insert(PropertyCompany(name=company)).returning(PropertyCompany.id)
            companies[company] = created[0]["id"]
        compounds = {
            NEW_COMPOUND: await _insert_compound(
                community_id,
                NEW_COMPOUND,
                "银河湾小区",
                "渭南市临渭区六泉路18号",
                2016,
                companies["华欣物业服务有限公司"],
                yinhewan_households(rng),
            ),
            OLD_COMPOUND: await _insert_compound(
                community_id,
                OLD_COMPOUND,
                "人保小区",
                "渭南市临渭区六泉路5号",
                1995,
                companies["安居物业管理有限公司"],
                renbao_households(rng),
            ),
        }
        parties: dict[tuple[str, str], int] = {}
        for code, compound_id in compounds.items():
            compound_name = "银河湾小区" if code == NEW_COMPOUND else "人保小区"
            company = "华欣物业服务有限公司" if code == NEW_COMPOUND else "安居物业管理有限公司"
            names = {
                PartyKind.BRANCH: f"{compound_name}党支部",
                PartyKind.PROPERTY: company,
                PartyKind.COMMITTEE: f"{compound_name}业主委员会",
            }
            for kind in PartyKind.ALL:
                created = await Party.insert(
                    Party(
                        compound=compound_id,
                        kind=kind,
                        name=names[kind],
                        active=not (code == OLD_COMPOUND and kind == PartyKind.COMMITTEE),
                        note=""
                        if code == NEW_COMPOUND or kind != PartyKind.COMMITTEE
                        else "业主委员会筹备中，由居民代表临时参加三方会议。",
                    )
                ).returning(Party.id)
                parties[(code, kind)] = created[0]["id"]
        users: dict[str, int] = {}
        for username, name, role, (kind, key) in STAFF:
            user_id = await accounts.create_user(username, name, DEMO_PASSWORD)
            users[username] = user_id
            if kind == "community":
                scope = accounts.Scope(community_id=community_id)
            elif kind == "compound":
                scope = accounts.Scope(compound_id=compounds[key])
            elif kind == "company":
                scope = accounts.Scope(company_id=companies[key])
            else:
                compound_code, building_code = key
                building = (
                    await Building.select(Building.id)
                    .where((Building.compound == compounds[compound_code]) & (Building.code == building_code))
                    .first()
                )
                scope = accounts.Scope(building_id=building["id"])
            await accounts.grant_role(user_id, role, scope)
        grid_building_2 = (
            await Building.select(Building.id)
            .where((Building.compound == compounds[NEW_COMPOUND]) & (Building.code == "2"))
            .first()
        )
        await accounts.grant_role(users["grid"], Role.GRID_WORKER, accounts.Scope(building_id=grid_building_2["id"]))
        memberships = [
            ((NEW_COMPOUND, PartyKind.BRANCH), "secretary", "党支部书记"),
            ((OLD_COMPOUND, PartyKind.BRANCH), "secretary2", "党支部书记"),
            ((NEW_COMPOUND, PartyKind.PROPERTY), "manager", "项目经理"),
            ((OLD_COMPOUND, PartyKind.PROPERTY), "manager2", "项目经理"),
            ((NEW_COMPOUND, PartyKind.COMMITTEE), "committee", "业委会主任"),
            ((NEW_COMPOUND, PartyKind.BRANCH), "grid", "网格长"),
        ]
        for party_key, username, title in memberships:
            await PartyMember.insert(PartyMember(party=parties[party_key], user=users[username], title=title))
        await proposals_demo.load_demo()
        await meetings_demo.load_demo()
        await voting_demo.load_demo()
        await actions_demo.load_demo(var_dir)
        await supervision_demo.load_demo(var_dir)
    return True


def logins_text() -> str:
    lines = [f"Demo logins (password for all: {DEMO_PASSWORD}):"]
    for username, name, _role, _scope in STAFF:
        lines.append(f"  {username:<11} {name}  {LOGIN_NOTES[username]}")
    return "\n".join(lines)
