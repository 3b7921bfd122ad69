"""The server gives slow clients deadlines, and live streams have caps: a
connection that drips its headers or its body is closed; past the caps a
screen is told to come back later (503 with Retry-After)."""

from __future__ import annotations

import asyncio
import gc
import socket
from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest
import uvicorn
from litestar.exceptions import ServiceUnavailableException

from tests.support import browser, login
from yishi import db
from yishi.app import create_app
from yishi.live import stream as live_stream
from yishi.settings import Settings
from yishi.web import server

QUICK = 0.3  # seconds: the deadlines, shortened for the test


async def _hello(scope, receive, send) -> None:  # a bare ASGI app: the deadlines are the server's
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"hello"})


@pytest.fixture
async def guarded(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[int]:
    monkeypatch.setattr(server, "HEADER_SECONDS", QUICK)
    monkeypatch.setattr(server, "BODY_SECONDS", QUICK)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        _hello, host="127.0.0.1", port=port, http=server.GuardedHttpToolsProtocol, log_level="error"
    )
    running = uvicorn.Server(config)
    task = asyncio.create_task(running.serve())
    while not running.started:
        await asyncio.sleep(0.01)
    yield port
    running.should_exit = True
    await task


async def _closed_after(port: int, sent: bytes, wait: float) -> bool:
    """Whether the server closed the connection within ``wait`` seconds of ``sent``."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(sent)
    await writer.drain()
    try:
        data = await asyncio.wait_for(reader.read(), wait)
    except TimeoutError:
        return False
    finally:
        writer.close()
    return data == b""


async def test_a_connection_that_drips_its_headers_or_its_body_is_closed(guarded: int):
    assert await _closed_after(guarded, b"", QUICK * 5)
    assert await _closed_after(guarded, b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ", QUICK * 5)
    body_promised = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nten bytes!"
    assert await _closed_after(guarded, body_promised, QUICK * 5)
    async with httpx.AsyncClient() as client:  # a client that sends what it says goes through
        answer = await client.post(f"http://127.0.0.1:{guarded}/", content=b"x" * 100)
        assert answer.status_code == 200 and answer.text == "hello"


def test_live_streams_are_capped_per_client_and_give_their_place_back(settings: Settings):
    gc.collect()  # streams never started give their place back when collected
    before = live_stream.open_streams()  # streams of earlier tests in this process may still be counted
    db.configure(replace(settings, live_streams_per_worker=before + 3, live_streams_per_address=2))

    async def render() -> str:
        return ""

    first = live_stream.stream("t", render, client="198.51.100.1")
    second = live_stream.stream("t", render, client="198.51.100.1")
    with pytest.raises(ServiceUnavailableException) as refused:
        live_stream.stream("t", render, client="198.51.100.1")
    assert refused.value.headers["Retry-After"] == str(live_stream.RETRY_AFTER_SECONDS)
    third = live_stream.stream("t", render, client="198.51.100.2")  # another client: its own allowance
    with pytest.raises(ServiceUnavailableException):
        live_stream.stream("t", render, client="198.51.100.3")  # but the worker is full
    del first, second, third
    gc.collect()
    assert live_stream.open_streams() == before
    again = live_stream.stream("t", render, client="198.51.100.1")
    del again
    gc.collect()


@pytest.mark.usefixtures("world")
async def test_a_screen_past_the_cap_is_told_to_come_back(settings: Settings):
    app = create_app(replace(settings, live_streams_per_address=1))
    async with app.lifespan(), browser(app) as client:
        await login(client, "sec_alpha")
        held = live_stream.stream("t", _nothing, client="127.0.0.1")  # a screen this address already holds
        answer = await client.get("/actions/mine/stream")
        del held
    assert answer.status_code == 503 and answer.headers["retry-after"] == str(live_stream.RETRY_AFTER_SECONDS)
    assert "稍后" in answer.text


async def _nothing() -> str:
    return ""
