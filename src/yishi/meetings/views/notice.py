"""Publishing the meeting's notice."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from yishi import clock
from yishi.accounts.permissions import Capability, Principal
from yishi.errors import FormErrors
from yishi.i18n import gettext as _
from yishi.meetings import flow, service
from yishi.meetings.pages import page_helpers
from yishi.meetings.views.common import form_values, meeting_in_places
from yishi.web import links


async def _publish_page(
    principal: Principal,
    meeting: dict[str, Any],
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Template:
    items = [i for i in await service.agenda(meeting["id"]) if not i["withdrawn_at"]]
    now = clock.now()
    return Template(
        template_name="meetings/publish.html",
        status_code=status_code,
        context={
            "principal": principal,
            "meeting": meeting,
            "items": items,
            "values": values,
            "errors": errors,
            "notice": await service.notice_check(meeting, now),
            "lead_text": flow.duration_text(meeting["starts_at"] - now),
            "today": clock.local_today(now).isoformat(),
            **page_helpers(),
        },
    )


class NoticeController(Controller):
    """Checking and publishing the notice."""

    @get("/meetings/{meeting_id:int}/publish", name="meetings.publish.form")
    async def publish_form(self, meeting_id: int, principal: Principal) -> Template | Redirect:
        meeting = await meeting_in_places(principal, meeting_id, Capability.MEETING_MANAGE)
        if meeting["status"] != service.DRAFT:
            return Redirect(path=links.path("meetings.show", meeting_id=meeting_id))
        values = {"voting_method": meeting["voting_method"], "committee_informed_on": ""}
        return await _publish_page(principal, meeting, values, {})

    @post("/meetings/{meeting_id:int}/publish", name="meetings.publish")
    async def publish(
        self, request: Request[Any, Any, Any], meeting_id: int, principal: Principal
    ) -> Template | Redirect:
        meeting = await meeting_in_places(principal, meeting_id, Capability.MEETING_MANAGE)
        values = form_values(await request.form())
        data = service.PublishInput(
            urgent_reason=values.get("urgent_reason", ""),
            voting_method=values.get("voting_method", ""),
            committee_informed=values.get("committee_informed") == "yes",
            committee_informed_on=values.get("committee_informed_on", ""),
            votes_open_at=values.get("votes_open_at", ""),
            votes_close_at=values.get("votes_close_at", ""),
        )
        try:
            await service.publish(meeting_id, principal, data, clock.now())
        except FormErrors as error:
            return await _publish_page(principal, meeting, values, error.errors, status_code=400)
        flash(request, _("The notice is published on the compound's public page."), category="success")
        return Redirect(path=links.path("meetings.show", meeting_id=meeting_id))
