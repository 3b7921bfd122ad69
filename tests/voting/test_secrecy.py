"""Secret ballots stay secret in the database, and their count stays exact.

The attacker here has every table of the database, PostgreSQL's system
columns (``xmin``, ``ctid``), the physical order of the rows, a ``pg_dump``
(or SQLite's file and its write-ahead log). With 45 owners of distinct areas
voting on a secret owners' decision, at once: while the vote is open nothing
stored holds a choice, a public receipt half or a sum per choice in the
clear, so pairing a voter with a row (by ``xmin``, say) pairs them with a
sealed box only; once closed, every join of a column that describes a
participant with a column that describes a choice recovers no more
voter-choice pairs than chance would. The tally stays exact, receipts still
find their choices, voiding still works with the whole receipt code.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support import World
from tests.voting.support import make_item, make_meeting
from yishi import db
from yishi.errors import Conflict, DomainError, FormErrors
from yishi.roster.tables import Building, Household
from yishi.settings import Settings
from yishi.voting import receipts, service
from yishi.voting.recount import load_and_tally
from yishi.voting.sealing import BallotSeal, SealBroken
from yishi.voting.service import BallotSettings
from yishi.voting.tables import Ballot, BallotVote, SecretChoice, SecretTally

NOW = datetime(2026, 11, 23, 6, 5, tzinfo=UTC)
VOTERS = 45
CHOICES = ("yes", "no", "abstain")
# Chance recovers about one pair by position (a random permutation has one
# fixed point on average); nine or more happen by chance about once in 10⁶.
BY_CHANCE = 8


async def _building_of_distinct_areas(world: World) -> dict[str, tuple[int, int]]:
    """Building 9 of alpha: VOTERS households whose areas all differ. label → (household id, area)."""
    rows = await Building.insert(Building(compound=world.compounds["alpha"], code="9")).returning(Building.id)
    building = rows[0]["id"]
    world.buildings[("alpha", "9")] = building
    units = {}
    for n in range(VOTERS):
        area = 6000 + 137 * n + (n * n) % 97
        unit = f"1-{n // 4 + 1}0{n % 4 + 1}"
        created = await Household.insert(
            Household(
                building=building,
                unit=unit,
                exclusive_area=area,
                owner_names=f"业主{n}",
                phone="",
                residents=2,
                updated_at=NOW,
            )
        ).returning(Household.id)
        units[f"9-{unit}"] = (created[0]["id"], area)
    return units


async def _secret_ballot(world: World, units: dict[str, tuple[int, int]]) -> int:
    meeting = await make_meeting(world, kind="owners_decision", building_ids=(world.buildings[("alpha", "9")],))
    item = await make_item(meeting, "civil_code_ordinary", title="是否使用专项维修资金更换9号楼电梯")
    return await service.open_ballot(
        world.compounds["alpha"], item, BallotSettings(secret=True), actor=world.users["sec_alpha"], at=NOW
    )


async def _cast_all(world: World, ballot_id: int, units: dict[str, tuple[int, int]]) -> dict[str, str]:
    """Everyone votes at once, by link or on paper; return label → whole receipt code."""

    async def cast(n: int, label: str, household: int) -> tuple[str, str]:
        choice = CHOICES[n % 3]
        at = NOW + timedelta(minutes=n)
        if n % 5 == 4:
            receipt = await service.record_paper_vote(
                ballot_id, label, choice, f"P-{n}", actor=world.users["sec_alpha"], at=at
            )
        else:
            receipt = await service.cast_link_vote(ballot_id, household, choice, at=at)
        return label, receipt.receipt_code

    cast_at_once = [cast(n, label, household) for n, (label, (household, _area)) in enumerate(units.items())]
    return dict(await asyncio.gather(*cast_at_once))


async def _rows(sql: str) -> list[dict[str, Any]]:
    return list(await db.engine().run_ddl(sql))


def _system(table: str, *, with_system: bool) -> str:
    if db.is_sqlite():
        return f'SELECT rowid AS sys_rowid, * FROM "{table}"'
    if with_system:
        return f'SELECT xmin::text::bigint AS sys_xmin, ctid::text AS sys_ctid, * FROM "{table}"'
    return f'SELECT * FROM "{table}"'


def _orderable(value: Any) -> Any:
    if isinstance(value, str) and re.fullmatch(r"\(\d+,\d+\)", value):  # a PostgreSQL ctid
        return tuple(int(part) for part in value[1:-1].split(","))
    return (str(type(value)), value) if value is not None else ("", "")


async def _participants(ballot_id: int, *, with_system: bool) -> dict[str, dict[str, Any]]:
    """label → every stored column of the voter's vote (``vote_*``) and roll entry (``roll_*``)."""
    votes = [
        v
        for v in await _rows(_system("ballot_vote", with_system=with_system))
        if v["ballot"] == ballot_id and v["voided_at"] is None
    ]
    roll = {r["id"]: r for r in await _rows(_system("ballot_roll_entry", with_system=with_system))}
    found = {}
    for vote in votes:
        entry = roll[vote["roll_entry"]]
        found[entry["label"]] = {
            **{f"vote_{k}": v for k, v in vote.items()},
            **{f"roll_{k}": v for k, v in entry.items()},
        }
    return found


