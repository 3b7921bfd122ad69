"""Voter slips (投票链接条): each household's personal voting link, printed
as a QR code and a short URL, eight to an A4 page with cut marks, for
delivery door to door.

Printing slips issues NEW links: each household's previous link stops working
(``yishi.accounts.service.issue_household_link``). The tokens exist only
inside the PDF: the issued record keeps the bytes, never the tokens, and the
verify page shows neither.
"""

from __future__ import annotations

from typing import Any

from yishi import clock, db
from yishi.accounts.permissions import Capability, Principal
from yishi.accounts.service import issue_household_link
from yishi.codes import natural_key
from yishi.db import write_transaction
from yishi.documents import service
from yishi.documents.kinds import DocumentKind, Source, register
from yishi.documents.sources import compound_facts, households_of
from yishi.documents.tables import IssuedDocument
from yishi.errors import Conflict, DomainError, NotFound
from yishi.i18n import N_
from yishi.i18n import gettext as _
from yishi.roster.tables import Building
from yishi.settings import Settings

SLIPS_PER_PAGE = 8
KIND = "voter_slips"


async def buildings_of(compound_id: int) -> list[dict[str, Any]]:
    rows = await Building.select(Building.id, Building.code, Building.name).where(Building.compound == compound_id)
    rows.sort(key=lambda b: natural_key(b["code"]))
    return rows


async def scope_of(compound_id: int, building_id: int | None) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The buildings the slips cover, and the one building when limited to it."""
    buildings = await buildings_of(compound_id)
    if building_id is None:
        return buildings, None
    building = next((b for b in buildings if b["id"] == building_id), None)
    if building is None:
        raise NotFound()
    return [building], building


async def household_count(compound_id: int, building_id: int | None) -> int:
    buildings, _one = await scope_of(compound_id, building_id)
    return len(await households_of([b["id"] for b in buildings]))


async def _load_refused(_subject_id: int, _variant: str) -> Source:
    raise DomainError(_("Voter slips are printed from the voter slips page, where new links are issued."))


SLIPS = register(
    DocumentKind(
        name=KIND,
        label=N_("Voter slips"),
        template="pdf/voter_slips.html",
        subject_type="compound",
        load=_load_refused,
        filename=N_("voter-slips"),
        capabilities=(Capability.DOCUMENT_ISSUE, Capability.HOUSEHOLD_LINKS),
        renew_each_time=True,
        order=50,
    )
)


class SlipsChanged(Conflict):
    """Slips were issued in this compound after the form was shown (the same
    form sent twice, or another staff member): nothing is issued again."""

    def __init__(self, latest: dict[str, Any]) -> None:
        super().__init__(
            _(
                "Slips were issued in this compound at %(at)s, after this form was opened, so nothing was issued "
                "again: the slips already printed keep working. Check the list below before printing new ones.",
                at=clock.local_text(latest["issued_at"]),
            )
        )
        self.latest = latest


async def latest_slips(compound_id: int) -> dict[str, Any] | None:
    """The compound's most recent slips, whatever their scope (None before the first)."""
    return await (
        IssuedDocument.select(IssuedDocument.id, IssuedDocument.code, IssuedDocument.issued_at)
        .where((IssuedDocument.compound == compound_id) & (IssuedDocument.kind == KIND))
        .order_by(IssuedDocument.id, ascending=False)
        .first()
    )


async def printed_slips(compound_id: int) -> dict[int | None, Any]:
    """When the slips still in force were printed: by building id, and None for the whole compound."""
    rows = await (
        IssuedDocument.select(IssuedDocument.series, IssuedDocument.issued_at)
        .where(
            (IssuedDocument.compound == compound_id)
            & (IssuedDocument.kind == KIND)
            & IssuedDocument.superseded_by.is_null()
        )
        .order_by(IssuedDocument.id)
    )
    printed: dict[int | None, Any] = {}
    for row in rows:
        variant = row["series"].rsplit(":", 1)[-1]  # the series ends with its variant, "building-<id>"
        printed[int(variant.removeprefix("building-")) if variant.startswith("building-") else None] = row["issued_at"]
    return printed


async def issue_voter_slips(
    compound_id: int,
    building_id: int | None,
    *,
    principal: Principal,
    settings: Settings,
    language: str,
    after: int | None,
) -> dict[str, Any]:
    """Issue a new link for every household in scope and print them, in one
    transaction: either every link is new and the slips exist, or nothing
    changed. ``after``: the compound's latest slips when the form was shown;
    if others were issued since, nothing is issued (``SlipsChanged``)."""
    compound = await compound_facts(compound_id)
    buildings, building = await scope_of(compound_id, building_id)
    scope_name = building["name"] if building else _("the whole compound")
    async with write_transaction():
        await db.lock_until_commit(db.LOCK_SLIPS, compound_id)
        latest = await latest_slips(compound_id)
        if (latest["id"] if latest else None) != after:
            raise SlipsChanged(latest)
        households = await households_of([b["id"] for b in buildings])
        if not households:
            raise DomainError(_("There are no households here yet. Import the roster first."))
        slips = []
        for household in households:
            token = await issue_household_link(household["id"], principal.user_id)
            slips.append({"label": household["label"], "url": f"{settings.base_url}/h/{token}"})
        pages = [slips[i : i + SLIPS_PER_PAGE] for i in range(0, len(slips), SLIPS_PER_PAGE)]
        source = Source(
            compound_id=compound_id,
            compound_name=compound["name"],
            title=_("Voter slips of %(name)s, %(scope)s", name=compound["name"], scope=scope_name),
            summary=_(
                "%(n)d households' personal voting links (%(scope)s). The links are printed only on the paper.",
                n=len(slips),
                scope=scope_name,
            ),
            context={
                "compound": compound,
                "pages": pages,
                "count": len(slips),
                "scope_name": scope_name,
                "base_url": settings.base_url,
            },
        )
        record = await service.issue_source(
            SLIPS,
            compound_id,
            source,
            settings=settings,
            issuer=service.Issuer.of(principal),
            language=language,
            variant=f"building-{building_id}" if building_id is not None else "",
        )
        if building_id is None:
            # New links for every household: every earlier slip of the compound is void.
            await IssuedDocument.update(
                {IssuedDocument.superseded_by: record["id"], IssuedDocument.superseded_at: record["issued_at"]}
            ).where(
                (IssuedDocument.compound == compound_id)
                & IssuedDocument.kind.is_in([KIND])
                & IssuedDocument.superseded_by.is_null()
                & (IssuedDocument.id != record["id"])
            )
        return record
