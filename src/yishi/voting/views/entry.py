"""Votes the staff enter: paper ballots, votes in the room, proxies, a show of hands."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.response import Redirect, Template

from yishi.accounts.permissions import Principal
from yishi.i18n import gettext as _
from yishi.voting import service
from yishi.voting.views.common import act, entered, scrutiny
from yishi.web.forms import Form


class VoteEntryController(Controller):
    """Votes entered by the staff on a voter's behalf."""

    path = "/compounds/{code:str}/ballots"

    @post("/{ballot_id:int}/paper", name="ballots.paper")
    async def paper(
        self, request: Request[Any, Any, Any], code: str, ballot_id: int, principal: Principal, data: Form
    ) -> Template | Redirect:
        compound = await scrutiny(code, principal, ballot_id)
        work = service.record_paper_vote(
            ballot_id,
            data.get("voter", ""),
            data.get("choice", ""),
            data.get("serial", ""),
            actor=principal.user_id,
            allowed_buildings=principal.building_limit(compound["id"]),
        )
        return await act(request, principal, compound, ballot_id, "paper", data, work, entered)

    @post("/{ballot_id:int}/room", name="ballots.room")
    async def room(
        self, request: Request[Any, Any, Any], code: str, ballot_id: int, principal: Principal, data: Form
    ) -> Template | Redirect:
        compound = await scrutiny(code, principal, ballot_id)
        work = service.record_room_vote(
            ballot_id,
            data.get("voter", ""),
            data.get("choice", ""),
            actor=principal.user_id,
            allowed_buildings=principal.building_limit(compound["id"]),
        )
        return await act(request, principal, compound, ballot_id, "room", data, work, entered)

    @post("/{ballot_id:int}/proxy", name="ballots.proxy")
    async def proxy(
        self, request: Request[Any, Any, Any], code: str, ballot_id: int, principal: Principal, data: Form
    ) -> Template | Redirect:
        compound = await scrutiny(code, principal, ballot_id)
        work = service.record_proxy_vote(
            ballot_id,
            data.get("voter", ""),
            data.get("choice", ""),
            data.get("holder", ""),
            data.get("authorization", ""),
            actor=principal.user_id,
            allowed_buildings=principal.building_limit(compound["id"]),
        )
        return await act(request, principal, compound, ballot_id, "proxy", data, work, entered)

    @post("/{ballot_id:int}/hands", name="ballots.hands")
    async def hands(
        self, request: Request[Any, Any, Any], code: str, ballot_id: int, principal: Principal, data: Form
    ) -> Template | Redirect:
        compound = await scrutiny(code, principal, ballot_id)
        work = service.record_hand_count(
            ballot_id, data.get("yes", ""), data.get("no", ""), data.get("abstain", ""), actor=principal.user_id
        )
        return await act(
            request, principal, compound, ballot_id, "hands", data, work, _("The show of hands is recorded.")
        )
