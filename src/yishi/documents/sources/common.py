"""What every document reads of its compound, and the proposal poster."""

from __future__ import annotations

from typing import Any

from yishi.documents.kinds import Source
from yishi.errors import NotFound
from yishi.i18n import gettext as _
from yishi.roster.tables import Compound, Party, PartyKind
from yishi.web import links

PUBLISHED, CLOSED = "published", "closed"


# Meetings whose sign-in lists households (the others invite parties and people).
HOUSEHOLD_MEETINGS = ("bench_meeting", "owners_decision")


async def compound_facts(compound_id: int) -> dict[str, Any]:
    row = (
        await Compound.select(
            Compound.id,
            Compound.code,
            Compound.name,
            Compound.address,
            Compound.seconds_threshold,
            Compound.notice_days,
            Compound.community.name.as_alias("community_name"),
            Compound.community.street.as_alias("street_name"),
            Compound.property_company.name.as_alias("company_name"),
        )
        .where(Compound.id == compound_id)
        .output(load_json=True)
        .first()
    )
    if row is None:
        raise NotFound()
    return row


async def parties_of(compound_id: int) -> list[dict[str, Any]]:
    rows = await Party.select(Party.id, Party.kind, Party.name, Party.active, Party.note).where(
        Party.compound == compound_id
    )
    order = {kind: index for index, kind in enumerate(PartyKind.ALL)}
    return sorted(rows, key=lambda p: (order.get(p["kind"], 9), p["id"]))


async def load_proposal_poster(compound_id: int, _variant: str) -> Source:
    compound = await compound_facts(compound_id)
    parties = [p for p in await parties_of(compound_id) if p["active"]]
    return Source(
        compound_id=compound_id,
        compound_name=compound["name"],
        title=_("Proposal poster of %(name)s", name=compound["name"]),
        summary=_("Poster with the QR code of the compound's proposals page."),
        context={
            "compound": compound,
            "parties": parties,
            "proposals_path": links.path("proposals.public", code=compound["code"]),
        },
    )
