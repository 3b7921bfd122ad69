"""Sign-in at the meeting: the staff's sign-in page, its list, and the door poster."""

from __future__ import annotations

from typing import Any

import segno
from litestar import Controller, Request, get, post
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from yishi import clock
from yishi.accounts.permissions import Capability, Principal
from yishi.errors import FormErrors, NotFound
from yishi.i18n import gettext as _
from yishi.meetings import service
from yishi.meetings.pages import POLL_SECONDS, door_key, page_helpers, sign_in_context
from yishi.meetings.views.common import form_values, meeting_in_places, optional_int
from yishi.web import links
from yishi.web.forms import is_htmx


class SignInController(Controller):
    """Signing people in at the meeting."""

    @get("/meetings/{meeting_id:int}/sign-in", name="meetings.sign_in")
    async def sign_in_page(
        self, request: Request[Any, Any, Any], meeting_id: int, principal: Principal, q: str = ""
    ) -> Template:
        meeting = await meeting_in_places(principal, meeting_id)
        context = await sign_in_context(principal, meeting, q)
        if is_htmx(request) and request.headers.get("hx-target") == "household-results":
            return Template(template_name="meetings/_household_results.html", context=context)
        return Template(template_name="meetings/sign_in.html", context=context)

    @get("/meetings/{meeting_id:int}/sign-in/list", name="meetings.sign_in.list")
    async def sign_in_list(self, meeting_id: int, principal: Principal) -> Template:
        meeting = await meeting_in_places(principal, meeting_id)
        return Template(
            template_name="meetings/_sign_in_list.html",
            context={
                "meeting": meeting,
                "sheet": await service.sign_in_sheet(meeting),
                "poll_seconds": POLL_SECONDS,
                **page_helpers(),
            },
        )

    @post("/meetings/{meeting_id:int}/sign-in/household", name="meetings.sign_in.household")
    async def sign_in_household(
        self, request: Request[Any, Any, Any], meeting_id: int, principal: Principal
    ) -> Redirect:
        await meeting_in_places(principal, meeting_id, Capability.MEETING_RECORD)
        values = form_values(await request.form())
        household_id = optional_int(values.get("household"))
        if household_id is None:
            raise NotFound(_("No such household."))
        signed = await service.sign_in_household(meeting_id, household_id, by=principal, now=clock.now())
        label = values.get("label", "")
        if signed.already:
            flash(
                request,
                _("%(label)s had already signed in at %(at)s.", label=label, at=clock.local_text(signed.at, "%H:%M")),
                category="warning",
            )
        else:
            flash(request, _("%(label)s signed in.", label=label), category="success")
        return Redirect(path=links.path("meetings.sign_in", meeting_id=meeting_id))

    @post("/meetings/{meeting_id:int}/sign-in/person", name="meetings.sign_in.person")
    async def sign_in_person(
        self, request: Request[Any, Any, Any], meeting_id: int, principal: Principal
    ) -> Template | Redirect:
        meeting = await meeting_in_places(principal, meeting_id, Capability.MEETING_RECORD)
        values = form_values(await request.form())
        try:
            signed = await service.sign_in_person(
                meeting_id,
                principal,
                party_id=optional_int(values.get("party")),
                user_id=optional_int(values.get("user")),
                name=values.get("name", ""),
                invitation_id=optional_int(values.get("invitation")),
                now=clock.now(),
            )
        except FormErrors as error:
            context = await sign_in_context(principal, meeting)
            context["forms"] = {f"party-{values.get('party', '')}": {"values": values, "errors": error.errors}}
            return Template(template_name="meetings/sign_in.html", context=context, status_code=400)
        if signed.already:
            flash(
                request, _("Already signed in at %(at)s.", at=clock.local_text(signed.at, "%H:%M")), category="warning"
            )
        else:
            flash(request, _("Signed in."), category="success")
        return Redirect(path=links.path("meetings.sign_in", meeting_id=meeting_id))

    @get("/meetings/{meeting_id:int}/door", name="meetings.door")
    async def door_poster(self, request: Request[Any, Any, Any], meeting_id: int, principal: Principal) -> Template:
        meeting = await meeting_in_places(principal, meeting_id, Capability.MEETING_RECORD)
        settings = request.app.state.settings
        url = (
            f"{settings.base_url}/c/{meeting['compound_code']}/meetings/{meeting_id}/sign-in/"
            f"{door_key(settings.secret_key, meeting_id)}"
        )
        qr = segno.make(url, error="m")
        return Template(
            template_name="meetings/door.html",
            context={
                "principal": principal,
                "meeting": meeting,
                "url": url,
                "qr_svg": qr.svg_inline(scale=8, border=2, omitsize=True, title=_("Scan to sign in")),
                **page_helpers(),
            },
        )
