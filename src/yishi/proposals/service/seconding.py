"""Seconding a proposal (附议), and carrying seconds over to a merged one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from yishi import clock
from yishi.accounts.residents import HouseholdIdentity
from yishi.db import write_transaction
from yishi.errors import Conflict
from yishi.i18n import gettext as _
from yishi.proposals import flow
from yishi.proposals.service.common import household_in, owners_behind, proposal_row, record_event, seconds_count
from yishi.proposals.support import threshold_reached
from yishi.proposals.tables import Proposal, Second


@dataclass(frozen=True)
class SecondResult:
    seconds: int
    threshold_reached_now: bool
    obliges_committee_now: bool


async def second(compound: dict[str, Any], number: int, household: HouseholdIdentity | None) -> SecondResult:
    """附议: the household in the session supports the proposal, once."""
    identity = household_in(compound, household)
    async with write_transaction():
        row = await proposal_row(compound["id"], number, lock=True)
        if row["status"] == flow.MERGED:
            target = await Proposal.select(Proposal.number).where(Proposal.id == row["merged_into"]).first()
            raise Conflict(
                _(
                    "Proposal #%(n)d was merged into proposal #%(target)d; second that one.",
                    n=number,
                    target=target["number"] if target else 0,
                )
            )
        if row["status"] not in flow.OPEN_FOR_SECONDS:
            raise Conflict(_("Proposal #%(n)d was declined; it cannot be seconded.", n=number))
        if row["household"] == identity.household_id:
            raise Conflict(_("Your household raised this proposal; neighbours second it."))
        earlier = (
            await Second.select(Second.at)
            .where((Second.proposal == row["id"]) & (Second.household == identity.household_id))
            .first()
        )
        if earlier is not None:
            raise Conflict(
                _(
                    "Your household %(label)s already seconded this proposal on %(when)s. Each household seconds once.",
                    label=identity.label,
                    when=_local_day(earlier["at"]),
                )
            )
        await Second.insert(Second(proposal=row["id"], household=identity.household_id))
        marks = await update_marks(row["id"], compound)
    return SecondResult(
        seconds=marks.seconds, threshold_reached_now=marks.threshold_now, obliges_committee_now=marks.obliges_now
    )


@dataclass(frozen=True)
class _Marks:
    seconds: int
    threshold_now: bool
    obliges_now: bool


async def update_marks(proposal_id: int, compound: Mapping[str, Any]) -> _Marks:
    """Record the moment a proposal reaches the compound's seconds threshold,
    and the moment an owners' matter obliges the committee to convene."""
    row = await Proposal.select(Proposal.all_columns()).where(Proposal.id == proposal_id).first()
    assert row is not None
    now = clock.now()
    seconds = await seconds_count(proposal_id)
    threshold_now = obliges_now = False
    if row["threshold_reached_at"] is None and threshold_reached(seconds, compound["seconds_threshold"]):
        await Proposal.update({Proposal.threshold_reached_at: now}).where(Proposal.id == proposal_id)
        await record_event(proposal_id, flow.EVENT_THRESHOLD, _seconds_text(seconds, compound["seconds_threshold"]))
        threshold_now = True
    if row["owners_matter"] and row["obliges_committee_at"] is None:
        support = await owners_behind(row)
        if support.obliges_committee:
            await Proposal.update({Proposal.obliges_committee_at: now}).where(Proposal.id == proposal_id)
            await record_event(
                proposal_id,
                flow.EVENT_OBLIGES,
                f"{support.area_percent()}% / {support.owners_percent()}%",
            )
            obliges_now = True
    return _Marks(seconds, threshold_now, obliges_now)


def _local_day(moment: datetime) -> str:
    return clock.local_text(moment)


def _seconds_text(seconds: int, threshold: int) -> str:
    return f"{seconds}/{threshold}"
