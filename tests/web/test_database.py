"""SQLite: WAL mode and IMMEDIATE write transactions keep concurrent writers apart."""

import asyncio

from tests.conftest import only_sqlite
from yishi import db
from yishi.accounts import service
from yishi.accounts.tables import HouseholdLink


async def test_many_concurrent_writers_never_see_database_is_locked(client, settings, world):
    household = world.households["alpha:1-1-101"]
    results = await asyncio.gather(
        *[service.issue_household_link(household, None) for _ in range(40)], return_exceptions=True
    )
    failures = [r for r in results if isinstance(r, Exception)]
    assert failures == []
    live = await HouseholdLink.count().where(
        (HouseholdLink.household == household) & HouseholdLink.revoked_at.is_null()
    )
    assert live == 1


@only_sqlite
async def test_sqlite_database_runs_in_wal_mode(client, settings):
    rows = await db.engine().run_ddl("PRAGMA journal_mode")
    assert rows[0]["journal_mode"] == "wal"
