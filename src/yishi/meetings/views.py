"""The pages of step 2: the secretary's meeting console and agenda, the item page
with notes, positions and vote options, sign-in (staff list and the door QR),
and the public notice where residents comment.

URL scheme
    /compounds/{code}/meetings                      meetings of a compound (staff)
    /compounds/{code}/meetings/new?kind=…           convene
    /compounds/{code}/meetings/notice-days          the compound's notice periods
    /meetings/{id}                                  the meeting console
    /meetings/{id}/edit | /publish | /close | /addenda
    /meetings/{id}/agenda/order                     drag reordering (list of item ids)
    /meetings/{id}/items/{item_id}                  an agenda item: notes, positions, vote options
    /meetings/{id}/items/{item_id}/move | /edit | /withdraw | /notes | /positions | /vote
    /meetings/{id}/sign-in                          staff sign-in (search households, mark people)
    /meetings/{id}/sign-in/list                     the live list fragment (polled)
    /meetings/{id}/door                             the door poster with the QR code
    /c/{code}/meetings/{id}                         the public notice (residents comment here)
    /c/{code}/meetings/{id}/sign-in/{key}           where the door QR leads
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from typing import Any

import segno
from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from yishi import clock
from yishi.accounts.dependencies import require
from yishi.accounts.permissions import Capability, Principal
from yishi.accounts.residents import HouseholdIdentity, own_household
from yishi.errors import DomainError, FormErrors, NotFound
from yishi.forms import whole_number
from yishi.i18n import N_
from yishi.i18n import gettext as _
from yishi.meetings import flow, service, topics
from yishi.meetings.flow import ITEM_DECISION, Kind
from yishi.roster import service as roster
from yishi.voting.rules import Rule
from yishi.web.forms import is_htmx

ACTION_LABELS: dict[Any, str] = {
    ("meeting", "create"): N_("convened the meeting"),
    ("agenda_item", "create"): N_("put the item on the agenda"),
    ("compound", "notice_days"): N_("changed the notice periods"),
    "create": N_("created"),
    "edit": N_("edited"),
    "publish": N_("published the notice"),
    "reorder": N_("reordered the agenda"),
    "add_after_notice": N_("added the item after the notice was published"),
    "withdraw": N_("withdrew the item"),
    "notes": N_("changed the notes"),
    "position": N_("recorded a party's position"),
    "vote_options": N_("drafted the vote"),
    "hide_comment": N_("hid a comment"),
    "sign_in": N_("signed in"),
    "close": N_("closed the meeting"),
    "addendum": N_("added an addendum"),
}

FIELD_LABELS = {
    "kind": N_("Kind"),
    "title": N_("Title"),
    "starts_at": N_("Time"),
    "duration_minutes": N_("Length (minutes)"),
    "place": N_("Place"),
    "building_ids": N_("Buildings"),
    "host": N_("Host"),
    "recorder": N_("Recorder"),
    "scrutineer_ids": N_("Scrutineers"),
    "voting_method": N_("Voting method"),
    "parties": N_("Invited parties"),
    "staff": N_("Invited staff"),
    "guests": N_("Guests"),
    "status": N_("Status"),
    "published_at": N_("Published"),
    "urgent_reason": N_("Urgent reason"),
    "committee_informed_at": N_("Residents' committee told"),
    "closed_at": N_("Closed"),
    "closed_by": N_("Closed by"),
    "full_text": N_("Full text"),
    "minutes": N_("Time allotted (minutes)"),
    "notes": N_("Notes"),
    "stance": N_("Position"),
    "text": N_("Text"),
    "question": N_("Question"),
    "options": N_("Options"),
    "rule": N_("Rule"),
    "owners_matter": N_("Civil Code art. 278 matter"),
    "order": N_("Order"),
    "bench_meeting": N_("Bench meeting"),
    "tripartite": N_("Tripartite joint meeting"),
    "council": N_("Residents' council"),
    "owners_decision": N_("Owners' decision"),
}

STATUS_LABELS = {
    service.DRAFT: N_("Draft"),
    service.PUBLISHED: N_("Notice published"),
    service.CLOSED: N_("Closed"),
}

POLL_SECONDS = 4


def door_key(secret: str, meeting_id: int) -> str:
    """The key in the door QR's address: only the printed poster leads to sign-in."""
    return hmac.new(secret.encode(), f"door:{meeting_id}".encode(), hashlib.sha256).hexdigest()[:20]


