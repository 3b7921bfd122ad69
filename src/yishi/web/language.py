"""Each person reads Yishi in their language: a cookie, else the site default."""

from __future__ import annotations

from http.cookies import SimpleCookie
from typing import Any

from litestar.types import ASGIApp, Receive, Scope, Send

from yishi import i18n
from yishi.settings import LANGUAGES

COOKIE = "yishi_lang"


def language_from_scope(scope: Scope, default: str) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            cookie: SimpleCookie = SimpleCookie()
            try:
                cookie.load(value.decode("latin-1"))
            except Exception:
                return default
            morsel = cookie.get(COOKIE)
            if morsel and morsel.value in LANGUAGES:
                return morsel.value
    return default


def language_middleware_factory(default: str) -> Any:
    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            with i18n.language(language_from_scope(scope, default)):
                await app(scope, receive, send)

        return middleware

    return factory
