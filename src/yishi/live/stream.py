"""Server-Sent Event streams of rendered fragments.

A stream sends the current state at once (so a screen that reconnects is
current), then again after each notification of its topic. Within one worker,
screens watching the same topic and ``view`` share one render per notification:
give a different ``view`` to screens whose render differs (a voter who may see
the figures and one who may not).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import OrderedDict
from collections.abc import AsyncGenerator, Awaitable, Callable

from litestar.response import ServerSentEvent
from litestar.response.sse import ServerSentEventMessage

from yishi.live import channels

KEEPALIVE_SECONDS = 15.0
RENDER_CACHE_SIZE = 256

Render = Callable[[], Awaitable[str]]
_renders: OrderedDict[tuple[str, str, str], asyncio.Future[str]] = OrderedDict()


async def _shared_render(topic: str, view: str, message_id: str, render: Render) -> str:
    key = (topic, view, message_id)
    future = _renders.get(key)
    if future is None:
        future = asyncio.get_running_loop().create_future()
        _renders[key] = future
        while len(_renders) > RENDER_CACHE_SIZE:
            _renders.popitem(last=False)
        try:
            future.set_result(await render())
        except Exception as error:  # noqa: BLE001 - handed to every waiting screen
            future.set_exception(error)
            _renders.pop(key, None)
    return await asyncio.shield(future)


async def _events(topic: str, render: Render, event: str, view: str = "") -> AsyncGenerator[ServerSentEventMessage, None]:
    plugin = channels.plugin()
    subscriber = await plugin.subscribe([topic])
    try:
        yield ServerSentEventMessage(data=await render(), event=event, retry=2000)
        iterator = subscriber.iter_events()
        while True:
            try:
                message = await asyncio.wait_for(anext(iterator), KEEPALIVE_SECONDS)
            except TimeoutError:
                yield ServerSentEventMessage(comment="keepalive")
                continue
            # Several notifications waiting: one render of the latest is enough.
            while subscriber.qsize:
                message = await anext(iterator)
            message_id = str(channels.decode(message).get("id", ""))
            yield ServerSentEventMessage(data=await _shared_render(topic, view, message_id, render), event=event)
    finally:
        # A disconnect cancels the generator; keep the unsubscription from being cancelled too.
        with contextlib.suppress(Exception):
            await asyncio.shield(plugin.unsubscribe(subscriber))


def stream(topic: str, render: Render, event: str = "update", *, view: str = "") -> ServerSentEvent:
    """An SSE response for htmx's SSE extension (``sse-swap="update"``)."""
    return ServerSentEvent(_events(topic, render, event, view), headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
