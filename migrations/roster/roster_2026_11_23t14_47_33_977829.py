"""Unique keys of the roster tables (as unique indexes: SQLite cannot ALTER TABLE ADD CONSTRAINT)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from yishi.db import unique_index

ID = "2026-11-23T14:47:33:977829"
VERSION = "1.38.0"
DESCRIPTION = "unique keys"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="roster", description=DESCRIPTION)
    manager.add_raw(unique_index("building_compound_code_key", "building", 'compound', 'code'))
    manager.add_raw(unique_index("household_building_unit_key", "household", 'building', 'unit'))
    manager.add_raw(unique_index("party_compound_kind_key", "party", 'compound', 'kind'))

    return manager
