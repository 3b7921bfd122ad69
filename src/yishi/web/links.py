"""Addresses by route name, for redirects; templates use the ``url_for`` global.

Every app built by ``create_app`` has the same routes, so the latest one built
answers for all of them (tests build one per test)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

from litestar import Litestar
from litestar.response import Redirect

_app: Litestar | None = None


def bind(app: Litestar) -> None:
    global _app
    _app = app


def path(name: str, *, fragment: str = "", query: Mapping[str, Any] | None = None, **params: Any) -> str:
    """The address of the route ``name`` with its path parameters, then ``?query`` and ``#fragment``."""
    if _app is None:
        raise RuntimeError("no app is built yet: create_app binds its routes")
    address = _app.route_reverse(name, **params)
    if query:
        address += "?" + urlencode(query, safe="/")
    if fragment:
        address += "#" + fragment
    return address


def identify_path(code: str, here: str) -> str:
    """Where a visitor says which household they are, to come back to ``here``."""
    return path("household.identify", code=code) + "?next=" + quote(here, safe="/")


def identify_first(code: str, here: str) -> Redirect:
    """Send a visitor to say which household they are, then back to ``here``."""
    return Redirect(path=identify_path(code, here))
