"""Unique keys of the actions tables (as unique indexes: SQLite cannot ALTER TABLE ADD CONSTRAINT)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from yishi.db import unique_index

ID = "2026-11-23T14:54:55:980539"
VERSION = "1.38.0"
DESCRIPTION = "unique keys"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="actions", description=DESCRIPTION)
    manager.add_raw(unique_index("action_item_compound_number_key", "action_item", "compound", "number"))

    return manager
