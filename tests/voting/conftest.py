"""Ballot tests share the small world of tests.support, with the app running
(so the live channel and, on PostgreSQL, the connection pool are up)."""

from __future__ import annotations

import httpx
import pytest

from tests.support import World, build_world
from yishi.i18n import language


@pytest.fixture
async def world(client: httpx.AsyncClient) -> World:
    return await build_world()


@pytest.fixture(autouse=True)
def english_messages():
    """Messages are matched in English here; tests of the Chinese wording say so."""
    with language("en"):
        yield
