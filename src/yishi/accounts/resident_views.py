"""Residents' way in: the personal link, or unit + phone."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from yishi.accounts import attempts, residents
from yishi.accounts.attempts import TooManyAttempts
from yishi.accounts.residents import HouseholdIdentity
from yishi.errors import FormErrors
from yishi.forms import safe_next
from yishi.roster import service as roster
from yishi.web import links
from yishi.web.addresses import request_address
from yishi.web.forms import Form


class ResidentController(Controller):
    @get("/h/{token:str}", name="household.link")
    async def open_link(self, request: Request[Any, Any, Any], token: str, next: str = "") -> Redirect:
        identity = await residents.identify_by_link(token)
        residents.remember(request, identity)
        return Redirect(path=safe_next(next, links.path("compound.public", code=identity.compound_code)))

    @get("/c/{code:str}/me", name="household.identify")
    async def identify_form(self, code: str, household: HouseholdIdentity | None, next: str = "") -> Template:
        compound = await roster.compound_by_code(code)
        return Template(
            template_name="accounts/identify.html",
            context={
                "compound": compound,
                "values": {"next": safe_next(next, links.path("compound.public", code=code))},
                "errors": {},
                "household": household,
            },
        )

    @post("/c/{code:str}/me", name="household.identify.submit")
    async def identify(self, request: Request[Any, Any, Any], code: str, data: Form) -> Template | Redirect:
        compound = await roster.compound_by_code(code)
        values = {k: data.get(k, "") for k in ("building", "unit", "phone")}
        values["next"] = safe_next(data.get("next"), links.path("compound.public", code=code))
        key = f"{attempts.HOUSEHOLD_PREFIX}{code}:{values['building'].strip()}-{values['unit'].strip()}"
        try:
            reservation = await attempts.reserve(key, request_address(request))
            await attempts.wait(reservation)
            identity = await residents.identify_by_phone(code, values["building"], values["unit"], values["phone"])
        except FormErrors as error:
            return Template(
                template_name="accounts/identify.html",
                status_code=400,
                context={"compound": compound, "values": values, "errors": error.errors, "household": None},
            )
        except TooManyAttempts as error:
            return Template(
                template_name="accounts/identify.html",
                status_code=429,
                context={"compound": compound, "values": values, "errors": {"phone": error.message}, "household": None},
            )
        await attempts.succeeded(reservation)
        residents.remember(request, identity)
        return Redirect(path=values["next"])

    @post("/c/{code:str}/me/leave", name="household.leave")
    async def leave(self, request: Request[Any, Any, Any], code: str) -> Redirect:
        residents.forget(request)
        return Redirect(path=links.path("compound.public", code=code))
