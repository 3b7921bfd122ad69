"""Test data for documents: a published meeting with its agenda, positions,
sign-ins, notes and actions; and reading PDFs back with poppler."""

from __future__ import annotations

import re
import subprocess
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from tests.support import World
from yishi.meetings.tables import AgendaItem, Attendance, Invitation, Meeting, Position
from yishi.roster.tables import Building, Party

CJK = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"


def pdf_text(data: bytes) -> str:
    """The text of a PDF as pdftotext reads it, whitespace folded, and no
    space left between two Chinese characters (a line may wrap anywhere)."""
    result = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
    text = re.sub(r"\s+", " ", result.stdout.decode("utf-8"))
    return re.sub(f"(?<=[{CJK}]) (?=[{CJK}])", "", text)


def pdf_pages(data: bytes) -> int:
    result = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True)
    match = re.search(r"^Pages:\s+(\d+)", result.stdout.decode(), flags=re.M)
    assert match, result.stdout
    return int(match.group(1))


def pdf_to_png(data: bytes, folder: Path, name: str, first: int = 1, last: int = 1) -> list[Path]:
    """Pages of the PDF as PNG at 60 dpi (to look at them)."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        subprocess.run(
            ["pdftoppm", "-r", "60", "-png", "-f", str(first), "-l", str(last), handle.name, str(folder / name)],
            check=True,
        )
    return sorted(folder.glob(f"{name}*.png"))


ITEMS = [
    (
        "地下车库出口照明改造",
        "地下车库出口照明不足，夜间车辆进出存在安全隐患。拟在出口坡道加装 6 盏 LED 灯，费用由公共收益支出。",
        "是否同意在地下车库出口加装照明？",
        [],
        "majority_of_cast",
    ),
    (
        "电动车充电棚选址",
        "小区电动车数量增加，楼道充电存在火灾隐患，拟新建充电棚一处。",
        "充电棚建在哪里？",
        ["3号楼北侧空地", "东门停车场西角"],
        "majority_of_cast",
    ),
]


async def add_meeting(
    world: World,
    *,
    compound: str = "alpha",
    status: str = "published",
    kind: str = "bench_meeting",
    title: str = "1号楼、2号楼板凳会",
) -> int:
    """A meeting of ``compound`` tomorrow at 19:00, published yesterday, two items."""
    compound_id = world.compounds[compound]
    now = datetime.now(UTC)
    rows = await Meeting.insert(
        Meeting(
            compound=compound_id,
            kind=kind,
            title=title,
            starts_at=now + timedelta(days=1),
            duration_minutes=90,
            place="3号楼前党群服务站",
            building_ids=[world.buildings[(compound, "1")], world.buildings[(compound, "2")]],
            convener=world.users.get(f"sec_{compound}"),
            host=world.users.get(f"sec_{compound}"),
            status=status,
            published_at=now - timedelta(days=1) if status != "draft" else None,
            voting_method="现场举手表决与书面表决票相结合" if kind == "owners_decision" else "",
            committee_informed_at=now - timedelta(days=1) if kind == "owners_decision" else None,
        )
    ).returning(Meeting.id)
    meeting_id = rows[0]["id"]
    for position, (item_title, text, question, options, rule) in enumerate(ITEMS, start=1):
        await AgendaItem.insert(
            AgendaItem(
                meeting=meeting_id,
                position=position,
                title=item_title,
                full_text=text,
                question=question,
                options=options,
                rule=rule,
                minutes=20,
                notes="居民代表王建功发言：照明问题已反映多次，希望尽快解决。",
                on_published_notice=True,
            )
        )
    parties = await Party.select(Party.id, Party.kind).where(Party.compound == compound_id)
    for party in parties:
        await Invitation.insert(Invitation(meeting=meeting_id, party=party["id"]))
    await Invitation.insert(Invitation(meeting=meeting_id, guest_name="刘警官", guest_role="社区民警"))
    return meeting_id


async def add_positions_and_sign_ins(world: World, meeting_id: int, compound: str = "alpha") -> None:
    compound_id = world.compounds[compound]
    items = await AgendaItem.select(AgendaItem.id).where(AgendaItem.meeting == meeting_id).order_by(AgendaItem.position)
    parties = {
        p["kind"]: p["id"] for p in await Party.select(Party.id, Party.kind).where(Party.compound == compound_id)
    }
    await Position.insert(
        Position(
            agenda_item=items[0]["id"], party=parties["property"], stance="agree", text="物业同意，两周内完成安装。"
        )
    )
    await Position.insert(
        Position(
            agenda_item=items[0]["id"], party=parties["committee"], stance="conditions", text="同意，但须公示费用明细。"
        )
    )
    await Attendance.insert(
        Attendance(meeting=meeting_id, household=world.households[f"{compound}:1-1-101"], method="qr"),
        Attendance(
            meeting=meeting_id,
            household=world.households[f"{compound}:2-1-102"],
            method="staff",
            marked_by=world.users.get(f"sec_{compound}"),
        ),
        Attendance(
            meeting=meeting_id, party=parties["property"], user=world.users.get(f"pm_{compound}"), method="staff"
        ),
        Attendance(meeting=meeting_id, name="刘警官", method="staff"),
    )


async def building_id(compound_id: int, code: str) -> int:
    row = await Building.select(Building.id).where((Building.compound == compound_id) & (Building.code == code)).first()
    assert row is not None
    return row["id"]


def today() -> date:
    return datetime.now(UTC).date()


async def add_ballot(
    world: World,
    item_id: int,
    *,
    compound: str = "alpha",
    closed: bool = False,
    rule: str = "civil_code_ordinary",
    options: list[str] | None = None,
    choices: dict[str, str] | None = None,
) -> int:
    """A vote on ``item_id`` whose roll is every household of the compound;
    when ``closed``, with the frozen roll and votes (``choices``: unit → choice)."""
    from yishi.roster.tables import Household
    from yishi.rules import RollEntry, Vote, tally
    from yishi.voting.recount import write_roll_csv, write_votes_csv
    from yishi.voting.tables import Ballot, BallotRollEntry

    item = await AgendaItem.select().where(AgendaItem.id == item_id).first()
    households = (
        await Household.select(
            Household.id,
            Household.unit,
            Household.exclusive_area,
            Household.owner_key,
            Household.building.code.as_alias("b"),
            Household.building.id.as_alias("building_id"),
        )
        .where(Household.building.compound == world.compounds[compound])
        .order_by(Household.id)
    )
    roll = [
        RollEntry(voter=f"{h['b']}-{h['unit']}", area=h["exclusive_area"], owner_key=h["owner_key"]) for h in households
    ]
    votes = [Vote(voter=v, choice=c) for v, c in (choices or {}).items()]
    result = tally(roll, votes, rule, options or None) if closed else None
    now = datetime.now(UTC)
    rows = await Ballot.insert(
        Ballot(
            compound=world.compounds[compound],
            meeting=item["meeting"],
            agenda_item=item_id,
            title=item["title"],
            question=item["question"],
            rule=rule,
            options=options or [],
            roll_source="households",
            status="closed" if closed else "open",
            closes_at=now + timedelta(days=7),
            closed_at=now if closed else None,
            passed=result.passed if result else None,
            result={"actual": result.to_json_dict()} if result else None,
            roll_csv=write_roll_csv(roll) if closed else "",
            votes_csv=write_votes_csv(votes) if closed else "",
        )
    ).returning(Ballot.id)
    ballot_id = rows[0]["id"]
    await BallotRollEntry.insert(
        *[
            BallotRollEntry(
                ballot=ballot_id,
                member_key=f"h:{h['id']}",
                voter_key=f"h:{h['id']}",
                household=h["id"],
                building=h["building_id"],
                label=f"{h['b']}-{h['unit']}",
                area=h["exclusive_area"],
                position=index,
            )
            for index, h in enumerate(households)
        ]
    )
    return ballot_id
