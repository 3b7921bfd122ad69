"""Live pages of step 3: the meeting's projector (大屏) and the Server-Sent
Event streams that keep it, the secretary's console and a voter's figures
current.

URL scheme
    /meetings/{id}/screen                          the projector page (staff)
    /meetings/{id}/screen/stream                   its stream (the current item and tally)
    /compounds/{code}/ballots/{id}/stream          the console's live tally and who has not voted
    /c/{code}/ballots/{id}/stream                  a voter's figures, where the ballot shows them

Each stream sends the current state when it (re)connects, then again after
every change of its topic (coalesced by ``yishi.live.channels``).
"""

from __future__ import annotations

from typing import Any

import segno
from litestar import Controller, Request, get
from litestar.response import ServerSentEvent, Template

from yishi import i18n
from yishi.accounts.dependencies import require
from yishi.accounts.permissions import Capability, Principal
from yishi.accounts.residents import HouseholdIdentity
from yishi.i18n import gettext as _
from yishi.live.stream import stream
from yishi.meetings import service as meetings
from yishi.roster import service as roster
from yishi.rules import Rule
from yishi.voting import labels as voting_labels
from yishi.voting import screen, service
from yishi.voting.pages import console_live_context
from yishi.web.addresses import request_address


def _screen_qr(base_url: str, state: dict[str, Any]) -> str:
    ballot = state["ballot"]
    if ballot is None:
        return ""
    url = f"{base_url}/c/{state['meeting']['compound_code']}/ballots/{ballot['id']}"
    return segno.make(url, error="m").svg_inline(scale=6, border=2, omitsize=True, title=_("Scan to vote"))


async def _screen_context(request: Request[Any, Any, Any], meeting_id: int) -> dict[str, Any]:
    state = await screen.meeting_screen(meeting_id)
    return {
        **state,
        "vote_qr": _screen_qr(request.app.state.settings.base_url, state),
        "voting_text": voting_labels,
        "Rule": Rule,
    }


class LiveController(Controller):
    @get("/meetings/{meeting_id:int}/screen", name="voting.screen")
    async def screen_page(self, request: Request[Any, Any, Any], meeting_id: int, principal: Principal) -> Template:
        meeting = await meetings.meeting(meeting_id)
        require(principal, Capability.MEETING_VIEW, meeting["compound"])
        return Template(
            template_name="voting/screen.html",
            context={"principal": principal, **await _screen_context(request, meeting_id)},
        )

    @get("/meetings/{meeting_id:int}/screen/stream", name="voting.screen.stream", cache=False)
    async def screen_stream(
        self, request: Request[Any, Any, Any], meeting_id: int, principal: Principal
    ) -> ServerSentEvent:
        meeting = await meetings.meeting(meeting_id)
        require(principal, Capability.MEETING_VIEW, meeting["compound"])
        template = request.app.template_engine.get_template("voting/_screen.html")

        async def render() -> str:
            return template.render(**await _screen_context(request, meeting_id))

        # The compound's topic: opening a ballot on this meeting moves the screen on to it.
        return stream(
            service.compound_topic(meeting["compound"]),
            render,
            view=f"screen:{meeting_id}:{i18n.current_language()}",
            client=request_address(request),
        )

    @get("/compounds/{code:str}/ballots/{ballot_id:int}/stream", name="ballots.stream", cache=False)
    async def console_stream(
        self, request: Request[Any, Any, Any], code: str, ballot_id: int, principal: Principal
    ) -> ServerSentEvent:
        compound = await roster.compound_by_code(code)
        require(principal, Capability.MEETING_VIEW, compound["id"])
        await service.ballot_in_compound(compound["id"], ballot_id)
        template = request.app.template_engine.get_template("voting/_console_live.html")
        limit = principal.building_limit(compound["id"])

        async def render() -> str:
            ballot = await service.ballot_in_compound(compound["id"], ballot_id)
            return template.render(
                compound=compound,
                ballot=ballot,
                voting_text=voting_labels,
                Rule=Rule,
                **await console_live_context(ballot, None, limit),
            )

        buildings = "all" if limit is None else ",".join(map(str, sorted(limit)))
        return stream(
            service.ballot_topic(ballot_id),
            render,
            view=f"console:{buildings}:{i18n.current_language()}",
            client=request_address(request),
        )

    @get("/c/{code:str}/ballots/{ballot_id:int}/stream", name="public.ballot.stream", cache=False)
    async def voter_stream(
        self, request: Request[Any, Any, Any], code: str, ballot_id: int, household: HouseholdIdentity | None
    ) -> ServerSentEvent:
        compound = await roster.compound_by_code(code)
        ballot = await service.ballot_in_compound(compound["id"], ballot_id)
        has_voted = False
        if household is not None and household.compound_id == compound["id"]:
            _entry, own_votes = await service.household_votes(ballot, household.household_id)
            has_voted = bool(own_votes)
        template = request.app.template_engine.get_template("voting/_ballot_figures.html")

        async def render() -> str:
            current = await service.ballot_in_compound(compound["id"], ballot_id)
            tally = await screen.live_tally(current) if service.results_visible_to_voter(current, has_voted) else None
            return template.render(
                compound=compound,
                ballot=current,
                voting_text=voting_labels,
                Rule=Rule,
                figures=tally.figures if tally else None,
                chart=tally.chart if tally else None,
            )

        return stream(
            service.ballot_topic(ballot_id),
            render,
            view=f"voter:{has_voted}:{i18n.current_language()}",
            client=request_address(request),
        )
