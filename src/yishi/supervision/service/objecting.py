"""Objections to a done action, their photos, and the staff's decision."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from yishi import clock
from yishi.accounts.permissions import Capability, Principal
from yishi.accounts.residents import HouseholdIdentity
from yishi.actions import evidence
from yishi.actions import service as actions
from yishi.actions.flow import Status
from yishi.actions.tables import Action
from yishi.audit import service as audit
from yishi.db import write_transaction
from yishi.errors import Conflict, Forbidden, FormErrors, NotFound
from yishi.i18n import gettext as _
from yishi.photos import Upload, off_loop
from yishi.roster.tables import Compound
from yishi.supervision.rules import Cause, ObjectionStatus
from yishi.supervision.service.common import MAX_OBJECTION_PHOTOS, MAX_REASON, MIN_REASON, check_household
from yishi.supervision.service.ratings import reopen_and_escalate
from yishi.supervision.tables import Objection, ObjectionPhoto


async def _prepared_photos(photos: list[Upload], errors: dict[str, str]) -> list[evidence.PreparedFile]:
    """The objection's photos, checked and prepared (none with an error)."""
    photos = [p for p in photos if p.filename or p.content]
    if len(photos) > MAX_OBJECTION_PHOTOS:
        errors["photos"] = _("At most %(n)d photos.", n=MAX_OBJECTION_PHOTOS)
        return []
    try:
        return [await off_loop(partial(evidence.prepare, allow_pdf=False), p.content, p.filename) for p in photos]
    except evidence.EvidenceRefused as error:
        errors["photos"] = error.message
        return []


async def _record_photos(objection_id: int, stored: list[evidence.StoredFile]) -> None:
    if stored:
        await ObjectionPhoto.insert(
            *[ObjectionPhoto(objection=objection_id, path=s.path, width=s.width, height=s.height) for s in stored]
        )


async def object_to(
    household: HouseholdIdentity,
    compound_id: int,
    number: int,
    reason: str,
    photos: list[Upload],
    uploads_dir: Path,
    *,
    now: datetime | None = None,
) -> int:
    """A household's objection to a done action, with photos."""
    now = now or clock.now()
    action = await actions.get_action(compound_id, number)
    check_household(action, household)
    errors: dict[str, str] = {}
    reason = reason.strip()
    if len(reason) < MIN_REASON:
        errors["reason"] = _("Say what is wrong, in a sentence or two.")
    elif len(reason) > MAX_REASON:
        errors["reason"] = _("At most %(n)d characters.", n=MAX_REASON)
    prepared = await _prepared_photos(photos, errors)
    if action["status"] != Status.DONE:
        raise Conflict(_("An objection is raised against a done action."))
    if errors:
        raise FormErrors(errors)
    stored = [evidence.store(p, uploads_dir, f"objections/{compound_id}") for p in prepared]
    try:
        async with write_transaction():
            current = await Action.select(Action.status).where(Action.id == action["id"]).first()
            if current["status"] != Status.DONE:
                raise Conflict(_("An objection is raised against a done action."))
            if await Objection.exists().where(
                (Objection.action == action["id"])
                & (Objection.household == household.household_id)
                & (Objection.status == ObjectionStatus.OPEN.value)
            ):
                raise Conflict(_("Your household's objection to this action is already with the secretary."))
            rows = await Objection.insert(
                Objection(
                    action=action["id"],
                    household=household.household_id,
                    round=action["round"],
                    reason=reason,
                    at=now,
                )
            ).returning(Objection.id)
            objection_id = rows[0]["id"]
            await _record_photos(objection_id, stored)
    except BaseException:
        evidence.remove(uploads_dir, stored)
        raise
    await actions.notify_changed(compound_id)
    return objection_id


async def objections(action_id: int) -> list[dict[str, Any]]:
    rows = (
        await Objection.select(
            Objection.all_columns(),
            Objection.household.unit.as_alias("unit"),
            Objection.household.building.code.as_alias("building_code"),
            Objection.decided_by.display_name.as_alias("decided_by_name"),
        )
        .where(Objection.action == action_id)
        .order_by(Objection.at)
    )
    photos = await ObjectionPhoto.select().where(ObjectionPhoto.objection.is_in([r["id"] for r in rows] or [-1]))
    for row in rows:
        row["photos"] = [p for p in photos if p["objection"] == row["id"]]
    return rows


async def objection_photo(compound_id: int, photo_id: int) -> dict[str, Any]:
    row = (
        await ObjectionPhoto.select(
            ObjectionPhoto.all_columns(), ObjectionPhoto.objection.action.compound.as_alias("compound_id")
        )
        .where(ObjectionPhoto.id == photo_id)
        .first()
    )
    if row is None or row["compound_id"] != compound_id:
        raise NotFound()
    return row


async def decide_objection(
    principal: Principal,
    compound_id: int,
    objection_id: int,
    uphold: bool,
    note: str,
    *,
    now: datetime | None = None,
) -> None:
    """The secretary upholds an objection (the action reopens and escalates) or not."""
    now = now or clock.now()
    if not principal.sees_compound(compound_id):
        raise NotFound()
    if not principal.can(Capability.ACTION_DRAFT, compound_id):
        raise Forbidden(_("Only the secretary decides on objections."))
    note = note.strip()
    if len(note) < 2:
        raise FormErrors({"note": _("Write the reason for the decision: residents read it on the board.")})
    async with write_transaction():
        objection = await Objection.select().where(Objection.id == objection_id).first()
        action = await actions.action_by_id(objection["action"]) if objection else None
        if objection is None or action is None or action["compound"] != compound_id:
            raise NotFound()
        if objection["status"] != ObjectionStatus.OPEN:
            raise Conflict(_("This objection was already decided."))
        status = ObjectionStatus.UPHELD if uphold else ObjectionStatus.DISMISSED
        await Objection.update(
            {
                Objection.status: status.value,
                Objection.decided_by: principal.user_id,
                Objection.decision_note: note,
                Objection.decided_at: now,
            }
        ).where(Objection.id == objection_id)
        await audit.record(
            "objection", objection_id, status.value, actor=principal.user_id, compound=compound_id, note=note
        )
        if uphold and action["status"] == Status.DONE:
            compound = await Compound.select().where(Compound.id == compound_id).first()
            await reopen_and_escalate(action, compound, Cause.OBJECTION, objection_id, principal, now, note)
    await actions.notify_changed(compound_id)
