"""Staff pages of actions: resolutions to carry out, drafting, an action's page
with its progress updates and evidence, and the live list on the home page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Controller, Request, get, post
from litestar.plugins.flash import flash
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Response, ServerSentEvent, Template

from yishi import clock, i18n
from yishi.accounts.dependencies import require
from yishi.accounts.permissions import Capability, Principal
from yishi.actions import evidence, flow, service
from yishi.actions.uploads import file_response, read_uploads, uploads_dir
from yishi.errors import Conflict, FormErrors, NotFound
from yishi.home import pages as home
from yishi.i18n import gettext as _
from yishi.live import channels
from yishi.live.stream import stream
from yishi.roster import service as roster
from yishi.supervision import service as supervision
from yishi.web import links
from yishi.web.addresses import request_address
from yishi.web.forms import Form

MAX_UPLOAD_BODY = service.MAX_FILES * evidence.MAX_FILE_BYTES + 1024 * 1024


def _text(data: Any, name: str) -> str:
    value = data.get(name, "")
    return value if isinstance(value, str) else ""


class ActionController(Controller):
    path = "/compounds/{code:str}/actions"

    async def _compound(self, code: str, principal: Principal, capability: Capability) -> dict[str, Any]:
        compound = await roster.compound_by_code(code)
        require(principal, capability, compound["id"])
        return compound

    @get("/", name="actions.list")
    async def index(self, code: str, principal: Principal) -> Template:
        compound = await self._compound(code, principal, Capability.MEETING_VIEW)
        rows = await service.compound_actions(compound["id"])
        return Template(
            template_name="actions/list.html",
            context={
                "principal": principal,
                "compound": compound,
                "groups": service.group_by_urgency(rows),
                "done": [r for r in rows if not r["is_open"]],
                "can_draft": principal.can(Capability.ACTION_DRAFT, compound["id"]),
            },
        )

    @get("/resolutions", name="actions.resolutions")
    async def resolutions(self, code: str, principal: Principal) -> Template:
        compound = await self._compound(code, principal, Capability.ACTION_DRAFT)
        return Template(
            template_name="actions/resolutions.html",
            context={
                "principal": principal,
                "compound": compound,
                "resolutions": await service.resolutions(compound["id"]),
            },
        )

    async def _form(
        self,
        principal: Principal,
        compound: dict[str, Any],
        values: dict[str, str],
        errors: dict[str, str],
        status_code: int = 200,
    ) -> Template:
        adopted = [r for r in await service.resolutions(compound["id"]) if r.adopted]
        candidates = {kind: await service.responsible_candidates(compound["id"], kind) for kind in service.PARTY_KINDS}
        return Template(
            template_name="actions/new.html",
            context={
                "principal": principal,
                "compound": compound,
                "adopted": adopted,
                "candidates": candidates,
                "party_kinds": service.PARTY_KINDS,
                "values": values,
                "errors": errors,
                "today": clock.local_today().isoformat(),
            },
            status_code=status_code,
        )

    @get("/new", name="actions.new")
    async def new(self, code: str, principal: Principal, item: int | None = None) -> Template:
        compound = await self._compound(code, principal, Capability.ACTION_DRAFT)
        values = {"party_kind": "property"}
        if item is not None:
            try:
                resolution = await service.adopted_item(compound["id"], item)
            except FormErrors as error:
                raise Conflict(error.errors["item"]) from None
            values.update(item=str(item), title=resolution.item["title"])
        return await self._form(principal, compound, values, {})

    @post("/", name="actions.create")
    async def create(
        self, request: Request[Any, Any, Any], code: str, principal: Principal, data: Form
    ) -> Template | Redirect:
        compound = await self._compound(code, principal, Capability.ACTION_DRAFT)
        values = {name: data.get(name, "") for name in service.DRAFT_FIELDS}
        try:
            created = await service.draft_action(principal, compound["id"], values)
        except FormErrors as error:
            return await self._form(principal, compound, values, error.errors, status_code=400)
        flash(
            request,
            _("Action #%(n)d was drafted. Its responsible person sees it on their page.", n=created["number"]),
            category="success",
        )
        return Redirect(path=links.path("actions.show", code=code, number=created["number"]))

    async def _page(self, principal: Principal, compound: dict[str, Any], number: int, **extra: Any) -> Template:
        context = await action_page_context(principal, compound, number)
        context.update(extra)
        status_code = 400 if extra.get("errors") or extra.get("objection_errors") else 200
        return Template(template_name="actions/show.html", context=context, status_code=status_code)

    @get("/{number:int}", name="actions.show")
    async def show(self, code: str, number: int, principal: Principal) -> Template:
        compound = await self._compound(code, principal, Capability.MEETING_VIEW)
        return await self._page(principal, compound, number)

    @post("/{number:int}/updates", name="actions.update", request_max_body_size=MAX_UPLOAD_BODY)
    async def post_update(
        self, request: HTMXRequest, code: str, number: int, principal: Principal
    ) -> Template | Redirect:
        compound = await roster.compound_by_code(code)
        action = await service.get_action(compound["id"], number) if principal.sees_compound(compound["id"]) else None
        if action is None:
            raise NotFound()
        await service.check_may_update(principal, action)
        data = await request.form()
        values = {"text": _text(data, "text"), "move": _text(data, "move")}
        try:
            await service.post_update(
                principal,
                action["id"],
                values["text"],
                await read_uploads(data.getall("files", [])),
                values["move"],
                uploads_dir(request),
                when_done=supervision.action_done_again,
            )
        except FormErrors as error:
            if request.htmx:
                context = await action_page_context(principal, compound, number)
                context.update(values=values, errors=error.errors)
                return Template(template_name="actions/_action_panel.html", context=context)
            return await self._page(principal, compound, number, values=values, errors=error.errors)
        message = _("Your update is posted.")
        if request.htmx:
            context = await action_page_context(principal, compound, number)
            context["posted"] = message
            return Template(template_name="actions/_action_panel.html", context=context)
        flash(request, message, category="success")
        return Redirect(path=links.path("actions.show", code=code, number=number))

    @post("/{number:int}/objections/{objection_id:int}", name="actions.objection.decide")
    async def decide_objection(
        self,
        request: Request[Any, Any, Any],
        code: str,
        number: int,
        objection_id: int,
        principal: Principal,
        data: Form,
    ) -> Template | Redirect:
        compound = await roster.compound_by_code(code)
        uphold = data.get("decision") == "uphold"
        try:
            await supervision.decide_objection(principal, compound["id"], objection_id, uphold, data.get("note", ""))
        except FormErrors as error:
            return await self._page(
                principal,
                compound,
                number,
                objection_errors={objection_id: error.errors["note"]},
                objection_values={objection_id: data.get("note", "")},
            )
        flash(
            request,
            _("The objection was upheld: the action is reopened and escalated to the community.")
            if uphold
            else _("The objection was not upheld. Your reason is shown on the board."),
            category="success",
        )
        return Redirect(path=links.path("actions.show", code=code, number=number))

    @get("/{number:int}/objection-photos/{photo_id:int}", name="actions.objection.photo")
    async def objection_photo(
        self, request: Request[Any, Any, Any], code: str, number: int, photo_id: int, principal: Principal
    ) -> Response[bytes]:
        compound = await self._compound(code, principal, Capability.MEETING_VIEW)
        photo = await supervision.objection_photo(compound["id"], photo_id)
        suffix = Path(photo["path"]).suffix
        return file_response(uploads_dir(request), photo["path"], f"objection-{photo_id}{suffix}")


async def action_page_context(principal: Principal, compound: dict[str, Any], number: int) -> dict[str, Any]:
    action = await service.get_action(compound["id"], number)
    can_update = await service.may_update(principal, action)
    entry = await supervision.board_action(compound["id"], number)
    return {
        "principal": principal,
        "compound": compound,
        "action": action,
        "entry": entry,
        "can_update": can_update,
        "moves": flow.allowed_moves(action["status"]) if can_update else [],
        "can_decide": principal.can(Capability.ACTION_DRAFT, compound["id"]),
        "objections": await supervision.objections(action["id"]),
        "ratings": await supervision.ratings_of(action["id"]),
        "values": {},
        "errors": {},
        "objection_errors": {},
        "objection_values": {},
        "posted": "",
    }


class MyActionsController(Controller):
    """The home page's action list, kept current over Server-Sent Events."""

    @get("/actions/mine/stream", name="actions.mine.stream", cache=False)
    async def stream(self, request: Request[Any, Any, Any], principal: Principal) -> ServerSentEvent:
        engine = request.app.template_engine
        compounds = await roster.compounds_by_ids(principal.compound_ids)

        async def render() -> str:
            panel = await home.action_panel(principal)
            return engine.get_template("actions/_my_actions.html").render(panel=panel)

        topic = service.home_topic(compounds) if compounds else channels.topic_name("actions", "none")
        # Each person's panel is their own: screens share a render only per person and language.
        return stream(
            topic,
            render,
            view=f"user:{principal.user_id}:{i18n.current_language()}",
            client=request_address(request),
        )
