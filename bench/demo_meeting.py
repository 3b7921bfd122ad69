"""A full owners' meeting on the demo compound, for the PDF benchmark and the
tests: 12 agenda items, every household of 银河湾小区 on the roll (240), sign-ins,
the three parties' positions, notes, closed ballots with their frozen roll and
votes, actions and an addendum. Call it after ``yishi.demo.load()``.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from yishi.accounts.tables import StaffUser
from yishi.actions.tables import Action
from yishi.db import write_transaction
from yishi.meetings.tables import Addendum, AgendaItem, Attendance, Invitation, Meeting, Position
from yishi.roster.tables import Building, Compound, Household, Party
from yishi.rules import RollEntry, Vote, tally
from yishi.voting.recount import write_roll_csv, write_votes_csv

# title, full text, question, options, rule, Civil Code art. 278 item
ITEMS = [
    (
        "修订业主大会议事规则",
        "根据《民法典》和市物业管理条例，拟修订本小区业主大会议事规则：明确业主代表推选办法、书面表决票送达方式、临时会议召集程序，增加“网络投票与书面表决相结合”的条款。修订稿已在各楼栋公示栏张贴十五日。",
        "是否同意修订后的业主大会议事规则？",
        [],
        "civil_code_ordinary",
        1,
    ),
    (
        "使用维修资金更换 3 号楼两部电梯",
        "3 号楼两部电梯已运行十年，今年累计故障停梯 14 次。经第三方检测机构评估，建议整机更换。预算 68 万元，从 3 号楼专项维修资金中列支，分摊明细附后。",
        "是否同意使用维修资金更换 3 号楼两部电梯？",
        [],
        "civil_code_ordinary",
        5,
    ),
    (
        "续聘华欣物业服务有限公司",
        "现物业服务合同将于明年 3 月到期。物业服务满意度测评为 82.6 分，业委会建议续聘三年，服务标准和收费标准不变。",
        "是否同意续聘华欣物业服务有限公司三年？",
        [],
        "civil_code_ordinary",
        4,
    ),
    (
        "筹集 1、2 号楼外墙修缮维修资金",
        "1、2 号楼外墙瓷砖多处空鼓脱落，存在高空坠物隐患。维修资金余额不足，拟按专有部分面积每平方米 12 元补充筹集。",
        "是否同意按每平方米 12 元补充筹集维修资金？",
        [],
        "civil_code_special",
        6,
    ),
    (
        "地下车库出口照明改造",
        "地下车库出口坡道照明不足，夜间车辆进出存在安全隐患。拟加装 6 盏 LED 灯及感应控制，费用约 1.2 万元，由公共收益支出。",
        "是否同意在地下车库出口加装照明？",
        [],
        "civil_code_ordinary",
        9,
    ),
    (
        "电动车充电棚选址",
        "小区电动车约 310 辆，楼道充电存在火灾隐患。拟新建充电棚一处，可容纳 120 辆，提出两个选址方案供业主选择。",
        "充电棚建在哪里？",
        ["方案一：3号楼北侧空地", "方案二：东门停车场西角"],
        "civil_code_ordinary",
        8,
    ),
    (
        "错峰停车与新增车位",
        "小区车位 186 个，登记车辆 241 辆。拟与相邻单位签订错峰停车协议，并将闲置煤房拆除后改建 32 个地面车位。",
        "是否同意拆除闲置煤房改建地面车位？",
        [],
        "civil_code_special",
        8,
    ),
    (
        "架空层改建老年活动室",
        "2 号楼架空层长期闲置。拟改建为老年活动室，配备桌椅、书报和血压计，由党支部和物业共同管理。",
        "是否同意将 2 号楼架空层改为老年活动室？",
        [],
        "civil_code_special",
        8,
    ),
    (
        "调整垃圾分类投放点",
        "现有 4 个投放点中 2 个离住户窗户过近，夏季异味明显。拟将投放点调整到 1 号楼和 4 号楼北侧，并延长定时投放时间。",
        "是否同意调整垃圾分类投放点？",
        [],
        "civil_code_ordinary",
        9,
    ),
    (
        "门禁系统升级",
        "现有门禁卡易复制，外来人员进出管理困难。拟升级为人脸识别与刷卡并行的门禁系统，老人可继续使用门禁卡。",
        "是否同意升级门禁系统？",
        [],
        "civil_code_ordinary",
        9,
    ),
    (
        "绿化补植与儿童游乐区改造",
        "中心绿地部分树木枯死，儿童游乐设施老化。拟补植香樟 20 棵，更换塑胶地面和滑梯。",
        "是否同意绿化补植与儿童游乐区改造？",
        [],
        "civil_code_ordinary",
        9,
    ),
    (
        "公共收益年度使用计划",
        "2026 年公共收益（广告位、停车费等）预计 18.6 万元。拟用于照明改造、绿化补植和公共设施维修，剩余部分转入维修资金。",
        "是否同意公共收益年度使用计划？",
        [],
        "civil_code_ordinary",
        9,
    ),
]

NOTES = [
    "主持人说明议题来由和前期征求意见情况。{who}发言：“这件事大家议了很久，希望这次能定下来。”物业项目经理介绍了实施方案、工期和费用测算，业委会说明了资金来源及公示安排。",
    "居民代表提出三点意见：一是施工期间要保障老人出行安全；二是费用明细要在公示栏张贴；三是完工后请业主代表参与验收。物业当场表示接受，并承诺每周在小区群通报进度。",
    "{who}询问是否会影响低楼层住户采光，物业回应已请设计单位复核。社区网格员补充，前期入户走访共收集意见 46 条，主要集中在费用分摊和施工时间。",
]

STANCES = [
    ("agree", "同意，按方案实施，物业负责组织施工并每周通报进度。"),
    ("conditions", "原则同意，但须在公示栏公开费用明细，完工后由业主代表参与验收。"),
    ("agree", "同意，党支部将组织党员志愿者做好宣传解释。"),
]


async def build_demo_meeting(compound_code: str = "yinhewan", seed: int = 20261201) -> int:
    """Add the meeting (closed, with results) and return its id."""
    rng = random.Random(seed)
    async with write_transaction():
        compound = await Compound.select(Compound.id).where(Compound.code == compound_code).first()
        assert compound is not None, "load the demo first (yishi demo)"
        compound_id = compound["id"]
        users = {u["username"]: u["id"] for u in await StaffUser.select(StaffUser.id, StaffUser.username)}
        parties = {
            p["kind"]: p["id"] for p in await Party.select(Party.id, Party.kind).where(Party.compound == compound_id)
        }
        buildings = await Building.select(Building.id).where(Building.compound == compound_id)
        households = await Household.select(
            Household.id,
            Household.unit,
            Household.exclusive_area,
            Household.owner_key,
            Household.building.code.as_alias("b"),
        ).where(Household.building.is_in([b["id"] for b in buildings]))
        starts = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)  # 09:00 in Beijing
        meeting = await Meeting.insert(
            Meeting(
                compound=compound_id,
                kind="owners_decision",
                title="2026 年度业主大会（第二次会议）",
                starts_at=starts,
                duration_minutes=180,
                place="小区党群服务站二楼会议室",
                building_ids=[],
                convener=users.get("committee"),
                host=users.get("secretary"),
                recorder=users.get("grid"),
                scrutineer_ids=[users["committee"]] if "committee" in users else [],
                status="closed",
                published_at=starts - timedelta(days=16),
                voting_method="现场投票与书面表决票相结合；不能到会的业主可在截止时间前将书面表决票交至物业服务中心，或通过专属链接投票。委托他人投票须出具书面委托书。",
                committee_informed_at=starts - timedelta(days=17),
                closed_at=starts + timedelta(hours=3),
                closed_by=users.get("secretary"),
            )
        ).returning(Meeting.id)
        meeting_id = meeting[0]["id"]
        for kind in ("branch", "property", "committee"):
            if kind in parties:
                await Invitation.insert(Invitation(meeting=meeting_id, party=parties[kind]))
        await Invitation.insert(Invitation(meeting=meeting_id, guest_name="周敏", guest_role="六泉路社区居委会"))
        await Invitation.insert(Invitation(meeting=meeting_id, guest_name="刘建军", guest_role="杜桥派出所社区民警"))

        present = [h for h in households if rng.random() < 0.72]
        await Attendance.insert(
            *[
                Attendance(
                    meeting=meeting_id,
                    household=h["id"],
                    method=rng.choice(["qr", "qr", "staff"]),
                    at=starts - timedelta(minutes=rng.randint(1, 40)),
                )
                for h in present
            ]
        )
        for kind, username in (("branch", "secretary"), ("property", "manager"), ("committee", "committee")):
            if kind in parties and username in users:
                await Attendance.insert(
                    Attendance(
                        meeting=meeting_id,
                        party=parties[kind],
                        user=users[username],
                        method="staff",
                        at=starts - timedelta(minutes=20),
                    )
                )
        await Attendance.insert(
            Attendance(meeting=meeting_id, name="周敏", method="staff", at=starts - timedelta(minutes=15))
        )

        roll = [
            RollEntry(voter=f"{h['b']}-{h['unit']}", area=h["exclusive_area"], owner_key=h["owner_key"])
            for h in households
        ]
        numbers = await Action.select(Action.number).where(Action.compound == compound_id)
        number = max((r["number"] for r in numbers), default=0) + 1
        for position, (title, text, question, options, rule, matter) in enumerate(ITEMS, start=1):
            created = await AgendaItem.insert(
                AgendaItem(
                    meeting=meeting_id,
                    position=position,
                    kind="decision",
                    title=title,
                    full_text=text,
                    minutes=15,
                    question=question,
                    options=options,
                    rule=rule,
                    owners_matter=matter,
                    on_published_notice=True,
                    notes="\n".join(
                        n.format(who=rng.choice(["3号楼业主王建功", "1号楼业主刘秀英", "4号楼居民代表陈德明"]))
                        for n in rng.sample(NOTES, 2)
                    ),
                )
            ).returning(AgendaItem.id)
            item_id = created[0]["id"]
            for kind, (stance, said) in zip(("property", "committee", "branch"), STANCES, strict=True):
                if kind in parties:
                    await Position.insert(
                        Position(
                            agenda_item=item_id,
                            party=parties[kind],
                            stance=stance,
                            text=said,
                            recorded_by=users.get("secretary"),
                        )
                    )
            votes, seen_owners = [], set()
            choices = (options or ["yes", "no"]) + ["abstain"]
            weights = [0.55, 0.35, 0.1] if not options else [0.5, 0.4, 0.1]
            for entry in roll:
                owner = entry.owner_key or entry.voter
                if owner in seen_owners or rng.random() > 0.86:
                    continue
                seen_owners.add(owner)
                votes.append(
                    Vote(voter=entry.voter, choice=rng.choices(choices, weights=([*weights, 0.1])[: len(choices)])[0])
                )
            result = tally(roll, votes, rule, options or None)
            await _ballot(
                compound_id,
                meeting_id,
                item_id,
                title,
                question,
                rule,
                options,
                roll,
                votes,
                result,
                closed_at=starts + timedelta(hours=3),
                closed_by=users.get("secretary"),
            )
            if result.passed and "manager" in users:
                await Action.insert(
                    Action(
                        compound=compound_id,
                        agenda_item=item_id,
                        number=number,
                        title=f"落实“{title}”",
                        details=text,
                        party_kind="property",
                        responsible=users["manager"],
                        due_on=date(2027, 1, 15) + timedelta(days=7 * position),
                        status="planned",
                        created_by=users.get("secretary"),
                    )
                )
                number += 1
        await Addendum.insert(
            Addendum(
                meeting=meeting_id,
                text="经核对，议程 2 的电梯更换费用分摊明细已于 12 月 1 日在 3 号楼公示栏张贴。",
                author=users.get("secretary"),
                at=starts + timedelta(days=3),
            )
        )
    return meeting_id


async def _ballot(
    compound_id: int,
    meeting_id: int,
    item_id: int,
    title: str,
    question: str,
    rule: str,
    options: list[str],
    roll: list[RollEntry],
    votes: list[Vote],
    result,
    *,
    closed_at: datetime,
    closed_by: int | None,
) -> None:
    from yishi.voting.tables import Ballot

    await Ballot.insert(
        Ballot(
            compound=compound_id,
            meeting=meeting_id,
            agenda_item=item_id,
            title=title,
            question=question,
            rule=rule,
            options=options,
            roll_source="households",
            building_ids=[],
            status="closed",
            opened_at=closed_at - timedelta(days=14),
            closed_at=closed_at,
            closed_by=closed_by,
            passed=result.passed,
            result={"actual": result.to_json_dict()},
            roll_csv=write_roll_csv(roll),
            votes_csv=write_votes_csv(votes),
        )
    )
