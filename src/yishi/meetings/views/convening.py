"""The secretary's pages for listing and convening meetings and setting notice days."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from yishi import clock
from yishi.accounts.dependencies import require
from yishi.accounts.permissions import Capability, Principal
from yishi.errors import FormErrors
from yishi.i18n import gettext as _
from yishi.meetings import flow, service
from yishi.meetings.flow import Kind
from yishi.meetings.pages import json_value, page_helpers
from yishi.meetings.views.common import form_values, meeting_form, meeting_in_places
from yishi.roster import service as roster
from yishi.web import links


async def _meeting_form_page(
    principal: Principal,
    compound: dict[str, Any],
    values: dict[str, Any],
    errors: dict[str, str],
    meeting: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Template:
    compound_row = await service.compound(compound["id"])
    return Template(
        template_name="meetings/meeting_form.html",
        status_code=status_code,
        context={
            "principal": principal,
            "compound": compound,
            "meeting": meeting,
            "values": values,
            "errors": errors,
            "buildings": await service.buildings(compound["id"]),
            "parties": await service.parties(compound["id"]),
            "staff": await service.compound_staff(compound_row),
            "notice_days": {k: flow.notice_days(compound_row["notice_days"], k) for k in Kind},
            **page_helpers(),
        },
    )


async def _notice_days_page(
    principal: Principal,
    compound: dict[str, Any],
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Template:
    return Template(
        template_name="meetings/notice_days.html",
        status_code=status_code,
        context={
            "principal": principal,
            "compound": compound,
            "values": values,
            "errors": errors,
            "legal": flow.LEGAL_NOTICE_DAYS,
            **page_helpers(),
        },
    )


class ConveningController(Controller):
    """Listing and convening meetings, and the compound's notice days."""

    @get("/compounds/{code:str}/meetings", name="meetings.list")
    async def list_meetings(self, code: str, principal: Principal) -> Template:
        compound = await roster.compound_by_code(code)
        require(principal, Capability.MEETING_VIEW, compound["id"])
        meetings = await service.meetings_of_compound(compound["id"])
        now = clock.now()
        return Template(
            template_name="meetings/list.html",
            context={
                "principal": principal,
                "compound": compound,
                "upcoming": [m for m in meetings if m["status"] != service.CLOSED and m["starts_at"] > now][::-1],
                "earlier": [m for m in meetings if m["status"] == service.CLOSED or m["starts_at"] <= now],
                "can_manage": principal.can(Capability.MEETING_MANAGE, compound["id"]),
                "notice_days": {k: flow.notice_days(json_value(compound["notice_days"]), k) for k in Kind},
                **page_helpers(),
            },
        )

    @get("/compounds/{code:str}/meetings/new", name="meetings.new")
    async def new_meeting(self, code: str, principal: Principal, kind: str = "") -> Template:
        compound = await roster.compound_by_code(code)
        require(principal, Capability.MEETING_MANAGE, compound["id"])
        chosen = flow.kind_of(kind) or Kind.BENCH_MEETING
        parties = await service.parties(compound["id"])
        values: dict[str, Any] = {
            "kind": chosen.value,
            "duration_minutes": "60",
            "host": str(principal.user_id),
            "party": [str(p["id"]) for p in parties if p["active"]] if chosen == Kind.TRIPARTITE else [],
            "building": [],
            "staff": [],
            "scrutineer": [],
        }
        return await _meeting_form_page(principal, compound, values, {})

    @post("/compounds/{code:str}/meetings/new", name="meetings.create")
    async def create_meeting(
        self, request: Request[Any, Any, Any], code: str, principal: Principal
    ) -> Template | Redirect:
        compound = await roster.compound_by_code(code)
        require(principal, Capability.MEETING_MANAGE, compound["id"])
        form = meeting_form(await request.form())
        try:
            meeting_id = await service.convene(compound["id"], principal, form, clock.now())
        except FormErrors as error:
            return await _meeting_form_page(
                principal, compound, {**form.values, **form.lists}, error.errors, status_code=400
            )
        flash(
            request,
            _("The meeting is convened as a draft. Build its agenda, then publish the notice."),
            category="success",
        )
        return Redirect(path=links.path("meetings.show", meeting_id=meeting_id))

    @get("/meetings/{meeting_id:int}/edit", name="meetings.edit")
    async def edit_meeting_form(self, meeting_id: int, principal: Principal) -> Template:
        meeting = await meeting_in_places(principal, meeting_id, Capability.MEETING_MANAGE)
        service.ensure_open(meeting)
        invited = await service.invitations(meeting_id)
        values: dict[str, Any] = {
            "kind": meeting["kind"],
            "title": meeting["title"],
            "starts_at": clock.local_input(meeting["starts_at"]),
            "duration_minutes": str(meeting["duration_minutes"]),
            "place": meeting["place"],
            "building": [str(b) for b in meeting["building_ids"]],
            "party": [str(i["party"]) for i in invited if i["party"]],
            "staff": [str(i["user"]) for i in invited if i["user"]],
            "guests": "\n".join(f"{i['guest_name']}，{i['guest_role']}" for i in invited if i["guest_name"]),
            "host": str(meeting["host"] or ""),
            "recorder": str(meeting["recorder"] or ""),
            "scrutineer": [str(s) for s in meeting["scrutineer_ids"]],
            "voting_method": meeting["voting_method"],
        }
        compound = await roster.compound_by_code(meeting["compound_code"])
        return await _meeting_form_page(principal, compound, values, {}, meeting=meeting)

    @post("/meetings/{meeting_id:int}/edit", name="meetings.update")
    async def update_meeting(
        self, request: Request[Any, Any, Any], meeting_id: int, principal: Principal
    ) -> Template | Redirect:
        meeting = await meeting_in_places(principal, meeting_id, Capability.MEETING_MANAGE)
        form = meeting_form(await request.form())
        try:
            await service.update_meeting(meeting_id, principal, form, clock.now())
        except FormErrors as error:
            compound = await roster.compound_by_code(meeting["compound_code"])
            return await _meeting_form_page(
                principal, compound, {**form.values, **form.lists}, error.errors, meeting=meeting, status_code=400
            )
        flash(request, _("Saved."), category="success")
        return Redirect(path=links.path("meetings.show", meeting_id=meeting_id))

    @get("/compounds/{code:str}/meetings/notice-days", name="meetings.notice_days")
    async def notice_days_form(self, code: str, principal: Principal) -> Template:
        compound = await roster.compound_by_code(code)
        require(principal, Capability.MEETING_MANAGE, compound["id"])
        configured = json_value(compound["notice_days"])
        values = {k.value: str(flow.notice_days(configured, k)) for k in Kind}
        return await _notice_days_page(principal, compound, values, {})

    @post("/compounds/{code:str}/meetings/notice-days", name="meetings.notice_days.save")
    async def save_notice_days(
        self, request: Request[Any, Any, Any], code: str, principal: Principal
    ) -> Template | Redirect:
        compound = await roster.compound_by_code(code)
        require(principal, Capability.MEETING_MANAGE, compound["id"])
        values = form_values(await request.form())
        try:
            await service.save_notice_days(compound["id"], principal, values)
        except FormErrors as error:
            return await _notice_days_page(principal, compound, values, error.errors, status_code=400)
        flash(request, _("Notice periods saved."), category="success")
        return Redirect(path=links.path("meetings.list", code=code))