def labels() -> dict[str, Any]:
    """Label look-ups every meetings template uses."""
    return {
        "kind_label": flow.kind_label,
        "kind_hint": lambda kind: flow.label_of(flow.KIND_HINTS, kind),
        "rule_label": flow.rule_label,
        "matter_label": lambda n: flow.label_of(flow.OWNERS_MATTERS, n) if n else "",
        "stance_label": lambda s: flow.label_of(flow.STANCE_LABELS, s),
        "status_label": lambda s: flow.label_of(STATUS_LABELS, s),
        "local": clock.local_text,
        "kinds": list(Kind),
        "rules": list(Rule),
        "matters": flow.OWNERS_MATTERS,
        "stances": flow.STANCES,
    }


def _form_values(form: FormMultiDict) -> dict[str, str]:
    return {key: form.get(key) or "" for key in form}


def _meeting_form(form: FormMultiDict) -> service.MeetingForm:
    return service.MeetingForm(
        values=_form_values(form),
        lists={name: form.getall(name) for name in ("building", "party", "staff", "scrutineer") if name in form},
    )


def _int(value: str | None) -> int | None:
    return whole_number(value)


async def _meeting_in_places(
    principal: Principal, meeting_id: int, capability: Capability = Capability.MEETING_VIEW
) -> dict[str, Any]:
    row = await service.meeting(meeting_id)
    require(principal, capability, row["compound"])
    return row


# History -----------------------------------------------------------------------------


def _describe(field: str, value: Any, names: dict[Any, str], party_names: dict[int, str]) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if field in ("host", "recorder", "closed_by"):
        return names.get(value, str(value))
    if field in ("scrutineer_ids", "staff"):
        return "、".join(names.get(v, str(v)) for v in value)
    if field == "parties":
        return "、".join(party_names.get(v, str(v)) for v in value)
    if field == "building_ids":
        return "、".join(names.get(("building", v), str(v)) for v in value)
    if field in ("starts_at", "published_at", "closed_at", "committee_informed_at") and isinstance(value, str):
        try:
            return clock.local_text(datetime.fromisoformat(value))
        except ValueError:
            return value
    if field == "kind":
        return flow.kind_label(value)
    if field == "rule":
        return flow.rule_label(value)
    if field == "owners_matter":
        return flow.label_of(flow.OWNERS_MATTERS, value)
    if field == "stance":
        return flow.label_of(flow.STANCE_LABELS, value)
    if field == "status":
        return flow.label_of(STATUS_LABELS, value)
    if isinstance(value, list):
        if field == "order":
            return " ".join(f"{n}. {v}" for n, v in enumerate(value, start=1))
        return "、".join(str(v) for v in value)
    return str(value)


async def history_rows(entries: list[dict[str, Any]], compound_id: int) -> list[dict[str, Any]]:
    """Audit entries as lines a person reads: who, when, what, and each field's before → after."""
    ids: set[int] = set()
    for entry in entries:
        for field, pair in (entry["detail"].get("changes") or {}).items():
            if field in ("host", "recorder", "closed_by", "scrutineer_ids", "staff"):
                for value in pair:
                    ids.update(value if isinstance(value, list) else [value] if isinstance(value, int) else [])
    names: dict[Any, str] = dict(await service.staff_names(ids))
    names.update({("building", b["id"]): b["name"] for b in await service.buildings(compound_id)})
    party_names = {p["id"]: p["name"] for p in await service.parties(compound_id)}
    rows = []
    for entry in entries:
        detail = entry["detail"]
        fields = []
        for field, pair in (detail.get("changes") or {}).items():
            before, after = pair
            fields.append(
                {
                    "label": flow.label_of(FIELD_LABELS, field),
                    "before": _describe(field, before, names, party_names),
                    "after": _describe(field, after, names, party_names),
                }
            )
        notes = []
        for key in ("reason", "party", "household", "person", "text"):
            if detail.get(key):
                notes.append(str(detail[key]))
        rows.append(
            {
                "at": entry["at"],
                "who": entry.get("actor_name") or entry.get("actor_label") or "",
                "action": flow.label_of(
                    ACTION_LABELS,
                    (entry["subject"], entry["action"])
                    if (entry["subject"], entry["action"]) in ACTION_LABELS
                    else entry["action"],
                ),
                "item_title": entry.get("item_title", ""),
                "fields": fields,
                "notes": notes,
            }
        )
    return rows


