"""On PostgreSQL a dropped column stays in the stored rows until they are
written again: write every secret choice again so the weights dropped by the
previous migration leave the live rows (VACUUM, automatic or by hand, then
frees the old row versions). SQLite rewrote the table when it dropped the
column."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from yishi.db import engine, is_sqlite

ID = "2026-12-01T09:59:39:803479"
VERSION = "1.38.0"
DESCRIPTION = "secret choices written again without their weights"


async def rewrite_choices() -> None:
    if not is_sqlite():
        await engine().run_ddl('UPDATE "ballot_secret_choice" SET choice = choice')


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="voting", description=DESCRIPTION)
    manager.add_raw(rewrite_choices)
    return manager
