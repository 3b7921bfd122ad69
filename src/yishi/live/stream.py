"""Server-Sent Event streams of rendered fragments.

A stream sends the current state at once (so a screen that reconnects is
current), then again after each notification of its topic. Within one worker,
screens watching the same topic and ``view`` share one render per notification:
give a different ``view`` to screens whose render differs (a voter who may see
the figures and one who may not).

Each stream holds a connection for as long as it is watched, so a worker
keeps at most ``YISHI_LIVE_STREAMS_PER_WORKER`` of them, and
``YISHI_LIVE_STREAMS_PER_ADDRESS`` for one client address; past either a
screen is answered 503 with ``Retry-After`` (htmx's SSE extension, like a
browser's EventSource, tries again) instead of the worker running out of
sockets or memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import weakref
from collections import Counter, OrderedDict
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any

from litestar.exceptions import ServiceUnavailableException
from litestar.response import ServerSentEvent
from litestar.response.sse import ServerSentEventMessage

from yishi import settings
from yishi.live import channels

KEEPALIVE_SECONDS = 15.0
RENDER_CACHE_SIZE = 256
RETRY_AFTER_SECONDS = 15
TRIM_EVERY = 100  # ended streams between two returns of freed memory to the system

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
        except Exception as error:
            future.set_exception(error)
            _renders.pop(key, None)
    return await asyncio.shield(future)


class _Snapshot:
    """The renders of one (topic, view) for screens that connect: the one
    running, and the next one, which every screen arriving meanwhile shares."""

    def __init__(self) -> None:
        self.running: asyncio.Future[str] | None = None
        self.waiting: asyncio.Future[str] | None = None


_snapshots: dict[tuple[str, str], _Snapshot] = {}
_snapshot_tasks: set[asyncio.Task[None]] = set()


async def _current_render(topic: str, view: str, render: Render) -> str:
    """A render that starts after this call, shared by every screen of the same
    view connecting meanwhile: a thousand screens (re)connecting at once cost
    a few renders, and none is shown a state older than its subscription."""
    key = (topic, view)
    slot = _snapshots.setdefault(key, _Snapshot())
    if slot.waiting is None:
        slot.waiting = asyncio.get_running_loop().create_future()
        task = asyncio.create_task(_render_next(key, slot, render))
        _snapshot_tasks.add(task)
        task.add_done_callback(_snapshot_tasks.discard)
    return await asyncio.shield(slot.waiting)


async def _render_next(key: tuple[str, str], slot: _Snapshot, render: Render) -> None:
    if slot.running is not None:
        # The render under way may have read the database before the waiting screens subscribed.
        with contextlib.suppress(Exception):
            await asyncio.shield(slot.running)
    future, slot.waiting = slot.waiting, None
    assert future is not None
    slot.running = future
    try:
        future.set_result(await render())
    except Exception as error:
        future.set_exception(error)
    finally:
        slot.running = None
        if slot.waiting is None and _snapshots.get(key) is slot:
            del _snapshots[key]


_open_by_client: Counter[str] = Counter()  # this worker's open streams by client address
_released_since_trim = 0


class _Slot:
    """One open stream of a client, counted until it ends (released once)."""

    def __init__(self, client: str) -> None:
        self.client = client
        caps = settings.active()
        if open_streams() >= caps.live_streams_per_worker or _open_by_client[client] >= caps.live_streams_per_address:
            raise ServiceUnavailableException(
                "too many live screens", headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
            )
        _open_by_client[client] += 1
        self.held = True

    def release(self) -> None:
        global _released_since_trim
        if self.held:
            self.held = False
            _open_by_client[self.client] -= 1
            if _open_by_client[self.client] <= 0:
                del _open_by_client[self.client]
            _released_since_trim += 1
            if _released_since_trim >= TRIM_EVERY or not _open_by_client:
                _released_since_trim = 0
                _return_memory()


def _return_memory() -> None:
    """Give what ended streams freed back to the system: glibc's allocator keeps
    freed memory for the process otherwise, and a worker that once held a
    thousand screens would keep their memory for good."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _glibc() -> Any:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


_LIBC = _glibc()


def open_streams() -> int:
    return sum(_open_by_client.values())


async def _events(
    topic: str, render: Render, event: str, view: str = "", slot: _Slot | None = None
) -> AsyncGenerator[ServerSentEventMessage, None]:
    plugin = channels.plugin()
    try:
        subscriber = await plugin.subscribe([topic])
    except BaseException:
        if slot is not None:
            slot.release()
        raise
    try:
        yield ServerSentEventMessage(data=await _current_render(topic, view, render), event=event, retry=2000)
        iterator = subscriber.iter_events()
        while True:
            try:
                message = await asyncio.wait_for(anext(iterator), KEEPALIVE_SECONDS)
                # Several notifications waiting: one render of the latest is enough.
                while subscriber.qsize:
                    message = await anext(iterator)
            except TimeoutError:
                yield ServerSentEventMessage(comment="keepalive")
                continue
            except StopAsyncIteration:
                # The channel closed this subscriber (shutdown, a lost listener): end
                # the stream; the browser reconnects and is sent the current state.
                return
            message_id = str(channels.decode(message).get("id", ""))
            yield ServerSentEventMessage(data=await _shared_render(topic, view, message_id, render), event=event)
    finally:
        if slot is not None:
            slot.release()
        # A disconnect cancels the generator; keep the unsubscription from being cancelled too.
        with contextlib.suppress(Exception):
            await asyncio.shield(plugin.unsubscribe(subscriber))


def stream(topic: str, render: Render, event: str = "update", *, view: str = "", client: str) -> ServerSentEvent:
    """An SSE response for htmx's SSE extension (``sse-swap="update"``) to
    ``client`` (its address, see ``web.addresses``); 503 past the caps."""
    slot = _Slot(client)
    events = _events(topic, render, event, view, slot)
    weakref.finalize(events, slot.release)  # a stream never started still gives its place back
    return ServerSentEvent(events, headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
