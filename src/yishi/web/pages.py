"""The pages every visitor shares: home, health check, language switch."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Response, Template
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

from yishi import db
from yishi.accounts import service as accounts
from yishi.accounts.dependencies import optional_principal
from yishi.actions import home as actions_home
from yishi.meetings import service as meetings
from yishi.roster import service as roster
from yishi.settings import LANGUAGES
from yishi.web.language import COOKIE


def safe_next(target: str | None, fallback: str = "/") -> str:
    """Only same-site paths: never send a person to another site after a form."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return fallback


class PagesController(Controller):
    @get("/", name="home")
    async def home(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        principal = await optional_principal(request)
        if principal is None:
            return Redirect(path="/login")
        compounds = await roster.compounds_by_ids(principal.compound_ids)
        return Template(
            template_name="home.html",
            context={"principal": principal, "compounds": compounds,
                     "invited_meetings": await meetings.invited_upcoming(principal, meetings.now_utc()),
                     **await actions_home.home_context(principal)},
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
            response.set_cookie(COOKIE, language, max_age=3600 * 24 * 365, samesite="lax", httponly=True)
            principal = await optional_principal(request)
            if principal is not None:
                await accounts.set_language(principal.user_id, language)
        return response
