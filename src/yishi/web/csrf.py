"""Cross-site request forgery tokens bound to the session.

Litestar's own middleware checks a double-submitted token: the form's token
must equal the cookie's and be signed with the app's secret. A token any
browser once received therefore stays good in any session, so one planted in
a victim's cookie (from a sibling subdomain, say) lets a forged form through.
Here the signature also covers a random key kept in the server-side session
(``web.sessions.csrf_binding``), which a new key replaces at every login,
logout and household identification: a token is good only in the session it
was made for. A visitor without a session gets tokens bound to the empty key,
which is enough for the login and identification forms (they start a new
session, and so a new key, when they succeed).

The token reaches templates the way Litestar's does (``csrf_input``,
``csrf_token()``), and forms send it as ``_csrf_token`` or in the
``x-csrftoken`` header.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import ClassVar

from litestar.datastructures import MutableScopeHeaders
from litestar.datastructures.cookie import Cookie
from litestar.enums import RequestEncodingType, ScopeType
from litestar.exceptions import PermissionDeniedException
from litestar.middleware import AbstractMiddleware, DefineMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Scopes, Send
from litestar.utils.scope.state import ScopeState

from yishi.web.sessions import STATELESS_PATHS, csrf_binding

COOKIE = "yishi_csrf"
HEADER = "x-csrftoken"
FIELD = "_csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_RANDOM_HEX = 32


def _signature(secret: str, random_part: str, binding: str) -> str:
    return hmac.new(secret.encode(), f"{random_part}|{binding}".encode(), hashlib.sha256).hexdigest()


def new_token(secret: str, binding: str) -> str:
    random_part = secrets.token_hex(_RANDOM_HEX // 2)
    return random_part + _signature(secret, random_part, binding)


def token_is_good(secret: str, token: str | None, binding: str) -> bool:
    if not token or len(token) != _RANDOM_HEX + 64:
        return False
    random_part, signature = token[:_RANDOM_HEX], token[_RANDOM_HEX:]
    return hmac.compare_digest(signature, _signature(secret, random_part, binding))


def _is_page(content_type: str | None) -> bool:
    return bool(content_type) and content_type.split(";")[0].strip().lower() == "text/html"


class SessionCSRFMiddleware(AbstractMiddleware):
    """Runs inside the session middleware, so the session is loaded already."""

    scopes: ClassVar[Scopes] = {ScopeType.HTTP}

    def __init__(self, app: ASGIApp, *, secret: str, secure: bool, exclude: list[str]) -> None:
        super().__init__(app, exclude=exclude)
        self.secret = secret
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = scope["litestar_app"].request_class(scope=scope, receive=receive)
        binding = csrf_binding(scope)
        cookie_token = request.cookies.get(COOKIE)
        cookie_good = token_is_good(self.secret, cookie_token, binding)
        if request.method not in SAFE_METHODS:
            sent = request.headers.get(HEADER)
            content_type, _ = request.content_type
            if not sent and content_type in {RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART}:
                sent = (await request.form()).get(FIELD)
            # The form's token must be the cookie's, and the cookie's made for this session.
            if not (isinstance(sent, str) and cookie_good and hmac.compare_digest(sent, cookie_token)):
                raise PermissionDeniedException("CSRF token verification failed")
        token = cookie_token if cookie_good else new_token(self.secret, binding)
        ScopeState.from_scope(scope).csrf_token = token

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                current, needed = token, _is_page(headers.get("content-type"))
                after = csrf_binding(scope)
                if after != binding:  # the handler started a new session (login, logout)
                    current, needed = new_token(self.secret, after), True
                # A page carries forms and a new session needs new tokens; a file,
                # an image or a stream leaves the browser's cookie alone.
                if current != cookie_token and needed:
                    cookie = Cookie(
                        key=COOKIE, value=current, path="/", secure=self.secure, httponly=False, samesite="lax"
                    )
                    headers.add("set-cookie", cookie.to_header(header=""))
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def middleware(*, secret: str, secure: bool) -> DefineMiddleware:
    return DefineMiddleware(SessionCSRFMiddleware, secret=secret, secure=secure, exclude=STATELESS_PATHS)
