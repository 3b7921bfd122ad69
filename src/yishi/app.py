"""``create_app(settings)``: the one place the Litestar application is assembled."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Request
from litestar.datastructures import CacheControlHeader
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.middleware import DefineMiddleware
from litestar.plugins.flash import FlashConfig, FlashPlugin
from litestar.plugins.htmx import HTMXPlugin
from litestar.static_files import create_static_files_router
from litestar.stores.registry import StoreRegistry

from yishi import db
from yishi.accounts import service as accounts
from yishi.accounts.dependencies import provide_principal
from yishi.accounts.resident_views import ResidentController
from yishi.accounts.residents import provide_household
from yishi.accounts.session_store import DatabaseStore
from yishi.accounts.views import AccountController
from yishi.actions import ui as actions_ui
from yishi.actions.views import ActionController, MyActionsController
from yishi.documents.views import DocumentsController, VerifyController
from yishi.errors import DomainError
from yishi.forms import FORBIDDEN_IN_TEXT, MAX_ID
from yishi.home.views import CompoundPublicController, PagesController
from yishi.i18n import gettext as _
from yishi.live.channels import create_plugin as create_live_channel
from yishi.meetings import views as meetings_views
from yishi.proposals.views import ProposalPublicController, ProposalStaffController
from yishi.roster.views import RosterController
from yishi.settings import PROJECT_ROOT, Settings
from yishi.supervision import ui as supervision_ui
from yishi.supervision.views import BoardController, EscalationController, FiguresController
from yishi.voting import views as voting_views
from yishi.voting.live_views import LiveController
from yishi.web import csrf, links
from yishi.web.errors import EXCEPTION_HANDLERS
from yishi.web.language import language_middleware_factory
from yishi.web.security import add_security_headers
from yishi.web.sessions import STATELESS_PATHS, IssuedSessionConfig
from yishi.web.templating import template_config

SESSION_MAX_AGE = 7 * 24 * 3600
PURGE_EVERY = 3600  # seconds between two purges of expired sessions and attempts
log = logging.getLogger("yishi")
FORM_TYPES = (RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART)
# Styles, scripts and icons: kept by browsers for an hour (their names carry
# no version, so a new release reaches everyone within the hour). No answer
# is stored on the server: a stored answer would be replayed with whatever
# cookies it carried.
STATIC_CACHE = CacheControlHeader(public=True, max_age=3600)


async def refuse_impossible_input(request: Request[Any, Any, Any]) -> None:
    """What no row can hold, refused before any query is built with it: an
    id in an address beyond the largest a row can have (or text with a NUL
    byte there) names nothing, 404; a NUL byte in a form or a query string is
    a clear 400 (PostgreSQL cannot store one; it comes from a bad paste)."""
    for value in request.path_params.values():
        if (isinstance(value, int) and not 0 <= value <= MAX_ID) or (
            isinstance(value, str) and FORBIDDEN_IN_TEXT in value
        ):
            raise NotFoundException()
    sent = list(request.query_params.multi_items())
    if request.method == "POST" and request.content_type[0] in FORM_TYPES:
        sent += [(key, value) for key, value in (await request.form()).multi_items() if isinstance(value, str)]
    if any(FORBIDDEN_IN_TEXT in key or FORBIDDEN_IN_TEXT in value for key, value in sent):
        raise DomainError(
            _(
                "Something you typed or pasted holds a character that cannot be saved (a NUL byte). "
                "Go back, type that text again and send the form once more."
            )
        )


async def purge_every(seconds: float) -> None:
    """While the app serves: expired sessions and old login attempts are
    deleted at start and then every ``seconds`` (``yishi purge`` does the same
    from cron)."""
    while True:
        try:
            await accounts.purge_expired()
        except Exception:  # the database may be away for a moment; try again next time
            log.exception("purging expired sessions failed")
        await asyncio.sleep(seconds)


def refuse_impossible_file_names(request: Request[Any, Any, Any]) -> None:
    """No file of ours has a NUL byte or a name longer than a file system allows: 404."""
    path = request.url.path
    if FORBIDDEN_IN_TEXT in path or len(path) > 255 or any(len(part) > 128 for part in path.split("/")):
        raise NotFoundException()


CONTROLLERS = [
    PagesController,
    AccountController,
    ResidentController,
    CompoundPublicController,
    RosterController,
    *voting_views.CONTROLLERS,
    LiveController,
    *meetings_views.CONTROLLERS,
    ProposalPublicController,
    ProposalStaffController,
    DocumentsController,
    VerifyController,
    ActionController,
    MyActionsController,
    BoardController,
    FiguresController,
    EscalationController,
]


def create_app(settings: Settings) -> Litestar:
    settings = settings.ensure_secret_key()
    db.configure(settings)

    @asynccontextmanager
    async def database_lifespan(_: Litestar) -> AsyncIterator[None]:
        async with db.lifespan_database(settings):
            housekeeping = asyncio.create_task(purge_every(PURGE_EVERY))
            try:
                yield
            finally:
                housekeeping.cancel()

    templates = template_config(settings)
    for helpers in (actions_ui.template_globals(), supervision_ui.template_globals()):
        templates.instance.engine.globals.update(helpers)
    app = Litestar(
        route_handlers=[
            *CONTROLLERS,
            create_static_files_router(
                path="/static",
                directories=[PROJECT_ROOT / "static"],
                cache_control=STATIC_CACHE,
                before_request=refuse_impossible_file_names,
            ),
        ],
        lifespan=[database_lifespan],
        dependencies={
            "principal": Provide(provide_principal),
            "household": Provide(provide_household),
        },
        template_config=templates,
        plugins=[
            HTMXPlugin(),
            FlashPlugin(config=FlashConfig(template_config=templates)),
            create_live_channel(settings),
        ],
        middleware=[
            DefineMiddleware(language_middleware_factory(settings.language)),
            IssuedSessionConfig(
                key="yishi_session",
                exclude=STATELESS_PATHS,
                max_age=SESSION_MAX_AGE,
                samesite="lax",
                secure=settings.base_url.startswith("https://"),
            ).middleware,
            csrf.middleware(secret=settings.secret_key, secure=settings.base_url.startswith("https://")),
        ],
        stores=StoreRegistry(stores={"sessions": DatabaseStore()}),
        exception_handlers=EXCEPTION_HANDLERS,
        before_request=refuse_impossible_input,
        before_send=[add_security_headers],
        openapi_config=None,  # no /schema: the app is pages, not a public API
        debug=False,
    )
    app.state.settings = settings
    # Templates link by route name, in pages and in fragments rendered outside a request alike.
    links.bind(app)
    templates.instance.engine.globals["url_for"] = links.path
    return app
