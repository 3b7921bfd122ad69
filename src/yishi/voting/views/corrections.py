"""Corrections while a ballot runs: voids, conflicts, the city's import, service, extension."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from yishi.accounts.permissions import Capability, Principal
from yishi.errors import DomainError, Forbidden, FormErrors, NotFound
from yishi.forms import whole_number
from yishi.i18n import gettext as _
from yishi.roster.tables import Building
from yishi.voting import service
from yishi.voting.pages import figures_context
from yishi.voting.views.common import MAX_UPLOAD_BYTES, act, console_page, console_url, scrutiny
from yishi.web.forms import Form, Multipart


async def _void_page(
    principal: Principal,
    compound: dict[str, Any],
    ballot_id: int,
    vote_id: int,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> Template:
    ballot = await service.ballot_in_compound(compound["id"], ballot_id)
    vote = await service.vote_in_ballot(ballot_id, vote_id)
    limit = principal.building_limit(compound["id"])
    if limit is not None and vote["building"] not in limit:
        raise Forbidden(_("You void votes only for the buildings you look after."))
    return Template(
        template_name="voting/void.html",
        status_code=status,
        context={
            "principal": principal,
            "compound": compound,
            "ballot": ballot,
            "vote": vote,
            "values": values,
            "errors": errors,
            **figures_context(),
        },
    )


class BallotCorrectionsController(Controller):
    """Corrections of a running ballot."""

    path = "/compounds/{code:str}/ballots"

    @get("/{ballot_id:int}/votes/{vote_id:int}/void", name="ballots.void.form")
    async def void_form(self, code: str, ballot_id: int, vote_id: int, principal: Principal) -> Template:
        compound = await scrutiny(code, principal, ballot_id)
        return await _void_page(principal, compound, ballot_id, vote_id, {}, {})

    @post("/{ballot_id:int}/votes/{vote_id:int}/void", name="ballots.void")
    async def void(
        self, request: Request[Any, Any, Any], code: str, ballot_id: int, vote_id: int, principal: Principal, data: Form
    ) -> Template | Redirect:
        compound = await scrutiny(code, principal, ballot_id)
        try:
            await service.void_vote(
                ballot_id,
                vote_id,
                data.get("reason", ""),
                actor=principal.user_id,
                receipt_code=data.get("receipt_code", ""),
                allowed_buildings=principal.building_limit(compound["id"]),
            )
        except FormErrors as error:
            return await _void_page(principal, compound, ballot_id, vote_id, data, error.errors, 400)
        except (Forbidden, NotFound):
            raise
        except DomainError as error:
            return await _void_page(
                principal, compound, ballot_id, vote_id, data, {"__all__": error.message}, error.status_code
            )
        flash(request, _("The vote is void; the voter may vote again."), category="success")
        return Redirect(path=console_url(code, ballot_id))

    @post("/{ballot_id:int}/conflicts", name="ballots.conflicts")
    async def resolve(
        self, request: Request[Any, Any, Any], code: str, ballot_id: int, principal: Principal, data: Form
    ) -> Template | Redirect:
        compound = await scrutiny(code, principal, ballot_id)
        work = service.resolve_conflict(
            ballot_id, data.get("voter_key", ""), data.get("keep", ""), data.get("reason", ""), actor=principal.user_id
        )
        form = "conflict:" + data.get("voter_key", "")
        return await act(request, principal, compound, ballot_id, form, data, work, _("The conflict is resolved."))

    @post("/{ballot_id:int}/city", name="ballots.city")
    async def city(
        self, request: Request[Any, Any, Any], code: str, ballot_id: int, principal: Principal, data: Multipart
    ) -> Template | Redirect:
        compound = await scrutiny(code, principal, ballot_id)
        upload = data.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return await console_page(
                principal,
                compound,
                ballot_id,
                form="city",
                errors={"file": _("Choose the CSV file exported from the city system.")},
                status=400,
            )
        content = await upload.read(MAX_UPLOAD_BYTES + 1)
        if len(content) > MAX_UPLOAD_BYTES:
            return await console_page(
                principal,
                compound,
                ballot_id,
                form="city",
                errors={"file": _("The file is larger than 5 MB.")},
                status=400,
            )
        try:
            result = await service.import_city_results(ballot_id, content, actor=principal.user_id)
        except (Forbidden, NotFound):
            raise
        except DomainError as error:
            return await console_page(
                principal, compound, ballot_id, form="city", errors={"__all__": error.message}, status=error.status_code
            )
        if result.errors:
            return await console_page(
                principal,
                compound,
                ballot_id,
                form="city",
                status=400,
                errors={"file": _("Nothing was imported: correct these lines and upload the file again.")},
                city_errors=result.errors,
            )
        flash(request, _("%(n)d results imported from the city system.", n=result.imported), category="success")
        return Redirect(path=console_url(code, ballot_id))

    @post("/{ballot_id:int}/served", name="ballots.served")
    async def served(
        self, request: Request[Any, Any, Any], code: str, ballot_id: int, principal: Principal, data: Form
    ) -> Template | Redirect:
        compound = await scrutiny(code, principal, ballot_id)
        building = data.get("building", "")
        building_id = whole_number(building)
        if building_id is not None and not await Building.exists().where(
            (Building.id == building_id) & (Building.compound == compound["id"])
        ):
            raise NotFound()
        work = service.mark_served(
            ballot_id, building_id, actor=principal.user_id, allowed_buildings=principal.building_limit(compound["id"])
        )
        return await act(
            request,
            principal,
            compound,
            ballot_id,
            "served",
            data,
            work,
            lambda n: _("%(n)d households marked as served.", n=n),
        )

    @post("/{ballot_id:int}/extend", name="ballots.extend")
    async def extend(
        self, request: Request[Any, Any, Any], code: str, ballot_id: int, principal: Principal, data: Form
    ) -> Template | Redirect:
        compound = await scrutiny(code, principal, ballot_id, Capability.BALLOT_MANAGE)
        work = service.extend_ballot(
            ballot_id, data.get("closes_at", ""), data.get("reason", ""), actor=principal.user_id
        )
        return await act(request, principal, compound, ballot_id, "extend", data, work, _("The vote is extended."))
