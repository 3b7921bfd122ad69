"""What every use case of a proposal shares, and what other steps write on its timeline."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from piccolo.query.functions.aggregate import Count

from yishi import db
from yishi.accounts.residents import HouseholdIdentity
from yishi.errors import Forbidden, NotFound
from yishi.i18n import gettext as _
from yishi.proposals import flow
from yishi.proposals.support import OwnerSupport, Unit, owner_support
from yishi.proposals.tables import Proposal, ProposalEvent, ProposalPhoto, Second
from yishi.roster.tables import Household

PHOTO_FOLDER = "proposals"


ACTOR_LABEL_MAX = 100


KIND_MAX = 32


def not_found() -> NotFound:
    return NotFound(_("There is no such proposal in this compound."))


async def record_event(proposal_id: int, kind: str, text: str = "", actor_label: str = "") -> None:
    """Add an event to a proposal's public timeline (e.g. "on_agenda", "voted",
    "action_done"). ``text`` is shown as written; ``kind`` chooses the label."""
    if not kind or len(kind) > KIND_MAX:
        raise ValueError(f"an event kind has 1 to {KIND_MAX} characters, not {kind!r}")
    await ProposalEvent.insert(
        ProposalEvent(proposal=proposal_id, kind=kind, text=text, actor_label=actor_label[:ACTOR_LABEL_MAX])
    )


async def set_stage(proposal_id: int, stage: str) -> None:
    """Record that the topic reached ``stage`` (propose, deliberate, vote,
    implement, supervise). The stage only moves forward: an earlier stage than
    the one stored changes nothing."""
    if stage not in flow.STAGES:
        raise ValueError(f"unknown stage {stage!r}; one of {', '.join(flow.STAGES)}")
    earlier = [s for s in flow.STAGES if flow.stage_rank(s) < flow.stage_rank(stage)]
    if earlier:
        await Proposal.update({Proposal.stage: stage}).where(
            (Proposal.id == proposal_id) & Proposal.stage.is_in(earlier)
        )


async def proposal_row(compound_id: int, number: int, *, lock: bool = False) -> dict[str, Any]:
    query = Proposal.select(Proposal.all_columns()).where(
        (Proposal.compound == compound_id) & (Proposal.number == number)
    )
    if lock and not db.is_sqlite():
        query = query.lock_rows("UPDATE")
    row = await query.first()
    if row is None:
        raise not_found()
    return row


async def seconds_count(proposal_id: int) -> int:
    return await Second.count().where(Second.proposal == proposal_id)


async def seconds_by_proposal(proposal_ids: list[int]) -> dict[int, int]:
    if not proposal_ids:
        return {}
    rows = await (
        Second.select(Second.proposal, Count(Second.id, alias="n"))
        .where(Second.proposal.is_in(proposal_ids))
        .group_by(Second.proposal)
    )
    return {r["proposal"]: r["n"] for r in rows}


async def _units(compound_id: int) -> list[Unit]:
    rows = await Household.select(Household.id, Household.exclusive_area, Household.owner_key).where(
        Household.building.compound == compound_id
    )
    return [Unit(r["id"], r["exclusive_area"], r["owner_key"]) for r in rows]


async def supporter_rows(proposal: Mapping[str, Any]) -> set[int]:
    rows = await Second.select(Second.household).where(Second.proposal == proposal["id"])
    supporters = {r["household"] for r in rows}
    if proposal["household"]:
        supporters.add(proposal["household"])
    return supporters


async def owners_behind(proposal: Mapping[str, Any]) -> OwnerSupport:
    """Owners and area behind a proposal: its proposer and every seconding household."""
    return owner_support(await _units(proposal["compound"]), await supporter_rows(proposal))


def household_label_columns() -> list[Any]:
    return [
        Proposal.household.unit.as_alias("household_unit"),
        Proposal.household.building.code.as_alias("building_code"),
        Proposal.recorded_by.display_name.as_alias("recorded_by_name"),
    ]


def decorate(row: dict[str, Any], seconds: int, threshold: int, on_agenda: bool = False) -> dict[str, Any]:
    row["seconds"] = seconds
    row["threshold"] = threshold
    row["household_label"] = f"{row['building_code']}-{row['household_unit']}" if row.get("household_unit") else ""
    row["current_stage"] = flow.current_stage(row["status"], row["stage"], on_agenda)
    return row


async def status_counts(compound_id: int) -> dict[str, int]:
    rows = await (
        Proposal.select(Proposal.status, Count(Proposal.id, alias="n"))
        .where(Proposal.compound == compound_id)
        .group_by(Proposal.status)
    )
    return {r["status"]: r["n"] for r in rows}


async def photo_path(compound_id: int, number: int, photo_id: int) -> str:
    """The stored path of a photo of a proposal of this compound (404 otherwise)."""
    row = await (
        ProposalPhoto.select(ProposalPhoto.path)
        .where(
            (ProposalPhoto.id == photo_id)
            & (ProposalPhoto.proposal.compound == compound_id)
            & (ProposalPhoto.proposal.number == number)
        )
        .first()
    )
    if row is None:
        raise NotFound(_("There is no such photo."))
    return row["path"]


def household_in(compound: dict[str, Any], household: HouseholdIdentity | None) -> HouseholdIdentity:
    if household is None:
        raise Forbidden(_("Tell us which household you are first."))
    if household.compound_id != compound["id"]:
        raise Forbidden(
            _(
                "This phone speaks for household %(label)s of another compound; it cannot act in %(name)s.",
                label=household.label,
                name=compound["name"],
            )
        )
    return household
