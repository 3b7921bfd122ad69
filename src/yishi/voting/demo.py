"""Demo ballots: closed votes with published results, and one open vote.

The meetings demo holds coming meetings whose items wait for their votes (the
secretary opens them, as the end-to-end test does). The results need meetings
that are over, so this demo adds its own past meetings, modelled on the
practice articles: building 3's bench meeting choosing the site of the e-bike
charging shed (in-room votes, and a show of hands on its night lighting), a
tripartite session on the fire lanes, building 2's owners deciding to replace
the lifts with the maintenance fund, and 人保小区's residents' council choosing
a parking plan in a secret vote; and the whole compound's owners' meeting on
re-hiring the property company, whose vote is open now. The actions demo
carries out these resolutions, finding them by their titles.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from yishi import clock
from yishi.accounts.tables import StaffUser
from yishi.codes import natural_key
from yishi.meetings.tables import AgendaItem, Attendance, Invitation, Meeting
from yishi.roster.tables import Building, Compound, Household, Party
from yishi.voting import service
from yishi.voting.service import AlreadyVoted, BallotSettings


async def _ids(compound_code: str) -> tuple[int, dict[str, int]]:
    compound = await Compound.select(Compound.id).where(Compound.code == compound_code).first()
    buildings = await Building.select(Building.id, Building.code).where(Building.compound == compound["id"])
    return compound["id"], {b["code"]: b["id"] for b in buildings}


async def _user(username: str) -> int:
    row = await StaffUser.select(StaffUser.id).where(StaffUser.username == username).first()
    return row["id"]


async def _households(building_id: int) -> list[dict]:
    """The households of a building in unit order, each with its full label ("3-1-101")."""
    rows = await Household.select(
        Household.id,
        Household.unit,
        Household.building.code.as_alias("building_code"),
    ).where(Household.building == building_id)
    for row in rows:
        row["label"] = f"{row['building_code']}-{row['unit']}"
    return sorted(rows, key=lambda h: natural_key(h["unit"]))


async def _meeting(
    compound_id: int,
    kind: str,
    title: str,
    starts_at: datetime,
    place: str,
    *,
    building_ids: list[int] | None = None,
    convener: int | None = None,
    voting_method: str = "",
) -> int:
    """A published meeting (its votes are opened and, for past meetings, closed before it closes)."""
    rows = await Meeting.insert(
        Meeting(
            compound=compound_id,
            kind=kind,
            title=title,
            starts_at=starts_at,
            place=place,
            building_ids=building_ids or [],
            convener=convener,
            host=convener,
            status="published",
            published_at=starts_at - timedelta(days=16),
            voting_method=voting_method,
        )
    ).returning(Meeting.id)
    return rows[0]["id"]


async def _close_meeting(meeting_id: int, at: datetime, by: int) -> None:
    await Meeting.update({Meeting.status: "closed", Meeting.closed_at: at, Meeting.closed_by: by}).where(
        Meeting.id == meeting_id
    )


async def _item(
    meeting_id: int,
    position: int,
    title: str,
    question: str,
    rule: str,
    *,
    full_text: str = "",
    options: list[str] | None = None,
    owners_matter: int | None = None,
) -> int:
    rows = await AgendaItem.insert(
        AgendaItem(
            meeting=meeting_id,
            position=position,
            kind="decision",
            title=title,
            full_text=full_text or question,
            question=question,
            options=options or [],
            rule=rule,
            owners_matter=owners_matter,
            on_published_notice=True,
            minutes=20,
        )
    ).returning(AgendaItem.id)
    return rows[0]["id"]


async def load_demo() -> None:
    """Add the demo ballots (called by ``yishi.demo.load`` inside its transaction)."""
    rng = random.Random(20261124)
    now = clock.now().replace(second=0, microsecond=0)
    yinhewan, buildings = await _ids("yinhewan")
    renbao, renbao_buildings = await _ids("renbao")
    secretary, secretary2 = await _user("secretary"), await _user("secretary2")
    grid = await _user("grid")

    # 3号楼板凳会 (closed): the charging shed, voted in the room; lights off at night, by hands.
    held = now - timedelta(days=12)
    bench = await _meeting(
        yinhewan,
        "bench_meeting",
        "3号楼板凳会：电动车充电棚选址",
        held,
        "3号楼下党群服务站",
        building_ids=[buildings["3"]],
        convener=secretary,
    )
    attendees = (await _households(buildings["3"]))[:14]
    await Attendance.insert(
        *[Attendance(meeting=bench, household=h["id"], method="staff", marked_by=grid, at=held) for h in attendees]
    )
    shed = await _item(
        bench,
        1,
        "在3号楼东侧空地建设电动车充电棚",
        "是否同意在3号楼东侧空地建设电动车集中充电棚（10个充电位），解决楼道充电隐患？",
        "majority_of_cast",
    )
    ballot = await service.open_ballot(
        yinhewan, shed, BallotSettings(roll_source="attendees", results_visibility="live"), actor=secretary, at=held
    )
    for household, choice in zip(attendees, ["yes"] * 11 + ["no"] * 2 + ["abstain"], strict=True):
        await service.record_room_vote(ballot, household["label"], choice, actor=grid, at=held + timedelta(minutes=40))
    await service.close_ballot(ballot, actor=secretary, at=held + timedelta(minutes=45))
    lights = await _item(
        bench,
        2,
        "充电棚夜间22:00后关闭照明",
        "是否同意充电棚照明在夜间22:00后关闭、只保留监控补光？",
        "majority_of_cast",
    )
    ballot = await service.open_ballot(
        yinhewan, lights, BallotSettings(roll_source="attendees"), actor=secretary, at=held + timedelta(minutes=50)
    )
    await service.record_hand_count(ballot, "9", "4", "1", actor=grid, at=held + timedelta(minutes=55))
    await service.close_ballot(ballot, actor=secretary, at=held + timedelta(minutes=56))
    await _close_meeting(bench, held + timedelta(hours=1), secretary)

    # 三方联席会 (closed): clearing the fire lanes, each party agrees.
    session = now - timedelta(days=9)
    tripartite = await _meeting(
        yinhewan,
        "tripartite",
        "三方联席会：消防通道清理与停车管理",
        session,
        "小区党群服务站会议室",
        convener=secretary,
    )
    parties = await Party.select().where(Party.compound == yinhewan).order_by(Party.id)
    await Invitation.insert(*[Invitation(meeting=tripartite, party=p["id"]) for p in parties])
    lanes = await _item(
        tripartite,
        1,
        "消防通道清理及划线方案",
        "是否同意由物业在两周内清理消防通道杂物并重新划线，业委会监督、党支部组织志愿者劝导？",
        "parties_unanimous",
    )
    ballot = await service.open_ballot(
        yinhewan, lanes, BallotSettings(results_visibility="live"), actor=secretary, at=session
    )
    for party in parties:
        await service.record_room_vote(
            ballot, party["name"], "yes", actor=secretary, at=session + timedelta(minutes=30)
        )
    await service.close_ballot(ballot, actor=secretary, at=session + timedelta(minutes=35))
    await _close_meeting(tripartite, session + timedelta(hours=1), secretary)

    # 2号楼业主共同决定 (closed): replacing the lifts with the maintenance fund (art. 278 (5)).
    opened = now - timedelta(days=20)
    lift_meeting = await _meeting(
        yinhewan,
        "owners_decision",
        "2号楼业主共同决定：使用专项维修资金更换电梯",
        opened + timedelta(days=1),
        "2号楼一单元大厅",
        building_ids=[buildings["2"]],
        convener=secretary,
        voting_method="专属链接线上表决或书面表决票，表决期15天。",
    )
    lift = await _item(
        lift_meeting,
        1,
        "使用专项维修资金更换2号楼两部电梯",
        "是否同意使用2号楼专项维修资金约68万元，更换2号楼一、二单元两部运行已超15年的电梯？",
        "civil_code_ordinary",
        owners_matter=5,
        full_text="2号楼两部电梯2011年投入使用，近一年困人故障6次。经三家单位比价，拟选用报价最低的方案，"
        "费用约68万元，从2号楼专项维修资金列支，按专有部分面积分摊。",
    )
    ballot = await service.open_ballot(
        yinhewan, lift, BallotSettings(closes_at=opened + timedelta(days=15)), actor=secretary, at=opened
    )
    await _cast_many(
        ballot,
        await _households(buildings["2"]),
        rng,
        opened,
        opened + timedelta(days=14),
        grid,
        weights={"yes": 40, "no": 5, "abstain": 3},
        turnout=0.85,
    )
    await service.close_ballot(ballot, actor=secretary, at=opened + timedelta(days=15, hours=1))
    await _close_meeting(lift_meeting, opened + timedelta(days=15, hours=2), secretary)

    # 2026年第二次业主大会 (published): re-hiring the property company, open now.
    assembly_opened = now - timedelta(days=3)
    assembly = await _meeting(
        yinhewan,
        "owners_decision",
        "2026年第二次业主大会",
        now + timedelta(days=12),
        "小区中心广场",
        convener=secretary,
        voting_method="专属链接线上表决、书面表决票或现场表决，表决截止至会议当日18:00。",
    )
    rehire = await _item(
        assembly,
        1,
        "续聘华欣物业服务有限公司",
        "是否同意续聘华欣物业服务有限公司为本小区物业服务企业，合同期三年？",
        "civil_code_ordinary",
        owners_matter=4,
        full_text="华欣物业服务合同将于2026年12月31日到期。业委会对其近三年服务进行了满意度调查（满意率82%），"
        "拟按原物业费标准续签三年。",
    )
    ballot = await service.open_ballot(
        yinhewan,
        rehire,
        BallotSettings(
            results_visibility="after_voting", changeable=True, closes_at=now + timedelta(days=12, hours=10)
        ),
        actor=secretary,
        at=assembly_opened,
    )
    everyone = [h for code in ("1", "2", "3", "4") for h in await _households(buildings[code])]
    await _cast_many(
        ballot,
        rng.sample(everyone, 70),
        rng,
        assembly_opened,
        now - timedelta(hours=1),
        grid,
        weights={"yes": 8, "no": 2, "abstain": 1},
        turnout=1.0,
        links_only=True,
    )

    # 人保小区居民议事会 (closed): the parking plan, chosen in a secret vote.
    council_at = now - timedelta(days=6)
    council = await _meeting(
        renbao, "council", "人保小区居民议事会：停车难问题", council_at, "人保小区养老服务站", convener=secretary2
    )
    parking = await _item(
        council,
        1,
        "停车管理方案",
        "以下两个停车管理方案，您支持哪一个？",
        "majority_of_cast",
        options=["方案一：错峰停车＋拆除闲置煤房新增车位", "方案二：维持现状，仅重新划线"],
    )
    ballot = await service.open_ballot(renbao, parking, BallotSettings(secret=True), actor=secretary2, at=council_at)
    renbao_households = [h for code in sorted(renbao_buildings) for h in await _households(renbao_buildings[code])]
    await _cast_many(
        ballot,
        rng.sample(renbao_households, 36),
        rng,
        council_at,
        council_at + timedelta(days=2),
        secretary2,
        weights={"方案一：错峰停车＋拆除闲置煤房新增车位": 26, "方案二：维持现状，仅重新划线": 7, "abstain": 3},
        turnout=1.0,
    )
    await service.close_ballot(ballot, actor=secretary2, at=council_at + timedelta(days=2, hours=1))
    await _close_meeting(council, council_at + timedelta(days=2, hours=2), secretary2)


async def _cast_many(
    ballot_id: int,
    households: list[dict],
    rng: random.Random,
    start: datetime,
    end: datetime,
    scrutineer: int,
    *,
    weights: dict[str, int],
    turnout: float,
    links_only: bool = False,
) -> None:
    """Votes of many households between ``start`` and ``end``: mostly by link,
    some on paper and by proxy."""
    choices = list(weights)
    step = (end - start) / max(len(households), 1)
    serial = 0
    for n, household in enumerate(households):
        if rng.random() > turnout:
            continue
        choice = rng.choices(choices, weights=[weights[c] for c in choices])[0]
        at = start + step * n + timedelta(minutes=rng.randint(0, 30))
        channel = "link" if links_only else rng.choices(["link", "paper", "proxy"], weights=[7, 2, 1])[0]
        try:
            if channel == "link":
                await service.cast_link_vote(ballot_id, household["id"], choice, at=at)
            elif channel == "paper":
                serial += 1
                await service.record_paper_vote(
                    ballot_id, household["label"], choice, f"{ballot_id:02d}-{serial:03d}", actor=scrutineer, at=at
                )
            else:
                await service.record_proxy_vote(
                    ballot_id,
                    household["label"],
                    choice,
                    rng.choice(["刘桂兰", "陈建华", "赵德明"]),
                    "书面委托书（业主签字、附身份证复印件），仅限本次表决",
                    actor=scrutineer,
                    at=at,
                )
        except AlreadyVoted:
            continue  # another unit of the same owner already voted
