"""The live channel: in memory on SQLite (one process), PostgreSQL
LISTEN/NOTIFY or Redis when several workers serve.

``notify(topic)`` is what services call after a change commits. Notifications
are coalesced per topic: a burst of votes becomes at most a few publishes a
second, each telling screens "fetch the current state".
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

from litestar.channels import ChannelsPlugin
from litestar.channels.backends.asyncpg import AsyncPgChannelsBackend
from litestar.channels.backends.base import ChannelsBackend
from litestar.channels.backends.memory import MemoryChannelsBackend

from yishi.settings import Settings

COALESCE_SECONDS = 0.25

_plugin: ChannelsPlugin | None = None
_pending: dict[str, asyncio.TimerHandle] = {}


class LiveChannels(ChannelsPlugin):
    """Litestar's channels plugin, stopping the coalesced publishes first.

    Its shutdown waits for its queue to drain and then drops the queue; a
    coalesced publish that lands between the two wakes its worker, which then
    fails on the dropped queue (seen as an error when an app stops a quarter
    of a second after a change). Publishes still waiting are cancelled before
    the plugin stops: the screens they were for are going away too.
    """

    async def _on_shutdown(self) -> None:
        _drop_pending()
        await super()._on_shutdown()


def create_plugin(settings: Settings) -> ChannelsPlugin:
    global _plugin
    backend: ChannelsBackend
    if settings.redis_url:
        from litestar.channels.backends.redis import RedisChannelsPubSubBackend
        from redis.asyncio import Redis

        backend = RedisChannelsPubSubBackend(redis=Redis.from_url(settings.redis_url))
    elif settings.is_postgres:
        backend = AsyncPgChannelsBackend(dsn=settings.database_url)
    else:
        backend = MemoryChannelsBackend()
    _plugin = LiveChannels(
        backend=backend,
        arbitrary_channels_allowed=True,
        subscriber_max_backlog=8,
        subscriber_backlog_strategy="dropleft",
    )
    _drop_pending()
    return _plugin


def plugin() -> ChannelsPlugin:
    if _plugin is None:
        raise RuntimeError("the live channel is not set up: create the app first")
    return _plugin


def topic_name(kind: str, key: int | str) -> str:
    # PostgreSQL channel names are identifiers: keep them plain.
    return f"yishi_{kind}_{key}"


def waiting_topics() -> set[str]:
    """The topics whose coalesced publish has not gone out yet."""
    return set(_pending)


def _drop_pending() -> None:
    """Cancel the coalesced publishes still waiting."""
    for handle in _pending.values():
        handle.cancel()
    _pending.clear()


def _publish(topic: str) -> None:
    _pending.pop(topic, None)
    if _plugin is None:
        return
    _plugin.publish(json.dumps({"id": uuid.uuid4().hex, "at": time.time()}), topic)


def notify(topic: str) -> None:
    """Tell every screen watching ``topic`` to refresh, soon (coalesced).

    Call it after the transaction that made the change has committed.
    """
    if topic in _pending:
        return
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return
    _pending[topic] = loop.call_later(COALESCE_SECONDS, _publish, topic)


async def notify_now(topic: str) -> None:
    """Publish at once and wait until the backend has it (used by tests and CLIs)."""
    await plugin().wait_published(json.dumps({"id": uuid.uuid4().hex, "at": time.time()}), topic)


def decode(message: bytes) -> dict[str, Any]:
    try:
        return json.loads(message)
    except ValueError:
        return {}
