"""Opening a ballot on an agenda item: its settings, its roll, its options."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from yishi import clock, db
from yishi.audit import service as audit
from yishi.codes import natural_key
from yishi.db import write_transaction
from yishi.errors import Conflict, DomainError, FormErrors
from yishi.i18n import gettext as _
from yishi.meetings.tables import Attendance, Invitation
from yishi.roster.tables import Compound, Household, Party
from yishi.rules import Rule, validate_options
from yishi.voting import sealing
from yishi.voting.service.common import (
    OPEN,
    ROLL_ATTENDEES,
    ROLL_HOUSEHOLDS,
    ROLL_PARTIES,
    ROLL_SOURCES,
    VISIBILITIES,
    ballot_changed,
    item_in_compound,
    seal_of,
    when_text,
)
from yishi.voting.tables import Ballot, BallotRollEntry


@dataclass(frozen=True)
class BallotSettings:
    roll_source: str = ROLL_HOUSEHOLDS
    secret: bool = False
    results_visibility: str = "after_closing"
    changeable: bool = False
    opens_at: datetime | None = None
    closes_at: datetime | None = None


def settings_from_form(form: dict[str, str]) -> BallotSettings:
    errors: dict[str, str] = {}
    roll_source = form.get("roll_source", ROLL_HOUSEHOLDS)
    if roll_source not in ROLL_SOURCES:
        errors["roll_source"] = _("Choose who votes.")
    visibility = form.get("results_visibility", "after_closing")
    if visibility not in VISIBILITIES:
        errors["results_visibility"] = _("Choose when voters see the figures.")
    timing = form.get("timing", "by_hand")
    opens_at = closes_at = None
    if timing == "set_times":
        opens_at = clock.parse_local_datetime(form.get("opens_at", ""))
        closes_at = clock.parse_local_datetime(form.get("closes_at", ""))
        if form.get("opens_at", "").strip() and opens_at is None:
            errors["opens_at"] = _("Enter a date and time, for example 2026-11-30 18:00.")
        if closes_at is None:
            errors["closes_at"] = _("Enter when voting ends, for example 2026-11-30 18:00.")
    if errors:
        raise FormErrors(errors)
    secret = form.get("secret") == "on"
    return BallotSettings(
        roll_source=roll_source,
        secret=secret,
        # A secret vote shows its figures per choice to nobody before it closes.
        results_visibility="after_closing" if secret else visibility,
        changeable=form.get("changeable") == "on",
        opens_at=opens_at,
        closes_at=closes_at,
    )


async def _check_openable(item: dict[str, Any], rule: Rule) -> None:
    if await Ballot.exists().where(Ballot.agenda_item == item["id"]):
        raise Conflict(_("A vote on this item was already opened."))
    if rule.counts_owners and not item["on_published_notice"]:
        raise DomainError(
            _(
                "Only items on the published notice can be put to a binding owners' vote. "
                "Publish the notice with this item first."
            )
        )


def _seal_salt() -> str:
    """A new secret ballot's salt, once the site's key is known to seal with it."""
    salt = sealing.new_salt()
    seal_of({"seal_salt": salt})
    return salt


async def open_ballot(
    compound_id: int,
    item_id: int,
    settings: BallotSettings,
    *,
    actor: int | None,
    at: datetime | None = None,
) -> int:
    """Open a vote on an agenda item and snapshot its roll; return the ballot id."""
    at = at or clock.now()
    async with write_transaction():
        item, meeting = await item_in_compound(compound_id, item_id)
        rule = _votable_rule(item, meeting)
        compound = await Compound.select().where(Compound.id == compound_id).first()
        await _check_openable(item, rule)
        roll_source = _roll_source_for(rule, settings.roll_source)
        settings, bound = _announced_period(settings, rule, item, meeting, at)
        _check_settings(settings, at)
        options = list(validate_options(item["options"]) or ())
        roll = await _snapshot_roll(rule, roll_source, meeting, compound_id)
        if not roll:
            raise DomainError(_("Nobody is on the roll: %(why)s", why=_EMPTY_ROLL[roll_source]()))
        links_binding = bool(compound["link_votes_binding"]) or not rule.counts_owners
        created = await Ballot.insert(
            Ballot(
                compound=compound_id,
                meeting=meeting["id"],
                agenda_item=item_id,
                title=item["title"],
                question=item["question"] or item["title"],
                rule=rule.value,
                options=options,
                roll_source=roll_source,
                building_ids=meeting["building_ids"] or [],
                secret=settings.secret,
                results_visibility=settings.results_visibility,
                changeable=settings.changeable,
                links_binding=links_binding,
                deemed_clause=compound["deemed_votes_clause"] if rule.counts_owners else "",
                opens_at=settings.opens_at,
                closes_at=settings.closes_at,
                notice_bound=bound,
                seal_salt=_seal_salt() if settings.secret else "",
                status=OPEN,
                opened_at=at,
                opened_by=actor,
            )
        ).returning(Ballot.id)
        ballot_id = created[0]["id"]
        await db.insert_many(
            BallotRollEntry, [BallotRollEntry(ballot=ballot_id, position=n, **entry) for n, entry in enumerate(roll)]
        )
        await audit.record(
            "ballot",
            ballot_id,
            "opened",
            actor=actor,
            compound=compound_id,
            agenda_item=item_id,
            rule=rule.value,
            roll_source=roll_source,
            roll_size=len(roll),
            secret=settings.secret,
            results_visibility=settings.results_visibility,
            changeable=settings.changeable,
            links_binding=links_binding,
            opens_at=iso(settings.opens_at),
            closes_at=iso(settings.closes_at),
        )
    ballot_changed(ballot_id, compound_id)
    return ballot_id


_EMPTY_ROLL: dict[str, Callable[[], str]] = {
    ROLL_HOUSEHOLDS: lambda: _("the buildings concerned have no households on the roster."),
    ROLL_PARTIES: lambda: _("the compound has no active party."),
    ROLL_ATTENDEES: lambda: _("no household has signed in at this meeting yet."),
}


def announced_period(item: dict[str, Any], meeting: dict[str, Any]) -> tuple[datetime | None, datetime] | None:
    """The voting period the published notice announced for this item, if any."""
    if item["on_published_notice"] and meeting["status"] != "draft" and meeting["votes_close_at"]:
        return meeting["votes_open_at"], meeting["votes_close_at"]
    return None


def _announced_period(
    settings: BallotSettings, rule: Rule, item: dict[str, Any], meeting: dict[str, Any], at: datetime
) -> tuple[BallotSettings, bool]:
    """The times a vote takes votes: those its notice announced (bound: it
    cannot close before them), else those of the form. An owners' decision
    whose notice announced none is bound by its own closing time, if set."""
    period = announced_period(item, meeting)
    if period is not None:
        opens_at, closes_at = period
        if closes_at <= at:
            raise DomainError(
                _("The voting period announced by the notice ended on %(when)s.", when=when_text(closes_at))
            )
        return replace(settings, opens_at=opens_at if opens_at and opens_at > at else None, closes_at=closes_at), True
    # A notice published before notices announced their period: an owners'
    # decision's own closing time binds it the same way.
    return settings, rule.counts_owners and settings.closes_at is not None


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _votable_rule(item: dict[str, Any], meeting: dict[str, Any]) -> Rule:
    if item["kind"] != "decision" or not item["rule"]:
        raise DomainError(_("This item names no voting rule, so it cannot be put to a vote."))
    try:
        rule = Rule(item["rule"])
    except ValueError:
        raise DomainError(_("This item names no voting rule, so it cannot be put to a vote.")) from None
    if item["withdrawn_at"] is not None:
        raise DomainError(_("This item was withdrawn from the agenda."))
    if meeting["status"] == "closed":
        raise DomainError(_("The meeting is closed: no vote can be opened on its items."))
    return rule


def _roll_source_for(rule: Rule, wanted: str) -> str:
    if rule is Rule.PARTIES_UNANIMOUS:
        return ROLL_PARTIES
    if wanted == ROLL_PARTIES:
        raise FormErrors({"roll_source": _("Only an item decided by the three parties has the parties as voters.")})
    if rule.counts_owners and wanted != ROLL_HOUSEHOLDS:
        raise FormErrors(
            {
                "roll_source": _(
                    "An owners' decision is voted by all owners of the buildings concerned, not only those in the room."
                )
            }
        )
    return wanted


def _check_settings(settings: BallotSettings, at: datetime) -> None:
    errors: dict[str, str] = {}
    if settings.secret and settings.changeable:
        errors["changeable"] = _("In a secret vote nothing links a voter to their choice, so a vote cannot be changed.")
    if settings.closes_at is not None:
        if settings.closes_at <= at:
            errors["closes_at"] = _("The closing time must be in the future.")
        elif settings.opens_at is not None and settings.closes_at <= settings.opens_at:
            errors["closes_at"] = _("The closing time must come after the opening time.")
    if errors:
        raise FormErrors(errors)


async def _snapshot_roll(rule: Rule, source: str, meeting: dict[str, Any], compound_id: int) -> list[dict[str, Any]]:
    if source == ROLL_PARTIES:
        invited = await Invitation.select(Invitation.party).where(
            (Invitation.meeting == meeting["id"]) & Invitation.party.is_not_null()
        )
        query = Party.select().where(Party.compound == compound_id)
        if invited:
            query = query.where(Party.id.is_in([row["party"] for row in invited]))
        else:
            query = query.where(Party.active == True)  # noqa: E712
        parties = await query.order_by(Party.id)
        return [
            {
                "member_key": f"p:{p['id']}",
                "voter_key": f"p:{p['id']}",
                "party": p["id"],
                "party_kind": p["kind"],
                "label": p["name"],
                "area": 0,
            }
            for p in parties
        ]
    query = Household.select(
        Household.id,
        Household.unit,
        Household.exclusive_area,
        Household.owner_key,
        Household.building.id.as_alias("building_id"),
        Household.building.code.as_alias("building_code"),
    ).where(Household.building.compound == compound_id)
    if source == ROLL_ATTENDEES:
        signed_in = await Attendance.select(Attendance.household).where(
            (Attendance.meeting == meeting["id"]) & Attendance.household.is_not_null()
        )
        query = query.where(Household.id.is_in([row["household"] for row in signed_in] or [-1]))
    elif meeting["building_ids"]:
        query = query.where(Household.building.id.is_in(list(meeting["building_ids"])))
    households = sorted(await query, key=lambda h: natural_key(f"{h['building_code']}-{h['unit']}"))
    roll = []
    for h in households:
        member = f"h:{h['id']}"
        owner_key = h["owner_key"] or None
        voter_key = f"o:{owner_key}" if rule.counts_owners and owner_key else member
        roll.append(
            {
                "member_key": member,
                "voter_key": voter_key,
                "household": h["id"],
                "building": h["building_id"],
                "label": f"{h['building_code']}-{h['unit']}",
                "area": h["exclusive_area"],
                "owner_key": owner_key,
            }
        )
    return roll
