"""What residents see without a login: the notice, comments, sign-in at the door."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from yishi import clock
from yishi.accounts.residents import HouseholdIdentity, own_household
from yishi.errors import DomainError, FormErrors
from yishi.i18n import gettext as _
from yishi.meetings import service
from yishi.meetings.pages import door_context, notice_context
from yishi.meetings.views.common import form_values
from yishi.roster import service as roster
from yishi.web import links


class MeetingPublicController(Controller):
    """What residents see without a login: the notice, comments, sign-in at the door."""

    @get("/c/{code:str}/meetings/{meeting_id:int}", name="meetings.notice")
    async def notice(self, code: str, meeting_id: int, household: HouseholdIdentity | None) -> Template:
        context = await notice_context(code, meeting_id, household)
        return Template(template_name="meetings/notice.html", context=context)

    @post("/c/{code:str}/meetings/{meeting_id:int}/items/{item_id:int}/comments", name="meetings.comment")
    async def comment(
        self,
        request: Request[Any, Any, Any],
        code: str,
        meeting_id: int,
        item_id: int,
        household: HouseholdIdentity | None,
    ) -> Template | Redirect:
        compound = await roster.compound_by_code(code)
        await service.public_meeting(compound["id"], meeting_id)
        here = links.path("meetings.notice", code=code, meeting_id=meeting_id)
        household = own_household(household, compound)
        if household is None:
            return links.identify_first(code, f"{here}#item-{item_id}")
        values = form_values(await request.form())
        try:
            await service.comment(
                meeting_id,
                item_id,
                household.household_id,
                household.compound_id,
                values.get("text", ""),
                clock.now(),
            )
        except FormErrors as error:
            context = await notice_context(code, meeting_id, household)
            context["forms"] = {f"comment-{item_id}": {"values": values, "errors": error.errors}}
            return Template(template_name="meetings/notice.html", context=context, status_code=400)
        flash(request, _("Thank you. Your comment is on the notice."), category="success")
        return Redirect(path=f"{here}#item-{item_id}")

    @get("/c/{code:str}/meetings/{meeting_id:int}/sign-in/{key:str}", name="meetings.door_sign_in")
    async def door_sign_in_page(
        self, request: Request[Any, Any, Any], code: str, meeting_id: int, key: str, household: HouseholdIdentity | None
    ) -> Template:
        context = await door_context(request, code, meeting_id, key, household)
        return Template(template_name="meetings/resident_sign_in.html", context=context)

    @post("/c/{code:str}/meetings/{meeting_id:int}/sign-in/{key:str}", name="meetings.door_sign_in.submit")
    async def door_sign_in(
        self, request: Request[Any, Any, Any], code: str, meeting_id: int, key: str, household: HouseholdIdentity | None
    ) -> Template | Redirect:
        context = await door_context(request, code, meeting_id, key, household)
        household = context["household"]
        if household is None:
            return links.identify_first(code, context["here"])
        try:
            signed = await service.sign_in_household(meeting_id, household.household_id, by=None, now=clock.now())
        except DomainError as error:
            context["error"] = error.message
            return Template(
                template_name="meetings/resident_sign_in.html", context=context, status_code=error.status_code
            )
        if not signed.already:
            flash(request, _("Signed in. Welcome!"), category="success")
        return Redirect(path=context["here"])
