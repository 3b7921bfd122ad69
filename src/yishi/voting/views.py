"""Ballot pages: the staff console under ``/compounds/{code}/ballots``, the
resident's ballot under ``/c/{code}/ballots/{id}`` and the published results
under ``/c/{code}/results/{id}`` (with the recount files)."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, TypeVar
from urllib.parse import quote

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.plugins.flash import flash
from litestar.response import Redirect, Response, Template

from yishi import clock
from yishi.accounts.dependencies import require
from yishi.accounts.permissions import Capability, Principal
from yishi.accounts.residents import HouseholdIdentity, own_household
from yishi.audit import service as audit
from yishi.errors import DomainError, Forbidden, FormErrors, NotFound
from yishi.forms import whole_number
from yishi.i18n import gettext as _
from yishi.roster import service as roster
from yishi.roster.tables import Building
from yishi.voting import labels, screen, service
from yishi.voting import receipts as receipt_codes
from yishi.voting.rules import Rule
from yishi.web.forms import Form, Multipart

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
T = TypeVar("T")


def _figures_context() -> dict[str, Any]:
    return {"labels": labels, "Rule": Rule}


async def console_live_context(
    ballot: dict[str, Any], roll: list[dict[str, Any]] | None = None, buildings: frozenset[int] | None = None
) -> dict[str, Any]:
    """What the console's live part (``voting/_console_live.html``) shows (``roll``: if already read;
    ``buildings``: a grid worker's, whose list of who has not voted is of those buildings only)."""
    tally = await screen.live_tally(ballot)
    return {
        "hands": await service.hand_count(ballot["id"]),
        "figures": tally.figures,
        "chart": tally.chart,
        "not_voted": None if ballot["status"] == service.CLOSED else await screen.not_voted(ballot, roll, buildings),
    }


def _history_within(
    history: list[dict[str, Any]], roll: list[dict[str, Any]], limit: frozenset[int] | None
) -> list[dict[str, Any]]:
    """A ballot's history as a grid worker may read it: only the voters of their buildings."""
    if limit is None:
        return history
    labels = {e["label"] for e in roll}
    return [h for h in history if not h["detail"].get("voter") or h["detail"]["voter"] in labels]


def _console_url(code: str, ballot_id: int) -> str:
    return f"/compounds/{code}/ballots/{ballot_id}"


