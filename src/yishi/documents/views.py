"""Staff pages of documents (issue, download) and the public verify page."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.plugins.flash import flash
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Response, Template

from yishi.accounts.dependencies import require
from yishi.accounts.permissions import Capability, Principal
from yishi.documents import kinds, pages, qr, service, slips, sources
from yishi.documents.kinds import DocumentKind
from yishi.errors import FormErrors, NotFound
from yishi.forms import whole_number
from yishi.i18n import current_language
from yishi.i18n import gettext as _
from yishi.roster import service as roster
from yishi.settings import Settings
from yishi.web import links
from yishi.web.forms import Form, Multipart

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def settings_of(request: Request[Any, Any, Any]) -> Settings:
    return request.app.state.settings


def pdf_response(record: dict[str, Any], data: bytes, *, private: bool) -> Response[bytes]:
    """The PDF, shown in the browser, named for people and for old browsers."""
    kind = kinds.find(record["kind"])
    readable = _(kind.filename) if kind else record["kind"]
    ascii_name = "{}-{}.pdf".format(record["kind"].replace("_", "-"), record["code"])
    utf8_name = quote("{}-{}.pdf".format(readable, record["code"]))
    disposition = f"inline; filename=\"{ascii_name}\"; filename*=UTF-8''{utf8_name}"
    return Response(
        data,
        media_type="application/pdf",
        headers={
            "Content-Disposition": disposition,
            "Cache-Control": "private, no-store" if private else "private, max-age=0, must-revalidate",
            "ETag": f'"{record["sha256"]}"',
            "X-Verification-Code": record["code"],
        },
    )


def may_view(principal: Principal, compound_id: int, kind_name: str) -> bool:
    kind = kinds.find(kind_name)
    needed = kind.capabilities if kind and kind.renew_each_time else (Capability.MEETING_VIEW,)
    return all(principal.can(cap, compound_id) for cap in needed)


def require_kind(principal: Principal, kind: DocumentKind, compound_id: int) -> None:
    for capability in kind.capabilities:
        require(principal, capability, compound_id)


class DocumentsController(Controller):
    path = "/compounds/{code:str}/documents"

    async def _page(
        self,
        principal: Principal,
        compound: dict[str, Any],
        *,
        status: int = 200,
        values: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
    ) -> Template:
        compound_id = compound["id"]
        can_issue = principal.can(Capability.DOCUMENT_ISSUE, compound_id)
        can_slips = all(principal.can(c, compound_id) for c in slips.SLIPS.capabilities)
        visible = {k.name for k in kinds.all_kinds() if may_view(principal, compound_id, k.name)}
        issued = await service.issued_in_compound(compound_id, kinds_allowed=visible)
        for row in issued:
            row["kind_label"] = service.kind_label(row["kind"])
        return Template(
            template_name="documents/index.html",
            context={
                "principal": principal,
                "compound": compound,
                "can_issue": can_issue,
                "can_slips": can_slips,
                "compound_kinds": [
                    k for k in kinds.kinds_for("compound") if not k.renew_each_time and k.variant is kinds.no_variant
                ],
                "ledger": kinds.find("action_ledger"),
                "meetings": await pages.meetings_for_listing(compound_id),
                "issued": issued,
                "values": values or {},
                "errors": errors or {},
                "display_code": qr.display_code,
            },
            status_code=status,
        )

    @get("/", name="documents")
    async def index(self, code: str, principal: Principal) -> Template:
        compound = await roster.compound_by_code(code)
        require(principal, Capability.MEETING_VIEW, compound["id"])
        return await self._page(principal, compound)

    async def _issue(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        code: str,
        kind_name: str,
        subject_id: int | None,
        values: dict[str, str],
    ) -> Redirect | Template:
        """Record and render the document, then send the browser to its copy:
        issuing writes (a number, a version, an audit line), so it is a POST;
        the PDF itself is fetched by GET from ``/issued/CODE``."""
        compound = await roster.compound_by_code(code)
        require(principal, Capability.DOCUMENT_ISSUE, compound["id"])
        kind = kinds.get(kind_name)
        require_kind(principal, kind, compound["id"])
        if kind.renew_each_time or (kind.subject_type == "compound") != (subject_id is None):
            raise NotFound(_("There is no such document."))
        try:
            variant = kind.variant(values)
        except FormErrors as error:
            return await self._page(principal, compound, status=400, values=values, errors=error.errors)
        record = await service.issue(
            kind.name,
            compound["id"] if subject_id is None else subject_id,
            compound_id=compound["id"],
            settings=settings_of(request),
            principal=principal,
            language=current_language(),
            variant=variant,
        )
        return Redirect(path=links.path("documents.issued", code=code, doc_code=record["code"]), status_code=303)

    @post("/pdf/{kind_name:str}", name="documents.compound_pdf")
    async def compound_pdf(
        self, request: Request[Any, Any, Any], code: str, kind_name: str, principal: Principal, data: Form
    ) -> Redirect | Template:
        return await self._issue(request, principal, code, kind_name, None, data)

    @post("/pdf/{kind_name:str}/{subject_id:int}", name="documents.subject_pdf")
    async def subject_pdf(
        self,
        request: Request[Any, Any, Any],
        code: str,
        kind_name: str,
        subject_id: int,
        principal: Principal,
        data: Form,
    ) -> Redirect | Template:
        return await self._issue(request, principal, code, kind_name, subject_id, data)

    @get("/issued/{doc_code:str}", name="documents.issued")
    async def issued_copy(self, code: str, doc_code: str, principal: Principal) -> Response[bytes]:
        compound = await roster.compound_by_code(code)
        require(principal, Capability.MEETING_VIEW, compound["id"])
        record = await service.by_code(doc_code)
        if record["compound"] != compound["id"]:
            raise NotFound(_("There is no such document."))
        kind = kinds.find(record["kind"])
        if kind is not None and kind.renew_each_time:
            require_kind(principal, kind, compound["id"])
        return pdf_response(record, await service.pdf_of(record["id"]), private=bool(kind and kind.renew_each_time))

    async def _ledger_csv(self, principal: Principal, code: str, values: dict[str, str]) -> Response[bytes] | Template:
        compound = await roster.compound_by_code(code)
        require(principal, Capability.DOCUMENT_ISSUE, compound["id"])
        try:
            variant = sources.ledger_period(values)
        except FormErrors as error:
            return await self._page(principal, compound, status=400, values=values, errors=error.errors)
        body = await sources.ledger_csv(compound["id"], variant)
        filename = f"action-ledger-{compound['code']}-{variant.replace('..', '-to-')}.csv"
        return Response(
            body,
            media_type="text/csv",  # Litestar adds the charset
            status_code=200,
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    @get("/action-ledger.csv", name="documents.ledger_csv")
    async def ledger_csv(
        self, request: Request[Any, Any, Any], code: str, principal: Principal
    ) -> Response[bytes] | Template:
        return await self._ledger_csv(principal, code, dict(request.query_params))

    @post("/action-ledger.csv", name="documents.ledger_csv_form")
    async def ledger_csv_form(self, code: str, principal: Principal, data: Form) -> Response[bytes] | Template:
        """The same file from the ledger form, which posts (its other button issues the PDF)."""
        return await self._ledger_csv(principal, code, data)

    # Voter slips: a confirm form, because printing them issues new links.

    async def _slips_form(
        self,
        principal: Principal,
        compound: dict[str, Any],
        building: str,
        *,
        status: int = 200,
        errors: dict[str, str] | None = None,
    ) -> Template:
        buildings = await slips.buildings_of(compound["id"])
        counts = {b["id"]: await slips.household_count(compound["id"], b["id"]) for b in buildings}
        latest = await slips.latest_slips(compound["id"])
        return Template(
            template_name="documents/voter_slips.html",
            context={
                "principal": principal,
                "compound": compound,
                "buildings": buildings,
                "counts": counts,
                "total": sum(counts.values()),
                "printed": await slips.printed_slips(compound["id"]),
                "after": latest["id"] if latest else "",
                "values": {"building": building},
                "errors": errors or {},
            },
            status_code=status,
        )

    @get("/voter-slips", name="documents.slips_form")
    async def slips_form(self, code: str, principal: Principal, building: str = "") -> Template:
        compound = await roster.compound_by_code(code)
        require_kind(principal, slips.SLIPS, compound["id"])
        return await self._slips_form(principal, compound, building)

    @post("/voter-slips", name="documents.slips_issue")
    async def slips_issue(
        self, request: Request[Any, Any, Any], code: str, principal: Principal, data: Form
    ) -> Template | Redirect:
        compound = await roster.compound_by_code(code)
        require_kind(principal, slips.SLIPS, compound["id"])
        building = (data.get("building") or "").strip()
        errors = {}
        if (building not in ("all", "") and whole_number(building) is None) or building == "":
            errors["building"] = _("Choose a building or the whole compound.")
        if data.get("confirm") != "yes":
            errors["confirm"] = _("Tick the box to confirm that the old links of these households will stop working.")
        if errors:
            return await self._slips_form(principal, compound, building, status=400, errors=errors)
        try:
            record = await slips.issue_voter_slips(
                compound["id"],
                None if building == "all" else whole_number(building),
                principal=principal,
                settings=settings_of(request),
                language=current_language(),
                after=whole_number(data.get("after") or ""),
            )
        except slips.SlipsChanged as changed:
            return await self._slips_form(
                principal, compound, building, status=409, errors={"__all__": changed.message}
            )
        flash(
            request,
            _(
                "Voter slips issued (verification code %(code)s): %(title)s. The earlier links of these households no longer work.",
                code=qr.display_code(record["code"]),
                title=record["title"],
            ),
            category="success",
        )
        return Redirect(path=links.path("documents", code=code, fragment="issued", query={"issued": record["code"]}))


class VerifyController(Controller):
    path = "/verify"

    @get("/", name="verify.lookup")
    async def lookup(self, code: str = "") -> Template | Redirect:
        if code:
            normalized = qr.normalize_code(code)
            if normalized is not None:
                return Redirect(path=links.path("verify", doc_code=normalized))
            return Template(
                template_name="documents/verify_lookup.html",
                status_code=400,
                context={
                    "values": {"code": code},
                    "errors": {"code": _("A verification code has 8 letters and digits, for example ABCD 2345.")},
                },
            )
        return Template(template_name="documents/verify_lookup.html", context={"values": {}, "errors": {}})

    async def _context(self, record: dict[str, Any]) -> dict[str, Any]:
        kind = kinds.find(record["kind"])
        later = await service.later_in_compound(record) if kind and kind.renew_each_time else []
        return {
            "record": record,
            "kind_label": service.kind_label(record["kind"]),
            "public": bool(kind and kind.public),
            "renewed": bool(kind and kind.renew_each_time),
            "later": [r for r in later if r["id"] != record["superseded_by"]],
            "display_code": qr.display_code,
            "check": None,
            "errors": {},
        }

    @get("/{doc_code:str}", name="verify")
    async def show(self, doc_code: str) -> Template | Redirect:
        record = await service.by_code(doc_code)
        if record["code"] != doc_code:
            return Redirect(path=links.path("verify", doc_code=record["code"]))
        return Template(template_name="documents/verify.html", context=await self._context(record))

    @post("/{doc_code:str}", name="verify.check", request_max_body_size=MAX_UPLOAD_BYTES + 100_000)
    async def check(self, request: HTMXRequest, doc_code: str, data: Multipart) -> Template:
        record = await service.by_code(doc_code)
        context = await self._context(record)
        upload = data.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            context["errors"] = {"file": _("Choose the PDF file to check.")}
            status = 400
        else:
            content = await upload.read(MAX_UPLOAD_BYTES + 1)
            if len(content) > MAX_UPLOAD_BYTES:
                context["errors"] = {"file": _("The file is larger than 20 MB: it cannot be this document.")}
                status = 400
            else:
                context["check"] = await service.check_copy(record, content)
                context["filename"] = upload.filename
                status = 200
        context["fragment"] = bool(request.htmx)
        template = "documents/_verify_result.html" if request.htmx else "documents/verify.html"
        return Template(template_name=template, context=context, status_code=status)

    @get("/{doc_code:str}/pdf", name="verify.pdf")
    async def public_pdf(self, doc_code: str) -> Response[bytes]:
        record = await service.by_code(doc_code)
        kind = kinds.find(record["kind"])
        if kind is None or not kind.public:
            raise NotFound(_("This document is not published for download. Ask whoever gave it to you."))
        return pdf_response(record, await service.pdf_of(record["id"]), private=False)
