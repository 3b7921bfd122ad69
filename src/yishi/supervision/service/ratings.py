"""Residents' ratings of a done action."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from yishi import clock, labels
from yishi.accounts.permissions import Principal
from yishi.accounts.residents import HouseholdIdentity
from yishi.actions import service as actions
from yishi.actions import timeline
from yishi.actions.flow import Status
from yishi.audit import service as audit
from yishi.db import write_transaction
from yishi.errors import Conflict, FormErrors
from yishi.i18n import gettext as _
from yishi.roster.tables import Compound
from yishi.supervision import rules
from yishi.supervision.rules import Cause, Level, RatingCounts, ReopenShare, Verdict
from yishi.supervision.service.common import MAX_COMMENT, check_household, is_unique_violation
from yishi.supervision.tables import Escalation, Rating


@dataclass(frozen=True)
class RatingOutcome:
    counts: RatingCounts
    reopened: bool


async def round_counts(action_id: int, round_: int) -> RatingCounts:
    rows = await Rating.select(Rating.verdict).where((Rating.action == action_id) & (Rating.round == round_))
    return RatingCounts.of(r["verdict"] for r in rows)


async def rate(
    household: HouseholdIdentity,
    compound_id: int,
    number: int,
    verdict: str,
    comment: str,
    *,
    now: datetime | None = None,
) -> RatingOutcome:
    """One household's rating of a done action; may reopen and escalate it."""
    now = now or clock.now()
    errors = {}
    if verdict not in set(Verdict):
        errors["verdict"] = _("Choose satisfied, basically satisfied or unsatisfied.")
    comment = comment.strip()
    if len(comment) > MAX_COMMENT:
        errors["comment"] = _("At most %(n)d characters.", n=MAX_COMMENT)
    reopened = False
    try:
        async with write_transaction():
            action = await actions.get_action(compound_id, number)
            check_household(action, household)
            if action["status"] != Status.DONE:
                raise Conflict(_("An action is rated once it is done."))
            earlier = (
                await Rating.select()
                .where(
                    (Rating.action == action["id"])
                    & (Rating.household == household.household_id)
                    & (Rating.round == action["round"])
                )
                .first()
            )
            if earlier is not None:
                raise Conflict(
                    _(
                        "Your household already rated this action on %(date)s: %(verdict)s. Each household rates once.",
                        date=clock.local_date(earlier["at"]).isoformat(),
                        verdict=labels.label("verdict", earlier["verdict"]),
                    )
                )
            if errors:
                raise FormErrors(errors)
            await Rating.insert(
                Rating(
                    action=action["id"],
                    household=household.household_id,
                    round=action["round"],
                    verdict=verdict,
                    comment=comment,
                    at=now,
                )
            )
            counts = await round_counts(action["id"], action["round"])
            compound = await Compound.select().where(Compound.id == compound_id).first()
            share = ReopenShare(
                numerator=compound["reopen_unsatisfied_numerator"],
                denominator=compound["reopen_unsatisfied_denominator"],
                min_ratings=compound["reopen_min_ratings"],
            )
            if rules.should_reopen(counts, share):
                await reopen_and_escalate(action, compound, Cause.RATINGS, None, None, now)
                reopened = True
    except (sqlite3.IntegrityError, asyncpg.UniqueViolationError) as error:
        if is_unique_violation(error):
            raise Conflict(_("Your household has already rated this action. Each household rates once.")) from None
        raise
    await actions.notify_changed(compound_id)
    return RatingOutcome(counts=counts, reopened=reopened)


async def reopen_and_escalate(
    action: dict[str, Any],
    compound: dict[str, Any],
    cause: Cause,
    objection_id: int | None,
    author: Principal | None,
    now: datetime,
    note: str = "",
) -> None:
    await actions.reopen(action["id"], cause.value, note, author=author, now=now)
    await Escalation.insert(
        Escalation(
            action=action["id"],
            compound=compound["id"],
            community=compound["community"],
            level=Level.COMMUNITY.value,
            cause=cause.value,
            objection=objection_id,
            opened_at=now,
        )
    )
    await audit.record(
        "action",
        action["id"],
        "escalated to community",
        actor=author.user_id if author else None,
        compound=compound["id"],
        cause=cause.value,
    )
    await timeline.action_reopened(action["agenda_item"], action["number"], action["title"])
