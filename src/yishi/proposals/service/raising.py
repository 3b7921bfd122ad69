"""Raising a proposal: the resident's form, its photos, and the staff's entry on a resident's behalf."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from yishi import db, photos
from yishi.accounts.permissions import Principal
from yishi.accounts.residents import HouseholdIdentity
from yishi.audit import service as audit
from yishi.db import write_transaction
from yishi.errors import FormErrors
from yishi.i18n import gettext as _
from yishi.proposals import flow
from yishi.proposals.service.common import PHOTO_FOLDER, household_in, record_event
from yishi.proposals.service.seconding import update_marks
from yishi.proposals.tables import Proposal, ProposalPhoto
from yishi.roster.tables import Compound, Household


@dataclass(frozen=True)
class NewProposal:
    """Who raises it: ``source`` and, for residents and door-to-door records, the household."""

    source: str
    household_id: int | None = None
    recorded_by: int | None = None
    actor_label: str = ""


async def _check_text_and_photos(
    values: Mapping[str, str],
    uploads: Sequence[photos.Upload],
    extra_errors: dict[str, str] | None = None,
) -> tuple[flow.ProposalText, list[photos.PreparedPhoto]]:
    """Every problem of the form at once: the words, and the photos."""
    errors = dict(extra_errors or {})
    text = None
    try:
        text = flow.check_text(values)
    except FormErrors as error:
        errors.update(error.errors)
    prepared: list[photos.PreparedPhoto] = []
    try:
        prepared = await photos.off_loop(photos.prepare_photos, uploads)
    except photos.PhotoRefused as error:
        errors["photos"] = error.message
    if errors or text is None:
        raise FormErrors(errors)
    return text, prepared


async def _create(
    compound: dict[str, Any],
    who: NewProposal,
    text: flow.ProposalText,
    prepared: Sequence[photos.PreparedPhoto],
    var_dir: Path,
) -> int:
    stored = photos.store_photos(prepared, var_dir, PHOTO_FOLDER)
    try:
        async with write_transaction():
            locked = Compound.select(Compound.id).where(Compound.id == compound["id"])
            if not db.is_sqlite():
                locked = locked.lock_rows("UPDATE")
            await locked.first()
            last = await (
                Proposal.select(Proposal.number)
                .where(Proposal.compound == compound["id"])
                .order_by(Proposal.number, ascending=False)
                .first()
            )
            number = (last["number"] if last else 0) + 1
            created = await Proposal.insert(
                Proposal(
                    compound=compound["id"],
                    number=number,
                    title=text.title,
                    problem=text.problem,
                    suggestion=text.suggestion,
                    category=text.category,
                    source=who.source,
                    household=who.household_id,
                    recorded_by=who.recorded_by,
                    owners_matter=text.owners_matter,
                    stage=flow.PROPOSE,
                )
            ).returning(Proposal.id)
            proposal_id = created[0]["id"]
            for photo in stored:
                await ProposalPhoto.insert(
                    ProposalPhoto(proposal=proposal_id, path=photo.path, width=photo.width, height=photo.height)
                )
            await record_event(proposal_id, flow.EVENT_SUBMITTED, "", who.actor_label)
            if text.owners_matter:
                await record_event(proposal_id, flow.EVENT_OWNERS_MATTER, "", who.actor_label)
            await update_marks(proposal_id, compound)
            await audit.record(
                "proposal",
                proposal_id,
                "submitted",
                actor=who.recorded_by,
                compound=compound["id"],
                source=who.source,
                household=who.household_id,
                photos=len(stored),
            )
    except BaseException:
        photos.discard(stored, var_dir)
        raise
    return number


async def submit_as_household(
    compound: dict[str, Any],
    household: HouseholdIdentity | None,
    values: Mapping[str, str],
    uploads: Sequence[photos.Upload],
    var_dir: Path,
) -> int:
    """A resident's proposal, from the household in their session. Returns its number."""
    identity = household_in(compound, household)
    text, prepared = await _check_text_and_photos(values, uploads)
    return await _create(
        compound, NewProposal(source=flow.RESIDENT, household_id=identity.household_id), text, prepared, var_dir
    )


async def _household_by_label(compound_id: int, building: str, unit: str) -> dict[str, Any] | None:
    return await (
        Household.select(Household.id, Household.building.id.as_alias("building_id"))
        .where(
            (Household.building.compound == compound_id)
            & (Household.building.code == building)
            & (Household.unit == unit)
        )
        .first()
    )


async def record_for(
    compound: dict[str, Any],
    principal: Principal,
    values: Mapping[str, str],
    uploads: Sequence[photos.Upload],
    var_dir: Path,
) -> int:
    """A staff member records a proposal: for a household (door to door), or for
    their party. Returns its number."""
    roles = principal.roles_by_compound.get(compound["id"], frozenset())
    allowed = flow.sources_for(roles)
    source = (values.get("source") or "").strip()
    errors: dict[str, str] = {}
    household_id = None
    if source not in allowed:
        errors["source"] = _("Choose who raises this proposal.")
    elif source == flow.GRID_WORKER:
        building, unit = (values.get("building") or "").strip(), (values.get("unit") or "").strip()
        if not building:
            errors["building"] = _("Enter the household's building number.")
        if not unit:
            errors["unit"] = _("Enter the household's unit number, for example 2-502.")
        if building and unit:
            found = await _household_by_label(compound["id"], building, unit)
            limit = principal.building_limit(compound["id"])
            if found is None:
                errors["unit"] = _("There is no household %(label)s on the roster.", label=f"{building}-{unit}")
            elif limit is not None and found["building_id"] not in limit:
                errors["building"] = _("You record proposals only for the buildings you look after.")
            else:
                household_id = found["id"]
    text, prepared = await _check_text_and_photos(values, uploads, errors)
    return await _create(
        compound,
        NewProposal(
            source=source, household_id=household_id, recorded_by=principal.user_id, actor_label=principal.display_name
        ),
        text,
        prepared,
        var_dir,
    )
