"""The SQLite engine keeps its connections while the app serves, and reusing
them changes nothing a person could notice: foreign keys hold on every
statement, a failed transaction leaves nothing behind, and no connection (nor
its thread) outlives the app."""

from __future__ import annotations

import asyncio
import sqlite3
import threading

import pytest
from litestar import Litestar

from tests.conftest import only_sqlite
from tests.support import build_world
from yishi import db
from yishi.roster.tables import Building, Compound

pytestmark = only_sqlite


def connection_threads() -> set[threading.Thread]:
    return {thread for thread in threading.enumerate() if "_connection_worker_thread" in repr(thread._target)}


async def test_queries_reuse_a_few_connections_and_none_outlives_the_app(app: Litestar):
    before = connection_threads()
    async with app.lifespan():
        await build_world()
        for _ in range(50):
            await Compound.select().where(Compound.code == "alpha").first()
            async with db.write_transaction():
                await Compound.update({Compound.name: "银河湾小区"}).where(Compound.code == "alpha")
        kept = connection_threads() - before
        assert 1 <= len(kept) <= db.ReusingSQLiteEngine.MAX_IDLE  # kept, and few
    # A closed connection's thread ends on its own once told to: wait for each, then none is left.
    for thread in connection_threads() - before:
        await asyncio.to_thread(thread.join, 10)
    assert not connection_threads() - before


async def test_foreign_keys_hold_on_a_reused_connection(app: Litestar):
    async with app.lifespan():
        await build_world()
        for _ in range(3):  # the connection of the first attempt is handed out again
            with pytest.raises(sqlite3.IntegrityError):
                await Building.insert(Building(compound=999_999, code="9", name="9号楼"))
            with pytest.raises(sqlite3.IntegrityError):
                async with db.write_transaction():
                    await Building.insert(Building(compound=999_999, code="9", name="9号楼"))
        assert await Building.count().where(Building.code == "9") == 0


async def test_a_failed_transaction_leaves_nothing_and_the_next_one_works(app: Litestar):
    async with app.lifespan():
        world = await build_world()
        alpha = world.compounds["alpha"]
        with pytest.raises(RuntimeError):
            async with db.write_transaction():
                await Compound.update({Compound.name: "改错了"}).where(Compound.id == alpha)
                raise RuntimeError("the form was wrong after all")
        assert (await Compound.select(Compound.name).where(Compound.id == alpha).first())["name"] == "银河湾小区"
        async with db.write_transaction():
            await Compound.update({Compound.name: "银河湾"}).where(Compound.id == alpha)
        assert (await Compound.select(Compound.name).where(Compound.id == alpha).first())["name"] == "银河湾"
