"""Use cases of step 1: raise a proposal, second it, triage it, and follow the
topic through the five steps on its public timeline.

Other packages write on a proposal's timeline and move its stage forward only
through :func:`record_event` and :func:`set_stage`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from piccolo.query.functions.aggregate import Count

from yishi import clock, db, photos
from yishi.accounts.permissions import Principal
from yishi.accounts.residents import HouseholdIdentity
from yishi.audit import service as audit
from yishi.db import write_transaction
from yishi.errors import Conflict, Forbidden, FormErrors, NotFound
from yishi.forms import whole_number
from yishi.i18n import gettext as _
from yishi.meetings.tables import AgendaItem
from yishi.proposals import flow
from yishi.proposals.support import OwnerSupport, Unit, owner_support, threshold_reached
from yishi.proposals.tables import Proposal, ProposalEvent, ProposalPhoto, Second
from yishi.roster.tables import Building, Compound, Household

PHOTO_FOLDER = "proposals"
ACTOR_LABEL_MAX = 100
KIND_MAX = 32
LOCAL_TZ = clock.LOCAL_TZ


def _not_found() -> NotFound:
    return NotFound(_("There is no such proposal in this compound."))


# Other steps write here -----------------------------------------------------------------


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


# Reading ------------------------------------------------------------------------------


async def _proposal_row(compound_id: int, number: int, *, lock: bool = False) -> dict[str, Any]:
    query = Proposal.select(Proposal.all_columns()).where(
        (Proposal.compound == compound_id) & (Proposal.number == number)
    )
    if lock and not db.is_sqlite():
        query = query.lock_rows("UPDATE")
    row = await query.first()
    if row is None:
        raise _not_found()
    return row


async def _seconds_count(proposal_id: int) -> int:
    return await Second.count().where(Second.proposal == proposal_id)


async def _seconds_by_proposal(proposal_ids: list[int]) -> dict[int, int]:
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


async def _supporters(proposal: Mapping[str, Any]) -> set[int]:
    rows = await Second.select(Second.household).where(Second.proposal == proposal["id"])
    supporters = {r["household"] for r in rows}
    if proposal["household"]:
        supporters.add(proposal["household"])
    return supporters


async def owners_behind(proposal: Mapping[str, Any]) -> OwnerSupport:
    """Owners and area behind a proposal: its proposer and every seconding household."""
    return owner_support(await _units(proposal["compound"]), await _supporters(proposal))


def _household_label_columns() -> list[Any]:
    return [
        Proposal.household.unit.as_alias("household_unit"),
        Proposal.household.building.code.as_alias("building_code"),
        Proposal.recorded_by.display_name.as_alias("recorded_by_name"),
    ]


def _decorate(row: dict[str, Any], seconds: int, threshold: int, on_agenda: bool = False) -> dict[str, Any]:
    row["seconds"] = seconds
    row["threshold"] = threshold
    row["household_label"] = f"{row['building_code']}-{row['household_unit']}" if row.get("household_unit") else ""
    row["current_stage"] = flow.current_stage(row["status"], row["stage"], on_agenda)
    return row


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
        Proposal.select(Proposal.all_columns(), *_household_label_columns())
        .where((Proposal.compound == compound["id"]) & (Proposal.number == number))
        .first()
    )
    if row is None:
        raise _not_found()
    agenda = await (
        AgendaItem.select(
            AgendaItem.id,
            AgendaItem.title,
            AgendaItem.meeting.id.as_alias("meeting_id"),
            AgendaItem.meeting.title.as_alias("meeting_title"),
            AgendaItem.meeting.starts_at.as_alias("starts_at"),
            AgendaItem.meeting.status.as_alias("meeting_status"),
        )
        .where((AgendaItem.proposal == row["id"]) & AgendaItem.withdrawn_at.is_null())
        .order_by(AgendaItem.id)
    )
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
    _decorate(row, len(seconders), compound["seconds_threshold"], on_agenda=bool(agenda))
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


async def compound_proposals(compound: dict[str, Any], status: str | None = None) -> list[dict[str, Any]]:
    """The compound's proposals, newest first, with their seconds."""
    query = Proposal.select(Proposal.all_columns(), *_household_label_columns()).where(
        Proposal.compound == compound["id"]
    )
    if status:
        query = query.where(Proposal.status == status)
    rows = await query.order_by(Proposal.created_at, ascending=False).order_by(Proposal.number, ascending=False)
    ids = [r["id"] for r in rows]
    counts = await _seconds_by_proposal(ids)
    on_agenda = await _on_agenda(ids)
    return [_decorate(r, counts.get(r["id"], 0), compound["seconds_threshold"], r["id"] in on_agenda) for r in rows]


async def status_counts(compound_id: int) -> dict[str, int]:
    rows = await (
        Proposal.select(Proposal.status, Count(Proposal.id, alias="n"))
        .where(Proposal.compound == compound_id)
        .group_by(Proposal.status)
    )
    return {r["status"]: r["n"] for r in rows}