async def _choices(ballot_id: int, *, with_system: bool) -> dict[str, dict[str, Any]]:
    """public receipt code → every stored column of the choice and of its choice's running sum."""
    sums = {
        s["choice"]: s
        for s in await _rows(_system("ballot_secret_tally", with_system=with_system))
        if s["ballot"] == ballot_id
    }
    found = {}
    for row in await _rows(_system("ballot_secret_choice", with_system=with_system)):
        if row["ballot"] == ballot_id:
            found[row["receipt_code"]] = {
                **{f"choice_{k}": v for k, v in row.items()},
                **{f"sum_{k}": v for k, v in sums[row["choice"]].items()},
            }
    return found


SHARED = {"vote_ballot", "roll_ballot", "choice_ballot", "sum_ballot", "vote_stream", "choice_stream", "sum_stream"}


def _pairings_found(
    participants: dict[str, dict[str, Any]], choices: dict[str, dict[str, Any]], truth: set[tuple[str, str]]
) -> list[str]:
    """Every join of a participant column with a choice column that pairs
    voters with their choices better than chance: by equal values, or by the
    order of the values."""
    found = []
    labels, codes = list(participants), list(choices)
    p_columns = sorted({k for row in participants.values() for k in row} - SHARED)
    c_columns = sorted({k for row in choices.values() for k in row} - SHARED)
    for p in p_columns:
        for c in c_columns:
            matched = {
                (label, code)
                for label in labels
                for code in codes
                if participants[label][p] is not None and str(participants[label][p]) == str(choices[code][c])
            }
            hits = len(matched & truth)
            if hits > len(matched) / len(labels) + 2:
                found.append(f"{p} = {c}: {hits} of {len(matched)} matches are true pairs")
            if len({str(r[p]) for r in participants.values()}) < len(labels) // 2:
                continue
            if len({str(r[c]) for r in choices.values()}) < len(codes) // 2:
                continue
            by_p = sorted(labels, key=lambda label: _orderable(participants[label][p]))
            by_c = sorted(codes, key=lambda code: _orderable(choices[code][c]))
            for order in (by_c, by_c[::-1]):
                hits = sum((label, code) in truth for label, code in zip(by_p, order))
                if hits > BY_CHANCE:
                    found.append(f"order of {p} ~ order of {c}: {hits} true pairs of {len(labels)}")
    return found


async def _everything_stored(settings: Settings) -> bytes:
    """What someone holding the database has: a plain ``pg_dump`` (rows in
    physical order), or SQLite's file with its write-ahead log."""
    if db.is_sqlite():
        path = settings.sqlite_path
        return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    dumped = subprocess.run(["pg_dump", "--no-owner", settings.database_url], capture_output=True, check=True)
    return dumped.stdout


async def test_while_open_nothing_stored_holds_a_choice_a_receipt_or_a_sum(world: World, settings: Settings):
    units = await _building_of_distinct_areas(world)
    ballot_id = await _secret_ballot(world, units)
    codes = await _cast_all(world, ballot_id, units)

    stored = await _everything_stored(settings)
    for code in codes.values():
        assert receipts.public_part(code).encode() not in stored
        assert code.encode() not in stored
    rows = [r for r in await _rows(_system("ballot_secret_choice", with_system=True)) if r["ballot"] == ballot_id]
    assert len(rows) == VOTERS
    assert {(r["receipt_code"], r["choice"]) for r in rows} == {("", "")}
    assert len({len(r["sealed"]) for r in rows}) == 1  # a box's size says nothing of its choice
    assert [r for r in await _rows(_system("ballot_secret_tally", with_system=False)) if r["ballot"] == ballot_id] == []
    if not db.is_sqlite():
        # Pairing a vote with the row written in its transaction pairs it with a sealed box.
        paired = await _rows(
            "SELECT v.voter_key, c.choice, c.receipt_code, c.sealed FROM ballot_vote v "
            f"JOIN ballot_secret_choice c ON c.xmin::text = v.xmin::text WHERE v.ballot = {ballot_id}"
        )
        assert len(paired) == VOTERS and {(r["choice"], r["receipt_code"]) for r in paired} == {("", "")}
    # Without the site's key the boxes do not open.
    ballot = await Ballot.select().where(Ballot.id == ballot_id).first()
    with pytest.raises(SealBroken):
        BallotSeal("another site's key", ballot["seal_salt"]).open(rows[0]["sealed"])


