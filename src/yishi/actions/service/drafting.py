"""Drafting actions from a resolution: the form, its checks, and publishing."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from yishi import clock
from yishi.accounts.permissions import Capability, Principal
from yishi.actions import timeline
from yishi.actions.flow import Status
from yishi.actions.money import FUNDING_SOURCES, BudgetError, parse_yuan
from yishi.actions.service.adopted import adopted_item
from yishi.actions.service.common import MAX_TEXT, MAX_TITLE, PARTY_KINDS, notify_changed, responsible_candidates
from yishi.actions.tables import Action, StatusChange
from yishi.audit import service as audit
from yishi.db import write_transaction
from yishi.errors import Forbidden, FormErrors, NotFound
from yishi.forms import whole_number
from yishi.i18n import gettext as _

DRAFT_FIELDS = ("item", "title", "details", "party_kind", "responsible", "due_on", "budget", "funding_source")


def _parse_date(text: str) -> date | None:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _int(text: str) -> int | None:
    return whole_number(text)


def _action_texts(values: Mapping[str, str], errors: dict[str, str]) -> tuple[str, str]:
    title = values.get("title", "").strip()
    details = values.get("details", "").strip()
    if not title:
        errors["title"] = _("Say what will be done.")
    elif len(title) > MAX_TITLE:
        errors["title"] = _("At most %(n)d characters.", n=MAX_TITLE)
    if len(details) > MAX_TEXT:
        errors["details"] = _("At most %(n)d characters.", n=MAX_TEXT)
    return title, details


def _money(values: Mapping[str, str], errors: dict[str, str]) -> tuple[int | None, str]:
    """The budget in fen (None when not given) and where the money comes from."""
    budget = None
    try:
        budget = parse_yuan(values.get("budget", ""))
    except BudgetError:
        errors["budget"] = _("Enter an amount in yuan with at most two decimals, for example 12800.50.")
    funding = values.get("funding_source", "")
    if funding and funding not in FUNDING_SOURCES:
        errors["funding_source"] = _("Choose a funding source from the list.")
    elif budget and not funding:
        errors["funding_source"] = _("Say where the money comes from.")
    return budget, funding


async def _check_item_and_person(
    compound_id: int, item_id: int | None, party_kind: str, responsible: int | None, errors: dict[str, str]
) -> None:
    """The action carries out an adopted item of this compound, by a person of the party responsible."""
    if item_id is None:
        errors["item"] = _("Choose the resolution this action carries out.")
    else:
        try:
            await adopted_item(compound_id, item_id)
        except FormErrors as error:
            errors.update(error.errors)
    if party_kind in PARTY_KINDS:
        candidates = {c["id"] for c in await responsible_candidates(compound_id, party_kind)}
        if responsible not in candidates:
            errors["responsible"] = _("Choose a person of the responsible party.")


async def draft_action(
    principal: Principal, compound_id: int, values: Mapping[str, str], *, now: datetime | None = None
) -> dict[str, Any]:
    """Create an action for an adopted item; every field error at once."""
    if not principal.sees_compound(compound_id):
        raise NotFound()
    if not principal.can(Capability.ACTION_DRAFT, compound_id):
        raise Forbidden(_("Your role does not allow this here."))
    now = now or clock.now()
    today = clock.local_today(now)
    errors: dict[str, str] = {}
    title, details = _action_texts(values, errors)
    party_kind = values.get("party_kind", "")
    if party_kind not in PARTY_KINDS:
        errors["party_kind"] = _("Choose the party responsible.")
    responsible = _int(values.get("responsible", ""))
    due_on = _parse_date(values.get("due_on", ""))
    if due_on is None:
        errors["due_on"] = _("Enter the due date, for example %(example)s.", example=today.isoformat())
    elif due_on < today:
        errors["due_on"] = _("The due date cannot be in the past.")
    budget, funding = _money(values, errors)
    item_id = _int(values.get("item", ""))

    async with write_transaction():
        await _check_item_and_person(compound_id, item_id, party_kind, responsible, errors)
        if errors:
            raise FormErrors(errors)
        last = (
            await Action.select(Action.number)
            .where(Action.compound == compound_id)
            .order_by(Action.number, ascending=False)
            .first()
        )
        number = (last["number"] if last else 0) + 1
        rows = await Action.insert(
            Action(
                compound=compound_id,
                agenda_item=item_id,
                number=number,
                title=title,
                details=details,
                party_kind=party_kind,
                responsible=responsible,
                due_on=due_on,
                budget_fen=budget,
                funding_source=funding if budget or funding else "",
                status=Status.PLANNED.value,
                created_by=principal.user_id,
                created_at=now,
                changed_at=now,
            )
        ).returning(Action.id)
        action_id = rows[0]["id"]
        await StatusChange.insert(
            StatusChange(
                action=action_id,
                from_status="",
                to_status=Status.PLANNED.value,
                author=principal.user_id,
                author_label=principal.display_name,
                at=now,
            )
        )
        await audit.record(
            "action",
            action_id,
            "drafted",
            actor=principal.user_id,
            compound=compound_id,
            number=number,
            agenda_item=item_id,
        )
        await timeline.action_drafted(item_id, number, title, principal.display_name)
    await notify_changed(compound_id)
    return {"id": action_id, "number": number}
