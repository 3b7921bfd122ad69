"""An agenda item's page: edit and withdraw it, notes, positions, the draft vote, comments."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from yishi.accounts.permissions import Capability, Principal
from yishi.errors import FormErrors
from yishi.i18n import gettext as _
from yishi.meetings import service
from yishi.meetings.pages import item_context
from yishi.meetings.views.common import form_values, meeting_in_places, optional_int
from yishi.web import links


async def _item_page(
    principal: Principal,
    meeting_id: int,
    item_id: int,
    form_name: str = "",
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Template:
    meeting = await service.meeting(meeting_id)
    item = await service.agenda_item(meeting_id, item_id)
    context = await item_context(principal, meeting, item)
    if form_name:
        context["forms"] = {form_name: {"values": values or {}, "errors": errors or {}}}
    return Template(template_name="meetings/item.html", context=context, status_code=400 if errors else 200)


async def _item_form(
    request: Request[Any, Any, Any],
    principal: Principal,
    meeting_id: int,
    item_id: int,
    form_name: str,
    capability: Capability,
    action: Any,
    done: str,
) -> Template | Redirect:
    await meeting_in_places(principal, meeting_id, capability)
    values = form_values(await request.form())
    try:
        await action(values)
    except FormErrors as error:
        return await _item_page(principal, meeting_id, item_id, form_name, values, error.errors)
    flash(request, done, category="success")
    return Redirect(
        path=links.path("meetings.items.show", meeting_id=meeting_id, item_id=item_id, fragment=f"{form_name}")
    )


class AgendaItemController(Controller):
    """One agenda item as the secretary, recorder and parties see it."""

    @get("/meetings/{meeting_id:int}/items/{item_id:int}", name="meetings.items.show")
    async def show_item(self, meeting_id: int, item_id: int, principal: Principal) -> Template:
        await meeting_in_places(principal, meeting_id)
        return await _item_page(principal, meeting_id, item_id)

    @post("/meetings/{meeting_id:int}/items/{item_id:int}/edit", name="meetings.items.edit")
    async def edit_item(
        self, request: Request[Any, Any, Any], meeting_id: int, item_id: int, principal: Principal
    ) -> Template | Redirect:
        async def action(values: dict[str, str]) -> None:
            await service.edit_item(meeting_id, item_id, principal, values)

        return await _item_form(
            request, principal, meeting_id, item_id, "edit", Capability.MEETING_MANAGE, action, _("Saved.")
        )

    @post("/meetings/{meeting_id:int}/items/{item_id:int}/withdraw", name="meetings.items.withdraw")
    async def withdraw_item(
        self, request: Request[Any, Any, Any], meeting_id: int, item_id: int, principal: Principal
    ) -> Template | Redirect:
        async def action(values: dict[str, str]) -> None:
            await service.withdraw_item(meeting_id, item_id, principal, values.get("reason", ""))

        return await _item_form(
            request,
            principal,
            meeting_id,
            item_id,
            "withdraw",
            Capability.MEETING_MANAGE,
            action,
            _("The item is withdrawn; the notice shows the reason."),
        )

    @post("/meetings/{meeting_id:int}/items/{item_id:int}/notes", name="meetings.items.notes")
    async def save_notes(
        self, request: Request[Any, Any, Any], meeting_id: int, item_id: int, principal: Principal
    ) -> Template | Redirect:
        async def action(values: dict[str, str]) -> None:
            await service.save_notes(meeting_id, item_id, principal, values.get("notes", ""))

        return await _item_form(
            request, principal, meeting_id, item_id, "notes", Capability.MEETING_RECORD, action, _("Notes saved.")
        )

    @post("/meetings/{meeting_id:int}/items/{item_id:int}/positions", name="meetings.items.position")
    async def state_position(
        self, request: Request[Any, Any, Any], meeting_id: int, item_id: int, principal: Principal
    ) -> Template | Redirect:
        await meeting_in_places(principal, meeting_id)
        values = form_values(await request.form())
        party_id = optional_int(values.get("party"))
        try:
            await service.state_position(
                meeting_id, item_id, principal, party_id or 0, values.get("stance", ""), values.get("text", "")
            )
        except FormErrors as error:
            return await _item_page(principal, meeting_id, item_id, f"position-{party_id}", values, error.errors)
        flash(request, _("Position recorded."), category="success")
        return Redirect(
            path=links.path("meetings.items.show", meeting_id=meeting_id, item_id=item_id, fragment="positions")
        )

    @post("/meetings/{meeting_id:int}/items/{item_id:int}/vote", name="meetings.items.vote")
    async def draft_vote(
        self, request: Request[Any, Any, Any], meeting_id: int, item_id: int, principal: Principal
    ) -> Template | Redirect:
        async def action(values: dict[str, str]) -> None:
            await service.draft_vote(meeting_id, item_id, principal, values)

        return await _item_form(
            request,
            principal,
            meeting_id,
            item_id,
            "vote",
            Capability.MEETING_MANAGE,
            action,
            _("The vote is drafted."),
        )

    @post(
        "/meetings/{meeting_id:int}/items/{item_id:int}/comments/{comment_id:int}/hide", name="meetings.comments.hide"
    )
    async def hide_comment(
        self, request: Request[Any, Any, Any], meeting_id: int, item_id: int, comment_id: int, principal: Principal
    ) -> Template | Redirect:
        async def action(values: dict[str, str]) -> None:
            await service.hide_comment(meeting_id, item_id, comment_id, principal, values.get("reason", ""))

        return await _item_form(
            request,
            principal,
            meeting_id,
            item_id,
            f"hide-{comment_id}",
            Capability.MEETING_MANAGE,
            action,
            _("The comment is hidden."),
        )
