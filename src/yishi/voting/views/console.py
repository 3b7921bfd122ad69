"""The ballot console and its roll, and closing the ballot."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from yishi.accounts.dependencies import require
from yishi.accounts.permissions import Capability, Principal
from yishi.i18n import gettext as _
from yishi.roster import service as roster
from yishi.voting import service
from yishi.voting.views.common import act, console_page, scrutiny
from yishi.web.forms import Form


class BallotConsoleController(Controller):
    """The secretary's and scrutineers' console of one ballot."""

    path = "/compounds/{code:str}/ballots"

    @get("/{ballot_id:int}", name="ballots.console")
    async def console(self, code: str, ballot_id: int, principal: Principal) -> Template:
        compound = await roster.compound_by_code(code)
        require(principal, Capability.MEETING_VIEW, compound["id"])
        return await console_page(principal, compound, ballot_id)

    @get("/{ballot_id:int}/roll", name="ballots.roll")
    async def roll(self, code: str, ballot_id: int, principal: Principal) -> Template:
        compound = await roster.compound_by_code(code)
        require(principal, Capability.MEETING_VIEW, compound["id"])
        ballot = await service.ballot_in_compound(compound["id"], ballot_id)
        entries = await service.roll(ballot_id)
        limit = principal.building_limit(compound["id"])
        if limit is not None:
            entries = [e for e in entries if e["building"] in limit]
        return Template(
            template_name="voting/roll.html",
            context={
                "principal": principal,
                "compound": compound,
                "ballot": ballot,
                "roll": entries,
                "total_area": sum(e["area"] for e in entries),
                "owners": len({e["voter_key"] for e in entries}),
            },
        )

    @post("/{ballot_id:int}/close", name="ballots.close")
    async def close(
        self, request: Request[Any, Any, Any], code: str, ballot_id: int, principal: Principal, data: Form
    ) -> Template | Redirect:
        """Closing cannot be undone: the first post says what it will record and
        who can vote no more; only the confirmed one closes."""
        compound = await scrutiny(code, principal, ballot_id, Capability.BALLOT_MANAGE)
        reason = data.get("reason", "")
        if data.get("confirmed") != "yes":

            async def confirmation(preview: service.ClosingPreview) -> Template:
                return Template(
                    template_name="voting/close_confirm.html",
                    context={
                        "principal": principal,
                        "compound": compound,
                        "ballot": await service.ballot_in_compound(compound["id"], ballot_id),
                        "preview": preview,
                    },
                )

            preview = service.closing_preview(ballot_id, reason=reason)
            return await act(request, principal, compound, ballot_id, "close", data, preview, None, confirmation)
        work = service.close_ballot(ballot_id, actor=principal.user_id, reason=reason)
        return await act(
            request,
            principal,
            compound,
            ballot_id,
            "close",
            data,
            work,
            _("The vote is closed and its result is published."),
        )
