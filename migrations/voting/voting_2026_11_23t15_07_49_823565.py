"""Unique keys of the ballot tables (as unique indexes: SQLite cannot ALTER TABLE ADD CONSTRAINT).

One counted vote per voter, per ballot and stream: the index covers only votes
that are not voided, so a voided vote frees its voter. Both engines enforce
partial unique indexes the same way.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from yishi.db import engine, unique_index

ID = "2026-11-23T15:07:49:823565"
VERSION = "1.38.0"
DESCRIPTION = "unique keys"


def partial_unique_index(name: str, table: str, columns: tuple[str, ...], where: str):
    quoted = ", ".join(f'"{column}"' for column in columns)

    async def create() -> None:
        await engine().run_ddl(
            f"CREATE UNIQUE INDEX IF NOT EXISTS {name} ON {table} ({quoted}) WHERE {where}"
        )

    return create


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="voting", description=DESCRIPTION)
    manager.add_raw(unique_index("ballot_agenda_item_key", "ballot", "agenda_item"))
    manager.add_raw(unique_index("ballot_roll_entry_member_key", "ballot_roll_entry", "ballot", "member_key"))
    manager.add_raw(partial_unique_index(
        "ballot_vote_counted_voter_key", "ballot_vote", ("ballot", "voter_key", "stream"),
        "voided_at IS NULL"))
    manager.add_raw(partial_unique_index(
        "ballot_vote_receipt_key", "ballot_vote", ("ballot", "receipt_code"), "receipt_code <> ''"))
    manager.add_raw(unique_index("ballot_secret_choice_receipt_key", "ballot_secret_choice", "ballot", "receipt_code"))
    return manager
