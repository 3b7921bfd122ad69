"""Database tests run on SQLite always, and on PostgreSQL when
``YISHI_TEST_POSTGRES_URL`` is set: the ``settings`` fixture is parametrized
over the engines, so every test that touches the database runs once per engine.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx
import pytest
from argon2 import PasswordHasher
from litestar import Litestar

from yishi import db
from yishi.accounts import passwords
from yishi.app import create_app
from yishi.settings import Settings

T = TypeVar("T")
POSTGRES_URL = os.environ.get("YISHI_TEST_POSTGRES_URL", "")
ENGINES = ["sqlite", "postgres"] if POSTGRES_URL else ["sqlite"]
# For a test about one engine: it runs on that engine only, instead of being
# skipped on the other (PostgreSQL ones run when YISHI_TEST_POSTGRES_URL is set).
only_sqlite = pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
only_postgres = pytest.mark.parametrize("settings", ["postgres"] if POSTGRES_URL else [], indirect=True)
BASE_URL = "http://testserver.local"


def run_in_thread(awaitable: Awaitable[T]) -> T:
    """Run a coroutine to completion on its own loop, from sync or async code."""
    result: dict[str, Any] = {}

    def target() -> None:
        try:
            result["value"] = asyncio.run(awaitable)  # type: ignore[arg-type]
        except BaseException as error:
            result["error"] = error

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result["value"]


async def _reset_postgres() -> None:
    await db.engine().run_ddl("DROP SCHEMA IF EXISTS public CASCADE")
    await db.engine().run_ddl("CREATE SCHEMA public")
    await db.migrate()


async def _truncate_all() -> None:
    names = ", ".join(f'"{t._meta.tablename}"' for t in db.all_tables())
    await db.engine().run_ddl(f"TRUNCATE {names} RESTART IDENTITY CASCADE")


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> Any:
    """Argon2 at its smallest cost in this process: a login would otherwise
    spend ~0.1 s of CPU hashing, and the suite logs in thousands of times.
    Hashes keep their parameters, so servers the tests start in other
    processes (at the real cost) still verify them."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        yield


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "yishi.sqlite3"
    db.configure(Settings(database_url=f"sqlite:///{path}"))
    run_in_thread(db.migrate())
    return path


async def _own_database(url: str, worker: str) -> str:
    """A PostgreSQL database of this pytest-xdist worker's own (``test_gw0``, ...),
    made beside the one named by the URL on first use."""
    base, _, name = url.rpartition("/")
    own = f"{name}_{worker}"
    connection = await asyncpg.connect(url)
    try:
        if not await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", own):
            await connection.execute(f'CREATE DATABASE "{own}"')
    finally:
        await connection.close()
    return f"{base}/{own}"


@pytest.fixture(scope="session")
def postgres_schema() -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    url = run_in_thread(_own_database(POSTGRES_URL, worker)) if worker else POSTGRES_URL
    db.configure(Settings(database_url=url))
    run_in_thread(_reset_postgres())
    return url


@pytest.fixture(params=ENGINES)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    common = {"secret_key": "test-secret-key", "base_url": BASE_URL, "var_dir": tmp_path}
    if request.param == "sqlite":
        path = tmp_path / "yishi.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        settings = Settings(database_url=f"sqlite:///{path}", **common)
        db.configure(settings)
    else:
        settings = Settings(database_url=request.getfixturevalue("postgres_schema"), **common)
        db.configure(settings)
        run_in_thread(_truncate_all())
    return settings


@pytest.fixture
async def world(settings: Settings) -> Any:
    """The two compounds, their households and staff of ``tests.support.build_world``,
    in the test's own database (every test that needs them takes this fixture)."""
    from tests.support import build_world

    return await build_world()


@pytest.fixture
def app(settings: Settings) -> Litestar:
    return create_app(settings)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the test's own event loop.

    Litestar's AsyncTestClient runs the app on a loop in another thread, which
    would share the PostgreSQL pool across loops; here app, pool and test
    share one loop.
    """
    started, stopping = asyncio.Event(), asyncio.Event()

    async def run_lifespan() -> None:
        # The lifespan is entered and left in this one task, as anyio requires.
        async with app.lifespan():
            started.set()
            await stopping.wait()

    lifespan = asyncio.create_task(run_lifespan())
    await started.wait()
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL, follow_redirects=True) as client:
            yield client
    finally:
        stopping.set()
        await lifespan


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Playwright's sync API keeps an event loop running in the main thread
    while its browser is open, which async tests cannot share: the browser tests
    run together, in one worker, their browser closed after each module. In one
    process they run last; in several (``make test`` runs one per core) first,
    so the longest group starts at once instead of running on after the rest."""
    in_workers = bool(os.environ.get("PYTEST_XDIST_WORKER"))
    items.sort(key=lambda item: ("/e2e/" in str(item.path)) != in_workers)
    for item in items:
        if "/e2e/" in str(item.path):
            item.add_marker(pytest.mark.xdist_group("browser"))
