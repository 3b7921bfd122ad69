"""Pages of step 1.

Public (no login, phone first): the compound's proposals, one proposal with
its timeline and the second button, the new-proposal form, a household's own
proposals, the short link and its QR code, and the photos. Staff: the
compound's list with filters, a proposal with the triage actions, and the form
to record a proposal for a household or a party.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import segno
from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.plugins.flash import flash
from litestar.plugins.htmx import ClientRedirect, HTMXRequest
from litestar.response import File, Redirect, Response, Template

from yishi import photos
from yishi.accounts.dependencies import require
from yishi.accounts.permissions import Capability, Principal
from yishi.accounts.residents import HouseholdIdentity, own_household
from yishi.errors import DomainError, FormErrors, NotFound
from yishi.i18n import gettext as _
from yishi.proposals import flow, pages, service
from yishi.roster import service as roster
from yishi.web import links
from yishi.web.forms import Form

MAX_FORM_BODY = (photos.MAX_PHOTOS + 1) * photos.MAX_PHOTO_BYTES + 1024 * 1024
TEXT_FIELDS = ("title", "problem", "suggestion", "category", "owners_matter")
STAFF_FIELDS = (*TEXT_FIELDS, "source", "building", "unit")


def page_helpers() -> dict[str, Any]:
    """The codes of step 1 in the order the proposal pages list them."""
    return {
        "proposal_categories": list(flow.CATEGORIES),
        "proposal_statuses": list(flow.STATUSES),
        "proposal_stages": flow.STAGES,
    }


def _var_dir(request: Request[Any, Any, Any]) -> Path:
    return request.app.state.settings.var_dir


async def _read_form(
    request: Request[Any, Any, Any], fields: tuple[str, ...]
) -> tuple[dict[str, str], list[photos.Upload]]:
    data = await request.form()
    values = {}
    for name in fields:
        value = data.get(name, "")
        values[name] = value if isinstance(value, str) else ""
    uploads = []
    for item in data.getall("photos", []):
        if isinstance(item, UploadFile) and item.filename:
            uploads.append(photos.Upload(item.filename, await item.read(photos.MAX_PHOTO_BYTES + 1)))
    return values, uploads


def photo_response(var_dir: Path, relative: str) -> Response[Any]:
    path = photos.stored_path(var_dir, relative)
    if path is None or not path.is_file():
        raise NotFound(_("There is no such photo."))
    return File(
        path=path,
        media_type=photos.media_type(relative),
        content_disposition_type="inline",
        filename=path.name,
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=86400"},
    )


class ProposalPublicController(Controller):
    """What residents see and do, without a password."""

    @get("/p/{code:str}", name="proposals.short")
    async def short_link(self, code: str) -> Redirect:
        compound = await roster.compound_by_code(code)
        return Redirect(path=links.path("proposals.public", code=compound["code"]))

    @get("/c/{code:str}/proposals", name="proposals.public")
    async def index(self, request: Request[Any, Any, Any], code: str, household: HouseholdIdentity | None) -> Template:
        compound = await roster.compound_by_code(code)
        rows = await pages.compound_proposals(compound)
        settings = request.app.state.settings
        return Template(
            template_name="proposals/public_list.html",
            context={
                "compound": compound,
                "household": own_household(household, compound),
                "open": [r for r in rows if r["status"] == flow.SUBMITTED],
                "accepted": [r for r in rows if r["status"] == flow.ACCEPTED],
                "closed": [r for r in rows if r["status"] in (flow.MERGED, flow.DECLINED)],
                "short_url": f"{settings.base_url}/p/{compound['code']}",
                **page_helpers(),
            },
        )

    @get("/c/{code:str}/proposals/qr.svg", name="proposals.qr")
    async def qr(self, request: Request[Any, Any, Any], code: str) -> Response[bytes]:
        compound = await roster.compound_by_code(code)
        url = f"{request.app.state.settings.base_url}/p/{compound['code']}"
        buffer = io.BytesIO()
        segno.make(url, error="q", micro=False).save(
            buffer,
            kind="svg",
            scale=8,
            border=2,
            dark="#000",
            light="#fff",
            xmldecl=False,
            title=compound["name"],
        )
        return Response(
            buffer.getvalue(), media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=3600"}
        )

    def _form(
        self,
        compound: dict[str, Any],
        household: HouseholdIdentity,
        values: dict[str, str],
        errors: dict[str, str],
        status_code: int = 200,
    ) -> Template:
        return Template(
            template_name="proposals/new.html",
            context={
                "compound": compound,
                "household": household,
                "values": values,
                "errors": errors,
                "max_photos": photos.MAX_PHOTOS,
                **page_helpers(),
            },
            status_code=status_code,
        )

    @get("/c/{code:str}/proposals/new", name="proposals.public.new")
    async def new(self, code: str, household: HouseholdIdentity | None) -> Template | Redirect:
        compound = await roster.compound_by_code(code)
        own = own_household(household, compound)
        if own is None:
            return links.identify_first(code, links.path("proposals.public.new", code=code))
        return self._form(compound, own, {}, {})

    @post("/c/{code:str}/proposals", name="proposals.public.create", request_max_body_size=MAX_FORM_BODY)
    async def create(
        self, request: Request[Any, Any, Any], code: str, household: HouseholdIdentity | None
    ) -> Template | Redirect:
        compound = await roster.compound_by_code(code)
        household = own_household(household, compound)
        if household is None:
            return links.identify_first(code, links.path("proposals.public.new", code=code))
        values, uploads = await _read_form(request, TEXT_FIELDS)
        try:
            number = await service.submit_as_household(compound, household, values, uploads, _var_dir(request))
        except FormErrors as error:
            return self._form(compound, household, values, error.errors, status_code=400)
        flash(
            request,
            _("Thank you. Your proposal is #%(n)d; neighbours can second it now.", n=number),
            category="success",
        )
        return Redirect(path=links.path("proposals.public.show", code=code, number=number))

    @get("/c/{code:str}/proposals/mine", name="proposals.mine")
    async def mine(self, code: str, household: HouseholdIdentity | None) -> Template | Redirect:
        compound = await roster.compound_by_code(code)
        own = own_household(household, compound)
        if own is None:
            return links.identify_first(code, links.path("proposals.mine", code=code))
        return Template(
            template_name="proposals/mine.html",
            context={
                "compound": compound,
                "household": own,
                "mine": await pages.household_proposals(compound, own.household_id),
                **page_helpers(),
            },
        )

    async def _page(
        self, compound: dict[str, Any], number: int, household: HouseholdIdentity | None, **extra: Any
    ) -> dict[str, Any]:
        page = await pages.proposal_page(compound, number)
        own = own_household(household, compound)
        return {
            "compound": compound,
            "page": page,
            "proposal": page.proposal,
            "household": own,
            "may_second": page.may_second(own),
            "second_message": "",
            "second_error": "",
            "staff": False,
            **page_helpers(),
            **extra,
        }

    @get("/c/{code:str}/proposals/{number:int}", name="proposals.public.show")
    async def show(self, code: str, number: int, household: HouseholdIdentity | None) -> Template:
        compound = await roster.compound_by_code(code)
        return Template(template_name="proposals/show.html", context=await self._page(compound, number, household))

    @post("/c/{code:str}/proposals/{number:int}/second", name="proposals.second")
    async def second(
        self, request: HTMXRequest, code: str, number: int, household: HouseholdIdentity | None
    ) -> Template | Redirect | ClientRedirect:
        compound = await roster.compound_by_code(code)
        page_path = links.path("proposals.public.show", code=code, number=number)
        household = own_household(household, compound)
        if household is None:
            target = links.identify_path(code, page_path)
            return ClientRedirect(redirect_to=target) if request.htmx else Redirect(path=target)
        template = "proposals/_second_panel.html" if request.htmx else "proposals/show.html"
        try:
            result = await service.second(compound, number, household)
        except NotFound:
            raise
        except DomainError as error:
            context = await self._page(compound, number, household, second_error=error.message)
            return Template(
                template_name=template, context=context, status_code=200 if request.htmx else error.status_code
            )
        message = _("Your household seconded proposal #%(n)d.", n=number)
        if result.threshold_reached_now:
            message += " " + _("With your second it has enough support to go before the secretary.")
        if request.htmx:
            context = await self._page(compound, number, household, second_message=message)
            return Template(template_name=template, context=context)
        flash(request, message, category="success")
        return Redirect(path=page_path)

    @get("/c/{code:str}/proposals/{number:int}/photos/{photo_id:int}", name="proposals.photo")
    async def photo(self, request: Request[Any, Any, Any], code: str, number: int, photo_id: int) -> Response[Any]:
        compound = await roster.compound_by_code(code)
        relative = await service.photo_path(compound["id"], number, photo_id)
        return photo_response(_var_dir(request), relative)


class ProposalStaffController(Controller):
    """The compound's proposals for staff: list, triage, recording for a household."""

    path = "/compounds/{code:str}/proposals"

    async def _compound(self, code: str, principal: Principal, capability: Capability) -> dict[str, Any]:
        compound = await roster.compound_by_code(code)
        require(principal, capability, compound["id"])
        return compound

    @get("/", name="proposals.staff")
    async def index(
        self, request: Request[Any, Any, Any], code: str, principal: Principal, status: str = ""
    ) -> Template:
        compound = await self._compound(code, principal, Capability.PROPOSAL_RECORD)
        status = status if status in flow.STATUSES else ""
        return Template(
            template_name="proposals/staff_list.html",
            context={
                "principal": principal,
                "compound": compound,
                "status": status,
                "rows": await pages.compound_proposals(compound, status or None),
                "counts": await service.status_counts(compound["id"]),
                "short_url": f"{request.app.state.settings.base_url}/p/{compound['code']}",
                **page_helpers(),
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
        return Template(
            template_name="proposals/staff_new.html",
            context={
                "principal": principal,
                "compound": compound,
                "values": values,
                "errors": errors,
                "sources": service.source_choices(principal, compound["id"]),
                "buildings": await service.buildings_for(principal, compound["id"]),
                "limited": principal.building_limit(compound["id"]) is not None,
                "max_photos": photos.MAX_PHOTOS,
                **page_helpers(),
            },
            status_code=status_code,
        )

    @get("/new", name="proposals.staff.new")
    async def new(self, code: str, principal: Principal) -> Template:
        compound = await self._compound(code, principal, Capability.PROPOSAL_RECORD)
        sources = service.source_choices(principal, compound["id"])
        return await self._form(principal, compound, {"source": sources[0] if sources else ""}, {})

    @post("/", name="proposals.staff.create", request_max_body_size=MAX_FORM_BODY)
    async def create(self, request: Request[Any, Any, Any], code: str, principal: Principal) -> Template | Redirect:
        compound = await self._compound(code, principal, Capability.PROPOSAL_RECORD)
        values, uploads = await _read_form(request, STAFF_FIELDS)
        try:
            number = await service.record_for(compound, principal, values, uploads, _var_dir(request))
        except FormErrors as error:
            return await self._form(principal, compound, values, error.errors, status_code=400)
        flash(request, _("Proposal #%(n)d is recorded.", n=number), category="success")
        return Redirect(path=links.path("proposals.staff.show", code=code, number=number))

    async def _page(
        self, principal: Principal, compound: dict[str, Any], number: int, status_code: int = 200, **extra: Any
    ) -> Template:
        page = await pages.proposal_page(compound, number)
        context = {
            "principal": principal,
            "compound": compound,
            "page": page,
            "proposal": page.proposal,
            "staff": True,
            "household": None,
            "may_second": False,
            "can_triage": principal.can(Capability.PROPOSAL_TRIAGE, compound["id"]),
            "open_targets": [
                r
                for r in await pages.compound_proposals(compound)
                if r["status"] in flow.OPEN_FOR_SECONDS and r["number"] != number
            ],
            "values": {},
            "errors": {},
            **page_helpers(),
            **extra,
        }
        return Template(template_name="proposals/staff_show.html", context=context, status_code=status_code)

    @get("/{number:int}", name="proposals.staff.show")
    async def show(self, code: str, number: int, principal: Principal) -> Template:
        compound = await self._compound(code, principal, Capability.PROPOSAL_RECORD)
        return await self._page(principal, compound, number)

    @post("/{number:int}/accept", name="proposals.accept")
    async def accept(self, request: Request[Any, Any, Any], code: str, number: int, principal: Principal) -> Redirect:
        compound = await self._compound(code, principal, Capability.PROPOSAL_TRIAGE)
        await service.accept(compound, number, principal)
        flash(
            request,
            _("Proposal #%(n)d is accepted for deliberation. Put it on a meeting agenda next.", n=number),
            category="success",
        )
        return Redirect(path=links.path("proposals.staff.show", code=code, number=number))

    @staticmethod
    def _confirmation(
        principal: Principal,
        compound: dict[str, Any],
        action: str,
        preview: service.DeclinePreview | service.MergePreview,
    ) -> Template:
        """Declining and merging end the proposal's triage for good: say so first."""
        return Template(
            template_name="proposals/triage_confirm.html",
            context={"principal": principal, "compound": compound, "action": action, "preview": preview},
        )

    @post("/{number:int}/decline", name="proposals.decline")
    async def decline(
        self, request: Request[Any, Any, Any], code: str, number: int, principal: Principal, data: Form
    ) -> Template | Redirect:
        compound = await self._compound(code, principal, Capability.PROPOSAL_TRIAGE)
        values = {"reason": data.get("reason", "")}
        try:
            if data.get("confirmed") != "yes":
                preview = await service.decline_preview(compound, number, values["reason"])
                return self._confirmation(principal, compound, "decline", preview)
            await service.decline(compound, number, values["reason"], principal)
        except FormErrors as error:
            return await self._page(principal, compound, number, status_code=400, values=values, errors=error.errors)
        flash(
            request,
            _("Proposal #%(n)d is declined. The proposer and the public page show your reason.", n=number),
            category="success",
        )
        return Redirect(path=links.path("proposals.staff.show", code=code, number=number))

    @post("/{number:int}/merge", name="proposals.merge")
    async def merge(
        self, request: Request[Any, Any, Any], code: str, number: int, principal: Principal, data: Form
    ) -> Template | Redirect:
        compound = await self._compound(code, principal, Capability.PROPOSAL_TRIAGE)
        values = {"target": data.get("target", "")}
        try:
            if data.get("confirmed") != "yes":
                preview = await service.merge_preview(compound, number, values["target"])
                return self._confirmation(principal, compound, "merge", preview)
            carried = await service.merge(compound, number, values["target"], principal)
        except FormErrors as error:
            return await self._page(principal, compound, number, status_code=400, values=values, errors=error.errors)
        flash(
            request,
            _("Proposal #%(n)d is merged; %(carried)d seconds were carried over.", n=number, carried=carried),
            category="success",
        )
        return Redirect(path=links.path("proposals.staff.show", code=code, number=number))

    @post("/{number:int}/owners-matter", name="proposals.owners_matter")
    async def owners_matter(
        self, request: Request[Any, Any, Any], code: str, number: int, principal: Principal, data: Form
    ) -> Redirect:
        compound = await self._compound(code, principal, Capability.PROPOSAL_TRIAGE)
        on = data.get("owners_matter") == "1"
        await service.mark_owners_matter(compound, number, on, principal)
        flash(
            request,
            _("Proposal #%(n)d is marked as a matter for all owners.", n=number)
            if on
            else _("Proposal #%(n)d is no longer marked as a matter for all owners.", n=number),
            category="success",
        )
        return Redirect(path=links.path("proposals.staff.show", code=code, number=number))
