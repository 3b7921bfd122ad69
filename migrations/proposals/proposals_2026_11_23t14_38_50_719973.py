"""Unique keys of the proposals tables (as unique indexes: SQLite cannot ALTER TABLE ADD CONSTRAINT)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from yishi.db import unique_index

ID = "2026-11-23T14:38:50:719973"
VERSION = "1.38.0"
DESCRIPTION = "unique keys"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="proposals", description=DESCRIPTION)
    manager.add_raw(unique_index("proposal_compound_number_key", "proposal", 'compound', 'number'))
    manager.add_raw(unique_index("proposal_second_proposal_household_key", "proposal_second", 'proposal', 'household'))

    return manager