async def test_no_stored_value_pairs_a_voter_with_a_choice_once_closed(world: World):
    units = await _building_of_distinct_areas(world)
    ballot_id = await _secret_ballot(world, units)
    codes = await _cast_all(world, ballot_id, units)
    truth = {(label, receipts.public_part(code)) for label, code in codes.items()}

    result = await service.close_ballot(ballot_id, actor=world.users["sec_alpha"], at=NOW + timedelta(days=1))

    # Closed: PostgreSQL's xmin and physical order too.
    participants = await _participants(ballot_id, with_system=True)
    choices = await _choices(ballot_id, with_system=True)
    assert len(participants) == len(choices) == VOTERS
    assert _pairings_found(participants, choices, truth) == []

    # The tally stays exact: headcount and area of each choice.
    actual = result["actual"]
    for n, choice in enumerate(CHOICES):
        chosen = [area for i, (_h, area) in enumerate(units.values()) if i % 3 == n]
        assert actual[f"{choice}_owners"] == len(chosen)
        assert actual[f"{choice}_area_m2"] == f"{sum(chosen) // 100}.{sum(chosen) % 100:02d}"
    ballot = await service.ballot_in_compound(world.compounds["alpha"], ballot_id)
    assert load_and_tally("civil_code_ordinary", ballot["roll_csv"], ballot["votes_csv"]).to_json_dict() == actual
    # and each voter finds their receipt with their choice in the published list.
    published = {line.receipt_code: line.choice for line in await service.receipt_list(ballot)}
    assert {code: published[code] for _label, code in truth} == {
        receipts.public_part(codes[label]): CHOICES[n % 3] for n, label in enumerate(units)
    }


async def test_a_ballot_whose_key_changed_is_not_counted_wrongly(world: World, settings: Settings):
    units = await _building_of_distinct_areas(world)
    ballot_id = await _secret_ballot(world, units)
    await _cast_all(world, ballot_id, units)
    db.configure(replace(settings, secret_key="a new key"))
    with pytest.raises(DomainError, match="YISHI_SECRET_KEY"):
        await service.close_ballot(ballot_id, actor=world.users["sec_alpha"], at=NOW + timedelta(days=1))
    db.configure(settings)
    assert (await Ballot.select(Ballot.status).where(Ballot.id == ballot_id).first())["status"] == "open"
    result = await service.close_ballot(ballot_id, actor=world.users["sec_alpha"], at=NOW + timedelta(days=1))
    assert result["actual"]["participating_owners"] == VOTERS


async def test_no_roll_area_matches_a_single_choice(world: World):
    units = await _building_of_distinct_areas(world)
    ballot_id = await _secret_ballot(world, units)
    await _cast_all(world, ballot_id, units)
    await service.close_ballot(ballot_id, actor=world.users["sec_alpha"], at=NOW + timedelta(days=1))
    columns = {k for row in (await _choices(ballot_id, with_system=False)).values() for k in row}
    assert "choice_area" not in columns and "choice_receipt_code" in columns
    areas = {area for _h, area in units.values()}
    assert not areas & {row["area"] for row in await SecretTally.select(SecretTally.area)}


# Voiding with the receipt code --------------------------------------------------------


async def _three_votes(world: World) -> tuple[int, dict[str, str]]:
    meeting = await make_meeting(world)
    item = await make_item(meeting, "majority_of_cast")
    ballot_id = await service.open_ballot(
        world.compounds["alpha"], item, BallotSettings(secret=True), actor=world.users["sec_alpha"], at=NOW
    )
    codes = {}
    for label, choice in (("1-1-101", "yes"), ("1-1-102", "no"), ("2-1-101", "no")):
        receipt = await service.cast_link_vote(ballot_id, world.households[f"alpha:{label}"], choice, at=NOW)
        codes[label] = receipt.receipt_code
    return ballot_id, codes


