"""Server-side sessions that cannot be fixed by a client.

Litestar's server-side backend keeps whatever session id the cookie names and
stores the session under it, so a planted ``yishi_session=anything`` survived
a login and became a staff session. Here:

- an id the server did not issue (not in the store) is ignored: the session
  gets a new, random id;
- ``start_new_session(request, data)`` (login, household identification)
  moves the session to a new id and ends the old one; logging out clears it;
- each new session gets a random key that its CSRF tokens are bound to
  (``csrf_binding``; see ``yishi.web.csrf``);
- nothing is stored, and no cookie is sent, for a visitor whose session holds
  nothing: a page load without a cookie writes no row.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig
from litestar.types import Empty, Message, ScopeSession

_ISSUED = "yishi.session_id"  # the id the cookie named, once the store has it
_ROTATE = "yishi.session_rotate"
_NEW = "yishi.session_new_id"
CSRF_KEY = "csrf_key"
ICON_PATHS = ("/favicon.ico", "/apple-touch-icon.png", "/apple-touch-icon-precomposed.png")
# Answers that are the same for everyone: no session is read or written for
# them and no cookie is sent with them, so a browser or a cache in between
# may keep them (see ``STATIC_CACHE`` in ``yishi.app``).
STATELESS_PATHS = ["^/healthz$", "^/static/", *(f"^{re.escape(path)}$" for path in ICON_PATHS)]


def start_new_session(request: Request[Any, Any, Any], data: dict[str, Any]) -> None:
    """Replace the session by ``data`` under a new id and a new CSRF key; the
    old id and the forms made for it stop working."""
    request.scope[_ROTATE] = True  # type: ignore[literal-required]
    request.set_session({**data, CSRF_KEY: secrets.token_urlsafe(24)})


def csrf_binding(scope: Any) -> str:
    """The key this request's CSRF tokens must be made for ("" without a session)."""
    session = scope.get("session")
    key = session.get(CSRF_KEY) if isinstance(session, dict) else None
    return key if isinstance(key, str) else ""


class IssuedSessionBackend(ServerSideSessionBackend):
    async def load_from_connection(self, connection: ASGIConnection) -> dict[str, Any]:
        session_id = connection.cookies.get(self.config.key)
        if session_id and session_id != "null":
            store = self.config.get_store_from_app(connection.scope["app"])
            data = await self.get(session_id, store=store)
            if data is not None:
                connection.scope[_ISSUED] = session_id  # type: ignore[literal-required]
                return self.deserialize_data(data)
        return {}

    def get_session_id(self, connection: ASGIConnection) -> str:
        scope = connection.scope
        if scope.get(_ISSUED) and not scope.get(_ROTATE):
            return scope[_ISSUED]  # type: ignore[literal-required]
        if not scope.get(_NEW):
            scope[_NEW] = self.generate_session_id()  # type: ignore[literal-required]
        return scope[_NEW]  # type: ignore[literal-required]

    async def store_in_message(self, scope_session: ScopeSession, message: Message, connection: ASGIConnection) -> None:
        old = connection.scope.get(_ISSUED)
        if not scope_session:  # Empty, or a session that holds nothing
            if old:  # it held something before this request: end it, and its cookie
                await super().store_in_message(Empty, message, connection)
            return
        if old and connection.scope.get(_ROTATE):
            await self.delete(old, store=self.config.get_store_from_app(connection.scope["app"]))
        await super().store_in_message(scope_session, message, connection)


class IssuedSessionConfig(ServerSideSessionConfig):
    _backend_class = IssuedSessionBackend
