"""Demo supervision: households rate the done actions of the actions demo, one
objects to the charging shed going dark at night (awaiting the secretary),
and 人保小区's new parking spaces are reopened by unsatisfied ratings and
escalated to 六泉路社区."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

from yishi import clock, photos
from yishi.accounts.residents import HouseholdIdentity, identity_of
from yishi.actions import demo as actions_demo
from yishi.actions import demo_pictures as pictures
from yishi.actions.tables import Action
from yishi.clock import local_date
from yishi.photos import Upload
from yishi.roster.tables import Compound, Household
from yishi.settings import Settings
from yishi.supervision import service

COMMENTS = {
    "satisfied": ["再也不用担心楼道充电了，谢谢物业！", "充电棚很规范，扫码就能充。", "", "", "速度快，点赞。"],
    "basically_satisfied": ["整体不错，希望增加几个充电位。", "收费标准建议公示。", ""],
    "unsatisfied": [
        "建筑垃圾还堆在车位边上，没有清运干净。",
        "新车位太窄，车门打不开。",
        "煤房拆了，原来放在里面的杂物没地方放，也没人通知。",
    ],
}


async def _households(compound_code: str, building_code: str | None = None) -> list[HouseholdIdentity]:
    query = Household.select(Household.id).where(Household.building.compound.code == compound_code)
    if building_code:
        query = query.where(Household.building.code == building_code)
    rows = await query.order_by(Household.id)
    return [identity for row in rows if (identity := await identity_of(row["id"])) is not None]


async def _number(compound_id: int, title: str) -> int:
    row = await Action.select(Action.number).where((Action.compound == compound_id) & (Action.title == title)).first()
    return row["number"]


async def load_demo(var_dir: Path | None = None, now: datetime | None = None) -> None:
    """Add ratings, an objection and an escalation (after the actions demo)."""
    uploads_dir = photos.uploads_folder(var_dir or Settings.from_env().var_dir)
    now = (now or clock.now()).replace(second=0, microsecond=0)
    rng = random.Random(20261125)
    yinhewan = await Compound.select().where(Compound.code == "yinhewan").first()
    renbao = await Compound.select().where(Compound.code == "renbao").first()

    async def rate_many(
        compound: dict, number: int, households: list[HouseholdIdentity], verdicts: list[str], start: datetime
    ) -> None:
        for n, (household, verdict) in enumerate(zip(households, verdicts, strict=False)):
            comment = rng.choice(COMMENTS[verdict])
            await service.rate(
                household,
                compound["id"],
                number,
                verdict,
                comment,
                now=start + timedelta(hours=3 * n + rng.randint(0, 2)),
            )

    # Earlier months: each summer action rated in the weeks after it was done.
    everyone = await _households("yinhewan")
    rng.shuffle(everyone)
    history_verdicts = [
        ["satisfied"] * 6 + ["basically_satisfied"] * 2 + ["unsatisfied"],
        ["satisfied"] * 3 + ["basically_satisfied"] * 3 + ["unsatisfied"] * 2,
        ["satisfied"] * 7 + ["basically_satisfied"],
        ["satisfied"] * 4 + ["basically_satisfied"] * 2,
    ]
    held = now - timedelta(days=actions_demo.HISTORY_DAYS_AGO)
    for (_item, title, _due, done_days, _budget), verdicts in zip(actions_demo.HISTORY, history_verdicts, strict=True):
        number = await _number(yinhewan["id"], title)
        raters, everyone = everyone[: len(verdicts)], everyone[len(verdicts) :]
        await rate_many(yinhewan, number, raters, verdicts, held + timedelta(days=done_days + 1))

    building3 = await _households("yinhewan", "3")
    rng.shuffle(building3)
    shed = await _number(yinhewan["id"], "建设3号楼东侧电动车集中充电棚")
    await rate_many(
        yinhewan,
        shed,
        building3[:13],
        ["satisfied"] * 9 + ["basically_satisfied"] * 3 + ["unsatisfied"],
        now - timedelta(days=3, hours=20),
    )

    lights = await _number(yinhewan["id"], "设置充电棚照明22:00后自动关闭")
    await rate_many(
        yinhewan,
        lights,
        building3[13:18],
        ["satisfied", "satisfied", "basically_satisfied", "satisfied", "basically_satisfied"],
        now - timedelta(days=5, hours=12),
    )
    objector = building3[20]
    await service.object_to(
        objector,
        yinhewan["id"],
        lights,
        "22点后充电棚里一片漆黑，夜班回来取车、插充电头都看不见，老人容易绊倒。建议保留一盏低亮度的感应灯。",
        [Upload("夜里的充电棚.jpg", pictures.shed_at_night(local_date(now - timedelta(days=2)).isoformat()))],
        uploads_dir,
        now=now - timedelta(days=1, hours=22),
    )

    renbao_households = await _households("renbao")
    rng.shuffle(renbao_households)
    spaces = await _number(renbao["id"], "拆除闲置煤房，新增停车位")
    # The fourth rating makes 2 of 4 unsatisfied, more than a third: reopened and escalated.
    await rate_many(
        renbao,
        spaces,
        renbao_households[:4],
        ["satisfied", "unsatisfied", "basically_satisfied", "unsatisfied"],
        now - timedelta(days=1, hours=20),
    )
    rule = await _number(renbao["id"], "公示错峰停车管理规定")
    await rate_many(
        renbao,
        rule,
        renbao_households[4:10],
        ["satisfied", "satisfied", "basically_satisfied", "satisfied", "satisfied", "basically_satisfied"],
        now - timedelta(days=2, hours=18),
    )
