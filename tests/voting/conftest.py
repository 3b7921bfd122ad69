"""Ballot tests share the small world of tests.support, with the app running
(so the live channel and, on PostgreSQL, the connection pool are up)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from litestar import Litestar

from tests.conftest import BASE_URL
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


@pytest.fixture
async def resident(app: Litestar, client: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    """A second browser, for a resident, on the same running app."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=BASE_URL, follow_redirects=True
    ) as other:
        yield other