class StaffBallotController(Controller):
    """The secretary's and scrutineers' pages of a compound's ballots."""

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
                **_figures_context(),
            },
        )

    @get("/new", name="ballots.new")
    async def new(self, code: str, principal: Principal, item: str = "") -> Template:
        compound = await roster.compound_by_code(code)
        require(principal, Capability.BALLOT_MANAGE, compound["id"])
        agenda_item = await service.agenda_item_in_compound(compound["id"], whole_number(item) or 0)
        return self._open_form(
            principal, compound, agenda_item, {"results_visibility": "after_closing", "timing": "by_hand"}, {}
        )

    def _open_form(
        self,
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
                **_figures_context(),
            },
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
            return self._open_form(principal, compound, item, data, error.errors, 400)
        except (Forbidden, NotFound):
            raise
        except DomainError as error:
            return self._open_form(principal, compound, item, data, {"__all__": error.message}, error.status_code)
        flash(request, _("The vote is open."), category="success")
        return Redirect(path=_console_url(code, ballot_id))

    async def _console(
        self,
        principal: Principal,
        compound: dict[str, Any],
        ballot_id: int,
        *,
        form: str = "",
        values: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
        city_errors: list[Any] | None = None,
        notice: str = "",
    ) -> Template:
        ballot = await service.ballot_in_compound(compound["id"], ballot_id)
        now = clock.now()
        compound_id = compound["id"]
        roll = await service.roll(ballot_id)
        limit = principal.building_limit(compound_id)
        buildings = sorted(
            {(e["building"], e["building_code"]) for e in roll if e["building"]},
            key=lambda b: service.natural_key(b[1] or ""),
        )
        if limit is not None:
            buildings = [b for b in buildings if b[0] in limit]
        shown_roll = roll if limit is None else [e for e in roll if e["building"] in limit]
        votes = await service.votes(ballot_id)
        if limit is not None:
            votes = [v for v in votes if v["building"] in limit]
        return Template(
            template_name="voting/console.html",
            status_code=status,
            context={
                "principal": principal,
                "compound": compound,
                "ballot": ballot,
                "phase": service.phase(ballot, now),
                "now": now,
                "roll": shown_roll,
                "roll_voters": len({e["voter_key"] for e in roll}),
                "votes": votes,
                "building_limited": limit is not None,
                "conflicts": await service.conflicts(ballot_id),
                **await console_live_context(ballot, roll, limit),
                "history": _history_within(await audit.history("ballot", ballot_id), shown_roll, limit),
                "buildings": buildings,
                "choices": service.choices_of(ballot),
                "can_manage": principal.can(Capability.BALLOT_MANAGE, compound_id),
                "can_scrutinise": principal.can(Capability.BALLOT_SCRUTINY, compound_id),
                "hand_rule": Rule(ballot["rule"]) in service.HAND_RULES and not ballot["options"],
                "form": form,
                "values": values or {},
                "errors": errors or {},
                "city_errors": city_errors or [],
                "notice": notice,
                "closing": await service.closing_terms(ballot, now),
                **_figures_context(),
            },
        )

    @get("/{ballot_id:int}", name="ballots.console")
    async def console(self, code: str, ballot_id: int, principal: Principal) -> Template:
        compound = await roster.compound_by_code(code)
        require(principal, Capability.MEETING_VIEW, compound["id"])
        return await self._console(principal, compound, ballot_id)

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

    async def _act(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        compound: dict[str, Any],
        ballot_id: int,
        form: str,
        values: dict[str, str],
        work: Awaitable[T],
        success: Any,
    ) -> Template | Redirect:
        """Run one use case for a console form: PRG on success, the console with
        the message next to the form otherwise."""
        try:
            result = await work
        except FormErrors as error:
            return await self._console(
                principal, compound, ballot_id, form=form, values=values, errors=error.errors, status=400
            )
        except (Forbidden, NotFound):
            raise
        except DomainError as error:
            return await self._console(
                principal,
                compound,
                ballot_id,
                form=form,
                values=values,
                errors={"__all__": error.message},
                status=error.status_code,
            )
        message = success(result) if callable(success) else success
        if isinstance(result, service.Receipt) and result.secret:
            # A secret vote's receipt is shown once, in this answer: it never goes
            # into the session, where it would sit next to the unit.
            return await self._console(principal, compound, ballot_id, notice=message)
        flash(request, message, category="success")
        return Redirect(path=_console_url(compound["code"], ballot_id))

    async def _scrutiny(
        self, code: str, principal: Principal, ballot_id: int, capability: Capability = Capability.BALLOT_SCRUTINY
    ) -> dict[str, Any]:
        compound = await roster.compound_by_code(code)
        require(principal, capability, compound["id"])
        await service.ballot_in_compound(compound["id"], ballot_id)
        return compound

    @post("/{ballot_id:int}/paper", name="ballots.paper")
    async def paper(
        self, request: Request[Any, Any, Any], code: str, ballot_id: int, principal: Principal, data: Form
    ) -> Template | Redirect:
        compound = await self._scrutiny(code, principal, ballot_id)
        work = service.record_paper_vote(
            ballot_id,
            data.get("voter", ""),
            data.get("choice", ""),
            data.get("serial", ""),
            actor=principal.user_id,
            allowed_buildings=principal.building_limit(compound["id"]),
        )
        return await self._act(request, principal, compound, ballot_id, "paper", data, work, _entered)

    @post("/{ballot_id:int}/room", name="ballots.room")
    async def room(
        self, request: Request[Any, Any, Any], code: str, ballot_id: int, principal: Principal, data: Form
    ) -> Template | Redirect:
        compound = await self._scrutiny(code, principal, ballot_id)
        work = service.record_room_vote(
            ballot_id,
            data.get("voter", ""),
            data.get("choice", ""),
            actor=principal.user_id,
            allowed_buildings=principal.building_limit(compound["id"]),
        )
        return await self._act(request, principal, compound, ballot_id, "room", data, work, _entered)

    @post("/{ballot_id:int}/proxy", name="ballots.proxy")
    async def proxy(
        self, request: Request[Any, Any, Any], code: str, ballot_id: int, principal: Principal, data: Form
    ) -> Template | Redirect:
        compound = await self._scrutiny(code, principal, ballot_id)
        work = service.record_proxy_vote(
            ballot_id,
            data.get("voter", ""),
            data.get("choice", ""),
            data.get("holder", ""),
            data.get("authorization", ""),
            actor=principal.user_id,
            allowed_buildings=principal.building_limit(compound["id"]),
        )
        return await self._act(request, principal, compound, ballot_id, "proxy", data, work, _entered)

    @post("/{ballot_id:int}/hands", name="ballots.hands")
    async def hands(
        self, request: Request[Any, Any, Any], code: str, ballot_id: int, principal: Principal, data: Form
    ) -> Template | Redirect:
        compound = await self._scrutiny(code, principal, ballot_id)
        work = service.record_hand_count(
            ballot_id, data.get("yes", ""), data.get("no", ""), data.get("abstain", ""), actor=principal.user_id
        )
        return await self._act(
            request, principal, compound, ballot_id, "hands", data, work, _("The show of hands is recorded.")
        )

    @get("/{ballot_id:int}/votes/{vote_id:int}/void", name="ballots.void.form")
    async def void_form(self, code: str, ballot_id: int, vote_id: int, principal: Principal) -> Template:
        compound = await self._scrutiny(code, principal, ballot_id)
        return await self._void_page(principal, compound, ballot_id, vote_id, {}, {})

    async def _void_page(
        self,
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
                **_figures_context(),
            },
        )

    @post("/{ballot_id:int}/votes/{vote_id:int}/void", name="ballots.void")
    async def void(
        self, request: Request[Any, Any, Any], code: str, ballot_id: int, vote_id: int, principal: Principal, data: Form
    ) -> Template | Redirect:
        compound = await self._scrutiny(code, principal, ballot_id)
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
            return await self._void_page(principal, compound, ballot_id, vote_id, data, error.errors, 400)
        except (Forbidden, NotFound):
            raise
        except DomainError as error:
            return await self._void_page(
                principal, compound, ballot_id, vote_id, data, {"__all__": error.message}, error.status_code
            )
        flash(request, _("The vote is void; the voter may vote again."), category="success")
        return Redirect(path=_console_url(code, ballot_id))

    @post("/{ballot_id:int}/conflicts", name="ballots.conflicts")
    async def resolve(
        self, request: Request[Any, Any, Any], code: str, ballot_id: int, principal: Principal, data: Form
    ) -> Template | Redirect:
        compound = await self._scrutiny(code, principal, ballot_id)
        work = service.resolve_conflict(
            ballot_id, data.get("voter_key", ""), data.get("keep", ""), data.get("reason", ""), actor=principal.user_id
        )
        form = "conflict:" + data.get("voter_key", "")
        return await self._act(
            request, principal, compound, ballot_id, form, data, work, _("The conflict is resolved.")
        )

    @post("/{ballot_id:int}/city", name="ballots.city")
    async def city(
        self, request: Request[Any, Any, Any], code: str, ballot_id: int, principal: Principal, data: Multipart
    ) -> Template | Redirect:
        compound = await self._scrutiny(code, principal, ballot_id)
        upload = data.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return await self._console(
                principal,
                compound,
                ballot_id,
                form="city",
                errors={"file": _("Choose the CSV file exported from the city system.")},
                status=400,
            )
        content = await upload.read(MAX_UPLOAD_BYTES + 1)
        if len(content) > MAX_UPLOAD_BYTES:
            return await self._console(
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
            return await self._console(
                principal, compound, ballot_id, form="city", errors={"__all__": error.message}, status=error.status_code
            )
        if result.errors:
            return await self._console(
                principal,
                compound,
                ballot_id,
                form="city",
                status=400,
                errors={"file": _("Nothing was imported: correct these lines and upload the file again.")},
                city_errors=result.errors,
            )
        flash(request, _("%(n)d results imported from the city system.", n=result.imported), category="success")
        return Redirect(path=_console_url(code, ballot_id))

    @post("/{ballot_id:int}/served", name="ballots.served")
    async def served(
        self, request: Request[Any, Any, Any], code: str, ballot_id: int, principal: Principal, data: Form
    ) -> Template | Redirect:
        compound = await self._scrutiny(code, principal, ballot_id)
        building = data.get("building", "")
        building_id = whole_number(building)
        if building_id is not None and not await Building.exists().where(
            (Building.id == building_id) & (Building.compound == compound["id"])
        ):
            raise NotFound()
        work = service.mark_served(
            ballot_id, building_id, actor=principal.user_id, allowed_buildings=principal.building_limit(compound["id"])
        )
        return await self._act(
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
        compound = await self._scrutiny(code, principal, ballot_id, Capability.BALLOT_MANAGE)
        work = service.extend_ballot(
            ballot_id, data.get("closes_at", ""), data.get("reason", ""), actor=principal.user_id
        )
        return await self._act(
            request, principal, compound, ballot_id, "extend", data, work, _("The vote is extended.")
        )

    @post("/{ballot_id:int}/close", name="ballots.close")
    async def close(
        self, request: Request[Any, Any, Any], code: str, ballot_id: int, principal: Principal, data: Form
    ) -> Template | Redirect:
        compound = await self._scrutiny(code, principal, ballot_id, Capability.BALLOT_MANAGE)
        work = service.close_ballot(ballot_id, actor=principal.user_id, reason=data.get("reason", ""))
        return await self._act(
            request,
            principal,
            compound,
            ballot_id,
            "close",
            data,
            work,
            _("The vote is closed and its result is published."),
        )


def _entered(receipt: service.Receipt) -> str:
    if receipt.secret:
        return _(
            "Entered for %(label)s. Receipt code %(code)s — write the whole code on the ballot paper: "
            "it is shown only this once, and only it can void this vote.",
            label=receipt.label,
            code=receipt.receipt_code,
        )
    return _(
        "Entered for %(label)s: %(choice)s. Receipt code %(code)s — write it on the ballot paper.",
        label=receipt.label,
        choice=labels.choice_label(receipt.choice),
        code=receipt.receipt_code,
    )


class PublicBallotController(Controller):
    """What residents see: their ballot, and the published results."""

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
                **_figures_context(),
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
                **_figures_context(),
            },
        )

    async def _ballot_page(
        self,
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
                "next": f"/c/{compound['code']}/ballots/{ballot_id}",
                "receipt": receipt,
                **_figures_context(),
            },
        )

    @get("/c/{code:str}/ballots/{ballot_id:int}", name="public.ballot")
    async def ballot(self, code: str, ballot_id: int, household: HouseholdIdentity | None) -> Template:
        compound = await roster.compound_by_code(code)
        return await self._ballot_page(compound, ballot_id, household)

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
        page = f"/c/{code}/ballots/{ballot_id}"
        household = own_household(household, compound)
        if household is None:
            return Redirect(path=f"/c/{code}/me?next={quote(page)}")
        try:
            receipt = await service.cast_link_vote(ballot_id, household.household_id, data.get("choice", ""))
        except FormErrors as error:
            return await self._ballot_page(compound, ballot_id, household, values=data, errors=error.errors, status=400)
        except NotFound:
            raise
        except DomainError as error:
            return await self._ballot_page(
                compound, ballot_id, household, values=data, errors={"__all__": error.message}, status=error.status_code
            )
        if receipt.secret:
            # A secret vote's receipt is shown once, in this answer: it never goes
            # into the session, where it would sit next to the household.
            return await self._ballot_page(compound, ballot_id, household, receipt=receipt)
        message = _(
            "Your vote is counted: %(choice)s. Your receipt code is %(code)s. Keep it: after the "
            "vote closes you can find it in the published list.",
            choice=labels.choice_label(receipt.choice),
            code=receipt.receipt_code,
        )
        if receipt.replaced:
            message = _(
                "Your vote is changed to: %(choice)s. Your receipt code stays %(code)s.",
                choice=labels.choice_label(receipt.choice),
                code=receipt.receipt_code,
            )
        flash(request, message, category="success")
        return Redirect(path=page)

    async def _closed(self, code: str, ballot_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
        compound = await roster.compound_by_code(code)
        ballot = await service.ballot_in_compound(compound["id"], ballot_id)
        if ballot["status"] != service.CLOSED:
            raise NotFound(_("This vote has no published result yet."))
        return compound, ballot

    @get("/c/{code:str}/results/{ballot_id:int}", name="public.result")
    async def result(
        self, code: str, ballot_id: int, household: HouseholdIdentity | None, receipt: str = ""
    ) -> Template:
        compound, ballot = await self._closed(code, ballot_id)
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
                **_figures_context(),
            },
        )

    @get("/c/{code:str}/results/{ballot_id:int}/{name:str}", name="public.result.export")
    async def export(self, code: str, ballot_id: int, name: str) -> Response[bytes]:
        compound, ballot = await self._closed(code, ballot_id)
        files = {"roll.csv": ballot["roll_csv"], "votes.csv": ballot["votes_csv"]}
        if ballot["deemed_votes_csv"]:
            files["votes-deemed.csv"] = ballot["deemed_votes_csv"]
        if name not in files:
            raise NotFound()
        filename = f"ballot-{compound['code']}-{ballot_id}-{name}"
        return Response(
            files[name].encode("utf-8"),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
