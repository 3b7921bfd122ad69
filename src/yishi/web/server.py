"""uvicorn's HTTP protocol with deadlines for slow clients.

uvicorn waits as long as a client likes for a request's headers and body: a
thousand connections sending a byte now and then hold a thousand sockets (and
their memory) for ever. Here a request's line and headers must arrive within
``HEADER_SECONDS`` of its first byte (or of the connection, for the first
request), and its body must keep coming, ``BODY_SECONDS`` at most between two
pieces; otherwise the connection is closed. A request that is complete is not
timed: a live stream may stay open as long as it is read.

``yishi serve`` runs uvicorn with this protocol (``http=GuardedHttpToolsProtocol``).
"""

from __future__ import annotations

import asyncio
import logging
from asyncio import TimerHandle

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HEADER_SECONDS = 10.0
BODY_SECONDS = 20.0

log = logging.getLogger("yishi")


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    _deadline: TimerHandle | None = None

    def _set_deadline(self, seconds: float, what: str) -> None:
        self._clear_deadline()
        self._deadline = self.loop.call_later(seconds, self._too_slow, what)

    def _clear_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self, what: str) -> None:
        self._deadline = None
        log.info("closed a connection from %s: its %s came too slowly", self.client and self.client[0], what)
        if not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._set_deadline(HEADER_SECONDS, "request")

    def connection_lost(self, exc: Exception | None) -> None:
        self._clear_deadline()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._set_deadline(HEADER_SECONDS, "headers")

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        self._set_deadline(BODY_SECONDS, "body")

    def on_body(self, body: bytes) -> None:
        super().on_body(body)
        self._set_deadline(BODY_SECONDS, "body")

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._clear_deadline()
