"""Login, logout, change password."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from yishi.accounts import service
from yishi.accounts.permissions import Principal
from yishi.errors import DomainError, FormErrors
from yishi.forms import safe_next
from yishi.i18n import gettext as _
from yishi.web import links
from yishi.web.addresses import request_address
from yishi.web.forms import Form
from yishi.web.language import COOKIE
from yishi.web.security import secure_cookies
from yishi.web.sessions import start_new_session


class AccountController(Controller):
    @get("/login", name="login")
    async def login_form(self, request: Request[Any, Any, Any], next: str = "/") -> Template:
        return Template(
            template_name="accounts/login.html",
            context={"values": {"next": safe_next(next)}, "errors": {}},
        )

    @post("/login", name="login.submit")
    async def login(self, request: Request[Any, Any, Any], data: Form) -> Template | Redirect:
        values = {"username": data.get("username", ""), "next": safe_next(data.get("next"))}
        try:
            user_id = await service.authenticate(values["username"], data.get("password", ""), request_address(request))
        except DomainError as error:
            return Template(
                template_name="accounts/login.html",
                context={"values": values, "errors": {"password": error.message}},
                status_code=error.status_code,
            )
        start_new_session(request, {"user_id": user_id})
        principal = await service.load_principal(user_id)
        response = Redirect(path=values["next"])
        if principal is not None:
            response.set_cookie(
                COOKIE,
                principal.language,
                max_age=3600 * 24 * 365,
                **secure_cookies(request.app.state.settings.base_url),
            )
        return response

    @post("/logout", name="logout")
    async def logout(self, request: Request[Any, Any, Any]) -> Redirect:
        request.clear_session()
        return Redirect(path=links.path("login"))

    @get("/account/password", name="password")
    async def password_form(self, principal: Principal) -> Template:
        return Template(
            template_name="accounts/password.html",
            context={"principal": principal, "errors": {}, "done": False},
        )

    @post("/account/password", name="password.submit")
    async def change_password(self, principal: Principal, data: Form) -> Template:
        try:
            await service.change_password(
                principal.user_id, data.get("current", ""), data.get("new", ""), data.get("repeat", "")
            )
        except FormErrors as error:
            return Template(
                template_name="accounts/password.html",
                context={"principal": principal, "errors": error.errors, "done": False},
                status_code=400,
            )
        return Template(
            template_name="accounts/password.html",
            context={
                "principal": principal,
                "errors": {},
                "done": True,
                "message": _("Your password has been changed."),
            },
        )
