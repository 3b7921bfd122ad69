"""The pages every visitor shares: home, a compound's public page, health check,
language switch."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import CacheControlHeader
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import File, Redirect, Response, Template
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

from yishi import clock, db
from yishi.accounts import service as accounts
from yishi.accounts.dependencies import optional_principal
from yishi.accounts.residents import HouseholdIdentity
from yishi.forms import safe_next
from yishi.home import pages
from yishi.meetings import service as meetings
from yishi.roster import service as roster
from yishi.roster.tables import Party
from yishi.settings import LANGUAGES, PROJECT_ROOT
from yishi.web import links
from yishi.web.language import COOKIE
from yishi.web.security import secure_cookies
from yishi.web.sessions import ICON_PATHS

ICON_CACHE = CacheControlHeader(public=True, max_age=7 * 24 * 3600)


class PagesController(Controller):
    @get("/", name="home")
    async def home(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        principal = await optional_principal(request)
        if principal is None:
            return Redirect(path=links.path("login"))
        compounds = await roster.compounds_by_ids(principal.compound_ids)
        return Template(
            template_name="home.html",
            context={
                "principal": principal,
                "compounds": compounds,
                "invited_meetings": await meetings.invited_upcoming(principal, clock.now()),
                **await pages.home_context(principal),
            },
        )

    @get(list(ICON_PATHS), name="icon", cache_control=ICON_CACHE)
    async def icon(self, request: Request[Any, Any, Any]) -> File:
        """What browsers and phones ask for at the site's root: the site's icon,
        the same file for everyone (no session is read for it, no cookie set)."""
        name = "favicon.ico" if request.url.path == "/favicon.ico" else "apple-touch-icon.png"
        return File(
            PROJECT_ROOT / "static" / "icons" / name,
            content_disposition_type="inline",
            media_type="image/x-icon" if name.endswith(".ico") else "image/png",
        )

    @get("/healthz", name="healthz", cache=False)
    async def healthz(self) -> Response[dict[str, str]]:
        if await db.is_reachable():
            return Response({"status": "ok"}, status_code=HTTP_200_OK)
        return Response({"status": "database unreachable"}, status_code=HTTP_503_SERVICE_UNAVAILABLE)

    @post("/language", name="language")
    async def switch_language(
        self,
        request: Request[Any, Any, Any],
        data: dict[str, str] = Body(media_type=RequestEncodingType.URL_ENCODED),
    ) -> Redirect:
        language = data.get("language", "")
        target = safe_next(data.get("next") or request.headers.get("referer", "").partition(request.url.netloc)[2])
        response = Redirect(path=target)
        if language in LANGUAGES:
            response.set_cookie(
                COOKIE, language, max_age=3600 * 24 * 365, **secure_cookies(request.app.state.settings.base_url)
            )
            principal = await optional_principal(request)
            if principal is not None:
                await accounts.set_language(principal.user_id, language)
        return response


class CompoundPublicController(Controller):
    @get("/c/{code:str}", name="compound.public")
    async def show(self, code: str, household: HouseholdIdentity | None) -> Template:
        compound = await roster.compound_by_code(code)
        parties = await Party.select().where(Party.compound == compound["id"]).order_by(Party.id)
        if household is not None and household.compound_id != compound["id"]:
            household = None
        return Template(
            template_name="public/compound.html",
            context={
                "compound": compound,
                "household": household,
                "parties": parties,
                "meeting_notices": await meetings.upcoming_public(compound["id"], clock.now()),
            },
        )