# Staff pages -------------------------------------------------------------------------


class MeetingController(Controller):
    """Meetings as the secretary, recorder and parties see them."""

    # Lists, convening, settings ----------------------------------------------------

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
                "notice_days": {k: flow.notice_days(_json(compound["notice_days"]), k) for k in Kind},
                **labels(),
            },
        )

    async def _meeting_form_page(
        self,
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
                **labels(),
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
        return await self._meeting_form_page(principal, compound, values, {})

    @post("/compounds/{code:str}/meetings/new", name="meetings.create")
    async def create_meeting(
        self, request: Request[Any, Any, Any], code: str, principal: Principal
    ) -> Template | Redirect:
        compound = await roster.compound_by_code(code)
        require(principal, Capability.MEETING_MANAGE, compound["id"])
        form = _meeting_form(await request.form())
        try:
            meeting_id = await service.convene(compound["id"], principal, form, clock.now())
        except FormErrors as error:
            return await self._meeting_form_page(
                principal, compound, {**form.values, **form.lists}, error.errors, status_code=400
            )
        flash(
            request,
            _("The meeting is convened as a draft. Build its agenda, then publish the notice."),
            category="success",
        )
        return Redirect(path=f"/meetings/{meeting_id}")

    @get("/meetings/{meeting_id:int}/edit", name="meetings.edit")
    async def edit_meeting_form(self, meeting_id: int, principal: Principal) -> Template:
        meeting = await _meeting_in_places(principal, meeting_id, Capability.MEETING_MANAGE)
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
        return await self._meeting_form_page(principal, compound, values, {}, meeting=meeting)

    @post("/meetings/{meeting_id:int}/edit", name="meetings.update")
    async def update_meeting(
        self, request: Request[Any, Any, Any], meeting_id: int, principal: Principal
    ) -> Template | Redirect:
        meeting = await _meeting_in_places(principal, meeting_id, Capability.MEETING_MANAGE)
        form = _meeting_form(await request.form())
        try:
            await service.update_meeting(meeting_id, principal, form, clock.now())
        except FormErrors as error:
            compound = await roster.compound_by_code(meeting["compound_code"])
            return await self._meeting_form_page(
                principal, compound, {**form.values, **form.lists}, error.errors, meeting=meeting, status_code=400
            )
        flash(request, _("Saved."), category="success")
        return Redirect(path=f"/meetings/{meeting_id}")

    async def _notice_days_page(
        self,
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
                **labels(),
            },
        )

    @get("/compounds/{code:str}/meetings/notice-days", name="meetings.notice_days")
    async def notice_days_form(self, code: str, principal: Principal) -> Template:
        compound = await roster.compound_by_code(code)
        require(principal, Capability.MEETING_MANAGE, compound["id"])
        configured = _json(compound["notice_days"])
        values = {k.value: str(flow.notice_days(configured, k)) for k in Kind}
        return await self._notice_days_page(principal, compound, values, {})

    @post("/compounds/{code:str}/meetings/notice-days", name="meetings.notice_days.save")
    async def save_notice_days(
        self, request: Request[Any, Any, Any], code: str, principal: Principal
    ) -> Template | Redirect:
        compound = await roster.compound_by_code(code)
        require(principal, Capability.MEETING_MANAGE, compound["id"])
        values = _form_values(await request.form())
        try:
            await service.save_notice_days(compound["id"], principal, values)
        except FormErrors as error:
            return await self._notice_days_page(principal, compound, values, error.errors, status_code=400)
        flash(request, _("Notice periods saved."), category="success")
        return Redirect(path=f"/compounds/{code}/meetings")

    # The console ------------------------------------------------------------------------

    async def _console_context(self, principal: Principal, meeting: dict[str, Any]) -> dict[str, Any]:
        compound_id = meeting["compound"]
        items = await service.agenda(meeting["id"])
        invited = await service.invitations(meeting["id"])
        compound_row = await service.compound(compound_id)
        building_names = {b["id"]: b["name"] for b in await service.buildings(compound_id)}
        can_manage = principal.can(Capability.MEETING_MANAGE, compound_id)
        is_open = meeting["status"] != service.CLOSED
        return {
            "principal": principal,
            "meeting": meeting,
            "items": items,
            "time": flow.agenda_time(items, meeting["duration_minutes"]),
            "invited_parties": [i for i in invited if i["party"]],
            "invited_staff": [i for i in invited if i["user"]],
            "invited_guests": [i for i in invited if i["guest_name"]],
            "building_names": [building_names.get(b, str(b)) for b in meeting["building_ids"]],
            "scrutineers": list((await service.staff_names(meeting["scrutineer_ids"])).values()),
            "can_manage": can_manage,
            "is_open": is_open,
            "can_record": principal.can(Capability.MEETING_RECORD, compound_id),
            "can_reorder": can_manage and is_open,
            "can_add": can_manage
            and is_open
            and not (meeting["status"] == service.PUBLISHED and meeting["kind"] == Kind.OWNERS_DECISION),
            "proposals": [
                p
                for p in await topics.accepted_proposals(compound_id)
                if p["id"] not in {i["proposal"] for i in items if not i["withdrawn_at"]}
            ],
            "notice": flow.check_notice(
                meeting["kind"], compound_row["notice_days"], meeting["starts_at"], clock.now()
            ),
            "sheet": await service.sign_in_sheet(meeting),
            "addenda": await service.addenda(meeting["id"]),
            "history": await history_rows(await service.meeting_history(meeting["id"]), compound_id),
            "forms": {},
            **labels(),
        }

    @get("/meetings/{meeting_id:int}", name="meetings.show")
    async def show(self, meeting_id: int, principal: Principal) -> Template:
        meeting = await _meeting_in_places(principal, meeting_id)
        return Template(template_name="meetings/meeting.html", context=await self._console_context(principal, meeting))

    async def _console_with_errors(
        self, principal: Principal, meeting_id: int, form_name: str, values: dict[str, str], errors: dict[str, str]
    ) -> Template:
        meeting = await service.meeting(meeting_id)
        context = await self._console_context(principal, meeting)
        context["forms"] = {form_name: {"values": values, "errors": errors}}
        return Template(template_name="meetings/meeting.html", context=context, status_code=400)

    @post("/meetings/{meeting_id:int}/items", name="meetings.items.add")
    async def add_item(
        self, request: Request[Any, Any, Any], meeting_id: int, principal: Principal
    ) -> Template | Redirect:
        await _meeting_in_places(principal, meeting_id, Capability.MEETING_MANAGE)
        values = _form_values(await request.form())
        try:
            item_id = await service.add_item(meeting_id, principal, values)
        except FormErrors as error:
            return await self._console_with_errors(principal, meeting_id, "add_item", values, error.errors)
        flash(request, _("Added to the agenda."), category="success")
        return Redirect(path=f"/meetings/{meeting_id}#item-{item_id}")

    async def _agenda_response(
        self, request: Request[Any, Any, Any], principal: Principal, meeting_id: int
    ) -> Template | Redirect:
        if is_htmx(request):
            meeting = await service.meeting(meeting_id)
            return Template(
                template_name="meetings/_agenda.html", context=await self._console_context(principal, meeting)
            )
        return Redirect(path=f"/meetings/{meeting_id}#agenda")

    @post("/meetings/{meeting_id:int}/items/{item_id:int}/move", name="meetings.items.move")
    async def move_item(
        self, request: Request[Any, Any, Any], meeting_id: int, item_id: int, principal: Principal
    ) -> Template | Redirect:
        await _meeting_in_places(principal, meeting_id, Capability.MEETING_MANAGE)
        form = await request.form()
        await service.move_item(meeting_id, item_id, form.get("direction") or "", principal)
        return await self._agenda_response(request, principal, meeting_id)

    @post("/meetings/{meeting_id:int}/agenda/order", name="meetings.agenda.order")
    async def reorder(
        self, request: Request[Any, Any, Any], meeting_id: int, principal: Principal
    ) -> Template | Redirect:
        await _meeting_in_places(principal, meeting_id, Capability.MEETING_MANAGE)
        form = await request.form()
        ids = [n for n in (whole_number(v) for v in form.getall("item")) if n is not None] if "item" in form else []
        await service.reorder(meeting_id, ids, principal)
        return await self._agenda_response(request, principal, meeting_id)

    # Publishing -----------------------------------------------------------------------

    async def _publish_page(
        self,
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
                **labels(),
            },
        )

    @get("/meetings/{meeting_id:int}/publish", name="meetings.publish.form")
    async def publish_form(self, meeting_id: int, principal: Principal) -> Template | Redirect:
        meeting = await _meeting_in_places(principal, meeting_id, Capability.MEETING_MANAGE)
        if meeting["status"] != service.DRAFT:
            return Redirect(path=f"/meetings/{meeting_id}")
        values = {"voting_method": meeting["voting_method"], "committee_informed_on": ""}
        return await self._publish_page(principal, meeting, values, {})

    @post("/meetings/{meeting_id:int}/publish", name="meetings.publish")
    async def publish(
        self, request: Request[Any, Any, Any], meeting_id: int, principal: Principal
    ) -> Template | Redirect:
        meeting = await _meeting_in_places(principal, meeting_id, Capability.MEETING_MANAGE)
        values = _form_values(await request.form())
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
            return await self._publish_page(principal, meeting, values, error.errors, status_code=400)
        flash(request, _("The notice is published on the compound's public page."), category="success")
        return Redirect(path=f"/meetings/{meeting_id}")

    # Closing and addenda ------------------------------------------------------------------

    @post("/meetings/{meeting_id:int}/close", name="meetings.close")
    async def close(self, request: Request[Any, Any, Any], meeting_id: int, principal: Principal) -> Redirect:
        await _meeting_in_places(principal, meeting_id, Capability.MEETING_MANAGE)
        await service.close(meeting_id, principal, clock.now())
        flash(request, _("The meeting is closed. From now on only addenda can be added."), category="success")
        return Redirect(path=f"/meetings/{meeting_id}")

    @post("/meetings/{meeting_id:int}/addenda", name="meetings.addenda.add")
    async def add_addendum(
        self, request: Request[Any, Any, Any], meeting_id: int, principal: Principal
    ) -> Template | Redirect:
        await _meeting_in_places(principal, meeting_id, Capability.MEETING_RECORD)
        values = _form_values(await request.form())
        try:
            await service.add_addendum(meeting_id, principal, values.get("text", ""), _int(values.get("item")))
        except FormErrors as error:
            return await self._console_with_errors(principal, meeting_id, "addendum", values, error.errors)
        flash(request, _("Addendum added."), category="success")
        return Redirect(path=f"/meetings/{meeting_id}#addenda")

    # The agenda item --------------------------------------------------------------------

    async def _item_context(
        self, principal: Principal, meeting: dict[str, Any], item: dict[str, Any]
    ) -> dict[str, Any]:
        compound_id = meeting["compound"]
        invited = [i["party"] for i in await service.invitations(meeting["id"]) if i["party"]]
        party_rows = [p for p in await service.parties(compound_id) if p["id"] in invited]
        is_open = meeting["status"] != service.CLOSED
        tripartite_decision = (
            meeting["kind"] == Kind.TRIPARTITE and item["kind"] == ITEM_DECISION and not item["withdrawn_at"]
        )
        statable = service.parties_statable(principal, meeting, party_rows) if tripartite_decision and is_open else []
        items = await service.agenda(meeting["id"])
        suggested = flow.default_rule(meeting["kind"], item["owners_matter"])
        return {
            "principal": principal,
            "meeting": meeting,
            "item": item,
            "number": next((n for n, i in enumerate(items, start=1) if i["id"] == item["id"]), 0),
            "parties": party_rows,
            "positions": await service.positions(item["id"]),
            "statable": statable,
            "show_positions": tripartite_decision,
            "comments": (await service.comments([item["id"]])).get(item["id"], []),
            "addenda": [a for a in await service.addenda(meeting["id"]) if a["agenda_item"] == item["id"]],
            "history": await history_rows(await service.item_history(item["id"]), compound_id),
            "can_manage": principal.can(Capability.MEETING_MANAGE, compound_id) and is_open,
            "can_record": principal.can(Capability.MEETING_RECORD, compound_id) and is_open,
            "is_open": is_open,
            "allowed_rules": list(flow.allowed_rules(meeting["kind"])),
            "suggested_rule": suggested.value if suggested else "",
            "forms": {},
            **labels(),
        }

    async def _item_page(
        self,
        principal: Principal,
        meeting_id: int,
        item_id: int,
        form_name: str = "",
        values: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
    ) -> Template:
        meeting = await service.meeting(meeting_id)
        item = await service.agenda_item(meeting_id, item_id)
        context = await self._item_context(principal, meeting, item)
        if form_name:
            context["forms"] = {form_name: {"values": values or {}, "errors": errors or {}}}
        return Template(template_name="meetings/item.html", context=context, status_code=400 if errors else 200)

    @get("/meetings/{meeting_id:int}/items/{item_id:int}", name="meetings.items.show")
    async def show_item(self, meeting_id: int, item_id: int, principal: Principal) -> Template:
        await _meeting_in_places(principal, meeting_id)
        return await self._item_page(principal, meeting_id, item_id)

    async def _item_form(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        meeting_id: int,
        item_id: int,
        form_name: str,
        capability: Capability,
        action: Any,
        done: str,
    ) -> Template | Redirect:
        await _meeting_in_places(principal, meeting_id, capability)
        values = _form_values(await request.form())
        try:
            await action(values)
        except FormErrors as error:
            return await self._item_page(principal, meeting_id, item_id, form_name, values, error.errors)
        flash(request, done, category="success")
        return Redirect(path=f"/meetings/{meeting_id}/items/{item_id}#{form_name}")

    @post("/meetings/{meeting_id:int}/items/{item_id:int}/edit", name="meetings.items.edit")
    async def edit_item(
        self, request: Request[Any, Any, Any], meeting_id: int, item_id: int, principal: Principal
    ) -> Template | Redirect:
        async def action(values: dict[str, str]) -> None:
            await service.edit_item(meeting_id, item_id, principal, values)

        return await self._item_form(
            request, principal, meeting_id, item_id, "edit", Capability.MEETING_MANAGE, action, _("Saved.")
        )

    @post("/meetings/{meeting_id:int}/items/{item_id:int}/withdraw", name="meetings.items.withdraw")
    async def withdraw_item(
        self, request: Request[Any, Any, Any], meeting_id: int, item_id: int, principal: Principal
    ) -> Template | Redirect:
        async def action(values: dict[str, str]) -> None:
            await service.withdraw_item(meeting_id, item_id, principal, values.get("reason", ""))

        return await self._item_form(
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

        return await self._item_form(
            request, principal, meeting_id, item_id, "notes", Capability.MEETING_RECORD, action, _("Notes saved.")
        )

    @post("/meetings/{meeting_id:int}/items/{item_id:int}/positions", name="meetings.items.position")
    async def state_position(
        self, request: Request[Any, Any, Any], meeting_id: int, item_id: int, principal: Principal
    ) -> Template | Redirect:
        await _meeting_in_places(principal, meeting_id)
        values = _form_values(await request.form())
        party_id = _int(values.get("party"))
        try:
            await service.state_position(
                meeting_id, item_id, principal, party_id or 0, values.get("stance", ""), values.get("text", "")
            )
        except FormErrors as error:
            return await self._item_page(principal, meeting_id, item_id, f"position-{party_id}", values, error.errors)
        flash(request, _("Position recorded."), category="success")
        return Redirect(path=f"/meetings/{meeting_id}/items/{item_id}#positions")

    @post("/meetings/{meeting_id:int}/items/{item_id:int}/vote", name="meetings.items.vote")
    async def draft_vote(
        self, request: Request[Any, Any, Any], meeting_id: int, item_id: int, principal: Principal
    ) -> Template | Redirect:
        async def action(values: dict[str, str]) -> None:
            await service.draft_vote(meeting_id, item_id, principal, values)

        return await self._item_form(
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

        return await self._item_form(
            request,
            principal,
            meeting_id,
            item_id,
            f"hide-{comment_id}",
            Capability.MEETING_MANAGE,
            action,
            _("The comment is hidden."),
        )

    # Sign-in ---------------------------------------------------------------------------

    async def _sign_in_context(
        self, principal: Principal, meeting: dict[str, Any], query: str = "", **extra: Any
    ) -> dict[str, Any]:
        compound_id = meeting["compound"]
        invited = await service.invitations(meeting["id"])
        party_ids = {i["party"] for i in invited if i["party"]}
        members = await service.party_members(compound_id)
        sheet = await service.sign_in_sheet(meeting)
        people = [row for _party, rows in sheet.by_party for row in rows] + sheet.guests
        return {
            "principal": principal,
            "meeting": meeting,
            "query": query,
            "found": await service.find_households(meeting, principal, query) if query else [],
            "parties": [p for p in await service.parties(compound_id) if p["id"] in party_ids],
            "members": members,
            "invited_people": [i for i in invited if i["user"] or i["guest_name"]],
            "signed_users": {r["user"] for r in people if r["user"]},
            "signed_names": {r["name"] for r in sheet.guests},
            "signed_households": {r["household"] for r in sheet.households},
            "sheet": sheet,
            "can_record": principal.can(Capability.MEETING_RECORD, compound_id)
            and meeting["status"] == service.PUBLISHED,
            "poll_seconds": POLL_SECONDS,
            "forms": {},
            **labels(),
            **extra,
        }

    @get("/meetings/{meeting_id:int}/sign-in", name="meetings.sign_in")
    async def sign_in_page(
        self, request: Request[Any, Any, Any], meeting_id: int, principal: Principal, q: str = ""
    ) -> Template:
        meeting = await _meeting_in_places(principal, meeting_id)
        context = await self._sign_in_context(principal, meeting, q)
        if is_htmx(request) and request.headers.get("hx-target") == "household-results":
            return Template(template_name="meetings/_household_results.html", context=context)
        return Template(template_name="meetings/sign_in.html", context=context)

    @get("/meetings/{meeting_id:int}/sign-in/list", name="meetings.sign_in.list")
    async def sign_in_list(self, meeting_id: int, principal: Principal) -> Template:
        meeting = await _meeting_in_places(principal, meeting_id)
        return Template(
            template_name="meetings/_sign_in_list.html",
            context={
                "meeting": meeting,
                "sheet": await service.sign_in_sheet(meeting),
                "poll_seconds": POLL_SECONDS,
                **labels(),
            },
        )

    @post("/meetings/{meeting_id:int}/sign-in/household", name="meetings.sign_in.household")
    async def sign_in_household(
        self, request: Request[Any, Any, Any], meeting_id: int, principal: Principal
    ) -> Redirect:
        await _meeting_in_places(principal, meeting_id, Capability.MEETING_RECORD)
        values = _form_values(await request.form())
        household_id = _int(values.get("household"))
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
        return Redirect(path=f"/meetings/{meeting_id}/sign-in")

    @post("/meetings/{meeting_id:int}/sign-in/person", name="meetings.sign_in.person")
    async def sign_in_person(
        self, request: Request[Any, Any, Any], meeting_id: int, principal: Principal
    ) -> Template | Redirect:
        meeting = await _meeting_in_places(principal, meeting_id, Capability.MEETING_RECORD)
        values = _form_values(await request.form())
        try:
            signed = await service.sign_in_person(
                meeting_id,
                principal,
                party_id=_int(values.get("party")),
                user_id=_int(values.get("user")),
                name=values.get("name", ""),
                invitation_id=_int(values.get("invitation")),
                now=clock.now(),
            )
        except FormErrors as error:
            context = await self._sign_in_context(principal, meeting)
            context["forms"] = {f"party-{values.get('party', '')}": {"values": values, "errors": error.errors}}
            return Template(template_name="meetings/sign_in.html", context=context, status_code=400)
        if signed.already:
            flash(
                request, _("Already signed in at %(at)s.", at=clock.local_text(signed.at, "%H:%M")), category="warning"
            )
        else:
            flash(request, _("Signed in."), category="success")
        return Redirect(path=f"/meetings/{meeting_id}/sign-in")

    @get("/meetings/{meeting_id:int}/door", name="meetings.door")
    async def door_poster(self, request: Request[Any, Any, Any], meeting_id: int, principal: Principal) -> Template:
        meeting = await _meeting_in_places(principal, meeting_id, Capability.MEETING_RECORD)
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
                **labels(),
            },
        )


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


