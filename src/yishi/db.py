"""The database engine: choose it from the settings, bind every table to it,
open write transactions that cannot deadlock on SQLite, run migrations."""

from __future__ import annotations

import asyncio
import contextlib
import io
import weakref
from collections.abc import AsyncIterator, Sequence
from typing import Any

from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.apps.migrations.tables import Migration
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.table import Table

from yishi import piccolo_conf
from yishi.settings import Settings

SQLITE_BUSY_TIMEOUT_SECONDS = 30
# asyncpg sends at most 32,767 parameters in one statement and SQLite takes at
# most 32,766 variables: an INSERT of many rows is sent in batches below that.
MAX_PARAMETERS = 30_000


def all_tables() -> list[type[Table]]:
    """Every table of every Yishi app, in dependency order."""
    tables: list[type[Table]] = []
    for app_config in piccolo_conf.APP_REGISTRY.app_configs.values():
        tables.extend(app_config.table_classes)
    return tables


async def insert_many(table: type[Table], rows: Sequence[Table]) -> None:
    """Insert ``rows`` in as few statements as the drivers allow (a roll of
    10,000 households is several statements, in the caller's transaction)."""
    per_statement = max(1, MAX_PARAMETERS // len(table._meta.columns))
    for start in range(0, len(rows), per_statement):
        await table.insert(*rows[start : start + per_statement])


def create_engine(settings: Settings) -> Engine:
    if settings.is_postgres:
        return PostgresEngine(config={"dsn": settings.database_url}, log_queries=False)
    path = settings.sqlite_path
    path.parent.mkdir(parents=True, exist_ok=True)
    return SQLiteEngine(path=str(path), timeout=SQLITE_BUSY_TIMEOUT_SECONDS)


def configure(settings: Settings) -> Engine:
    """Make ``settings``' database the one every table and Piccolo command uses."""
    engine = create_engine(settings)
    bind(engine)
    return engine


def bind(engine: Engine) -> None:
    piccolo_conf.DB = engine
    for table in [*all_tables(), Migration]:
        table._meta.db = engine


def engine() -> Engine:
    return piccolo_conf.DB


def is_sqlite() -> bool:
    return isinstance(engine(), SQLiteEngine)


def write_transaction() -> Any:
    """A transaction for work that reads and then writes.

    On SQLite it is IMMEDIATE: it takes the write lock before the first read, so
    two writers queue on the busy timeout instead of failing with "database is
    locked" when the second tries to upgrade its read lock. Within the process
    (SQLite is served by one) writers also queue on an asyncio lock first, so
    they wait their turn instead of polling SQLite's busy handler, whose sleeps
    grow long under a burst of votes.
    """
    db = engine()
    if isinstance(db, SQLiteEngine):
        return _sqlite_write_transaction(db)
    return db.transaction()


_writer_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()


@contextlib.asynccontextmanager
async def _sqlite_write_transaction(db: SQLiteEngine) -> AsyncIterator[Any]:
    if db.current_transaction.get() is not None:  # nested: the outer transaction holds the lock
        async with db.transaction(transaction_type=TransactionType.immediate) as transaction:
            yield transaction
        return
    loop = asyncio.get_running_loop()
    lock = _writer_locks.get(loop)
    if lock is None:
        lock = _writer_locks[loop] = asyncio.Lock()
    async with lock, db.transaction(transaction_type=TransactionType.immediate) as transaction:
        yield transaction


async def prepare(settings: Settings) -> None:
    """Per-process start-up: WAL mode on SQLite, the connection pool on PostgreSQL."""
    db = engine()
    if isinstance(db, SQLiteEngine):
        await db.run_ddl("PRAGMA journal_mode=WAL")
    elif isinstance(db, PostgresEngine):
        await db.start_connection_pool(min_size=1, max_size=10)


async def release() -> None:
    db = engine()
    if isinstance(db, PostgresEngine):
        await db.close_connection_pool()


async def migrate(quiet: bool = True) -> None:
    """Bring the bound database to the current schema."""
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink) if quiet else contextlib.nullcontext():
        result = await run_forwards(app_name="all")
    if not result.success:
        raise RuntimeError(f"migration failed: {result.message}\n{sink.getvalue()}")


async def is_reachable() -> bool:
    try:
        await engine().run_ddl("SELECT 1")
    except Exception:
        return False
    return True


@contextlib.asynccontextmanager
async def lifespan_database(settings: Settings) -> AsyncIterator[None]:
    await prepare(settings)
    try:
        yield
    finally:
        await release()


def unique_index(name: str, table: str, *columns: str) -> Any:
    """A migration step that creates a unique index.

    Piccolo's ``add_constraint`` is an ALTER TABLE, which SQLite does not
    support; a unique index is enforced the same way on both engines.
    """

    quoted = ", ".join(f'"{column}"' for column in columns)

    async def create() -> None:
        await engine().run_ddl(f"CREATE UNIQUE INDEX IF NOT EXISTS {name} ON {table} ({quoted})")

    return create
