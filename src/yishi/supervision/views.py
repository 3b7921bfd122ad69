"""The public board (公示栏) with ratings and objections; figures; escalations."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from litestar import Controller, Request, get, post
from litestar.plugins.flash import flash
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Response, Template

from yishi import clock
from yishi.accounts.dependencies import require
from yishi.accounts.permissions import Capability, Principal
from yishi.accounts.residents import HouseholdIdentity, own_household
from yishi.actions import evidence
from yishi.actions import service as actions
from yishi.actions.uploads import file_response, read_uploads, uploads_dir
from yishi.errors import FormErrors
from yishi.i18n import gettext as _
from yishi.roster import service as roster
from yishi.supervision import pages, plots, service
from yishi.supervision.figures import Figures
from yishi.web import links
from yishi.web.forms import Form

MAX_OBJECTION_BODY = service.MAX_OBJECTION_PHOTOS * evidence.MAX_FILE_BYTES + 1024 * 1024


class BoardController(Controller):
    """No login: anyone reads the board; a household rates and objects."""

    path = "/c/{code:str}"

    @get("/board", name="board")
    async def show(self, code: str, household: HouseholdIdentity | None) -> Template:
        compound = await roster.compound_by_code(code)
        await service.raise_overdue_escalations()
        return Template(
            template_name="supervision/board.html",
            context={
                "compound": compound,
                "household": own_household(household, compound),
                **await pages.board_context(compound),
            },
        )

    async def _action_page(
        self,
        compound: dict[str, Any],
        number: int,
        household: HouseholdIdentity | None,
        status_code: int = 200,
        **extra: Any,
    ) -> Template:
        context = await public_action_context(compound, number, household)
        context.update(extra)
        return Template(template_name="supervision/action.html", context=context, status_code=status_code)

    @get("/board/actions/{number:int}", name="board.action")
    async def action(self, code: str, number: int, household: HouseholdIdentity | None) -> Template:
        compound = await roster.compound_by_code(code)
        return await self._action_page(compound, number, household)

    @post("/board/actions/{number:int}/rating", name="board.rate")
    async def rate(
        self,
        request: HTMXRequest,
        code: str,
        number: int,
        household: HouseholdIdentity | None,
        data: Form,
    ) -> Template | Redirect:
        compound = await roster.compound_by_code(code)
        here = links.path("board.action", code=code, number=number)
        if own_household(household, compound) is None:
            return links.identify_first(code, here)
        values = {"verdict": data.get("verdict", ""), "comment": data.get("comment", "")}
        try:
            outcome = await service.rate(household, compound["id"], number, values["verdict"], values["comment"])
        except FormErrors as error:
            if request.htmx:
                context = await public_action_context(compound, number, household)
                context.update(rating_values=values, rating_errors=error.errors)
                return Template(template_name="supervision/_rating.html", context=context)
            return await self._action_page(
                compound, number, household, 400, rating_values=values, rating_errors=error.errors
            )
        message = _("Thank you: your rating is recorded.")
        if outcome.reopened:
            message += " " + _(
                "Too many households are unsatisfied: the action is reopened and escalated to the community."
            )
        if request.htmx:
            context = await public_action_context(compound, number, household)
            context["rated"] = message
            return Template(template_name="supervision/_rating.html", context=context)
        flash(request, message, category="success")
        return Redirect(path=here)

    @post("/board/actions/{number:int}/objection", name="board.object", request_max_body_size=MAX_OBJECTION_BODY)
    async def object_to(
        self,
        request: Request[Any, Any, Any],
        code: str,
        number: int,
        household: HouseholdIdentity | None,
    ) -> Template | Redirect:
        compound = await roster.compound_by_code(code)
        here = links.path("board.action", code=code, number=number)
        if own_household(household, compound) is None:
            return links.identify_first(code, here)
        data = await request.form()
        reason = data.get("reason", "") if isinstance(data.get("reason"), str) else ""
        try:
            await service.object_to(
                household,
                compound["id"],
                number,
                reason,
                await read_uploads(data.getall("photos", [])),
                uploads_dir(request),
            )
        except FormErrors as error:
            return await self._action_page(
                compound, number, household, 400, objection_values={"reason": reason}, objection_errors=error.errors
            )
        flash(
            request,
            _("Your objection is with the secretary, who must answer it. The answer appears here."),
            category="success",
        )
        return Redirect(path=here)

    @get("/evidence/{evidence_id:int}", name="board.evidence")
    async def evidence_file(self, request: Request[Any, Any, Any], code: str, evidence_id: int) -> Response[bytes]:
        compound = await roster.compound_by_code(code)
        row = await actions.evidence_file(compound["id"], evidence_id)
        suffix = PurePosixPath(row["path"]).suffix
        return file_response(uploads_dir(request), row["path"], f"evidence-{evidence_id}{suffix}")


async def public_action_context(
    compound: dict[str, Any], number: int, household: HouseholdIdentity | None
) -> dict[str, Any]:
    household = own_household(household, compound)
    entry = await service.board_action(compound["id"], number)
    return {
        "compound": compound,
        "household": household,
        "entry": entry,
        "action": entry.action,
        "links": await pages.resolution_links(compound, [entry.action]),
        "state": await service.household_state(entry.action, household),
        "rating_values": {},
        "rating_errors": {},
        "objection_values": {},
        "objection_errors": {},
        "rated": "",
    }


def figure_charts(figures: Figures) -> dict[str, plots.Chart]:
    months = figures.months
    return {
        "completion": plots.column_chart([(m.month.short_label, m.completion) for m in months]),
        "satisfaction": plots.column_chart([(m.month.short_label, m.satisfaction) for m in months]),
        "completed": plots.column_chart([(m.month.short_label, m.completed) for m in months]),
    }


class FiguresController(Controller):
    @get("/compounds/{code:str}/figures", name="figures.compound")
    async def compound(self, code: str, principal: Principal) -> Template:
        compound = await roster.compound_by_code(code)
        require(principal, Capability.FIGURES_VIEW, compound["id"])
        figures = await service.compound_figures(compound["id"])
        return Template(
            template_name="supervision/figures.html",
            context={
                "principal": principal,
                "compound": compound,
                "figures": figures,
                "charts": figure_charts(figures),
                "today": clock.local_today(),
            },
        )

    @get("/communities/{code:str}/figures", name="figures.community")
    async def community(self, code: str, principal: Principal) -> Template:
        community = await roster.community_by_code(code)
        service.check_community_admin(principal, community["id"])
        place = await service.community_figures(community["id"])
        names = {c["id"]: c["name"] for c in place.compounds}
        compare = {
            key: plots.bar_chart([(names[cid], getattr(f, key)) for cid, f in place.by_compound.items()])
            for key in ("completion", "on_time", "satisfaction")
        }
        return Template(
            template_name="supervision/community_figures.html",
            context={
                "principal": principal,
                "community": community,
                "place": place,
                "figures": place.figures,
                "charts": figure_charts(place.figures),
                "compare": compare,
                "today": clock.local_today(),
            },
        )


class EscalationController(Controller):
    @get("/communities/{code:str}/escalations", name="escalations.community")
    async def community(self, code: str, principal: Principal) -> Template:
        community = await roster.community_by_code(code)
        service.check_community_admin(principal, community["id"])
        return await self._page(principal, community)

    async def _page(
        self, principal: Principal, community: dict[str, Any], status_code: int = 200, **extra: Any
    ) -> Template:
        await service.raise_overdue_escalations()
        return Template(
            template_name="supervision/escalations.html",
            context={
                "principal": principal,
                "community": community,
                "street": None,
                "escalations": await service.community_escalations(community["id"]),
                "can_close": True,
                "errors": {},
                "values": {},
                **extra,
            },
            status_code=status_code,
        )

    @post("/communities/{code:str}/escalations/{escalation_id:int}/close", name="escalations.close")
    async def close(
        self,
        request: Request[Any, Any, Any],
        code: str,
        escalation_id: int,
        principal: Principal,
        data: Form,
    ) -> Template | Redirect:
        community = await roster.community_by_code(code)
        service.check_community_admin(principal, community["id"])
        try:
            await service.close_escalation(principal, community["id"], escalation_id, data.get("note", ""))
        except FormErrors as error:
            return await self._page(
                principal,
                community,
                400,
                errors={escalation_id: error.errors["note"]},
                values={escalation_id: data.get("note", "")},
            )
        flash(request, _("The escalation is closed; the board shows your note."), category="success")
        return Redirect(path=links.path("escalations.community", code=code))

    @get("/streets/{street:str}/escalations", name="escalations.street")
    async def street(self, street: str, principal: Principal) -> Template:
        communities = await service.check_street(principal, street)
        await service.raise_overdue_escalations()
        return Template(
            template_name="supervision/escalations.html",
            context={
                "principal": principal,
                "community": None,
                "street": street,
                "communities": communities,
                "escalations": await service.street_escalations(street),
                "can_close": False,
                "errors": {},
                "values": {},
            },
        )
