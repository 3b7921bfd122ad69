"""Demo actions (落实事项) on the resolutions of the ballots demo, in every
state, with drawn evidence photos; a summer residents' council whose actions
are all done (so the figures have months to compare); and building 2's bench
meeting on the door locks, whose votes are counted but which the secretary has
not closed yet (closing it is the first thing to try).

银河湾小区: the e-bike charging shed (done, before/after photos and an
acceptance form), its night lighting (done), clearing the fire lanes (in
progress, due within days), repainting their markings (overdue), volunteers
against parking on them (planned), replacing building 2's lifts with the
maintenance fund (planned) and publishing each flat's share (in progress,
the owners' committee's). 人保小区: new parking spaces where the coal sheds
stood (done, then reopened by residents' ratings: see the supervision demo)
and the staggered-parking rule (done).

Everything goes through the services, dated in the past with their ``now``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from yishi import clock, photos
from yishi.accounts.service import load_principal
from yishi.accounts.tables import StaffUser
from yishi.actions import demo_pictures as pictures
from yishi.actions import service
from yishi.clock import local_date
from yishi.meetings.tables import AgendaItem, Meeting
from yishi.photos import Upload
from yishi.roster.tables import Building, Compound
from yishi.settings import Settings
from yishi.voting import service as voting

# Agenda items of the ballots demo that the actions carry out.
SHED = "在3号楼东侧空地建设电动车充电棚"
SHED_LIGHTS = "充电棚夜间22:00后关闭照明"
FIRE_LANES = "消防通道清理及划线方案"
LIFTS = "使用专项维修资金更换2号楼两部电梯"
PARKING = "停车管理方案"
# The meeting left for the secretary to close.
DOOR_MEETING = "2号楼板凳会：单元门禁维修"
DOOR_LOCKS = "更换2号楼两个单元的门禁系统"
DOOR_CARD_FEE = "门禁卡按户收取工本费"
# Earlier months: a residents' council whose actions are all done, so the
# figures have a trend. (item title, action title, party, days after the
# meeting: due, done; budget)
HISTORY_MEETING = "居民议事会：夏季环境整治"
HISTORY = [
    ("清理楼道堆放杂物", "集中清理1—4号楼楼道堆物", 30, 25, ""),
    ("中心花园绿化补植", "补植中心花园草坪和灌木", 55, 60, "18500"),
    ("改造垃圾分类投放亭", "改造4处垃圾分类投放亭，加装洗手池", 90, 88, "26000"),
    ("维修中心广场健身器材", "更换中心广场损坏的健身器材", 120, 117, "9800"),
]
HISTORY_DAYS_AGO = 150


async def _user(username: str) -> int:
    row = await StaffUser.select(StaffUser.id).where(StaffUser.username == username).first()
    return row["id"]


async def _compound(code: str) -> dict[str, Any]:
    return await Compound.select().where(Compound.code == code).first()


async def _item(compound_id: int, title: str) -> int:
    row = (
        await AgendaItem.select(AgendaItem.id)
        .where((AgendaItem.title == title) & (AgendaItem.meeting.compound == compound_id))
        .first()
    )
    if row is None:
        raise RuntimeError(f"the demo needs the agenda item {title!r} of the ballots demo")
    return row["id"]


async def _voted_meeting(
    compound_id: int,
    kind: str,
    title: str,
    place: str,
    held: datetime,
    building_ids: list[int],
    items: list[tuple[str, str, tuple[str, str, str]]],
    secretary: int,
    grid: int,
    *,
    close: bool,
) -> dict[str, int]:
    """A meeting whose items were each voted by a show of hands (yes, no,
    abstain) and the ballots closed; the meeting is closed too when ``close``."""
    rows = await Meeting.insert(
        Meeting(
            compound=compound_id,
            kind=kind,
            title=title,
            starts_at=held,
            place=place,
            building_ids=building_ids,
            convener=secretary,
            host=secretary,
            recorder=grid,
            status="published",
            published_at=held - timedelta(days=3),
        )
    ).returning(Meeting.id)
    meeting_id = rows[0]["id"]
    item_ids = {}
    for position, (item_title, question, hands) in enumerate(items, start=1):
        created = await AgendaItem.insert(
            AgendaItem(
                meeting=meeting_id,
                position=position,
                kind="decision",
                title=item_title,
                full_text=question,
                question=question,
                rule="majority_of_cast",
                minutes=20,
                on_published_notice=True,
            )
        ).returning(AgendaItem.id)
        item_ids[item_title] = created[0]["id"]
        at = held + timedelta(minutes=20 * position)
        ballot = await voting.open_ballot(
            compound_id, created[0]["id"], voting.BallotSettings(), actor=secretary, at=at
        )
        await voting.record_hand_count(ballot, *hands, actor=grid, at=at + timedelta(minutes=10))
        await voting.close_ballot(ballot, actor=secretary, at=at + timedelta(minutes=12))
    if close:
        await Meeting.update(
            {Meeting.status: "closed", Meeting.closed_at: held + timedelta(hours=2), Meeting.closed_by: secretary}
        ).where(Meeting.id == meeting_id)
    return item_ids


async def _door_meeting(compound_id: int, secretary: int, grid: int, now: datetime) -> None:
    """Building 2's bench meeting, held yesterday, both votes counted by a show
    of hands; the meeting itself is still open."""
    building = (
        await Building.select(Building.id).where((Building.compound == compound_id) & (Building.code == "2")).first()
    )
    await _voted_meeting(
        compound_id,
        "bench_meeting",
        DOOR_MEETING,
        "2号楼一单元门厅",
        now - timedelta(days=1, hours=3),
        [building["id"]],
        [
            (
                DOOR_LOCKS,
                "2号楼两个单元门禁经常失灵、外来人员随意进出，是否同意更换为刷卡加人脸识别门禁，费用由公共收益列支？",
                ("12", "2", "1"),
            ),
            (DOOR_CARD_FEE, "是否同意门禁卡每户免费两张，补办或加办每张收取工本费20元？", ("4", "9", "2")),
        ],
        secretary,
        grid,
        close=False,
    )


def _values(
    item: int,
    title: str,
    details: str,
    party_kind: str,
    responsible: int,
    due: datetime,
    budget: str = "",
    funding: str = "",
) -> dict[str, str]:
    return {
        "item": str(item),
        "title": title,
        "details": details,
        "party_kind": party_kind,
        "responsible": str(responsible),
        "due_on": local_date(due).isoformat(),
        "budget": budget,
        "funding_source": funding,
    }


async def load_demo(var_dir: Path | None = None, now: datetime | None = None) -> None:
    """Add the demo actions (called by ``yishi.demo.load`` inside its transaction,
    after the ballots demo)."""
    uploads_dir = photos.uploads_folder(var_dir or Settings.from_env().var_dir)
    now = (now or clock.now()).replace(second=0, microsecond=0)
    yinhewan, renbao = await _compound("yinhewan"), await _compound("renbao")
    secretary = await load_principal(await _user("secretary"))
    secretary2 = await load_principal(await _user("secretary2"))
    manager = await load_principal(await _user("manager"))
    manager2 = await load_principal(await _user("manager2"))
    committee = await load_principal(await _user("committee"))
    assert secretary and secretary2 and manager and manager2 and committee

    async def draft(principal: Any, compound: dict[str, Any], at: datetime, values: dict[str, str]) -> int:
        created = await service.draft_action(principal, compound["id"], values, now=at)
        return created["id"]

    async def update(
        principal: Any, action_id: int, at: datetime, text: str, move: str = "", files: list[tuple[str, bytes]] = ()
    ) -> None:
        await service.post_update(
            principal, action_id, text, [Upload(n, c) for n, c in files], move, uploads_dir, now=at
        )

    def day(offset: float) -> datetime:
        return now + timedelta(days=offset)

    def stamp(offset: float) -> str:
        return local_date(day(offset)).isoformat()

    # 银河湾小区, earlier months: every action of the summer council is done.
    grid = await _user("grid")
    held = day(-HISTORY_DAYS_AGO)
    items = await _voted_meeting(
        yinhewan["id"],
        "council",
        HISTORY_MEETING,
        "银河湾小区党群服务站议事厅",
        held,
        [],
        [(item, f"是否同意{item}？", ("28", "4", "3")) for item, *_rest in HISTORY],
        secretary.user_id,
        grid,
        close=True,
    )
    for item, title, due_days, done_days, budget in HISTORY:
        action = await draft(
            secretary,
            yinhewan,
            held + timedelta(days=1),
            _values(
                items[item],
                title,
                "",
                "property",
                manager.user_id,
                held + timedelta(days=due_days),
                budget,
                "public_income" if budget else "",
            ),
        )
        await update(manager, action, held + timedelta(days=done_days - 10), "已开工。", "start")
        await update(manager, action, held + timedelta(days=done_days), f"{title}，已完成。", "complete")

    # 银河湾小区 ------------------------------------------------------------------------
    shed = await _item(yinhewan["id"], SHED)
    action = await draft(
        secretary,
        yinhewan,
        day(-11),
        _values(
            shed,
            "建设3号楼东侧电动车集中充电棚",
            "在3号楼东侧空地建设10个充电位的集中充电棚，配智能计量插座和烟感报警；施工期间临时停车引导到北门。",
            "property",
            manager.user_id,
            day(-2),
            "38600",
            "public_income",
        ),
    )
    await update(
        manager,
        action,
        day(-10),
        "已与施工方签订合同，材料进场，场地围挡。附施工前现场照片。",
        "start",
        [("施工前.jpg", pictures.shed_before(stamp(-10)))],
    )
    await update(manager, action, day(-7), "棚架主体完成，正在布线安装充电插座。")
    await update(
        manager,
        action,
        day(-4),
        "充电棚建成，10个充电位通电试运行，消防部门现场查看合格。附完工照片和验收单。",
        "complete",
        [
            ("完工后.jpg", pictures.shed_after(stamp(-4))),
            (
                "竣工验收单.pdf",
                pictures.acceptance_form_pdf(
                    "竣工验收单",
                    [
                        "项目：3号楼东侧电动车集中充电棚",
                        "内容：棚架、10个充电位、烟感报警",
                        f"完工日期：{stamp(-4)}",
                        "验收结论：合格，同意投入使用",
                    ],
                ),
            ),
        ],
    )

    lights = await _item(yinhewan["id"], SHED_LIGHTS)
    action = await draft(
        secretary,
        yinhewan,
        day(-11),
        _values(
            lights,
            "设置充电棚照明22:00后自动关闭",
            "照明接入定时器，22:00后关闭，只保留监控补光。",
            "property",
            manager.user_id,
            day(-5),
        ),
    )
    await update(manager, action, day(-6), "定时器已安装调试，22:00后照明自动关闭，监控补光正常。", "complete")

    lanes = await _item(yinhewan["id"], FIRE_LANES)
    action = await draft(
        secretary,
        yinhewan,
        day(-8),
        _values(
            lanes,
            "清理消防通道杂物",
            "清走各楼之间消防通道上的杂物、废弃家具和僵尸车。",
            "property",
            manager.user_id,
            day(3),
        ),
    )
    await update(manager, action, day(-6), "已在各楼张贴清理通知，限期三天自行搬离。", "start")
    await update(
        manager,
        action,
        day(-1),
        "1、2号楼之间通道杂物已清走，3、4号楼段本周完成。",
        files=[("清理中.jpg", pictures.fire_lane_progress(stamp(-1)))],
    )
    action = await draft(
        secretary,
        yinhewan,
        day(-8),
        _values(
            lanes,
            "重新施划消防通道标线",
            "按消防部门要求重新施划黄色禁停标线和“消防通道 禁止占用”字样。",
            "property",
            manager.user_id,
            day(-2),
            "4200",
            "property_fee",
        ),
    )
    await update(manager, action, day(-3), "划线油漆已采购，连日降雨，待天晴施工。", "start")
    await draft(
        secretary,
        yinhewan,
        day(-8),
        _values(
            lanes,
            "组织党员志愿者劝导消防通道违停",
            "党员志愿者每晚19:00—21:00分楼栋巡查劝导，持续一个月。",
            "branch",
            secretary.user_id,
            day(20),
        ),
    )

    lifts = await _item(yinhewan["id"], LIFTS)
    if (await voting.item_result(lifts)).passed:
        await draft(
            secretary,
            yinhewan,
            day(-4),
            _values(
                lifts,
                "更换2号楼一、二单元两部电梯",
                "按业主共同决定，选用比价最低方案；施工期间每单元保留步行引导。",
                "property",
                manager.user_id,
                day(75),
                "680000",
                "maintenance_fund",
            ),
        )
        action = await draft(
            secretary,
            yinhewan,
            day(-4),
            _values(
                lifts,
                "公示电梯更换费用分摊明细",
                "按专有部分面积逐户核算分摊金额，在单元门口和公示栏公示7天。",
                "committee",
                committee.user_id,
                day(6),
            ),
        )
        await update(committee, action, day(-1), "分摊明细表已初步核算，待业委会会议审定后公示。", "start")

    await _door_meeting(yinhewan["id"], secretary.user_id, grid, now)

    # 人保小区 ---------------------------------------------------------------------------
    parking = await _item(renbao["id"], PARKING)
    action = await draft(
        secretary2,
        renbao,
        day(-4),
        _values(
            parking,
            "拆除闲置煤房，新增停车位",
            "拆除北侧闲置煤房，平整场地后施划8个停车位。",
            "property",
            manager2.user_id,
            day(6),
            "45000",
            "public_income",
        ),
    )
    await update(manager2, action, day(-3), "煤房已拆除，正在清运建筑垃圾。", "start")
    await update(
        manager2,
        action,
        day(-2),
        "新增8个车位已划线启用。",
        "complete",
        [("新增车位.jpg", pictures.parking_after(stamp(-2)))],
    )
    action = await draft(
        secretary2,
        renbao,
        day(-4),
        _values(
            parking,
            "公示错峰停车管理规定",
            "将错峰停车时段和车位分配办法在各单元门口和公示栏公示。",
            "branch",
            secretary2.user_id,
            day(-1),
        ),
    )
    await update(secretary2, action, day(-3), "错峰停车规定已在各单元门口张贴，并在居民微信群发布。", "complete")
