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
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory
from piccolo.table import Table

from yishi import piccolo_conf
from yishi.settings import Settings, activate

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


class ReusingSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine, keeping its connections.

    Stock, every query outside a transaction and every transaction opens a new
    aiosqlite connection (a new thread, the file opened again) and every
    statement sends ``PRAGMA foreign_keys = 1`` first: on a vote that was six
    connections and twelve extra statements. Here a few connections are kept
    open and handed out again, each set up once. They are kept only while
    :meth:`open_pool` is in force on the serving event loop (the app's
    lifespan, see :func:`prepare`); anywhere else (the CLI, another loop) the
    engine behaves as Piccolo's, so no connection outlives its loop. A
    connection that saw an error, or is somehow still in a transaction, is
    closed instead of reused.
    """

    MAX_IDLE = 4

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._idle: list[Any] = []
        self._loop: asyncio.AbstractEventLoop | None = None

    def _pooling(self) -> bool:
        return self._loop is not None and asyncio.get_running_loop() is self._loop

    async def open_pool(self) -> None:
        self._loop = asyncio.get_running_loop()

    async def close_pool(self) -> None:
        idle, self._idle, self._loop = self._idle, [], None
        for connection in idle:
            await connection.close()

    async def get_connection(self) -> Any:
        if self._pooling() and self._idle:
            return self._idle.pop()
        return await super().get_connection()

    async def give_back(self, connection: Any, *, healthy: bool) -> None:
        if healthy and self._pooling() and len(self._idle) < self.MAX_IDLE and not connection.in_transaction:
            self._idle.append(connection)
        else:
            await connection.close()

    def transaction(
        self, transaction_type: TransactionType = TransactionType.deferred, allow_nested: bool = True
    ) -> SQLiteTransaction:
        return _ReusingTransaction(engine=self, transaction_type=transaction_type, allow_nested=allow_nested)

    async def _run_in_new_connection(
        self, query: str, args: list[Any] | None = None, query_type: str = "generic", table: Any = None
    ) -> Any:
        if not self._pooling() or self.get_version_sync() < 3.35:
            return await super()._run_in_new_connection(query, args, query_type, table)
        connection = await self.get_connection()
        healthy = False
        try:
            async with connection.execute(query, args or []) as cursor:
                await connection.commit()
                rows = await cursor.fetchall()
            healthy = True
            return rows
        finally:
            await self.give_back(connection, healthy=healthy)

    async def _run_in_existing_connection(
        self,
        connection: Any,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        if self.get_version_sync() < 3.35:
            return await super()._run_in_existing_connection(connection, query, args, query_type, table)
        # The connection was set up by get_connection: no PRAGMA before each statement.
        connection.row_factory = dict_factory
        async with connection.execute(query, args or []) as cursor:
            return await cursor.fetchall()


class _ReusingTransaction(SQLiteTransaction):
    """Piccolo's transaction, handing its connection back instead of closing it."""

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent:
            return exception is None
        healthy = True
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        except BaseException:
            healthy = False
            raise
        finally:
            await self.engine.give_back(self.connection, healthy=healthy and exception is None)
            self.engine.current_transaction.reset(self.context)
        return exception is None


def create_engine(settings: Settings) -> Engine:
    if settings.is_postgres:
        return PostgresEngine(config={"dsn": settings.database_url}, log_queries=False)
    path = settings.sqlite_path
    path.parent.mkdir(parents=True, exist_ok=True)
    return ReusingSQLiteEngine(path=str(path), timeout=SQLITE_BUSY_TIMEOUT_SECONDS)


def configure(settings: Settings) -> Engine:
    """Make ``settings``' database the one every table and Piccolo command
    uses, and ``settings`` the ones services read (``yishi.settings.active``)."""
    activate(settings)
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


# Advisory lock classes: the first key of pg_advisory_xact_lock, one per kind of check-then-write.
LOCK_PROXY_CAP = 7301  # key: the meeting; one proxy cap check at a time
LOCK_ATTEMPTS = 7302  # key: a hash of the account or address; one attempt reservation at a time
LOCK_SLIPS = 7303  # key: the compound; one issue of voter slips at a time


async def lock_until_commit(lock_class: int, key: int) -> None:
    """Make one kind of check-then-write on ``key`` take turns until the transaction
    ends (PostgreSQL; on SQLite the writers already take turns)."""
    if not is_sqlite():
        await engine().run_ddl(f"SELECT pg_advisory_xact_lock({int(lock_class)}, {int(key)})")


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
        if isinstance(db, ReusingSQLiteEngine):
            await db.open_pool()
    elif isinstance(db, PostgresEngine):
        await db.start_connection_pool(min_size=1, max_size=10, reset=_keep_session)


async def _keep_session(_connection: Any) -> None:
    """Nothing to reset when a pooled PostgreSQL connection comes back: Yishi
    leaves no state on it (no SET, LISTEN, cursor or session advisory lock;
    its advisory locks end with their transaction, and every transaction
    ends), so asyncpg's default reset would only cost a round trip per query."""


async def release() -> None:
    db = engine()
    if isinstance(db, PostgresEngine):
        await db.close_connection_pool()
    elif isinstance(db, ReusingSQLiteEngine):
        await db.close_pool()


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
