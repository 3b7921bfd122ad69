"""The proposal's page: the proposal, its seconds, photos and timeline, and the
meetings whose agenda holds it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from yishi.accounts.residents import HouseholdIdentity
from yishi.meetings import topics
from yishi.proposals import flow, service
from yishi.proposals.service import decorate, household_label_columns, not_found, owners_behind
from yishi.proposals.support import OwnerSupport
from yishi.proposals.tables import Proposal, ProposalEvent, ProposalPhoto, Second


@dataclass
class ProposalPage:
    compound: dict[str, Any]
    proposal: dict[str, Any]
    photos: list[dict[str, Any]]
    events: list[dict[str, Any]]
    seconders: list[dict[str, Any]]
    support: OwnerSupport | None
    merged_into: dict[str, Any] | None
    merged_in: list[dict[str, Any]] = field(default_factory=list)
    agenda: list[dict[str, Any]] = field(default_factory=list)

    @property
    def seconded_households(self) -> set[int]:
        return {s["household"] for s in self.seconders}

    def may_second(self, household: HouseholdIdentity | None) -> bool:
        return (
            household is not None
            and household.compound_id == self.compound["id"]
            and self.proposal["status"] in flow.OPEN_FOR_SECONDS
            and household.household_id != self.proposal["household"]
            and household.household_id not in self.seconded_households
        )


async def proposal_page(compound: dict[str, Any], number: int) -> ProposalPage:
    row = await (
        Proposal.select(Proposal.all_columns(), *household_label_columns())
        .where((Proposal.compound == compound["id"]) & (Proposal.number == number))
        .first()
    )
    if row is None:
        raise not_found()
    agenda = await topics.agenda_of_proposal(row["id"])
    seconders = await (
        Second.select(
            Second.household,
            Second.at,
            Second.carried_from.number.as_alias("carried_from_number"),
            Second.household.unit.as_alias("unit"),
            Second.household.building.code.as_alias("building_code"),
        )
        .where(Second.proposal == row["id"])
        .order_by(Second.at)
    )
    for s in seconders:
        s["label"] = f"{s['building_code']}-{s['unit']}"
    decorate(row, len(seconders), compound["seconds_threshold"], on_agenda=bool(agenda))
    merged_into = None
    if row["merged_into"]:
        merged_into = (
            await Proposal.select(Proposal.number, Proposal.title, Proposal.status)
            .where(Proposal.id == row["merged_into"])
            .first()
        )
    merged_in = (
        await Proposal.select(Proposal.number, Proposal.title)
        .where(Proposal.merged_into == row["id"])
        .order_by(Proposal.number)
    )
    return ProposalPage(
        compound=compound,
        proposal=row,
        photos=await ProposalPhoto.select().where(ProposalPhoto.proposal == row["id"]).order_by(ProposalPhoto.id),
        events=await ProposalEvent.select()
        .where(ProposalEvent.proposal == row["id"])
        .order_by(ProposalEvent.at)
        .order_by(ProposalEvent.id),
        seconders=seconders,
        support=await owners_behind(row) if row["owners_matter"] else None,
        merged_into=merged_into,
        merged_in=merged_in,
        agenda=agenda,
    )


@dataclass
class HouseholdProposals:
    proposed: list[dict[str, Any]]
    seconded: list[dict[str, Any]]


async def compound_proposals(compound: dict[str, Any], status: str | None = None) -> list[dict[str, Any]]:
    """The compound's proposals, newest first, with their seconds."""
    query = Proposal.select(Proposal.all_columns(), *household_label_columns()).where(
        Proposal.compound == compound["id"]
    )
    if status:
        query = query.where(Proposal.status == status)
    rows = await query.order_by(Proposal.created_at, ascending=False).order_by(Proposal.number, ascending=False)
    ids = [r["id"] for r in rows]
    counts = await service.seconds_by_proposal(ids)
    on_agenda = await topics.proposals_on_agenda(ids)
    return [decorate(r, counts.get(r["id"], 0), compound["seconds_threshold"], r["id"] in on_agenda) for r in rows]


async def household_proposals(compound: dict[str, Any], household_id: int) -> HouseholdProposals:
    """What a household raised (with where each went) and what it seconded."""
    proposed = await (
        Proposal.select(
            Proposal.all_columns(),
            *household_label_columns(),
            Proposal.merged_into.number.as_alias("merged_into_number"),
            Proposal.merged_into.title.as_alias("merged_into_title"),
        )
        .where((Proposal.compound == compound["id"]) & (Proposal.household == household_id))
        .order_by(Proposal.number, ascending=False)
    )
    seconded_ids = [r["proposal"] for r in await Second.select(Second.proposal).where(Second.household == household_id)]
    seconded = []
    if seconded_ids:
        seconded = await (
            Proposal.select(Proposal.all_columns(), *household_label_columns())
            .where(Proposal.id.is_in(seconded_ids) & (Proposal.compound == compound["id"]))
            .order_by(Proposal.number, ascending=False)
        )
    ids = [r["id"] for r in proposed + seconded]
    counts = await service.seconds_by_proposal(ids)
    on_agenda = await topics.proposals_on_agenda(ids)
    for r in proposed + seconded:
        decorate(r, counts.get(r["id"], 0), compound["seconds_threshold"], r["id"] in on_agenda)
    return HouseholdProposals(proposed=proposed, seconded=seconded)
