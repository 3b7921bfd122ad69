"""Closing the meeting and adding addenda to its minutes."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from yishi import clock
from yishi.accounts.permissions import Capability, Principal
from yishi.errors import FormErrors
from yishi.i18n import gettext as _
from yishi.meetings import service
from yishi.meetings.views.common import console_with_errors, form_values, meeting_in_places, optional_int
from yishi.web import links


class ClosingController(Controller):
    """Closing the meeting and its addenda."""

    @post("/meetings/{meeting_id:int}/close", name="meetings.close")
    async def close(
        self, request: Request[Any, Any, Any], meeting_id: int, principal: Principal
    ) -> Template | Redirect:
        """Closing fixes the record for good: the first post says what it does (and,
        before the meeting's start, asks why); only the confirmed one closes."""
        meeting = await meeting_in_places(principal, meeting_id, Capability.MEETING_MANAGE)
        values = form_values(await request.form())
        try:
            if values.get("confirmed") != "yes":
                preview = await service.closing_preview(meeting_id, principal, clock.now(), values.get("reason", ""))
                return Template(
                    template_name="meetings/close_confirm.html",
                    context={"principal": principal, "meeting": meeting, "preview": preview, "errors": {}},
                )
            await service.close(meeting_id, principal, clock.now(), values.get("reason", ""))
        except FormErrors as error:
            preview = service.ClosingPreview(
                clock.now() < meeting["starts_at"], meeting["starts_at"], values.get("reason", "")
            )
            return Template(
                template_name="meetings/close_confirm.html",
                context={"principal": principal, "meeting": meeting, "preview": preview, "errors": error.errors},
                status_code=400,
            )
        flash(request, _("The meeting is closed. From now on only addenda can be added."), category="success")
        return Redirect(path=links.path("meetings.show", meeting_id=meeting_id))

    @post("/meetings/{meeting_id:int}/addenda", name="meetings.addenda.add")
    async def add_addendum(
        self, request: Request[Any, Any, Any], meeting_id: int, principal: Principal
    ) -> Template | Redirect:
        await meeting_in_places(principal, meeting_id, Capability.MEETING_RECORD)
        values = form_values(await request.form())
        try:
            await service.add_addendum(meeting_id, principal, values.get("text", ""), optional_int(values.get("item")))
        except FormErrors as error:
            return await console_with_errors(principal, meeting_id, "addendum", values, error.errors)
        flash(request, _("Addendum added."), category="success")
        return Redirect(path=links.path("meetings.show", meeting_id=meeting_id, fragment="addenda"))
