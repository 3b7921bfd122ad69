"""Unique keys of the accounts tables (as unique indexes: SQLite cannot ALTER TABLE ADD CONSTRAINT)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from yishi.db import unique_index

ID = "2026-11-23T14:24:47:864961"
VERSION = "1.38.0"
DESCRIPTION = "unique keys"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)
    manager.add_raw(unique_index("party_member_party_user_key", "party_member", 'party', 'user'))

    return manager
