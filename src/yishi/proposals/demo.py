"""Demo proposals: one at each point step 1 can reach, in the words residents use.

Called by :func:`yishi.demo.load` inside its transaction, after the places,
households and staff exist. Dates are spread over the last weeks so the lists
and timelines read like a compound's real history. The seconds threshold and
the owners' obligation are computed with the same rules the application uses.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from yishi import clock
from yishi.accounts.tables import StaffUser
from yishi.proposals import flow
from yishi.proposals.support import Unit, owner_support, threshold_reached
from yishi.proposals.tables import Proposal, ProposalEvent, Second
from yishi.roster.tables import Compound, Household


@dataclass
class DemoProposal:
    title: str
    category: str
    problem: str
    suggestion: str
    days_ago: float
    source: str = flow.RESIDENT
    unit: tuple[str, str] | None = None  # (building, unit) of the proposer's household
    recorded_by: str | None = None  # username
    seconds: int = 0
    owners_matter: bool = False
    oblige: bool = False  # add seconds from buildings 3 and 4 until owners are obliged
    triage: str = ""  # accepted | declined | merged:<index>
    triage_days_ago: float = 0
    reason: str = ""
    seconders_from: tuple[str, ...] = ()
    seconds_until_days_ago: float = 0.5  # when the last second came in, if not triaged


YINHEWAN = [
    DemoProposal(
        title="地下车库出口照明不足，夜间进出容易剐蹭",
        category="safety",
        problem="地下车库B出口坡道只有两盏灯，其中一盏坏了两个多月。晚上出车时坡道和转角几乎看不清，"
        "上个月已经有两户的车在转角剐蹭，老人推车走坡道也很危险。",
        suggestion="坡道和转角加装感应照明灯，出口处加一面广角凸面镜；物业每月巡查一次灯具并在群里公示。",
        days_ago=41,
        unit=("1", "1-502"),
        seconds=11,
        triage="accepted",
        triage_days_ago=35,
    ),
    DemoProposal(
        title="在3号楼东侧空地建电动车充电棚",
        category="parking",
        problem="小区没有电动车充电棚，不少住户把电动车推进楼道、甚至从窗户拉线充电，"
        "晚上插线板拖到一楼大厅，存在很大的火灾隐患。",
        suggestion="在3号楼东侧闲置空地建一个带顶棚和智能充电桩的车棚（约40个车位），扫码按次付费、"
        "充满自动断电；建设费用由物业先垫付，从充电收益中逐年返还。",
        days_ago=20,
        unit=("3", "1-201"),
        seconds=4,
        seconders_from=("3", "4"),
        seconds_until_days_ago=11,
    ),
    DemoProposal(
        title="楼道里电动车飞线充电太危险",
        category="parking",
        problem="2号楼2单元楼道里常年停着三四辆电动车，有人从二楼窗户拉电线下来充电，孩子上下楼容易绊倒。",
        suggestion="清理楼道，集中建充电车棚。",
        days_ago=18,
        source=flow.GRID_WORKER,
        unit=("2", "2-101"),
        recorded_by="grid",
        seconds=2,
        seconders_from=("2",),
        triage="merged:1",
        triage_days_ago=10,
    ),
    DemoProposal(
        title="使用专项维修资金维修3号楼2单元电梯",
        category="lifts",
        problem="3号楼2单元电梯今年已经困人4次，维保单位检测后说曳引机和控制柜老化，需要大修，"
        "报价约18.6万元，超出物业日常维修范围。单元里有12户老人，电梯停运时上下楼非常困难。",
        suggestion="按规定申请使用本楼栋的专项维修资金，请业主委员会组织业主共同决定，"
        "同时请物业公开维保单位的检测报告和三家报价。",
        days_ago=25,
        unit=("3", "2-1202"),
        owners_matter=True,
        oblige=True,
        triage="accepted",
        triage_days_ago=13,
    ),
    DemoProposal(
        title="中心花园绿化带补种并增加休息座椅",
        category="greening",
        problem="中心花园东侧的绿化带去年冬天冻死一片，现在全是裸土，一刮风就起灰；"
        "花园里只有两张长椅，早上锻炼的老人没地方歇脚。",
        suggestion="补种耐寒的冬青和月季，在花园步道旁增加6张带靠背的座椅。",
        days_ago=6,
        unit=("4", "1-302"),
        seconds=3,
    ),
    DemoProposal(
        title="晚上广场舞音响太吵，影响老人和孩子休息",
        category="noise",
        problem="每天晚上7点半到9点半，中心广场的广场舞音响开得很大，1号楼和2号楼临街的住户关着窗也听得见，"
        "孩子写作业、老人睡觉都受影响。",
        suggestion="和舞蹈队商量把音响音量调低、9点前结束，或者改用无线耳机；广场舞挪到小区东门的空地。",
        days_ago=9,
        unit=("1", "2-1001"),
        seconds=4,
    ),
    DemoProposal(
        title="在党群服务站开办老年助餐食堂",
        category="elderly",
        problem="小区60岁以上老人有80多位，其中独居老人11位，不少老人中午凑合吃一口，子女上班也不放心。",
        suggestion="利用党群服务站一楼的空房开办助餐点，联系社区幸福食堂每天中午配送，"
        "70岁以上老人按优惠价就餐，行动不便的由志愿者送餐上门。",
        days_ago=14,
        source=flow.BRANCH,
        recorded_by="secretary",
        seconds=8,
        triage="accepted",
        triage_days_ago=7,
    ),
    DemoProposal(
        title="小区大门改为人脸识别门禁",
        category="safety",
        problem="门禁卡经常丢，外卖和快递员随便跟着进，小区里陌生人多。",
        suggestion="把东门和南门改成人脸识别门禁。",
        days_ago=30,
        unit=("2", "1-801"),
        seconds=1,
        triage="declined",
        triage_days_ago=26,
        reason="人脸识别需要采集全体居民的人脸信息，涉及个人信息保护，必须经业主共同决定并单独取得同意；"
        "去年的业主大会已表决保留门禁卡方式。已请物业先维修东门损坏的门禁、"
        "安排门岗对外来人员登记，下季度在三方联席会上通报效果。",
    ),
    DemoProposal(
        title="地下车库增设新能源汽车充电桩",
        category="parking",
        problem="小区新能源汽车已有30多辆，地下车库没有一个公共充电桩，车主只能去两公里外充电。",
        suggestion="物业与供电公司协商，在地下车库B区增设10个公共慢充桩，按电价加服务费收费，收支每季度公示。",
        days_ago=3,
        source=flow.PROPERTY,
        recorded_by="manager",
        seconds=2,
    ),
    DemoProposal(
        title="2号楼单元门口的垃圾投放点挪远一些",
        category="other",
        problem="2号楼1单元门口就是垃圾分类投放点，夏天异味很重，苍蝇多，厨余垃圾桶经常满溢，一楼住户不敢开窗。",
        suggestion="把投放点挪到2号楼和3号楼之间的空地，加装洗手池和遮雨棚，定时投放、每天清运两次。",
        days_ago=8,
        unit=("2", "1-102"),
        seconds=6,
        seconders_from=("1", "2"),
        seconds_until_days_ago=1,
    ),
]

RENBAO = [
    DemoProposal(
        title="拆除闲置煤房，增划停车位",
        category="parking",
        problem="小区建于1995年，没有规划停车位，晚上车停满主路，消防车都进不来，邻里常因停车吵架。",
        suggestion="拆除已经闲置多年的煤房，平整后增划停车位，实行错峰停车。",
        days_ago=60,
        unit=("2", "1-301"),
        seconds=9,
        triage="accepted",
        triage_days_ago=52,
    ),
    DemoProposal(
        title="养老服务站增加午间助餐",
        category="elderly",
        problem="养老服务站白天有下棋、量血压，但中午没有饭吃，老人还得回家做饭。",
        suggestion="和社区幸福食堂合作，在养老服务站设午间助餐点。",
        days_ago=5,
        unit=("1", "2-201"),
        seconds=3,
    ),
]


async def _households(compound_id: int) -> dict[tuple[str, str], dict[str, Any]]:
    rows = await Household.select(
        Household.id,
        Household.unit,
        Household.exclusive_area,
        Household.owner_key,
        Household.building.code.as_alias("building"),
    ).where(Household.building.compound == compound_id)
    return {(r["building"], r["unit"]): r for r in rows}


async def _load_compound(
    code: str, proposals: list[DemoProposal], users: dict[str, dict[str, Any]], rng: random.Random, now: datetime
) -> None:
    compound = await Compound.select(Compound.id, Compound.seconds_threshold).where(Compound.code == code).first()
    threshold = compound["seconds_threshold"]
    households = await _households(compound["id"])
    units = [Unit(h["id"], h["exclusive_area"], h["owner_key"]) for h in households.values()]
    residents = [h for h in households.values() if h["owner_key"] != "developer"]
    triager = users["secretary" if code == "yinhewan" else "secretary2"]["display_name"]
    created: list[dict[str, Any]] = []
    for number, spec in enumerate(proposals, start=1):
        at = now - timedelta(days=spec.days_ago, hours=rng.randint(0, 10))
        row = await _raise(compound["id"], number, spec, households, users, at)
        created.append(row)
        seconds, behind = _seconders(spec, residents, units, row, rng)
        end = now - timedelta(days=spec.triage_days_ago or spec.seconds_until_days_ago)
        span = (end - at) / (len(seconds) + 1)
        await _record_seconds(row, seconds, span, threshold)
        if spec.oblige:
            support = owner_support(units, behind)
            assert support.obliges_committee, "the demo's owners' matter must oblige the committee"
            obliged_at = at + span * len(seconds)
            await Proposal.update({Proposal.obliges_committee_at: obliged_at}).where(Proposal.id == row["id"])
            await _event(
                row["id"], flow.EVENT_OBLIGES, obliged_at, f"{support.area_percent()}% / {support.owners_percent()}%"
            )
        row["seconders"] = set(seconds)
        await _triage(row, spec, created, now - timedelta(days=spec.triage_days_ago), triager, threshold)


async def _raise(
    compound_id: int,
    number: int,
    spec: DemoProposal,
    households: dict[str, dict[str, Any]],
    users: dict[str, dict[str, Any]],
    at: datetime,
) -> dict[str, Any]:
    """The proposal as its household raised it (or staff recorded it), with its first events."""
    proposer = households[spec.unit] if spec.unit else None
    recorder = users[spec.recorded_by] if spec.recorded_by else None
    actor = recorder["display_name"] if recorder else ""
    row = (
        await Proposal.insert(
            Proposal(
                compound=compound_id,
                number=number,
                title=spec.title,
                problem=spec.problem,
                suggestion=spec.suggestion,
                category=spec.category,
                source=spec.source,
                household=proposer["id"] if proposer else None,
                recorded_by=recorder["id"] if recorder else None,
                owners_matter=spec.owners_matter,
                stage=flow.PROPOSE,
                created_at=at,
            )
        ).returning(Proposal.id)
    )[0]
    row.update(number=number, title=spec.title, at=at, household=proposer["id"] if proposer else None)
    await _event(row["id"], flow.EVENT_SUBMITTED, at, actor_label=actor)
    if spec.owners_matter:
        await _event(row["id"], flow.EVENT_OWNERS_MATTER, at, actor_label=actor)
    return row


def _seconders(
    spec: DemoProposal, residents: list[dict[str, Any]], units: list[Unit], row: dict[str, Any], rng: random.Random
) -> tuple[list[int], set[int]]:
    """The households that second it, and every household behind it (its proposer too)."""
    pool = [
        h
        for h in residents
        if h["id"] != row["household"] and (not spec.seconders_from or h["building"] in spec.seconders_from)
    ]
    if spec.oblige:
        pool = sorted((h for h in pool if h["building"] in ("3", "4")), key=lambda h: (h["building"], h["unit"]))
    else:
        rng.shuffle(pool)
    behind = {row["household"]} - {None}
    seconds: list[int] = []
    for household in pool:
        if spec.oblige:
            if owner_support(units, behind).obliges_committee:
                break
        elif len(seconds) >= spec.seconds:
            break
        seconds.append(household["id"])
        behind.add(household["id"])
    return seconds, behind


async def _record_seconds(row: dict[str, Any], seconds: list[int], span: timedelta, threshold: int) -> None:
    """The seconds, evenly spread after the proposal, and the moment it reached the threshold."""
    for index, household_id in enumerate(seconds, start=1):
        second_at = row["at"] + span * index
        await Second.insert(Second(proposal=row["id"], household=household_id, at=second_at))
        if index == threshold and threshold_reached(index, threshold):
            await Proposal.update({Proposal.threshold_reached_at: second_at}).where(Proposal.id == row["id"])
            await _event(row["id"], flow.EVENT_THRESHOLD, second_at, f"{index}/{threshold}")


async def _triage(
    row: dict[str, Any],
    spec: DemoProposal,
    created: list[dict[str, Any]],
    triage_at: datetime,
    triager: str,
    threshold: int,
) -> None:
    if spec.triage == "accepted":
        await Proposal.update({Proposal.status: flow.ACCEPTED, Proposal.stage: flow.DELIBERATE}).where(
            Proposal.id == row["id"]
        )
        await _event(row["id"], flow.EVENT_ACCEPTED, triage_at, actor_label=triager)
    elif spec.triage == "declined":
        await Proposal.update({Proposal.status: flow.DECLINED, Proposal.decline_reason: spec.reason}).where(
            Proposal.id == row["id"]
        )
        await _event(row["id"], flow.EVENT_DECLINED, triage_at, spec.reason, actor_label=triager)
    elif spec.triage.startswith("merged:"):
        target = created[int(spec.triage.split(":")[1])]
        await _merge(row, target, triage_at, triager, threshold)


async def _merge(source: dict[str, Any], target: dict[str, Any], at: datetime, actor: str, threshold: int) -> None:
    behind_target = target["seconders"] | {target["household"]}
    carried = sorted((source["seconders"] | {source["household"]}) - behind_target - {None})
    for household_id in carried:
        await Second.insert(Second(proposal=target["id"], household=household_id, carried_from=source["id"], at=at))
    target["seconders"] |= set(carried)
    await Proposal.update({Proposal.status: flow.MERGED, Proposal.merged_into: target["id"]}).where(
        Proposal.id == source["id"]
    )
    await _event(source["id"], flow.EVENT_MERGED_INTO, at, f"#{target['number']} {target['title']}", actor)
    await _event(target["id"], flow.EVENT_MERGED_IN, at, f"#{source['number']} {source['title']}", actor)
    total = len(target["seconders"])
    reached = await Proposal.select(Proposal.threshold_reached_at).where(Proposal.id == target["id"]).first()
    if reached["threshold_reached_at"] is None and threshold_reached(total, threshold):
        await Proposal.update({Proposal.threshold_reached_at: at}).where(Proposal.id == target["id"])
        await _event(target["id"], flow.EVENT_THRESHOLD, at + timedelta(seconds=1), f"{total}/{threshold}")


async def _event(proposal_id: int, kind: str, at: datetime, text: str = "", actor_label: str = "") -> None:
    await ProposalEvent.insert(
        ProposalEvent(proposal=proposal_id, kind=kind, text=text, actor_label=actor_label, at=at)
    )


async def load_demo(now: datetime | None = None) -> None:
    """Add the demo proposals of 银河湾小区 and 人保小区."""
    now = now or clock.now()
    users = {u["username"]: u for u in await StaffUser.select(StaffUser.id, StaffUser.username, StaffUser.display_name)}
    rng = random.Random(278)
    await _load_compound("yinhewan", YINHEWAN, users, rng, now)
    await _load_compound("renbao", RENBAO, users, rng, now)