async def _vote_of(ballot_id: int, label: str) -> int:
    rows = await BallotVote.select(BallotVote.id, BallotVote.roll_entry.label.as_alias("label")).where(
        (BallotVote.ballot == ballot_id) & BallotVote.voided_at.is_null()
    )
    return next(r["id"] for r in rows if r["label"] == label)


async def _state(ballot_id: int) -> tuple[Any, ...]:
    choices = sorted(c["sealed"] for c in await SecretChoice.select().where(SecretChoice.ballot == ballot_id))
    voided = sorted(
        v["id"]
        for v in await BallotVote.select(BallotVote.id).where(
            (BallotVote.ballot == ballot_id) & BallotVote.voided_at.is_not_null()
        )
    )
    return choices, voided


async def test_a_receipt_code_voids_only_the_vote_it_belongs_to(world: World):
    ballot_id, codes = await _three_votes(world)
    target = await _vote_of(ballot_id, "1-1-101")
    before = await _state(ballot_id)
    wrong = {
        "another voter's whole code": codes["1-1-102"],
        "another voter's code, lower case without dashes": codes["2-1-101"].lower().replace("-", ""),
        "the public half of its own code": receipts.public_part(codes["1-1-101"]),
        "the public half of another's code": receipts.public_part(codes["1-1-102"]),
        "its own public half with another's private half": receipts.public_part(codes["1-1-101"])
        + codes["1-1-102"][9:],
        "a made-up code": "K7Q2-M9XD-4HPA-V8NC",
        "nothing": "",
        "text that is no code": "我不记得了",
    }
    for what, code in wrong.items():
        with pytest.raises(FormErrors) as error:
            await service.void_vote(
                ballot_id, target, "重复投票", actor=world.users["committee_alpha"], receipt_code=code
            )
        assert "receipt_code" in error.value.errors, what
        assert await _state(ballot_id) == before, what

    await service.void_vote(
        ballot_id, target, "重复投票", actor=world.users["committee_alpha"], receipt_code=codes["1-1-101"]
    )
    choices, voided = await _state(ballot_id)
    assert voided == [target] and len(choices) == 2 and set(choices) < set(before[0])
    with pytest.raises(Conflict):
        await service.void_vote(
            ballot_id, target, "重复投票", actor=world.users["committee_alpha"], receipt_code=codes["1-1-101"]
        )

    # The owner votes again: one choice each, and the count closes.
    await service.cast_link_vote(ballot_id, world.households["alpha:1-1-101"], "no", at=NOW)
    result = await service.close_ballot(ballot_id, actor=world.users["sec_alpha"], at=NOW)
    assert (result["actual"]["yes_ballots"], result["actual"]["no_ballots"]) == (0, 3)
    sums = {
        (s["choice"], s["owners"], s["area"]) for s in await SecretTally.select().where(SecretTally.ballot == ballot_id)
    }
    assert ("yes", 0, 0) in sums and ("no", 3, 28000) in sums


async def test_a_choice_without_its_participant_is_refused_in_the_transaction(world: World):
    ballot_id, _codes = await _three_votes(world)
    await SecretChoice.insert(
        SecretChoice(id=12345, ballot=ballot_id, stream="count", receipt_code="", choice="", sealed="x", tag="x")
    )
    before = await BallotVote.count().where(BallotVote.ballot == ballot_id)
    with pytest.raises(service.CountMismatch):
        await service.cast_link_vote(ballot_id, world.households["alpha:2-1-102"], "yes", at=NOW)
    assert await BallotVote.count().where(BallotVote.ballot == ballot_id) == before
    assert await SecretChoice.count().where(SecretChoice.ballot == ballot_id) == 4


async def test_a_vote_recorded_before_receipt_checks_is_not_voided_by_any_code(world: World):
    ballot_id, codes = await _three_votes(world)
    target = await _vote_of(ballot_id, "1-1-102")
    await BallotVote.update({BallotVote.receipt_check: ""}).where(BallotVote.id == target)
    with pytest.raises(DomainError, match="before receipts could be checked"):
        await service.void_vote(
            ballot_id, target, "重复投票", actor=world.users["committee_alpha"], receipt_code=codes["1-1-102"]
        )
