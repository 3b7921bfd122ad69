"""The meeting console and its agenda: add, move and reorder items."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from yishi.accounts.permissions import Capability, Principal
from yishi.errors import FormErrors
from yishi.forms import whole_number
from yishi.i18n import gettext as _
from yishi.meetings import service
from yishi.meetings.pages import console_context
from yishi.meetings.views.common import console_with_errors, form_values, meeting_in_places
from yishi.web import links
from yishi.web.forms import is_htmx


async def _agenda_response(
    request: Request[Any, Any, Any], principal: Principal, meeting_id: int
) -> Template | Redirect:
    if is_htmx(request):
        meeting = await service.meeting(meeting_id)
        return Template(template_name="meetings/_agenda.html", context=await console_context(principal, meeting))
    return Redirect(path=links.path("meetings.show", meeting_id=meeting_id, fragment="agenda"))


class AgendaController(Controller):
    """The meeting console and its agenda."""

    @get("/meetings/{meeting_id:int}", name="meetings.show")
    async def show(self, meeting_id: int, principal: Principal) -> Template:
        meeting = await meeting_in_places(principal, meeting_id)
        return Template(template_name="meetings/meeting.html", context=await console_context(principal, meeting))

    @post("/meetings/{meeting_id:int}/items", name="meetings.items.add")
    async def add_item(
        self, request: Request[Any, Any, Any], meeting_id: int, principal: Principal
    ) -> Template | Redirect:
        await meeting_in_places(principal, meeting_id, Capability.MEETING_MANAGE)
        values = form_values(await request.form())
        try:
            item_id = await service.add_item(meeting_id, principal, values)
        except FormErrors as error:
            return await console_with_errors(principal, meeting_id, "add_item", values, error.errors)
        flash(request, _("Added to the agenda."), category="success")
        return Redirect(path=links.path("meetings.show", meeting_id=meeting_id, fragment=f"item-{item_id}"))

    @post("/meetings/{meeting_id:int}/items/{item_id:int}/move", name="meetings.items.move")
    async def move_item(
        self, request: Request[Any, Any, Any], meeting_id: int, item_id: int, principal: Principal
    ) -> Template | Redirect:
        await meeting_in_places(principal, meeting_id, Capability.MEETING_MANAGE)
        form = await request.form()
        await service.move_item(meeting_id, item_id, form.get("direction") or "", principal)
        return await _agenda_response(request, principal, meeting_id)

    @post("/meetings/{meeting_id:int}/agenda/order", name="meetings.agenda.order")
    async def reorder(
        self, request: Request[Any, Any, Any], meeting_id: int, principal: Principal
    ) -> Template | Redirect:
        await meeting_in_places(principal, meeting_id, Capability.MEETING_MANAGE)
        form = await request.form()
        ids = [n for n in (whole_number(v) for v in form.getall("item")) if n is not None] if "item" in form else []
        await service.reorder(meeting_id, ids, principal)
        return await _agenda_response(request, principal, meeting_id)
