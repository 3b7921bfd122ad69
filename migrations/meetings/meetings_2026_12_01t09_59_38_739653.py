from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-01T09:59:38:739653"
VERSION = "1.38.0"
DESCRIPTION = "the voting period announced by the notice"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="meetings", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Meeting",
        tablename="meeting",
        column_name="votes_close_at",
        db_column_name="votes_close_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="Meeting",
        tablename="meeting",
        column_name="votes_open_at",
        db_column_name="votes_open_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
