"""Every error a person can meet is a page in the same layout, never a traceback."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from uvicorn.protocols.utils import ClientDisconnected

from yishi import i18n
from yishi.errors import NOT_FOUND, DomainError
from yishi.i18n import gettext as _
from yishi.web import links
from yishi.web.forms import is_htmx
from yishi.web.language import language_from_scope

log = logging.getLogger("yishi")
HTTP_CLIENT_CLOSED_REQUEST = 499  # as nginx logs it: no answer is read


def error_page(
    request: Request[Any, Any, Any], status: int, title: str, message: str, headers: dict[str, str] | None = None
) -> Response[Any]:
    context = {"status": status, "title": title, "message": message}
    if is_htmx(request):
        return Template(
            template_name="errors/error_fragment.html",
            context=context,
            status_code=status,
            headers={**(headers or {}), "HX-Retarget": "#messages", "HX-Reswap": "innerHTML"},
        )
    return Template(template_name="errors/error.html", context=context, status_code=status, headers=headers)


def on_domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    titles = {
        403: _("Not allowed"),
        404: _("Not found"),
        409: _("Already done"),
        429: _("Please wait"),
    }
    return error_page(request, exc.status_code, titles.get(exc.status_code, _("Cannot do that")), exc.message)


def on_not_authorized(request: Request[Any, Any, Any], exc: NotAuthorizedException) -> Response[Any]:
    target = (
        links.path("login")
        + "?next="
        + quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    )
    if is_htmx(request):
        return Response(content="", status_code=200, headers={"HX-Redirect": target})
    return Redirect(path=target)


def on_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if "session" not in request.scope:
        # Refused before the middlewares ran (no route, wrong method): no session
        # (base.html shows no flashes then), and the reader's language from the cookie.
        i18n.use_language(language_from_scope(request.scope, request.app.state.settings.language))
    if isinstance(exc, NotFoundException):
        return error_page(request, 404, _("Not found"), _(NOT_FOUND))
    if isinstance(exc, PermissionDeniedException):
        return error_page(
            request,
            403,
            _("Not allowed"),
            _("This form has expired. Go back, reload the page and try again."),
        )
    if isinstance(exc, ValidationException):
        return error_page(
            request, 400, _("Cannot do that"), _("Some of what was sent is not valid. Go back and check the form.")
        )
    if exc.status_code == 405:
        return error_page(
            request,
            405,
            _("Cannot do that"),
            _("This address does not take that kind of request. Go back and use the page's links and buttons."),
        )
    if exc.status_code == 503:  # busy (too many live screens here): the client tries again after Retry-After
        return error_page(
            request,
            503,
            _("Busy"),
            _("Too many screens are open here at once. This page tries again by itself in a moment."),
            headers=dict(exc.headers or {}),
        )
    if exc.status_code >= 500:
        if _client_left(exc):
            return _client_gone(request)
        log.exception("server error", exc_info=exc)
        return error_page(request, exc.status_code, _("Something went wrong"), _("Please try again in a moment."))
    return error_page(request, exc.status_code, _("Cannot do that"), str(exc.detail))


# What Litestar raises when the client goes away while its body is read.
_DISCONNECTED = "client disconnected prematurely"


def _client_left(exc: Exception) -> bool:
    """The client closed the connection (a phone lost its signal, a tab was
    closed): nothing went wrong on our side, and nobody reads the answer."""
    if isinstance(exc, HTTPException):
        return exc.detail == _DISCONNECTED
    return isinstance(exc, ClientDisconnected | ConnectionResetError | BrokenPipeError)


def _client_gone(request: Request[Any, Any, Any]) -> Response[Any]:
    log.info("client left before the answer to %s %s", request.method, request.url.path)
    return Response(content=b"", status_code=HTTP_CLIENT_CLOSED_REQUEST)


def on_server_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if _client_left(exc):
        return _client_gone(request)
    log.exception("unhandled error on %s", request.url.path, exc_info=exc)
    return error_page(
        request,
        HTTP_500_INTERNAL_SERVER_ERROR,
        _("Something went wrong"),
        _("Nothing was saved from this request. Please try again in a moment."),
    )


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: on_domain_error,
    NotAuthorizedException: on_not_authorized,
    HTTPException: on_http_exception,
    Exception: on_server_error,
}
