"""Triage by the staff: accept, merge, decline, and the form's choices."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from yishi.accounts.permissions import Principal
from yishi.audit import service as audit
from yishi.db import write_transaction
from yishi.errors import Conflict, FormErrors, NotFound
from yishi.forms import whole_number
from yishi.i18n import gettext as _
from yishi.proposals import flow
from yishi.proposals.service.common import proposal_row, record_event, seconds_count, set_stage, supporter_rows
from yishi.proposals.service.seconding import update_marks
from yishi.proposals.tables import Proposal, Second
from yishi.roster.tables import Building


async def accept(compound: dict[str, Any], number: int, principal: Principal) -> None:
    async with write_transaction():
        row = await proposal_row(compound["id"], number, lock=True)
        flow.check_triage(row["status"], number)
        await Proposal.update({Proposal.status: flow.ACCEPTED}).where(Proposal.id == row["id"])
        await set_stage(row["id"], flow.DELIBERATE)
        await record_event(row["id"], flow.EVENT_ACCEPTED, "", principal.display_name)
        await audit.record("proposal", row["id"], "accepted", actor=principal.user_id, compound=compound["id"])


@dataclass(frozen=True)
class DeclinePreview:
    """What declining says and to whom, before it is done."""

    number: int
    title: str
    reason: str
    seconds: int


async def decline_preview(compound: dict[str, Any], number: int, reason_text: str) -> DeclinePreview:
    """Check that the proposal may be declined with this reason, changing nothing."""
    reason = flow.check_decline_reason(reason_text)
    row = await proposal_row(compound["id"], number)
    flow.check_triage(row["status"], number)
    return DeclinePreview(number, row["title"], reason, await seconds_count(row["id"]))


async def decline(compound: dict[str, Any], number: int, reason_text: str, principal: Principal) -> None:
    reason = flow.check_decline_reason(reason_text)
    async with write_transaction():
        row = await proposal_row(compound["id"], number, lock=True)
        flow.check_triage(row["status"], number)
        await Proposal.update({Proposal.status: flow.DECLINED, Proposal.decline_reason: reason}).where(
            Proposal.id == row["id"]
        )
        await record_event(row["id"], flow.EVENT_DECLINED, reason, principal.display_name)
        await audit.record(
            "proposal", row["id"], "declined", actor=principal.user_id, compound=compound["id"], reason=reason
        )


def _number(text: str | None) -> int | None:
    text = (text or "").strip().lstrip("#＃")
    return whole_number(text)


@dataclass(frozen=True)
class MergePreview:
    """What merging does, before it is done: the households whose support moves."""

    number: int
    title: str
    target_number: int
    target_title: str
    carried: int


async def merge_preview(compound: dict[str, Any], number: int, target_text: str) -> MergePreview:
    """Check that the proposal may be merged into this target, changing nothing."""
    target_number = _target_number(target_text)
    source = await proposal_row(compound["id"], number)
    flow.check_triage(source["status"], number)
    try:
        target = await proposal_row(compound["id"], target_number)
    except NotFound:
        target = None
    flow.check_merge_target(number, target)
    assert target is not None
    carried = await _carried_over(source, target)
    return MergePreview(number, source["title"], target["number"], target["title"], len(carried))


async def _carried_over(source: dict[str, Any], target: dict[str, Any]) -> set[int]:
    """The households behind ``source`` (proposer and seconders) not yet behind ``target``."""
    return (await supporter_rows(source)) - (await supporter_rows(target))


def _target_number(target_text: str) -> int:
    target_number = _number(target_text)
    if target_number is None:
        raise FormErrors({"target": _("Enter the number of the proposal to merge into, for example 12.")})
    return target_number


async def merge(compound: dict[str, Any], number: int, target_text: str, principal: Principal) -> int:
    """Merge proposal ``number`` into another of the compound. Its proposer and
    its seconders second the target (a household already behind the target is
    not counted twice). Returns how many seconds were carried over."""
    target_number = _target_number(target_text)
    async with write_transaction():
        # Lock both rows in number order, so two crossed merges cannot deadlock.
        rows: dict[int, dict[str, Any] | None] = {}
        for n in sorted({number, target_number}):
            try:
                rows[n] = await proposal_row(compound["id"], n, lock=True)
            except NotFound:
                if n == number:
                    raise
                rows[n] = None
        source = rows[number]
        assert source is not None
        flow.check_triage(source["status"], number)
        target = rows.get(target_number)
        flow.check_merge_target(number, target)
        assert target is not None
        carried = sorted(await _carried_over(source, target))
        for household_id in carried:
            await Second.insert(Second(proposal=target["id"], household=household_id, carried_from=source["id"]))
        await Proposal.update({Proposal.status: flow.MERGED, Proposal.merged_into: target["id"]}).where(
            Proposal.id == source["id"]
        )
        await record_event(
            source["id"], flow.EVENT_MERGED_INTO, f"#{target['number']} {target['title']}", principal.display_name
        )
        await record_event(
            target["id"], flow.EVENT_MERGED_IN, f"#{source['number']} {source['title']}", principal.display_name
        )
        await update_marks(target["id"], compound)
        await audit.record(
            "proposal",
            source["id"],
            "merged",
            actor=principal.user_id,
            compound=compound["id"],
            into=target["id"],
            carried=len(carried),
        )
    return len(carried)


async def mark_owners_matter(compound: dict[str, Any], number: int, on: bool, principal: Principal) -> None:
    """The secretary marks (or unmarks) a matter that all owners decide together."""
    async with write_transaction():
        row = await proposal_row(compound["id"], number, lock=True)
        if row["status"] not in flow.OPEN_FOR_SECONDS:
            raise Conflict(_("Proposal #%(n)d is closed; it cannot be changed.", n=number))
        if row["owners_matter"] == on:
            return
        changes: dict[Any, Any] = {Proposal.owners_matter: on}
        if not on:
            changes[Proposal.obliges_committee_at] = None
        await Proposal.update(changes).where(Proposal.id == row["id"])
        await record_event(
            row["id"], flow.EVENT_OWNERS_MATTER if on else flow.EVENT_NOT_OWNERS_MATTER, "", principal.display_name
        )
        await update_marks(row["id"], compound)
        await audit.record(
            "proposal", row["id"], "owners_matter", actor=principal.user_id, compound=compound["id"], on=on
        )


def source_choices(principal: Principal, compound_id: int) -> list[str]:
    return flow.sources_for(principal.roles_by_compound.get(compound_id, frozenset()))


async def buildings_for(principal: Principal, compound_id: int) -> list[dict[str, Any]]:
    """The buildings a staff member may record household proposals in."""
    query = Building.select(Building.id, Building.code, Building.name).where(Building.compound == compound_id)
    limit = principal.building_limit(compound_id)
    if limit is not None:
        query = query.where(Building.id.is_in(list(limit) or [-1]))
    rows = await query
    return sorted(rows, key=lambda b: (len(b["code"]), b["code"]))
