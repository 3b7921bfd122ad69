"""Every open secret ballot gets the salt its sealing keys are derived from,
and the choices' unique keys allow sealed choices (with no receipt code).
Choices cast before this release stay as they were written (and their running
sums) and are counted with the sealed ones when their ballot closes."""

import secrets

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from yishi.db import engine

ID = "2026-12-08T01:10:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "a seal salt for each open secret ballot"


async def salt_open_secret_ballots() -> None:
    for row in await engine().run_ddl("SELECT id FROM ballot WHERE secret AND status = 'open' AND seal_salt = ''"):
        await engine().run_ddl(f"UPDATE ballot SET seal_salt = '{secrets.token_hex(16)}' WHERE id = {int(row['id'])}")


async def unique_receipts_and_tags() -> None:
    """A receipt code once per ballot among the choices in the clear, and a
    tag once per ballot among the sealed ones (whose receipt codes are empty)."""
    await engine().run_ddl("DROP INDEX IF EXISTS ballot_secret_choice_receipt_key")
    for name, column, where in (
        ("ballot_secret_choice_receipt_key", "receipt_code", "sealed = ''"),
        ("ballot_secret_choice_tag_key", "tag", "sealed <> ''"),
    ):
        await engine().run_ddl(
            f'CREATE UNIQUE INDEX IF NOT EXISTS {name} ON ballot_secret_choice ("ballot", "{column}") WHERE {where}'
        )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="voting", description=DESCRIPTION)
    manager.add_raw(salt_open_secret_ballots)
    manager.add_raw(unique_receipts_and_tags)
    manager.add_raw_backwards(lambda: None)
    return manager
