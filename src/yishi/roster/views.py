"""The roster pages: households by building, CSV upload → preview → confirm, export."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.plugins.flash import flash
from litestar.response import Redirect, Response, Template

from yishi.accounts import service as accounts
from yishi.accounts.dependencies import require
from yishi.accounts.permissions import Capability, Principal
from yishi.i18n import gettext as _
from yishi.roster import service
from yishi.web import links
from yishi.web.forms import Form, Multipart

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class RosterController(Controller):
    path = "/compounds/{code:str}/roster"

    async def _page(self, principal: Principal, compound: dict[str, Any], **extra: Any) -> Template:
        limit = principal.building_limit(compound["id"])
        buildings = await service.roster(compound["id"], limit)
        return Template(
            template_name="roster/roster.html",
            context={
                "principal": principal,
                "compound": compound,
                "buildings": buildings,
                "parties": await accounts.parties_with_members(compound["id"]),
                "limited": limit is not None,
                "can_edit": principal.can(Capability.ROSTER_EDIT, compound["id"]),
                "household_count": sum(len(b.households) for b in buildings),
                "total_area": sum(b.total_area for b in buildings),
                "upload_error": None,
                **extra,
            },
            status_code=400 if extra.get("upload_error") else 200,
        )

    @get("/", name="roster")
    async def show(self, code: str, principal: Principal) -> Template:
        compound = await service.compound_by_code(code)
        require(principal, Capability.ROSTER_VIEW, compound["id"])
        return await self._page(principal, compound)

    @post("/import", name="roster.import")
    async def upload(self, code: str, principal: Principal, data: Multipart) -> Template:
        compound = await service.compound_by_code(code)
        require(principal, Capability.ROSTER_EDIT, compound["id"])
        upload = data.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return await self._page(principal, compound, upload_error=_("Choose a CSV file to upload."))
        content = await upload.read(MAX_UPLOAD_BYTES + 1)
        if len(content) > MAX_UPLOAD_BYTES:
            return await self._page(principal, compound, upload_error=_("The file is larger than 5 MB."))
        preview = await service.preview_import(compound["id"], content)
        return self._preview(principal, compound, preview, content, upload.filename)

    def _preview(
        self,
        principal: Principal,
        compound: dict[str, Any],
        preview: service.ImportPreview,
        content: bytes,
        filename: str,
    ) -> Template:
        return Template(
            template_name="roster/import_preview.html",
            context={
                "principal": principal,
                "compound": compound,
                "preview": preview,
                "filename": filename,
                "payload": base64.b64encode(content).decode(),
            },
            status_code=200 if preview.ok and not preview.confirm_error else 400,
        )

    @post("/import/confirm", name="roster.import.confirm")
    async def confirm(
        self, request: Request[Any, Any, Any], code: str, principal: Principal, data: Form
    ) -> Template | Redirect:
        compound = await service.compound_by_code(code)
        require(principal, Capability.ROSTER_EDIT, compound["id"])
        try:
            content = base64.b64decode(data.get("payload", ""), validate=True)
        except (binascii.Error, ValueError):
            return await self._page(
                principal, compound, upload_error=_("The upload was damaged. Please upload the file again.")
            )
        confirmed = data.get("new_buildings", "").split("\n") if data.get("confirm_buildings") == "yes" else []
        result = await service.apply_import(compound["id"], content, confirmed_buildings=confirmed)
        if isinstance(result, service.ImportPreview):
            return self._preview(principal, compound, result, content, data.get("filename", ""))
        flash(
            request,
            _(
                "Roster imported: %(created)d new, %(updated)d updated, %(unchanged)d unchanged.",
                created=result.created,
                updated=result.updated,
                unchanged=result.unchanged,
            ),
            category="success",
        )
        return Redirect(path=links.path("roster", code=code))

    @get("/export.csv", name="roster.export")
    async def export(self, code: str, principal: Principal, lang: str = "zh_CN") -> Response[bytes]:
        compound = await service.compound_by_code(code)
        require(principal, Capability.ROSTER_EDIT, compound["id"])
        body = await service.export_roster(compound["id"], header_language=lang)
        filename = f"roster-{compound['code']}.csv"
        return Response(
            body,
            media_type="text/csv",  # Litestar adds the charset
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
