"""Unique keys of the meetings tables (as unique indexes: SQLite cannot ALTER TABLE ADD CONSTRAINT)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from yishi.db import unique_index

ID = "2026-11-23T14:38:52:386423"
VERSION = "1.38.0"
DESCRIPTION = "unique keys"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="meetings", description=DESCRIPTION)
    manager.add_raw(unique_index("agenda_item_meeting_position_key", "agenda_item", 'meeting', 'position'))
    manager.add_raw(unique_index("party_position_item_party_key", "party_position", 'agenda_item', 'party'))
    manager.add_raw(unique_index("meeting_attendance_meeting_household_key", "meeting_attendance", 'meeting', 'household'))

    return manager
