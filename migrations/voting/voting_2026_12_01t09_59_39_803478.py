"""Secret choices lose their weights: each ballot's running sums per choice
(``ballot_secret_tally``) are filled from the weights stored so far, then the
weight column is dropped, so no stored area pairs a participant with a choice.

A ballot opened after this migration makes its sum rows when it opens (every
choice, every stream it counts). For ballots already open or closed the rows
are made here, a zero row for each choice nobody chose. Votes of secret
ballots cast before this migration have no receipt check: they cannot be
voided by receipt code (``voting.service.void_vote`` says so).

Owners' decisions already open with a closing time keep it as a bound
closing time, as if their notice had announced it.
"""

import json

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from yishi.db import engine, is_sqlite, unique_index

ID = "2026-12-01T09:59:39:803478"
VERSION = "1.38.0"
DESCRIPTION = "secret choices without weights"

YES_NO_ABSTAIN = ("yes", "no", "abstain")
OWNER_RULES = ("civil_code_ordinary", "civil_code_special")


async def _rows(sql: str) -> list[dict]:
    return list(await engine().run_ddl(sql) or [])


async def fill_sums() -> None:
    sums = {
        (r["ballot"], r["stream"], r["choice"]): (r["owners"], r["area"])
        for r in await _rows(
            'SELECT ballot, stream, choice, COUNT(*) AS owners, SUM(area) AS area '
            'FROM "ballot_secret_choice" GROUP BY ballot, stream, choice')
    }
    ballots = await _rows('SELECT id, options, links_binding FROM "ballot" WHERE secret = TRUE')
    for ballot in ballots:
        options = ballot["options"]
        if isinstance(options, str):
            options = json.loads(options or "[]")
        choices = (*options, "abstain") if options else YES_NO_ABSTAIN
        streams = ("count",) if ballot["links_binding"] else ("count", "consultation")
        keys = {(ballot["id"], s, c) for s in streams for c in choices}
        keys |= {k for k in sums if k[0] == ballot["id"]}
        for key in sorted(keys):
            owners, area = sums.get(key, (0, 0))
            choice = key[2].replace("'", "''")
            await engine().run_ddl(
                'INSERT INTO "ballot_secret_tally" (ballot, stream, choice, owners, area) '
                f"VALUES ({int(key[0])}, '{key[1]}', '{choice}', {int(owners)}, {int(area or 0)})")


async def bind_owner_closing_times() -> None:
    rules = ", ".join(f"'{r}'" for r in OWNER_RULES)
    await engine().run_ddl(
        f'UPDATE "ballot" SET notice_bound = TRUE WHERE rule IN ({rules}) AND closes_at IS NOT NULL')


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="voting", description=DESCRIPTION)
    manager.add_raw(fill_sums)
    manager.add_raw(bind_owner_closing_times)
    manager.add_raw(unique_index("ballot_secret_tally_choice_key", "ballot_secret_tally",
                                 "ballot", "stream", "choice"))
    manager.drop_column(
        table_class_name="SecretChoice",
        tablename="ballot_secret_choice",
        column_name="area",
        db_column_name="area",
        schema=None,
    )
    manager.add_raw_backwards(lambda: None)
    return manager