async def _on_agenda(proposal_ids: list[int]) -> set[int]:
    if not proposal_ids:
        return set()
    rows = await AgendaItem.select(AgendaItem.proposal).where(
        AgendaItem.proposal.is_in(proposal_ids) & AgendaItem.withdrawn_at.is_null()
    )
    return {r["proposal"] for r in rows}


@dataclass
class HouseholdProposals:
    proposed: list[dict[str, Any]]
    seconded: list[dict[str, Any]]


async def household_proposals(compound: dict[str, Any], household_id: int) -> HouseholdProposals:
    """What a household raised (with where each went) and what it seconded."""
    proposed = await (
        Proposal.select(
            Proposal.all_columns(),
            *_household_label_columns(),
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
            Proposal.select(Proposal.all_columns(), *_household_label_columns())
            .where(Proposal.id.is_in(seconded_ids) & (Proposal.compound == compound["id"]))
            .order_by(Proposal.number, ascending=False)
        )
    ids = [r["id"] for r in proposed + seconded]
    counts = await _seconds_by_proposal(ids)
    on_agenda = await _on_agenda(ids)
    for r in proposed + seconded:
        _decorate(r, counts.get(r["id"], 0), compound["seconds_threshold"], r["id"] in on_agenda)
    return HouseholdProposals(proposed=proposed, seconded=seconded)


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


# Raising a proposal ------------------------------------------------------------------------


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
            await _update_marks(proposal_id, compound)
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


def _household_in(compound: dict[str, Any], household: HouseholdIdentity | None) -> HouseholdIdentity:
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


async def submit_as_household(
    compound: dict[str, Any],
    household: HouseholdIdentity | None,
    values: Mapping[str, str],
    uploads: Sequence[photos.Upload],
    var_dir: Path,
) -> int:
    """A resident's proposal, from the household in their session. Returns its number."""
    identity = _household_in(compound, household)
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


# Seconding ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SecondResult:
    seconds: int
    threshold_reached_now: bool
    obliges_committee_now: bool


async def second(compound: dict[str, Any], number: int, household: HouseholdIdentity | None) -> SecondResult:
    """附议: the household in the session supports the proposal, once."""
    identity = _household_in(compound, household)
    async with write_transaction():
        row = await _proposal_row(compound["id"], number, lock=True)
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
        marks = await _update_marks(row["id"], compound)
    return SecondResult(
        seconds=marks.seconds, threshold_reached_now=marks.threshold_now, obliges_committee_now=marks.obliges_now
    )


@dataclass(frozen=True)
class _Marks:
    seconds: int
    threshold_now: bool
    obliges_now: bool


async def _update_marks(proposal_id: int, compound: Mapping[str, Any]) -> _Marks:
    """Record the moment a proposal reaches the compound's seconds threshold,
    and the moment an owners' matter obliges the committee to convene."""
    row = await Proposal.select(Proposal.all_columns()).where(Proposal.id == proposal_id).first()
    assert row is not None
    now = clock.now()
    seconds = await _seconds_count(proposal_id)
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


# Triage ---------------------------------------------------------------------------------------


async def accept(compound: dict[str, Any], number: int, principal: Principal) -> None:
    async with write_transaction():
        row = await _proposal_row(compound["id"], number, lock=True)
        flow.check_triage(row["status"], number)
        await Proposal.update({Proposal.status: flow.ACCEPTED}).where(Proposal.id == row["id"])
        await set_stage(row["id"], flow.DELIBERATE)
        await record_event(row["id"], flow.EVENT_ACCEPTED, "", principal.display_name)
        await audit.record("proposal", row["id"], "accepted", actor=principal.user_id, compound=compound["id"])


async def decline(compound: dict[str, Any], number: int, reason_text: str, principal: Principal) -> None:
    reason = flow.check_decline_reason(reason_text)
    async with write_transaction():
        row = await _proposal_row(compound["id"], number, lock=True)
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


async def merge(compound: dict[str, Any], number: int, target_text: str, principal: Principal) -> int:
    """Merge proposal ``number`` into another of the compound. Its proposer and
    its seconders second the target (a household already behind the target is
    not counted twice). Returns how many seconds were carried over."""
    target_number = _number(target_text)
    if target_number is None:
        raise FormErrors({"target": _("Enter the number of the proposal to merge into, for example 12.")})
    async with write_transaction():
        # Lock both rows in number order, so two crossed merges cannot deadlock.
        rows: dict[int, dict[str, Any] | None] = {}
        for n in sorted({number, target_number}):
            try:
                rows[n] = await _proposal_row(compound["id"], n, lock=True)
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
        behind_target = await _supporters(target)
        carried = sorted((await _supporters(source)) - behind_target)
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
        await _update_marks(target["id"], compound)
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
        row = await _proposal_row(compound["id"], number, lock=True)
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
        await _update_marks(row["id"], compound)
        await audit.record(
            "proposal", row["id"], "owners_matter", actor=principal.user_id, compound=compound["id"], on=on
        )


# Staff form choices --------------------------------------------------------------------------


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
