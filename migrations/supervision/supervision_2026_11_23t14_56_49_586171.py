"""Unique keys of the supervision tables (as unique indexes: SQLite cannot ALTER TABLE ADD CONSTRAINT)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from yishi.db import unique_index

ID = "2026-11-23T14:56:49:586171"
VERSION = "1.38.0"
DESCRIPTION = "unique keys"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="supervision", description=DESCRIPTION)
    # One rating per household per action per completion.
    manager.add_raw(
        unique_index("action_rating_action_round_household_key", "action_rating", "action", "round", "household")
    )

    return manager
