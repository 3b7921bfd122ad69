"""The ballots of a compound, and opening a ballot on an agenda item."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from yishi import clock
from yishi.accounts.dependencies import require
from yishi.accounts.permissions import Capability, Principal
from yishi.errors import DomainError, Forbidden, FormErrors, NotFound
from yishi.forms import whole_number
from yishi.i18n import gettext as _
from yishi.roster import service as roster
from yishi.rules import Rule
from yishi.voting import service
from yishi.voting.pages import figures_context
from yishi.voting.views.common import console_url
from yishi.web.forms import Form


def _open_form(
    principal: Principal,
    compound: dict[str, Any],
    item: dict[str, Any],
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> Template:
    rule = item["rule"]
    return Template(
        template_name="voting/open.html",
        status_code=status,
        context={
            "principal": principal,
            "compound": compound,
            "item": item,
            "meeting": item["meeting_row"],
            "values": values,
            "errors": errors,
            "rule": rule,
            "counts_owners": rule in (Rule.CIVIL_CODE_ORDINARY, Rule.CIVIL_CODE_SPECIAL),
            **figures_context(),
        },
    )


class BallotOpeningController(Controller):
    """The compound's ballots, and opening one."""

    path = "/compounds/{code:str}/ballots"

    @get("/", name="ballots")
    async def index(self, code: str, principal: Principal) -> Template:
        compound = await roster.compound_by_code(code)
        require(principal, Capability.MEETING_VIEW, compound["id"])
        return Template(
            template_name="voting/index.html",
            context={
                "principal": principal,
                "compound": compound,
                "ballots": await service.ballots_in_compound(compound["id"]),
                "items": await service.decision_items(compound["id"]),
                "can_manage": principal.can(Capability.BALLOT_MANAGE, compound["id"]),
                "now": clock.now(),
                "phase": service.phase,
                **figures_context(),
            },
        )

    @get("/new", name="ballots.new")
    async def new(self, code: str, principal: Principal, item: str = "") -> Template:
        compound = await roster.compound_by_code(code)
        require(principal, Capability.BALLOT_MANAGE, compound["id"])
        agenda_item = await service.agenda_item_in_compound(compound["id"], whole_number(item) or 0)
        return _open_form(
            principal, compound, agenda_item, {"results_visibility": "after_closing", "timing": "by_hand"}, {}
        )

    @post("/", name="ballots.open")
    async def open(
        self, request: Request[Any, Any, Any], code: str, principal: Principal, data: Form
    ) -> Template | Redirect:
        compound = await roster.compound_by_code(code)
        require(principal, Capability.BALLOT_MANAGE, compound["id"])
        item_id = whole_number(data.get("item")) or 0
        item = await service.agenda_item_in_compound(compound["id"], item_id)
        try:
            settings = service.settings_from_form(data)
            ballot_id = await service.open_ballot(compound["id"], item_id, settings, actor=principal.user_id)
        except FormErrors as error:
            return _open_form(principal, compound, item, data, error.errors, 400)
        except (Forbidden, NotFound):
            raise
        except DomainError as error:
            return _open_form(principal, compound, item, data, {"__all__": error.message}, error.status_code)
        flash(request, _("The vote is open."), category="success")
        return Redirect(path=console_url(code, ballot_id))
