"""``create_app(settings)``: the one place the Litestar application is assembled."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Request
from litestar.datastructures import CacheControlHeader
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.middleware import DefineMiddleware
from litestar.plugins.flash import FlashConfig, FlashPlugin
from litestar.plugins.htmx import HTMXPlugin
from litestar.static_files import create_static_files_router
from litestar.stores.registry import StoreRegistry

from yishi import db
from yishi.accounts.dependencies import provide_principal
from yishi.accounts.resident_views import ResidentController
from yishi.accounts.residents import provide_household
from yishi.accounts.session_store import DatabaseStore
from yishi.accounts.views import AccountController
from yishi.actions import ui as actions_ui
from yishi.actions.views import ActionController, MyActionsController
from yishi.documents.views import DocumentsController, VerifyController
from yishi.forms import MAX_ID
from yishi.home.views import CompoundPublicController, PagesController
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
# Styles, scripts and icons: kept by browsers for an hour (their names carry
# no version, so a new release reaches everyone within the hour). No answer
# is stored on the server: a stored answer would be replayed with whatever
# cookies it carried.
STATIC_CACHE = CacheControlHeader(public=True, max_age=3600)


def refuse_impossible_ids(request: Request[Any, Any, Any]) -> None:
    """An id in an address beyond the largest a row can have names nothing:
    404 here, before any query is built with it."""
    for value in request.path_params.values():
        if isinstance(value, int) and not 0 <= value <= MAX_ID:
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
            yield

    templates = template_config(settings)
    for helpers in (actions_ui.template_globals(), supervision_ui.template_globals()):
        templates.instance.engine.globals.update(helpers)
    app = Litestar(
        route_handlers=[
            *CONTROLLERS,
            create_static_files_router(
                path="/static", directories=[PROJECT_ROOT / "static"], cache_control=STATIC_CACHE
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
        before_request=refuse_impossible_ids,
        before_send=[add_security_headers],
        openapi_config=None,  # no /schema: the app is pages, not a public API
        debug=False,
    )
    app.state.settings = settings
    # Templates link by route name, in pages and in fragments rendered outside a request alike.
    links.bind(app)
    templates.instance.engine.globals["url_for"] = links.path
    return app
