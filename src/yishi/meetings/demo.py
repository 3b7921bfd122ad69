"""Demo meetings: one coming meeting of each kind at 银河湾小区, with its agenda.

Called by :func:`yishi.demo.load` inside its transaction, after the proposals
demo. Everything goes through the same use cases the pages use (convene, put
on the agenda, draft the vote, publish, comment), so the audit history and the
proposals' timelines read as if the secretary had done it:

- 3号楼 bench meeting (板凳会) on the e-bike charging shed, published, with
  residents' comments;
- tripartite joint meeting (三方联席会) on the garage exit lighting and the
  property fee accounts, still a draft (the end-to-end test publishes it);
- residents' council (居民议事会) on the square-dance noise, published;
- building 3's owners' decision (业主共同决定): the lift repair paid from the
  maintenance fund (art. 278 item 5, ordinary) and raising the fund (item 6,
  special), published 20 days ahead, the residents' committee told.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from yishi import clock
from yishi.accounts.permissions import Principal
from yishi.accounts.service import load_principal
from yishi.accounts.tables import StaffUser
from yishi.meetings import service
from yishi.proposals import service as proposals
from yishi.proposals.tables import Proposal
from yishi.roster.tables import Building, Compound, Household
from yishi.settings import Settings

COMPOUND = "yinhewan"


def _at(now: datetime, days: int, hour: int, minute: int = 0) -> str:
    day = now.astimezone(clock.LOCAL_TZ).date() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute)).strftime("%Y-%m-%dT%H:%M")


async def _user(username: str) -> int:
    row = await StaffUser.select(StaffUser.id).where(StaffUser.username == username).first()
    return row["id"]


async def _topic(
    compound: dict[str, Any], secretary: Principal, title: str, raise_as: Principal | None = None, **text: str
) -> int:
    """The accepted proposal titled ``title``: the proposals demo's, accepted now if
    it is still waiting; or, when missing, raised by ``raise_as`` and accepted."""
    row = (
        await Proposal.select(Proposal.id, Proposal.number, Proposal.status)
        .where((Proposal.compound == compound["id"]) & (Proposal.title == title))
        .first()
    )
    if row is None:
        assert raise_as is not None, f"the proposals demo has no proposal {title!r}"
        number = await proposals.record_for(compound, raise_as, {"title": title, **text}, [], compound["var_dir"])
        row = (
            await Proposal.select(Proposal.id, Proposal.number, Proposal.status)
            .where((Proposal.compound == compound["id"]) & (Proposal.number == number))
            .first()
        )
    if row["status"] != "accepted":
        await proposals.accept(compound, row["number"], secretary)
    return row["id"]


def _form(**values: Any) -> service.MeetingForm:
    lists = {k: [str(v) for v in values.pop(k)] for k in ("building", "party", "staff", "scrutineer") if k in values}
    return service.MeetingForm(values={k: str(v) for k, v in values.items()}, lists=lists)


async def _item(meeting_id: int, secretary: Principal, **values: Any) -> int:
    return await service.add_item(meeting_id, secretary, {k: str(v) for k, v in values.items()})


async def _vote(meeting_id: int, item_id: int, secretary: Principal, **values: Any) -> None:
    await service.draft_vote(meeting_id, item_id, secretary, {k: str(v) for k, v in values.items()})


async def load_demo(var_dir: Any = None, now: datetime | None = None) -> None:
    now = now or clock.now()
    compound = await Compound.select().where(Compound.code == COMPOUND).output(load_json=True).first()
    compound["var_dir"] = var_dir or Settings.from_env().var_dir
    buildings = {
        b["code"]: b["id"]
        for b in await Building.select(Building.id, Building.code).where(Building.compound == compound["id"])
    }
    users = {name: await _user(name) for name in ("secretary", "grid", "committee", "manager")}
    secretary = await load_principal(users["secretary"])
    committee = await load_principal(users["committee"])
    assert secretary is not None and committee is not None
    parties = await service.parties(compound["id"])

    # 板凳会: building 3's residents on the e-bike charging shed.
    shed = await _topic(compound, secretary, "在3号楼东侧空地建电动车充电棚")
    bench = await service.convene(
        compound["id"],
        secretary,
        _form(
            kind="bench_meeting",
            title="3号楼电动车充电问题板凳会",
            starts_at=_at(now, 2, 19, 30),
            duration_minutes=60,
            place="3号楼东侧架空层",
            building=[buildings["3"]],
            staff=[users["grid"], users["manager"]],
            guests="刘桂兰，3号楼楼栋长",
            host=users["secretary"],
            recorder=users["grid"],
        ),
        now,
    )
    await _item(
        bench,
        secretary,
        kind="report",
        title="网格员通报3号楼楼道电动车充电隐患排查情况",
        full_text="网格员穆艳上周逐户排查3号楼两个单元：楼道内停放电动车9辆，"
        "发现从窗户拉线充电2处、楼道插线板充电3处，已当场劝离并登记。",
        minutes=10,
    )
    shed_item = await _item(bench, secretary, kind="decision", proposal=shed, minutes=40)
    await _vote(
        bench,
        shed_item,
        secretary,
        question="3号楼电动车充电棚建在哪里？",
        options="方案一：3号楼东侧空地建带顶棚充电棚（约40个车位）\n"
        "方案二：地下车库B区划出电动车停放充电区（约25个车位）",
        rule="majority_of_cast",
    )
    await service.publish(bench, secretary, service.PublishInput(), now)
    comments = [
        ("3", "1-301", "支持建在东侧空地，离单元门近，老人推车方便。希望顶棚能挡雨，晚上有照明。"),
        ("3", "2-702", "充电棚要装烟感和监控，充电桩要有充满自动断电的功能，不然和楼道充电一样危险。"),
        ("3", "1-1101", "东侧空地现在有几户晾被子，建之前能不能另外安排一处晾晒的地方？"),
    ]
    households = {
        (h["building"], h["unit"]): h["id"]
        for h in await Household.select(
            Household.id, Household.unit, Household.building.code.as_alias("building")
        ).where(Household.building.compound == compound["id"])
    }
    for building, unit, text in comments:
        await service.comment(bench, shed_item, households[(building, unit)], compound["id"], text, now)

    # 三方联席会: still a draft; the secretary builds it during the demo.
    lighting = await _topic(compound, secretary, "地下车库出口照明不足，夜间进出容易剐蹭")
    tripartite = await service.convene(
        compound["id"],
        secretary,
        _form(
            kind="tripartite",
            title="地下车库照明与物业费公示三方联席会",
            starts_at=_at(now, 6, 15),
            duration_minutes=90,
            place="银河湾小区党群服务站议事厅",
            party=[p["id"] for p in parties],
            staff=[users["grid"]],
            guests="赵卫东，六泉路派出所社区民警\n刘桂兰，居民代表",
            host=users["secretary"],
            recorder=users["grid"],
            scrutineer=[users["committee"]],
        ),
        now,
    )
    lighting_item = await _item(tripartite, secretary, kind="decision", proposal=lighting, minutes=30)
    await _vote(
        tripartite,
        lighting_item,
        secretary,
        question="是否同意由物业在三十日内完成地下车库B出口坡道和转角的感应照明改造，并加装广角凸面镜？",
        rule="parties_unanimous",
    )
    await _item(
        tripartite,
        secretary,
        kind="report",
        title="物业服务费收支情况公示及说明",
        full_text="华欣物业通报上半年物业服务费收缴率、公共收益（广告位、停车）收支明细，"
        "说明电梯维保和绿化外包合同的费用构成，回答业委会的书面提问。",
        minutes=30,
    )

    # 居民议事会: the square-dance noise.
    dance = await _topic(compound, secretary, "晚上广场舞音响太吵，影响老人和孩子休息")
    council = await service.convene(
        compound["id"],
        secretary,
        _form(
            kind="council",
            title="中心广场晚间活动居民议事会",
            starts_at=_at(now, 9, 19),
            duration_minutes=60,
            place="银河湾小区党群服务站议事厅",
            staff=[users["grid"]],
            guests="孙秀英，广场舞队队长\n刘桂兰，居民代表",
            host=users["secretary"],
            recorder=users["grid"],
        ),
        now,
    )
    dance_item = await _item(council, secretary, kind="decision", proposal=dance, minutes=45)
    await _vote(
        council,
        dance_item,
        secretary,
        question="中心广场晚间活动采用哪个方案？",
        options="方案一：音量控制在55分贝以下，21:00前结束\n"
        "方案二：广场舞移到小区东门空地，时间不变\n"
        "方案三：改用无线耳机跳舞",
        rule="majority_of_cast",
    )
    await service.publish(council, secretary, service.PublishInput(), now)

    # 业主共同决定: building 3's owners on the lift and the maintenance fund.
    lift = await _topic(compound, secretary, "使用专项维修资金维修3号楼2单元电梯")
    fund = await _topic(
        compound,
        secretary,
        "续筹3号楼专项维修资金",
        raise_as=committee,
        source="committee",
        category="lifts",
        owners_matter="1",
        problem="3号楼专项维修资金账户余额约21.3万元，本次电梯大修预计使用18.6万元后仅剩约2.7万元，"
        "已低于首期归集额的30%，按规定应当续筹，否则今后屋面防水、外墙等维修将无钱可用。",
        suggestion="按每平方米建筑面积25元的标准续筹，业主可一次缴纳或分两期缴纳，"
        "续筹资金存入3号楼专项维修资金分户账，收支每半年公示。",
    )
    owners = await service.convene(
        compound["id"],
        secretary,
        _form(
            kind="owners_decision",
            title="3号楼电梯维修及续筹专项维修资金业主共同决定",
            starts_at=_at(now, 20, 9),
            duration_minutes=180,
            place="银河湾小区党群服务站（现场投票点）",
            building=[buildings["3"]],
            party=[p["id"] for p in parties],
            host=users["committee"],
            recorder=users["grid"],
            scrutineer=[users["grid"], users["committee"]],
            voting_method="采用书面表决与线上表决相结合的方式：业主可通过专属链接在线表决，"
            "或到党群服务站领取书面表决票，填写签字后投入票箱；"
            "表决时间自会议当日9:00起至17:00止，逾期不计。",
        ),
        now,
    )
    lift_item = await _item(
        owners,
        secretary,
        kind="decision",
        proposal=lift,
        minutes=60,
        full_text="3号楼2单元电梯（2016年投用）曳引机和控制柜老化，今年已困人4次。"
        "拟使用3号楼专项维修资金186,000元，由业委会和物业比选三家维保单位报价后"
        "委托施工，工期约20天，施工期间物业安排人员协助老人上下楼。"
        "检测报告和三家报价在党群服务站公示。",
    )
    await _vote(
        owners,
        lift_item,
        secretary,
        question="是否同意使用3号楼专项维修资金186,000元大修3号楼2单元电梯？",
        rule="civil_code_ordinary",
        owners_matter=5,
    )
    fund_item = await _item(owners, secretary, kind="decision", proposal=fund, minutes=60)
    await _vote(
        owners,
        fund_item,
        secretary,
        question="是否同意按每平方米建筑面积25元的标准续筹3号楼专项维修资金？",
        rule="civil_code_special",
        owners_matter=6,
    )
    informed = clock.local_today(now) - timedelta(days=1)
    voting_day = _at(now, 20, 9)[:10]
    await service.publish(
        owners,
        secretary,
        service.PublishInput(
            committee_informed=True, committee_informed_on=informed.isoformat(), votes_close_at=f"{voting_day}T17:00"
        ),
        now,
    )