# Public pages --------------------------------------------------------------------------


class MeetingPublicController(Controller):
    """What residents see without a login: the notice, comments, sign-in at the door."""

    async def _notice_context(self, code: str, meeting_id: int, household: HouseholdIdentity | None) -> dict[str, Any]:
        compound = await roster.compound_by_code(code)
        meeting = await service.public_meeting(compound["id"], meeting_id)
        household = own_household(household, compound)
        items = await service.agenda(meeting_id)
        invited = await service.invitations(meeting_id)
        building_names = {b["id"]: b["name"] for b in await service.buildings(compound["id"])}
        now = clock.now()
        return {
            "compound": compound,
            "meeting": meeting,
            "items": items,
            "household": household,
            "comments": await service.comments([i["id"] for i in items]),
            "comments_open": service.comments_open(meeting, now),
            "invited_parties": [i for i in invited if i["party"]],
            "invited_guests": [i for i in invited if i["guest_name"]],
            "building_names": [building_names.get(b, str(b)) for b in meeting["building_ids"]],
            "time": flow.agenda_time(items, meeting["duration_minutes"]),
            "forms": {},
            **labels(),
        }

    @get("/c/{code:str}/meetings/{meeting_id:int}", name="meetings.notice")
    async def notice(self, code: str, meeting_id: int, household: HouseholdIdentity | None) -> Template:
        context = await self._notice_context(code, meeting_id, household)
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
        here = f"/c/{code}/meetings/{meeting_id}"
        household = own_household(household, compound)
        if household is None:
            return Redirect(path=f"/c/{code}/me?next={here}%23item-{item_id}")
        values = _form_values(await request.form())
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
            context = await self._notice_context(code, meeting_id, household)
            context["forms"] = {f"comment-{item_id}": {"values": values, "errors": error.errors}}
            return Template(template_name="meetings/notice.html", context=context, status_code=400)
        flash(request, _("Thank you. Your comment is on the notice."), category="success")
        return Redirect(path=f"{here}#item-{item_id}")

    async def _door_context(
        self, request: Request[Any, Any, Any], code: str, meeting_id: int, key: str, household: HouseholdIdentity | None
    ) -> dict[str, Any]:
        compound = await roster.compound_by_code(code)
        meeting = await service.public_meeting(compound["id"], meeting_id)
        if not hmac.compare_digest(key, door_key(request.app.state.settings.secret_key, meeting_id)):
            raise NotFound()
        household = own_household(household, compound)
        signed = await service.household_attendance(meeting_id, household.household_id) if household else None
        return {
            "compound": compound,
            "meeting": meeting,
            "household": household,
            "signed": signed,
            "here": f"/c/{code}/meetings/{meeting_id}/sign-in/{key}",
            "error": "",
            **labels(),
        }

    @get("/c/{code:str}/meetings/{meeting_id:int}/sign-in/{key:str}", name="meetings.door_sign_in")
    async def door_sign_in_page(
        self, request: Request[Any, Any, Any], code: str, meeting_id: int, key: str, household: HouseholdIdentity | None
    ) -> Template:
        context = await self._door_context(request, code, meeting_id, key, household)
        return Template(template_name="meetings/resident_sign_in.html", context=context)

    @post("/c/{code:str}/meetings/{meeting_id:int}/sign-in/{key:str}", name="meetings.door_sign_in.submit")
    async def door_sign_in(
        self, request: Request[Any, Any, Any], code: str, meeting_id: int, key: str, household: HouseholdIdentity | None
    ) -> Template | Redirect:
        context = await self._door_context(request, code, meeting_id, key, household)
        household = context["household"]
        if household is None:
            return Redirect(path=f"/c/{code}/me?next={context['here']}")
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
