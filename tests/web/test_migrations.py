"""Migrations carry a database of the previous release forward with its data.

The database is made by the previous release's migrations (every app up to
the migrations it shipped), filled the way that release wrote it (secret
choices with their weights), then brought to the current schema by
``yishi migrate``; the data is all there and works with the current code.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.conf.apps import Finder

from yishi import db
from yishi.errors import DomainError
from yishi.meetings.tables import Meeting
from yishi.settings import Settings
from yishi.voting import service
from yishi.voting.tables import Ballot, SecretChoice, SecretTally

# The last migration of each app in the previous release.
PREVIOUS_RELEASE = {
    "meetings": "2026-11-23T14:38:52:386423",
    "voting": "2026-11-23T15:07:49:823565",
}
NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


# The last migration of each app in the release before meetings kept an early close's reason.
BEFORE_EARLY_CLOSE = {"meetings": "2026-12-01T09:59:38:739653"}


async def _migrate_to_previous_release(release: dict[str, str] = PREVIOUS_RELEASE) -> None:
    with contextlib.redirect_stdout(io.StringIO()):
        for app in Finder().get_sorted_app_names():
            result = await run_forwards(app_name=app, migration_id=release.get(app, "all"))
            assert result.success, result.message


async def _one(sql: str) -> int:
    rows = await db.engine().run_ddl(sql + " RETURNING id")
    return rows[0]["id"]


async def _fill_like_the_previous_release(*, weighted_choices: bool = True) -> dict[str, int]:
    """A compound with four households, an owners' decision with a secret ballot
    open (three votes) and a closed one, as the previous release stored them."""
    t = "'2026-11-23 06:00:00+00:00'"
    community = await _one("INSERT INTO community (code, name, street) VALUES ('c1', '六泉路社区', '杜桥街道')")
    compound = await _one(f"INSERT INTO compound (community, code, name) VALUES ({community}, 'alpha', '银河湾小区')")
    building = await _one(f"INSERT INTO building (compound, code, name) VALUES ({compound}, '1', '1号楼')")
    households = []
    for n, area in enumerate((9000, 10000, 11000, 12000)):
        households.append(
            await _one(
                "INSERT INTO household (building, unit, exclusive_area, updated_at) "
                f"VALUES ({building}, '1-10{n + 1}', {area}, {t})"
            )
        )
    meeting = await _one(
        "INSERT INTO meeting (compound, kind, title, starts_at, place, status, published_at) "
        f"VALUES ({compound}, 'owners_decision', '电梯维修业主共同决定', {t}, '党群服务站', 'published', {t})"
    )
    ids = {"compound": compound, "meeting": meeting}
    for name, status in (("open", "open"), ("closed", "closed")):
        item = await _one(
            "INSERT INTO agenda_item (meeting, position, kind, title, rule, on_published_notice) "
            f"VALUES ({meeting}, {1 if name == 'open' else 2}, 'decision', '电梯维修{name}', "
            "'civil_code_ordinary', TRUE)"
        )
        closes = "'2026-12-10 10:00:00+00:00'" if name == "open" else "NULL"
        ballot = await _one(
            "INSERT INTO ballot (compound, meeting, agenda_item, title, question, rule, roll_source, secret, "
            f"status, opened_at, closes_at) VALUES ({compound}, {meeting}, {item}, '电梯维修', '是否同意？', "
            f"'civil_code_ordinary', 'households', TRUE, '{status}', {t}, {closes})"
        )
        ids[name] = ballot
        entries = []
        for n, household in enumerate(households):
            entries.append(
                await _one(
                    "INSERT INTO ballot_roll_entry (ballot, member_key, voter_key, household, building, label, area, "
                    f"position) VALUES ({ballot}, 'h:{household}', 'h:{household}', {household}, {building}, "
                    f"'1-1-10{n + 1}', {(9000, 10000, 11000, 12000)[n]}, {n})"
                )
            )
        for n, choice in enumerate(("yes", "yes", "no")):
            await db.engine().run_ddl(
                "INSERT INTO ballot_vote (ballot, roll_entry, voter_key, channel, recorded_at) "
                f"VALUES ({ballot}, {entries[n]}, 'h:{households[n]}', 'link', {t})"
            )
            area = (9000, 10000, 11000)[n]
            await db.engine().run_ddl(
                f"INSERT INTO ballot_secret_choice (id, ballot, stream, receipt_code, choice{', area' * weighted_choices}) "
                f"VALUES ({ballot * 100 + n}, {ballot}, 'count', 'AAA{ballot}-BBB{n}', '{choice}'"
                f"{f', {area}' * weighted_choices})"
            )
        if not weighted_choices:  # the running sums instead
            for choice, owners, area in (("yes", 2, 19000), ("no", 1, 11000), ("abstain", 0, 0)):
                await db.engine().run_ddl(
                    "INSERT INTO ballot_secret_tally (ballot, stream, choice, owners, area) "
                    f"VALUES ({ballot}, 'count', '{choice}', {owners}, {area})"
                )
    return ids


async def _empty_database(settings: Settings, tmp_path: Path) -> None:
    if settings.is_postgres:
        db.configure(Settings(database_url=settings.database_url))
        await db.engine().run_ddl("DROP SCHEMA IF EXISTS public CASCADE")
        await db.engine().run_ddl("CREATE SCHEMA public")
    else:
        db.configure(Settings(database_url=f"sqlite:///{tmp_path / 'previous.sqlite3'}"))


@pytest.fixture
async def previous_release(settings: Settings, tmp_path: Path) -> dict[str, int]:
    await _empty_database(settings, tmp_path)
    await _migrate_to_previous_release()
    ids = await _fill_like_the_previous_release()
    await db.migrate()
    return ids


async def test_secret_choices_lose_their_weights_and_keep_their_exact_sums(previous_release: dict[str, int]):
    assert "area" not in {k for c in await SecretChoice.select() for k in c}
    for name in ("open", "closed"):
        sums = {
            (s["choice"], s["owners"], s["area"])
            for s in await SecretTally.select().where(SecretTally.ballot == previous_release[name])
        }
        assert sums == {("yes", 2, 19000), ("no", 1, 11000), ("abstain", 0, 0)}
        assert await SecretChoice.count().where(SecretChoice.ballot == previous_release[name]) == 3


async def test_the_open_ballot_of_the_previous_release_counts_closes_and_keeps_its_closing_time(
    previous_release: dict[str, int],
):
    ballot = await Ballot.select().where(Ballot.id == previous_release["open"]).first()
    assert ballot["notice_bound"] is True and ballot["early_close_reason"] == ""
    with pytest.raises(DomainError, match="在此之前不能结束表决"):
        await service.close_ballot(ballot["id"], actor=None, at=NOW)
    result = await service.close_ballot(ballot["id"], actor=None, at=NOW + timedelta(days=30))
    actual = result["actual"]
    assert (actual["yes_owners"], actual["yes_area_m2"], actual["no_area_m2"]) == (2, "190.00", "110.00")
    assert actual["participating_owners"] == 3 and actual["total_owners"] == 4


async def test_votes_of_the_previous_release_cannot_be_voided_by_an_unchecked_receipt(previous_release: dict[str, int]):
    from yishi.voting.tables import BallotVote

    vote = await BallotVote.select(BallotVote.id).where(BallotVote.ballot == previous_release["open"]).first()
    with pytest.raises(DomainError, match="不能凭回执码作废"):
        await service.void_vote(
            previous_release["open"], vote["id"], "重复", actor=None, receipt_code="AAA1-BBB0-CCCC-DDDD"
        )


async def test_meetings_closed_before_the_early_close_reason_keep_their_record(settings: Settings, tmp_path: Path):
    await _empty_database(settings, tmp_path)
    await _migrate_to_previous_release(BEFORE_EARLY_CLOSE)
    t = "'2026-11-23 06:00:00+00:00'"
    community = await _one("INSERT INTO community (code, name, street) VALUES ('c1', '六泉路社区', '杜桥街道')")
    compound = await _one(f"INSERT INTO compound (community, code, name) VALUES ({community}, 'alpha', '银河湾小区')")
    closed = await _one(
        "INSERT INTO meeting (compound, kind, title, starts_at, place, status, published_at, closed_at) "
        f"VALUES ({compound}, 'bench_meeting', '3号楼板凳会', {t}, '凉亭', 'closed', {t}, {t})"
    )
    await db.migrate()
    row = await Meeting.select().where(Meeting.id == closed).first()
    assert row["title"] == "3号楼板凳会" and row["status"] == "closed" and row["closed_at"] is not None
    assert row["early_close_reason"] == ""


# The last migration of each app in the release before secret choices were sealed.
BEFORE_SEALED_CHOICES = {"voting": "2026-12-01T09:59:39:803479"}


async def test_an_open_secret_ballot_of_the_release_before_sealing_takes_sealed_votes_and_counts_them_all(
    settings: Settings, tmp_path: Path
):
    from yishi.voting import receipts
    from yishi.voting.tables import BallotVote

    await _empty_database(settings, tmp_path)
    await _migrate_to_previous_release(BEFORE_SEALED_CHOICES)
    ids = await _fill_like_the_previous_release(weighted_choices=False)
    # That release kept the public half of each receipt with its choice and the
    # running sums (three votes: yes 90.00 + 100.00 m², no 110.00 m²), and a
    # check of each whole receipt on the vote.
    old_codes = {n: f"AAA{ids['open']}-BBB{n}-CCCC-DDDD" for n in range(3)}
    for n, code in old_codes.items():
        await db.engine().run_ddl(
            f"UPDATE ballot_secret_choice SET receipt_code = '{receipts.public_part(code)}' "
            f"WHERE id = {ids['open'] * 100 + n}"
        )
    votes = await db.engine().run_ddl(f"SELECT id FROM ballot_vote WHERE ballot = {ids['open']} ORDER BY id")
    for n, vote in enumerate(votes):
        check = receipts.check_value(old_codes[n])
        await db.engine().run_ddl(f"UPDATE ballot_vote SET receipt_check = '{check}' WHERE id = {vote['id']}")
    await db.migrate()
    url = settings.database_url if settings.is_postgres else f"sqlite:///{tmp_path / 'previous.sqlite3'}"
    db.configure(replace(settings, database_url=url))  # with the site's key, which seals new choices

    ballot = await Ballot.select().where(Ballot.id == ids["open"]).first()
    assert ballot["seal_salt"] and await SecretChoice.count().where(SecretChoice.ballot == ids["open"]) == 3
    household = await db.engine().run_ddl("SELECT id FROM household WHERE unit = '1-104'")
    receipt = await service.cast_link_vote(ids["open"], household[0]["id"], "no", at=NOW)
    new_row = await SecretChoice.select().where((SecretChoice.ballot == ids["open"]) & (SecretChoice.sealed != ""))
    assert len(new_row) == 1 and new_row[0]["choice"] == "" and new_row[0]["receipt_code"] == ""
    # A vote of the earlier release is voided by its whole receipt, as before.
    await service.void_vote(ids["open"], votes[0]["id"], "重复投票", actor=None, receipt_code=old_codes[0])
    assert not await BallotVote.exists().where((BallotVote.id == votes[0]["id"]) & BallotVote.voided_at.is_null())

    result = await service.close_ballot(ids["open"], actor=None, at=NOW + timedelta(days=30))
    actual = result["actual"]
    assert (actual["yes_owners"], actual["yes_area_m2"]) == (1, "100.00")
    assert (actual["no_owners"], actual["no_area_m2"]) == (2, "230.00")
    closed = await service.ballot_in_compound(ids["compound"], ids["open"])
    published = {line.receipt_code: line.choice for line in await service.receipt_list(closed)}
    assert published[receipts.public_part(receipt.receipt_code)] == "no"
    assert published[receipts.public_part(old_codes[1])] == "yes"
