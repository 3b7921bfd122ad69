"""The residents' ballot pages: open ballots, voting from the link, receipts and results."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.plugins.flash import flash
from litestar.response import Redirect, Response, Template

from yishi import clock, labels
from yishi.accounts.residents import HouseholdIdentity, own_household
from yishi.errors import DomainError, FormErrors, NotFound
from yishi.i18n import gettext as _
from yishi.roster import service as roster
from yishi.voting import receipts as receipt_codes
from yishi.voting import screen, service
from yishi.voting.pages import figures_context
from yishi.web import links
from yishi.web.forms import Form


async def _ballot_page(
    compound: dict[str, Any],
    ballot_id: int,
    household: HouseholdIdentity | None,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    receipt: service.Receipt | None = None,
) -> Template:
    ballot = await service.ballot_in_compound(compound["id"], ballot_id)
    now = clock.now()
    household = own_household(household, compound)
    entry, own_votes = (None, [])
    if household is not None:
        entry, own_votes = await service.household_votes(ballot, household.household_id)
    visible = service.results_visible_to_voter(ballot, bool(own_votes))
    tally = await screen.live_tally(ballot) if visible else None
    link_stream = service.stream_for(ballot, service.LINK)
    link_vote = next((v for v in own_votes if v["stream"] == link_stream), None)
    state = service.phase(ballot, now)
    can_vote = (
        entry is not None
        and state == service.OPEN
        and (
            link_vote is None
            or (link_vote["channel"] == service.LINK and ballot["changeable"] and not ballot["secret"])
        )
    )
    return Template(
        template_name="voting/ballot.html",
        status_code=status,
        context={
            "compound": compound,
            "ballot": ballot,
            "household": household,
            "entry": entry,
            "own_votes": own_votes,
            "link_vote": link_vote,
            "phase": state,
            "can_vote": can_vote,
            "figures": tally.figures if tally else None,
            "chart": tally.chart if tally else None,
            "choices": service.choices_of(ballot),
            "values": values or ({"choice": link_vote["choice"]} if link_vote else {}),
            "errors": errors or {},
            "next": links.path("public.ballot", code=compound["code"], ballot_id=ballot_id),
            "receipt": receipt,
            **figures_context(),
        },
    )


async def _closed(code: str, ballot_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    compound = await roster.compound_by_code(code)
    ballot = await service.ballot_in_compound(compound["id"], ballot_id)
    if ballot["status"] != service.CLOSED:
        raise NotFound(_("This vote has no published result yet."))
    return compound, ballot


class PublicBallotController(Controller):
    """The residents' ballot pages."""

    @get("/c/{code:str}/ballots", name="public.ballots")
    async def ballots_list(self, code: str, household: HouseholdIdentity | None) -> Template:
        compound = await roster.compound_by_code(code)
        return Template(
            template_name="voting/public_list.html",
            context={
                "compound": compound,
                "household": own_household(household, compound),
                "results": await service.public_results(compound["id"]),
                "closed": await service.closed_ballots_for_public(compound["id"]),
                **figures_context(),
            },
        )

    @get("/c/{code:str}/ballots/section", name="public.ballots.section")
    async def section(self, code: str) -> Template:
        """The votes part of the compound's public page (loaded into it by htmx)."""
        compound = await roster.compound_by_code(code)
        return Template(
            template_name="voting/_public_results.html",
            context={
                "compound": compound,
                "results": await service.public_results(compound["id"]),
                **figures_context(),
            },
        )

    @get("/c/{code:str}/ballots/{ballot_id:int}", name="public.ballot")
    async def ballot(self, code: str, ballot_id: int, household: HouseholdIdentity | None) -> Template:
        compound = await roster.compound_by_code(code)
        return await _ballot_page(compound, ballot_id, household)

    @post("/c/{code:str}/ballots/{ballot_id:int}/vote", name="public.ballot.vote")
    async def vote(
        self,
        request: Request[Any, Any, Any],
        code: str,
        ballot_id: int,
        household: HouseholdIdentity | None,
        data: Form,
    ) -> Template | Redirect:
        compound = await roster.compound_by_code(code)
        await service.ballot_in_compound(compound["id"], ballot_id)
        page = links.path("public.ballot", code=code, ballot_id=ballot_id)
        household = own_household(household, compound)
        if household is None:
            return links.identify_first(code, page)
        try:
            receipt = await service.cast_link_vote(ballot_id, household.household_id, data.get("choice", ""))
        except FormErrors as error:
            return await _ballot_page(compound, ballot_id, household, values=data, errors=error.errors, status=400)
        except NotFound:
            raise
        except DomainError as error:
            return await _ballot_page(
                compound, ballot_id, household, values=data, errors={"__all__": error.message}, status=error.status_code
            )
        if receipt.secret:
            # A secret vote's receipt is shown once, in this answer: it never goes
            # into the session, where it would sit next to the household.
            return await _ballot_page(compound, ballot_id, household, receipt=receipt)
        message = _(
            "Your vote is counted: %(choice)s. Your receipt code is %(code)s. Keep it: after the "
            "vote closes you can find it in the published list.",
            choice=labels.label("choice", receipt.choice),
            code=receipt.receipt_code,
        )
        if receipt.replaced:
            message = _(
                "Your vote is changed to: %(choice)s. Your receipt code stays %(code)s.",
                choice=labels.label("choice", receipt.choice),
                code=receipt.receipt_code,
            )
        flash(request, message, category="success")
        return Redirect(path=page)

    @get("/c/{code:str}/results/{ballot_id:int}", name="public.result")
    async def result(
        self, code: str, ballot_id: int, household: HouseholdIdentity | None, receipt: str = ""
    ) -> Template:
        compound, ballot = await _closed(code, ballot_id)
        receipts = await service.receipt_list(ballot)
        wanted = receipt_codes.public_part(receipt) if receipt.strip() else ""
        return Template(
            template_name="voting/result.html",
            context={
                "compound": compound,
                "ballot": ballot,
                "figures": ballot["result"],
                "household": own_household(household, compound),
                "receipts": [r for r in receipts if r.stream != "consultation"],
                "consultation_receipts": [r for r in receipts if r.stream == "consultation"],
                "wanted": wanted,
                "found": next((r for r in receipts if r.receipt_code == wanted), None),
                **figures_context(),
            },
        )

    @get("/c/{code:str}/results/{ballot_id:int}/{file_name:str}", name="public.result.export")
    async def export(self, code: str, ballot_id: int, file_name: str) -> Response[bytes]:
        compound, ballot = await _closed(code, ballot_id)
        files = {"roll.csv": ballot["roll_csv"], "votes.csv": ballot["votes_csv"]}
        if ballot["deemed_votes_csv"]:
            files["votes-deemed.csv"] = ballot["deemed_votes_csv"]
        if file_name not in files:
            raise NotFound()
        filename = f"ballot-{compound['code']}-{ballot_id}-{file_name}"
        return Response(
            files[file_name].encode("utf-8"),
            media_type="text/csv",  # Litestar adds the charset
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
