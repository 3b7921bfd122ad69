"""Use cases of ballots (表决): open, vote through every channel, void, extend,
serve, import the city's results, resolve conflicts, close; and what the pages read.

Every write is one ``write_transaction()``. On PostgreSQL the ballot's row is
locked: shared by whatever adds a vote (so votes run side by side), exclusive
by closing, extending and other changes of the ballot itself, so nothing is
added to a ballot while it closes and a closed ballot never changes. Duplicate
votes racing past the check in Python meet the unique index on ``(ballot,
voter_key, stream)``; the losing request is retried once and then reads the
vote that won, which gives its "already voted" message.

Hooks for the live tally: every function that changes what a ballot counts
(``cast_link_vote``, ``record_paper_vote``, ``record_room_vote``,
``record_proxy_vote``, ``record_hand_count``, ``void_vote``,
``resolve_conflict``, ``import_city_results``, ``mark_served``,
``extend_ballot``, ``open_ballot``, ``close_ballot``) calls
``ballot_changed(ballot_id, compound_id)`` after its transaction commits.
"""

from __future__ import annotations

import asyncio
import secrets
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from asyncpg.exceptions import UniqueViolationError

from yishi import clock, db, i18n
from yishi.accounts.tables import StaffUser
from yishi.areas import format_area
from yishi.audit import service as audit
from yishi.codes import natural_key
from yishi.db import write_transaction
from yishi.errors import Conflict, DomainError, Forbidden, FormErrors, NotFound
from yishi.forms import whole_number
from yishi.i18n import gettext as _
from yishi.i18n import ngettext
from yishi.live import channels
from yishi.meetings.tables import AgendaItem, Attendance, Invitation, Meeting
from yishi.roster.tables import Compound, Household, Party
from yishi.voting import cityimport, counting, receipts
from yishi.voting.counting import (
    STREAM_CITY,
    STREAM_CONSULTATION,
    STREAM_COUNT,
    CastVote,
    Count,
    Hands,
    RollLine,
    SecretSum,
)
from yishi.voting.labels import channel_label
from yishi.voting.rules import ABSTAIN, YES_NO_CHOICES, Rule, TallyError, validate_options
from yishi.voting.tables import Ballot, BallotRollEntry, BallotVote, HandCount, SecretChoice, SecretTally

ROLL_HOUSEHOLDS, ROLL_PARTIES, ROLL_ATTENDEES = "households", "parties", "attendees"
ROLL_SOURCES = (ROLL_HOUSEHOLDS, ROLL_PARTIES, ROLL_ATTENDEES)
VISIBILITIES = ("live", "after_voting", "after_closing")
LINK, PAPER, ROOM, PROXY, CITY = "link", "paper", "room", "proxy", "city"
OPEN, CLOSED = "open", "closed"
SCHEDULED, OVERDUE = "scheduled", "overdue"
HAND_RULES = (Rule.MAJORITY_OF_CAST, Rule.TWO_THIRDS_OF_CAST)
PROXY_LOCK_CLASS = 7301  # pg_advisory_xact_lock(class, meeting id): one proxy cap check at a time
ATTEMPTS = 3

_DUPLICATE = (sqlite3.IntegrityError, UniqueViolationError)


class AlreadyVoted(Conflict):
    """A second vote for a voter who has one that counts; the message says how and when."""


def when_text(value: datetime) -> str:
    """ "11月23日 14:05": the local date and time of a vote, as messages say it."""
    local = clock.local(value)
    return _("%(month)d/%(day)d %(time)s", month=local.month, day=local.day, time=local.strftime("%H:%M"))


def ballot_topic(ballot_id: int) -> str:
    """The live topic of one ballot's figures (consoles, voters' pages)."""
    return channels.topic_name("ballot", ballot_id)


def compound_topic(compound_id: int) -> str:
    """Fires when any ballot of the compound changes, opening and closing
    included, so a projector moves on to the item being voted."""
    return channels.topic_name("ballots", compound_id)


def ballot_changed(ballot_id: int, compound_id: int) -> None:
    """Tell live screens a ballot's figures changed (after the commit)."""
    channels.notify(ballot_topic(ballot_id))
    channels.notify(compound_topic(compound_id))


# The state of a ballot --------------------------------------------------------------


def phase(ballot: dict[str, Any], at: datetime) -> str:
    """closed, scheduled (before ``opens_at``), overdue (past ``closes_at``) or open."""
    if ballot["status"] == CLOSED:
        return CLOSED
    if ballot["opens_at"] is not None and at < ballot["opens_at"]:
        return SCHEDULED
    if ballot["closes_at"] is not None and at >= ballot["closes_at"]:
        return OVERDUE
    return OPEN


def choices_of(ballot: dict[str, Any]) -> tuple[str, ...]:
    options = tuple(ballot["options"] or ())
    return (*options, ABSTAIN) if options else YES_NO_CHOICES


def stream_for(ballot: dict[str, Any], channel: str) -> str:
    if channel == CITY:
        return STREAM_CITY
    if channel == LINK and not ballot["links_binding"]:
        return STREAM_CONSULTATION
    return STREAM_COUNT


def _check_accepts(ballot: dict[str, Any], channel: str, at: datetime) -> None:
    """Refuse a vote the ballot's state does not allow.

    Paper ballots and the city's results may still be entered after the
    closing time (they were cast before it) until the ballot is closed; votes
    cast now (link, room, proxy) may not.
    """
    state = phase(ballot, at)
    if state == CLOSED:
        raise Conflict(_("This vote is closed: nothing can be added or changed."))
    if state == SCHEDULED:
        raise DomainError(_("Voting has not started: it opens on %(when)s.", when=when_text(ballot["opens_at"])))
    if state == OVERDUE and channel not in (PAPER, CITY):
        raise DomainError(_("Voting ended on %(when)s.", when=when_text(ballot["closes_at"])))


async def _lock_ballot(ballot_id: int, *, exclusive: bool) -> dict[str, Any]:
    query = Ballot.select().where(Ballot.id == ballot_id)
    if not db.is_sqlite():
        query = query.lock_rows("UPDATE" if exclusive else "SHARE")
    ballot = await query.output(load_json=True).first()
    if ballot is None:
        raise NotFound()
    return ballot


def _refuse_if_closed(ballot: dict[str, Any]) -> None:
    if ballot["status"] == CLOSED:
        raise Conflict(_("This vote is closed: nothing can be added or changed."))


# Opening ----------------------------------------------------------------------------


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
        item, meeting = await _item_in_compound(compound_id, item_id)
        rule = _votable_rule(item, meeting)
        compound = await Compound.select().where(Compound.id == compound_id).first()
        if await Ballot.exists().where(Ballot.agenda_item == item_id):
            raise Conflict(_("A vote on this item was already opened."))
        if rule.counts_owners and not item["on_published_notice"]:
            raise DomainError(
                _(
                    "Only items on the published notice can be put to a binding owners' vote. "
                    "Publish the notice with this item first."
                )
            )
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
                status=OPEN,
                opened_at=at,
                opened_by=actor,
            )
        ).returning(Ballot.id)
        ballot_id = created[0]["id"]
        await db.insert_many(
            BallotRollEntry, [BallotRollEntry(ballot=ballot_id, position=n, **entry) for n, entry in enumerate(roll)]
        )
        if settings.secret:
            streams = (STREAM_COUNT,) if links_binding else (STREAM_COUNT, STREAM_CONSULTATION)
            choices = (*options, ABSTAIN) if options else YES_NO_CHOICES
            await SecretTally.insert(
                *[
                    SecretTally(ballot=ballot_id, stream=stream, choice=choice)
                    for stream in streams
                    for choice in choices
                ]
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
            opens_at=_iso(settings.opens_at),
            closes_at=_iso(settings.closes_at),
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


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


async def _item_in_compound(compound_id: int, item_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    item = await AgendaItem.select().where(AgendaItem.id == item_id).output(load_json=True).first()
    meeting = None
    if item is not None:
        meeting = await Meeting.select().where(Meeting.id == item["meeting"]).output(load_json=True).first()
    if item is None or meeting is None or meeting["compound"] != compound_id:
        raise NotFound()
    return item, meeting


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


# Voting -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    """What the voter (or the scrutineer) is shown once the vote counts."""

    ballot_id: int
    receipt_code: str
    choice: str
    channel: str
    stream: str
    label: str
    recorded_at: datetime
    replaced: bool = False
    secret: bool = False


FindEntry = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


async def cast_link_vote(ballot_id: int, household_id: int, choice: str, *, at: datetime | None = None) -> Receipt:
    """A household votes from its personal link (or unit + phone)."""

    async def find(ballot: dict[str, Any]) -> dict[str, Any]:
        entry = (
            await BallotRollEntry.select()
            .where((BallotRollEntry.ballot == ballot["id"]) & (BallotRollEntry.member_key == f"h:{household_id}"))
            .first()
        )
        if entry is None:
            household = (
                await Household.select(Household.building.compound.as_alias("compound"))
                .where(Household.id == household_id)
                .first()
            )
            if household is None or household["compound"] != ballot["compound"]:
                raise Forbidden(_("Your household link is for another compound, not for this vote."))
            if ballot["roll_source"] == ROLL_ATTENDEES:
                raise Forbidden(_("Only households signed in at the meeting vote on this item."))
            raise Forbidden(_("Your household is not on the roll of this vote."))
        return entry

    return await _cast(ballot_id, find, choice, LINK, at=at)


async def record_paper_vote(
    ballot_id: int,
    voter: str,
    choice: str,
    serial: str,
    *,
    actor: int,
    allowed_buildings: frozenset[int] | None = None,
    at: datetime | None = None,
) -> Receipt:
    """A scrutineer enters a signed paper ballot (书面表决票) by its serial number."""
    serial = serial.strip()
    errors = _entry_errors(voter, choice)
    if not serial:
        errors["serial"] = _("Enter the serial number printed on the paper ballot.")
    if errors:
        raise FormErrors(errors)
    return await _cast(
        ballot_id,
        _by_label(voter),
        choice,
        PAPER,
        at=at,
        actor=actor,
        serial=serial,
        allowed_buildings=allowed_buildings,
    )


async def record_room_vote(
    ballot_id: int,
    voter: str,
    choice: str,
    *,
    actor: int,
    allowed_buildings: frozenset[int] | None = None,
    at: datetime | None = None,
) -> Receipt:
    """Staff record the vote of an attendee (or a party) in the meeting room."""
    errors = _entry_errors(voter, choice)
    if errors:
        raise FormErrors(errors)
    return await _cast(
        ballot_id, _by_label(voter), choice, ROOM, at=at, actor=actor, allowed_buildings=allowed_buildings
    )


async def record_proxy_vote(
    ballot_id: int,
    voter: str,
    choice: str,
    holder: str,
    authorization: str,
    *,
    actor: int,
    allowed_buildings: frozenset[int] | None = None,
    at: datetime | None = None,
) -> Receipt:
    """Staff record a vote cast by a proxy holder (委托) for a household, noting
    the written authorization; the compound's proxy cap applies per meeting."""
    holder = " ".join(holder.split())
    errors = _entry_errors(voter, choice)
    if not holder:
        errors["holder"] = _("Enter the proxy holder's name.")
    if not authorization.strip():
        errors["authorization"] = _("Note the written authorization (who signed it, when, what it covers).")
    if errors:
        raise FormErrors(errors)
    return await _cast(
        ballot_id,
        _by_label(voter),
        choice,
        PROXY,
        at=at,
        actor=actor,
        holder=holder,
        authorization=authorization.strip(),
        allowed_buildings=allowed_buildings,
    )


def _entry_errors(voter: str, choice: str) -> dict[str, str]:
    errors = {}
    if not voter.strip():
        errors["voter"] = _("Enter the unit (for example 1-1-101) or the party.")
    if not choice:
        errors["choice"] = _("Choose what was voted.")
    return errors


def _by_label(label: str) -> FindEntry:
    async def find(ballot: dict[str, Any]) -> dict[str, Any]:
        entry = (
            await BallotRollEntry.select()
            .where((BallotRollEntry.ballot == ballot["id"]) & (BallotRollEntry.label == label.strip()))
            .first()
        )
        if entry is None:
            raise FormErrors({"voter": _("%(label)s is not on the roll of this vote.", label=label.strip())})
        return entry

    return find


async def _cast(
    ballot_id: int,
    find: FindEntry,
    choice: str,
    channel: str,
    *,
    at: datetime | None,
    actor: int | None = None,
    serial: str = "",
    holder: str = "",
    authorization: str = "",
    allowed_buildings: frozenset[int] | None = None,
) -> Receipt:
    at = at or clock.now()
    for _attempt in range(ATTEMPTS):
        try:
            async with write_transaction():
                receipt, compound_id = await _cast_once(
                    ballot_id,
                    find,
                    choice,
                    channel,
                    at=at,
                    actor=actor,
                    serial=serial,
                    holder=holder,
                    authorization=authorization,
                    allowed_buildings=allowed_buildings,
                )
        except _DUPLICATE:
            # Another request counted a vote for this voter (or drew the same
            # receipt code) first: try again, and meet that vote in the check.
            await asyncio.sleep(0)
            continue
        ballot_changed(ballot_id, compound_id)
        return receipt
    raise Conflict(_("Several votes for this voter arrived at once. Reload the page to see which one counts."))


async def _cast_once(
    ballot_id: int,
    find: FindEntry,
    choice: str,
    channel: str,
    *,
    at: datetime,
    actor: int | None,
    serial: str,
    holder: str,
    authorization: str,
    allowed_buildings: frozenset[int] | None,
) -> tuple[Receipt, int]:
    ballot = await _lock_ballot(ballot_id, exclusive=False)
    _check_accepts(ballot, channel, at)
    entry = await find(ballot)
    if allowed_buildings is not None and entry["building"] not in allowed_buildings:
        raise Forbidden(_("You enter votes only for the buildings you look after."))
    if await HandCount.exists().where(HandCount.ballot == ballot_id):
        raise DomainError(_("This vote was counted by a show of hands: votes are not recorded one by one."))
    if choice not in choices_of(ballot):
        raise FormErrors({"choice": _("Choose one of the choices on the ballot.")})
    stream = stream_for(ballot, channel)
    existing = await _counted_vote(ballot_id, entry["voter_key"], stream)
    if existing is not None:
        if channel == LINK and existing["channel"] == LINK and ballot["changeable"] and not ballot["secret"]:
            return await _replace_choice(ballot, existing, entry, choice, at), ballot["compound"]
        raise AlreadyVoted(already_voted_message(existing, entry))
    if channel == PAPER and await BallotVote.exists().where(
        (BallotVote.ballot == ballot_id)
        & (BallotVote.channel == PAPER)
        & (BallotVote.paper_serial == serial)
        & BallotVote.voided_at.is_null()
    ):
        raise FormErrors({"serial": _("Paper ballot no. %(serial)s was already entered.", serial=serial)})
    if channel == PROXY:
        await _check_proxy_cap(ballot, entry, holder)
    recorded = {
        "ballot": ballot_id,
        "roll_entry": entry["id"],
        "voter_key": entry["voter_key"],
        "stream": stream,
        "channel": channel,
        "paper_serial": serial,
        "proxy_holder": holder,
        "proxy_authorization": authorization,
        "recorded_by": actor,
        "recorded_at": at,
    }
    if ballot["secret"]:
        code = receipts.new_secret_code()
        await BallotVote.insert(BallotVote(**recorded, receipt_check=receipts.check_value(code)))
        await SecretChoice.insert(
            SecretChoice(
                id=_random_id(), ballot=ballot_id, stream=stream, receipt_code=receipts.public_part(code), choice=choice
            )
        )
        await _add_to_sum(ballot_id, stream, choice, await _weight(ballot_id, entry["voter_key"]), +1)
        await _check_secret_count(ballot_id, stream)
        detail: dict[str, Any] = {}
    else:
        code = receipts.new_code()
        await BallotVote.insert(BallotVote(**recorded, choice=choice, receipt_code=code))
        detail = {"choice": choice, "receipt_code": code}
    await audit.record(
        "ballot",
        ballot_id,
        f"vote_{channel}",
        actor=actor,
        actor_label=entry["label"] if actor is None else "",
        compound=ballot["compound"],
        voter=entry["label"],
        stream=stream,
        paper_serial=serial or None,
        proxy_holder=holder or None,
        **detail,
    )
    return (
        Receipt(ballot_id, code, choice, channel, stream, entry["label"], at, secret=ballot["secret"]),
        ballot["compound"],
    )


def _random_id() -> int:
    return secrets.randbelow(2**62) + 1


class CountMismatch(Conflict):
    """The secret count would no longer add up: the transaction is rolled back."""


async def _weight(ballot_id: int, voter_key: str) -> int:
    """An owner's weight: the area of every unit of theirs on the roll."""
    return sum(
        row["area"]
        for row in await BallotRollEntry.select(BallotRollEntry.area).where(
            (BallotRollEntry.ballot == ballot_id) & (BallotRollEntry.voter_key == voter_key)
        )
    )


async def _add_to_sum(ballot_id: int, stream: str, choice: str, weight: int, owners: int) -> None:
    where = (SecretTally.ballot == ballot_id) & (SecretTally.stream == stream) & (SecretTally.choice == choice)
    if not await SecretTally.exists().where(where):
        await SecretTally.insert(SecretTally(ballot=ballot_id, stream=stream, choice=choice))
    await SecretTally.update(
        {SecretTally.owners: SecretTally.owners + owners, SecretTally.area: SecretTally.area + owners * weight}
    ).where(where)


async def _check_secret_count(ballot_id: int, stream: str) -> None:
    """In the transaction that changed it: a secret stream holds exactly one
    choice per participant, and its sums add up to the participants' areas,
    choice by choice. Otherwise nothing is written."""
    voters = {
        row["voter_key"]
        for row in await BallotVote.select(BallotVote.voter_key).where(
            (BallotVote.ballot == ballot_id) & (BallotVote.stream == stream) & BallotVote.voided_at.is_null()
        )
    }
    areas = await BallotRollEntry.select(BallotRollEntry.voter_key, BallotRollEntry.area).where(
        BallotRollEntry.ballot == ballot_id
    )
    participants_area = sum(row["area"] for row in areas if row["voter_key"] in voters)
    chosen: dict[str, int] = {}
    for row in await SecretChoice.select(SecretChoice.choice).where(
        (SecretChoice.ballot == ballot_id) & (SecretChoice.stream == stream)
    ):
        chosen[row["choice"]] = chosen.get(row["choice"], 0) + 1
    sums = await SecretTally.select().where((SecretTally.ballot == ballot_id) & (SecretTally.stream == stream))
    summed = {row["choice"]: row["owners"] for row in sums if row["owners"]}
    if (
        sum(chosen.values()) != len(voters)
        or summed != chosen
        or sum(row["area"] for row in sums) != participants_area
        or any(row["owners"] < 0 or row["area"] < 0 for row in sums)
    ):
        raise CountMismatch(
            _(
                "The count would no longer add up, so nothing was changed. "
                "Tell the secretary; the vote's record is unchanged."
            )
        )


async def _replace_choice(
    ballot: dict[str, Any], existing: dict[str, Any], entry: dict[str, Any], choice: str, at: datetime
) -> Receipt:
    await BallotVote.update({BallotVote.choice: choice, BallotVote.changed_at: at}).where(
        BallotVote.id == existing["id"]
    )
    await audit.record(
        "ballot",
        ballot["id"],
        "vote_changed",
        actor=None,
        actor_label=entry["label"],
        compound=ballot["compound"],
        voter=entry["label"],
        previous=existing["choice"],
        choice=choice,
        receipt_code=existing["receipt_code"],
    )
    return Receipt(
        ballot["id"], existing["receipt_code"], choice, LINK, existing["stream"], entry["label"], at, replaced=True
    )


async def _counted_vote(ballot_id: int, voter_key: str, stream: str) -> dict[str, Any] | None:
    return (
        await BallotVote.select(
            BallotVote.all_columns(),
            BallotVote.roll_entry.label.as_alias("label"),
            BallotVote.recorded_by.display_name.as_alias("recorded_by_name"),
        )
        .where(
            (BallotVote.ballot == ballot_id)
            & (BallotVote.voter_key == voter_key)
            & (BallotVote.stream == stream)
            & BallotVote.voided_at.is_null()
        )
        .first()
    )


def already_voted_message(existing: dict[str, Any], entry: dict[str, Any]) -> str:
    """ "该户已于 11月23日 14:05 通过专属链接投票。" — how and when the vote that counts was recorded."""
    how = {
        LINK: lambda: _("through the household's personal link"),
        PAPER: lambda: _("on paper ballot no. %(serial)s", serial=existing["paper_serial"]),
        ROOM: lambda: _("in the meeting room"),
        PROXY: lambda: _("through the proxy %(holder)s", holder=existing["proxy_holder"]),
        CITY: lambda: _("through the city's e-voting system"),
    }[existing["channel"]]()
    if entry["member_key"].startswith("p:"):
        who = _("This party")
    elif existing["label"] == entry["label"]:
        who = _("This household")
    else:
        who = _("The owner of this household, through unit %(unit)s,", unit=existing["label"])
    return _("%(who)s already voted on %(when)s %(how)s.", who=who, when=when_text(existing["recorded_at"]), how=how)


async def _check_proxy_cap(ballot: dict[str, Any], entry: dict[str, Any], holder: str) -> None:
    """A proxy holder represents at most ``Compound.proxy_cap`` owners per meeting (0: no cap)."""
    compound = await Compound.select(Compound.proxy_cap).where(Compound.id == ballot["compound"]).first()
    cap = compound["proxy_cap"] if compound else 0
    if not cap:
        return
    if not db.is_sqlite():
        await db.engine().run_ddl(f"SELECT pg_advisory_xact_lock({PROXY_LOCK_CLASS}, {int(ballot['meeting'])})")
    rows = await BallotVote.select(BallotVote.voter_key).where(
        (BallotVote.ballot.meeting == ballot["meeting"])
        & (BallotVote.channel == PROXY)
        & (BallotVote.proxy_holder == holder)
        & BallotVote.voided_at.is_null()
    )
    represented = {row["voter_key"] for row in rows}
    if entry["voter_key"] not in represented and len(represented) >= cap:
        raise FormErrors(
            {
                "holder": _(
                    "%(holder)s already represents %(count)d owners at this meeting; this compound allows "
                    "at most %(cap)d per proxy holder.",
                    holder=holder,
                    count=len(represented),
                    cap=cap,
                )
            }
        )


# Show of hands ----------------------------------------------------------------------


async def record_hand_count(
    ballot_id: int, yes: str, no: str, abstain: str, *, actor: int, at: datetime | None = None
) -> None:
    """Enter a show of hands (举手表决) as numbers; entering again corrects them."""
    at = at or clock.now()
    numbers: dict[str, int] = {}
    errors: dict[str, str] = {}
    for name, text in (("yes", yes), ("no", no), ("abstain", abstain)):
        number = whole_number((text or "").strip() or "0", maximum=1_000_000)
        if number is None:
            errors[name] = _("Enter a whole number of hands.")
        else:
            numbers[name] = number
    if errors:
        raise FormErrors(errors)
    async with write_transaction():
        ballot = await _lock_ballot(ballot_id, exclusive=True)
        _check_accepts(ballot, ROOM, at)
        if Rule(ballot["rule"]) not in HAND_RULES or ballot["options"]:
            raise DomainError(
                _(
                    "Only a yes/no item decided by a majority or two thirds of ballots "
                    "cast can be counted by a show of hands."
                )
            )
        if await BallotVote.exists().where((BallotVote.ballot == ballot_id) & BallotVote.voided_at.is_null()):
            raise DomainError(_("Votes were already recorded one by one; a show of hands cannot replace them."))
        voters = len(
            {
                row["voter_key"]
                for row in await BallotRollEntry.select(BallotRollEntry.voter_key).where(
                    BallotRollEntry.ballot == ballot_id
                )
            }
        )
        total = sum(numbers.values())
        if total == 0:
            raise FormErrors({"yes": _("Enter the number of hands for each choice.")})
        if total > voters:
            raise FormErrors(
                {"yes": _("%(total)d hands, but only %(voters)d voters are on the roll.", total=total, voters=voters)}
            )
        existing = await HandCount.select().where(HandCount.ballot == ballot_id).first()
        if existing:
            await HandCount.update(
                {
                    HandCount.yes: numbers["yes"],
                    HandCount.no: numbers["no"],
                    HandCount.abstain: numbers["abstain"],
                    HandCount.recorded_by: actor,
                    HandCount.recorded_at: at,
                }
            ).where(HandCount.ballot == ballot_id)
        else:
            await HandCount.insert(HandCount(ballot=ballot_id, recorded_by=actor, recorded_at=at, **numbers))
        await audit.record(
            "ballot",
            ballot_id,
            "hands_counted" if not existing else "hands_corrected",
            actor=actor,
            compound=ballot["compound"],
            **numbers,
        )
    ballot_changed(ballot_id, ballot["compound"])


# Voids, extensions, service, conflicts ----------------------------------------------


async def void_vote(
    ballot_id: int,
    vote_id: int,
    reason: str,
    *,
    actor: int,
    receipt_code: str = "",
    allowed_buildings: frozenset[int] | None = None,
    at: datetime | None = None,
) -> None:
    """A scrutineer voids a counted vote, with a written reason; the voter may vote again.

    In a secret ballot the choice is found by the receipt code (on the paper
    ballot, or given by the voter), since nothing else links them.
    """
    at = at or clock.now()
    reason = reason.strip()
    if not reason:
        raise FormErrors({"reason": _("Write why this vote is void; the reason is kept in the record.")})
    async with write_transaction():
        ballot = await _lock_ballot(ballot_id, exclusive=True)
        _refuse_if_closed(ballot)
        vote = (
            await BallotVote.select(
                BallotVote.all_columns(),
                BallotVote.roll_entry.label.as_alias("label"),
                BallotVote.roll_entry.building.as_alias("building"),
            )
            .where((BallotVote.id == vote_id) & (BallotVote.ballot == ballot_id))
            .first()
        )
        if vote is None:
            raise NotFound()
        if allowed_buildings is not None and vote["building"] not in allowed_buildings:
            raise Forbidden(_("You void votes only for the buildings you look after."))
        if vote["voided_at"] is not None:
            raise Conflict(_("This vote was already voided."))
        detail: dict[str, Any] = {}
        if ballot["secret"]:
            await _void_secret_choice(ballot_id, vote, receipt_code)
        else:
            detail.update(choice=vote["choice"], receipt_code=vote["receipt_code"])
        await _void(vote["id"], reason, actor, at)
        if ballot["secret"]:
            await _check_secret_count(ballot_id, vote["stream"])
        await audit.record(
            "ballot",
            ballot_id,
            "vote_voided",
            actor=actor,
            compound=ballot["compound"],
            vote=vote["id"],
            voter=vote["label"],
            channel=vote["channel"],
            reason=reason,
            **detail,
        )
    ballot_changed(ballot_id, ballot["compound"])


async def _void_secret_choice(ballot_id: int, vote: dict[str, Any], receipt_code: str) -> None:
    """Remove the choice of a secret vote, found by the voter's whole receipt
    code, which must be this vote's own. Nothing of the code is recorded: with
    the voter's unit it would name their choice."""
    code = receipts.normalise(receipt_code)
    if not vote["receipt_check"]:
        raise DomainError(
            _(
                "This vote was recorded before receipts could be checked against their vote, so it "
                "cannot be voided by its receipt code."
            )
        )
    if not receipts.is_secret_code(code):
        raise FormErrors(
            {
                "receipt_code": _(
                    "Enter the whole receipt code of this vote: 16 letters and digits, for example "
                    "K7Q2-M9XD-4HPA-V8NC (on the paper ballot, or from the voter)."
                )
            }
        )
    if not receipts.matches(code, vote["receipt_check"]):
        raise FormErrors(
            {
                "receipt_code": _(
                    "This receipt code does not belong to this vote. Check it with the voter; nothing was changed."
                )
            }
        )
    choice = (
        await SecretChoice.select()
        .where(
            (SecretChoice.ballot == ballot_id)
            & (SecretChoice.receipt_code == receipts.public_part(code))
            & (SecretChoice.stream == vote["stream"])
        )
        .first()
    )
    if choice is None:
        raise CountMismatch(
            _(
                "The choice of this receipt is not in the count, so nothing was changed. "
                "Tell the secretary; the vote's record is unchanged."
            )
        )
    await SecretChoice.delete().where(SecretChoice.id == choice["id"])
    await _add_to_sum(ballot_id, vote["stream"], choice["choice"], await _weight(ballot_id, vote["voter_key"]), -1)


async def _void(vote_id: int, reason: str, actor: int | None, at: datetime) -> None:
    await BallotVote.update(
        {BallotVote.voided_at: at, BallotVote.voided_by: actor, BallotVote.void_reason: reason}
    ).where(BallotVote.id == vote_id)


async def extend_ballot(
    ballot_id: int, closes_at_text: str, reason: str, *, actor: int, at: datetime | None = None
) -> None:
    """Move the closing time of a vote short of participation, with the reason shown."""
    at = at or clock.now()
    closes_at = clock.parse_local_datetime(closes_at_text)
    errors: dict[str, str] = {}
    if closes_at is None:
        errors["closes_at"] = _("Enter the new closing time, for example 2026-12-05 18:00.")
    if not reason.strip():
        errors["reason"] = _("Say why the vote is extended; voters will read it.")
    if errors:
        raise FormErrors(errors)
    assert closes_at is not None
    async with write_transaction():
        ballot = await _lock_ballot(ballot_id, exclusive=True)
        _refuse_if_closed(ballot)
        if closes_at <= at or (ballot["closes_at"] is not None and closes_at <= ballot["closes_at"]):
            raise FormErrors(
                {"closes_at": _("The new closing time must be later than the current one and in the future.")}
            )
        if Rule(ballot["rule"]).counts_owners and (await participation(ballot))["quorum_met"]:
            raise DomainError(_("Participation is already reached: this vote needs no extension."))
        user = await StaffUser.select(StaffUser.display_name).where(StaffUser.id == actor).first()
        extension = {
            "at": at.isoformat(),
            "by": actor,
            "by_name": user["display_name"] if user else "",
            "from": _iso(ballot["closes_at"]),
            "to": closes_at.isoformat(),
            "reason": reason.strip(),
        }
        await Ballot.update({Ballot.closes_at: closes_at, Ballot.extensions: [*ballot["extensions"], extension]}).where(
            Ballot.id == ballot_id
        )
        await audit.record(
            "ballot",
            ballot_id,
            "extended",
            actor=actor,
            compound=ballot["compound"],
            **{k: v for k, v in extension.items() if k not in ("at", "by", "by_name")},
        )
    ballot_changed(ballot_id, ballot["compound"])


async def mark_served(
    ballot_id: int,
    building_id: int | None,
    *,
    actor: int,
    allowed_buildings: frozenset[int] | None = None,
    at: datetime | None = None,
) -> int:
    """Record that the ballot was served on the households of a building (or all);
    return how many roll entries were newly marked."""
    at = at or clock.now()
    async with write_transaction():
        ballot = await _lock_ballot(ballot_id, exclusive=True)
        _refuse_if_closed(ballot)
        if not ballot["deemed_clause"]:
            raise DomainError(_("This compound does not count served non-voters, so service is not recorded."))
        if allowed_buildings is not None and (building_id is None or building_id not in allowed_buildings):
            raise Forbidden(_("You record service only for the buildings you look after."))
        where = (BallotRollEntry.ballot == ballot_id) & BallotRollEntry.served_at.is_null()
        if building_id is not None:
            where &= BallotRollEntry.building == building_id
        entries = await BallotRollEntry.select(BallotRollEntry.id).where(where)
        if entries:
            await BallotRollEntry.update({BallotRollEntry.served_at: at, BallotRollEntry.served_by: actor}).where(
                BallotRollEntry.id.is_in([e["id"] for e in entries])
            )
        await audit.record(
            "ballot",
            ballot_id,
            "served",
            actor=actor,
            compound=ballot["compound"],
            building=building_id,
            entries=len(entries),
        )
    ballot_changed(ballot_id, ballot["compound"])
    return len(entries)


@dataclass
class CityImportResult:
    imported: int = 0
    errors: list[cityimport.CityError] = field(default_factory=list)


async def import_city_results(
    ballot_id: int, content: bytes, *, actor: int, at: datetime | None = None
) -> CityImportResult:
    """Import the city e-voting system's export; every row or none."""
    at = at or clock.now()
    async with write_transaction():
        ballot = await _lock_ballot(ballot_id, exclusive=True)
        _check_accepts(ballot, CITY, at)
        if ballot["links_binding"]:
            raise DomainError(_("City results are imported only where link votes do not bind owners' decisions."))
        if ballot["secret"]:
            raise DomainError(
                _("The city's export names each unit's choice, so it cannot be imported into a secret vote.")
            )
        rows, errors = cityimport.parse(content, choices_of(ballot))
        if errors:
            return CityImportResult(errors=errors)
        entries = {e["label"]: e for e in await BallotRollEntry.select().where(BallotRollEntry.ballot == ballot_id)}
        already = {
            v["voter_key"]
            for v in await BallotVote.select(BallotVote.voter_key).where(
                (BallotVote.ballot == ballot_id) & (BallotVote.stream == STREAM_CITY) & BallotVote.voided_at.is_null()
            )
        }
        seen: dict[str, int] = {}
        for row in rows:
            entry = entries.get(row.unit)
            if entry is None:
                errors.append(
                    cityimport.CityError(row.line, _("%(label)s is not on the roll of this vote.", label=row.unit))
                )
                continue
            if entry["area"] != row.area:
                errors.append(
                    cityimport.CityError(
                        row.line,
                        _(
                            "the area %(area)s m² differs from the roll's %(roll)s m²",
                            area=format_area(row.area),
                            roll=format_area(entry["area"]),
                        ),
                    )
                )
            if entry["voter_key"] in seen:
                errors.append(
                    cityimport.CityError(
                        row.line, _("this owner already has a line (line %(line)d)", line=seen[entry["voter_key"]])
                    )
                )
            elif entry["voter_key"] in already:
                errors.append(cityimport.CityError(row.line, _("this owner's city result was already imported")))
            seen.setdefault(entry["voter_key"], row.line)
        if errors:
            return CityImportResult(errors=errors)
        for row in rows:
            entry = entries[row.unit]
            await BallotVote.insert(
                BallotVote(
                    ballot=ballot_id,
                    roll_entry=entry["id"],
                    voter_key=entry["voter_key"],
                    stream=STREAM_CITY,
                    channel=CITY,
                    choice=row.choice,
                    receipt_code=receipts.new_code(),
                    recorded_by=actor,
                    recorded_at=at,
                )
            )
        await audit.record(
            "ballot", ballot_id, "city_imported", actor=actor, compound=ballot["compound"], rows=len(rows)
        )
    ballot_changed(ballot_id, ballot["compound"])
    return CityImportResult(imported=len(rows))


@dataclass(frozen=True)
class ConflictPair:
    """One owner with a counted vote in Yishi (paper, room, proxy) and one from the city."""

    voter_key: str
    ours: dict[str, Any]
    city: dict[str, Any]

    @property
    def same_choice(self) -> bool:
        return self.ours["choice"] == self.city["choice"]


async def conflicts(ballot_id: int) -> list[ConflictPair]:
    votes = await _votes(ballot_id, counted_only=True)
    ours = {v["voter_key"]: v for v in votes if v["stream"] == STREAM_COUNT}
    return [
        ConflictPair(v["voter_key"], ours[v["voter_key"]], v)
        for v in votes
        if v["stream"] == STREAM_CITY and v["voter_key"] in ours
    ]


async def resolve_conflict(
    ballot_id: int, voter_key: str, keep: str, reason: str, *, actor: int, at: datetime | None = None
) -> None:
    """Keep one of an owner's two votes (``keep``: "ours" or "city"), voiding the other with the reason."""
    at = at or clock.now()
    errors = {}
    if keep not in ("ours", "city"):
        errors["keep"] = _("Choose which vote stands.")
    if not reason.strip():
        errors["reason"] = _("Write why this vote stands; the reason is kept in the record.")
    if errors:
        raise FormErrors(errors)
    async with write_transaction():
        ballot = await _lock_ballot(ballot_id, exclusive=True)
        _refuse_if_closed(ballot)
        pair = next((c for c in await conflicts(ballot_id) if c.voter_key == voter_key), None)
        if pair is None:
            raise Conflict(_("This conflict was already resolved."))
        kept, dropped = (pair.ours, pair.city) if keep == "ours" else (pair.city, pair.ours)
        text = _(
            "Conflict resolved, the %(channel)s vote stands: %(reason)s",
            channel=channel_label(kept["channel"]),
            reason=reason.strip(),
        )
        await _void(dropped["id"], text, actor, at)
        await audit.record(
            "ballot",
            ballot_id,
            "conflict_resolved",
            actor=actor,
            compound=ballot["compound"],
            voter=kept["label"],
            kept=kept["id"],
            voided=dropped["id"],
            reason=reason.strip(),
        )
    ballot_changed(ballot_id, ballot["compound"])


# Closing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ClosingTerms:
    """Whether a ballot may close now. ``early``: before its closing time;
    ``bound``: that time was announced by the notice (or set for an owners'
    decision), so only a full roll lets it close early; ``waiting``: voters
    on the roll with no counted vote, who could vote no more."""

    early: bool
    bound: bool
    waiting: int
    closes_at: datetime | None

    @property
    def refused(self) -> bool:
        return self.early and self.bound and self.waiting > 0

    @property
    def needs_reason(self) -> bool:
        return self.early and not self.bound and self.waiting > 0


async def closing_terms(ballot: dict[str, Any], at: datetime) -> ClosingTerms:
    early = ballot["status"] != CLOSED and ballot["closes_at"] is not None and at < ballot["closes_at"]
    waiting = 0
    if early:
        voters = {
            e["voter_key"]
            for e in await BallotRollEntry.select(BallotRollEntry.voter_key).where(
                BallotRollEntry.ballot == ballot["id"]
            )
        }
        voted = {
            v["voter_key"]
            for v in await BallotVote.select(BallotVote.voter_key).where(
                (BallotVote.ballot == ballot["id"])
                & BallotVote.voided_at.is_null()
                & BallotVote.stream.is_in(list(counting.BINDING_STREAMS))
            )
        }
        if not await HandCount.exists().where(HandCount.ballot == ballot["id"]):
            waiting = len(voters - voted)
    return ClosingTerms(early, bool(ballot["notice_bound"]), waiting, ballot["closes_at"])


def _check_closing(terms: ClosingTerms, reason: str) -> None:
    if terms.refused:
        assert terms.closes_at is not None
        raise DomainError(
            ngettext(
                "Voting runs until %(at)s, as announced; it cannot close before then while %(count)d voter on "
                "the roll has not voted.",
                "Voting runs until %(at)s, as announced; it cannot close before then while %(count)d voters on "
                "the roll have not voted.",
                terms.waiting,
                at=when_text(terms.closes_at),
                count=terms.waiting,
            )
        )
    if terms.needs_reason and not reason:
        raise FormErrors(
            {
                "reason": _(
                    "Closing before the closing time ends voting for those who have not voted. Say why; the "
                    "reason is shown with the result."
                )
            }
        )


async def close_ballot(ballot_id: int, *, actor: int, reason: str = "", at: datetime | None = None) -> dict[str, Any]:
    """Count the ballot with the rules engine, freeze the result and the recount
    files, and publish it; a passed item's proposal hears of it. Before its
    closing time a bound ballot closes only once everyone on its roll voted,
    and any other needs a reason (kept and shown with the result)."""
    at = at or clock.now()
    reason = " ".join(reason.split())
    async with write_transaction():
        ballot = await _lock_ballot(ballot_id, exclusive=True)
        _refuse_if_closed(ballot)
        terms = await closing_terms(ballot, at)
        _check_closing(terms, reason)
        if await conflicts(ballot_id):
            raise DomainError(_("Resolve every conflict between paper ballots and the city's results before closing."))
        count = await _count(ballot)
        assert count.exports is not None
        result = result_json(ballot, count)
        await Ballot.update(
            {
                Ballot.status: CLOSED,
                Ballot.closed_at: at,
                Ballot.closed_by: actor,
                Ballot.passed: count.passed,
                Ballot.result: result,
                Ballot.early_close_reason: reason if terms.early else "",
                Ballot.roll_csv: count.exports.roll_csv,
                Ballot.votes_csv: count.exports.votes_csv,
                Ballot.deemed_votes_csv: count.exports.deemed_votes_csv,
            }
        ).where(Ballot.id == ballot_id)
        if ballot["secret"]:
            await _rewrite_secret_choices(ballot_id)
        await audit.record(
            "ballot",
            ballot_id,
            "closed",
            actor=actor,
            compound=ballot["compound"],
            early=terms.early,
            waiting=terms.waiting,
            reason=reason if terms.early else None,
            passed=count.passed,
            decided_by=count.actual.decided_by,
            adopted_option=count.adopted_option,
        )
        await _tell_proposal(ballot, count, at)
    if ballot["secret"] and not db.is_sqlite() and db.engine().current_transaction.get() is None:
        # Drop the deleted rows (and with them the order they were cast in) now.
        await db.engine().run_ddl('VACUUM "ballot_secret_choice", "ballot_secret_tally"')
    ballot_changed(ballot_id, ballot["compound"])
    return result


def result_json(ballot: dict[str, Any], count: Count) -> dict[str, Any]:
    return {
        "counted_by": count.counted_by,
        "passed": count.passed,
        "adopted_option": count.adopted_option,
        "actual": count.actual.to_json_dict(),
        "deemed": count.deemed.to_json_dict() if count.deemed else None,
        "deemed_choice": count.deemed_choice,
        "served_non_voters": count.served_non_voters,
        "deemed_clause": ballot["deemed_clause"] if count.deemed else "",
        "consultation": count.consultation.to_json_dict() if count.consultation else None,
    }


async def _rewrite_secret_choices(ballot_id: int) -> None:
    """Write the choices and their sums again, in receipt-code order with fresh
    random ids, in the closing transaction: nothing of the order or the
    transactions they were cast in survives in the tables (on PostgreSQL every
    row then carries the closing transaction's ``xmin``)."""
    rows = await SecretChoice.select().where(SecretChoice.ballot == ballot_id).order_by(SecretChoice.receipt_code)
    sums = (
        await SecretTally.select()
        .where(SecretTally.ballot == ballot_id)
        .order_by(SecretTally.stream, SecretTally.choice)
    )
    await SecretChoice.delete().where(SecretChoice.ballot == ballot_id)
    await SecretTally.delete().where(SecretTally.ballot == ballot_id)
    if rows:
        await db.insert_many(
            SecretChoice,
            [
                SecretChoice(
                    id=_random_id(),
                    ballot=ballot_id,
                    stream=r["stream"],
                    receipt_code=r["receipt_code"],
                    choice=r["choice"],
                )
                for r in rows
            ],
        )
    if sums:
        await db.insert_many(
            SecretTally,
            [
                SecretTally(
                    ballot=ballot_id, stream=r["stream"], choice=r["choice"], owners=r["owners"], area=r["area"]
                )
                for r in sums
            ],
        )


async def _tell_proposal(ballot: dict[str, Any], count: Count, at: datetime) -> None:
    """The proposal behind a passed item records the vote on its timeline and moves to the vote stage."""
    if not count.passed:
        return
    item = await AgendaItem.select(AgendaItem.proposal).where(AgendaItem.id == ballot["agenda_item"]).first()
    if not item or not item["proposal"]:
        return
    from yishi.proposals.service import record_event, set_stage

    with i18n.language("zh_CN"):
        if count.adopted_option:
            text = _(
                "Adopted by vote on %(date)s: option %(option)s.",
                date=clock.local_text(at, "%Y-%m-%d"),
                option=count.adopted_option,
            )
        else:
            text = _("Adopted by vote on %(date)s.", date=clock.local_text(at, "%Y-%m-%d"))
    await record_event(item["proposal"], "voted", text)
    await set_stage(item["proposal"], "vote")


# Counting ---------------------------------------------------------------------------


async def roll(ballot_id: int) -> list[dict[str, Any]]:
    return (
        await BallotRollEntry.select(
            BallotRollEntry.all_columns(),
            BallotRollEntry.building.code.as_alias("building_code"),
        )
        .where(BallotRollEntry.ballot == ballot_id)
        .order_by(BallotRollEntry.position)
    )


def _roll_lines(entries: list[dict[str, Any]]) -> list[RollLine]:
    return [
        RollLine(
            voter=_voter_name(e),
            voter_key=e["voter_key"],
            area=e["area"],
            owner_key=e["owner_key"],
            served=e["served_at"] is not None,
        )
        for e in entries
    ]


def _voter_name(entry: dict[str, Any]) -> str:
    """A party is named by its kind in the tally (``party:committee``), a unit by its label."""
    if entry["member_key"].startswith("p:") and entry["party_kind"]:
        return entry["party_kind"]
    return entry["label"]


async def _count(ballot: dict[str, Any]) -> Count:
    """The figures of a ballot as they stand, with its recount files."""
    rule = Rule(ballot["rule"])
    options = ballot["options"] or None
    entries = await roll(ballot["id"])
    lines = _roll_lines(entries)
    hands = await HandCount.select().where(HandCount.ballot == ballot["id"]).first()
    if hands:
        return counting.count_hands(rule, lines, Hands(hands["yes"], hands["no"], hands["abstain"]))
    deemed = bool(ballot["deemed_clause"])
    votes = await BallotVote.select(
        BallotVote.voter_key,
        BallotVote.stream,
        BallotVote.choice,
        BallotVote.roll_entry,
    ).where((BallotVote.ballot == ballot["id"]) & BallotVote.voided_at.is_null())
    if ballot["secret"]:
        secret = await SecretChoice.select().where(SecretChoice.ballot == ballot["id"])
        sums = await SecretTally.select().where(SecretTally.ballot == ballot["id"])
        return counting.count_secret(
            rule,
            options,
            lines,
            [(v["voter_key"], v["stream"]) for v in votes],
            [(s["receipt_code"], s["choice"], s["stream"]) for s in secret],
            [SecretSum(s["stream"], s["choice"], s["owners"], s["area"]) for s in sums],
            deemed=deemed,
        )
    by_id = {e["id"]: e for e in entries}
    return counting.count_open(
        rule,
        options,
        lines,
        [CastVote(_voter_name(by_id[v["roll_entry"]]), v["voter_key"], v["choice"], v["stream"]) for v in votes],
        deemed=deemed,
    )


def sealed(ballot: dict[str, Any]) -> bool:
    """An open secret ballot: nobody, staff included, sees its figures per
    choice, only who took part; they are counted when it closes."""
    return bool(ballot["secret"]) and ballot["status"] != CLOSED


async def participation(ballot: dict[str, Any]) -> dict[str, Any]:
    """The participation figures of a ballot, read without its choices."""
    votes = await BallotVote.select(BallotVote.voter_key).where(
        (BallotVote.ballot == ballot["id"])
        & BallotVote.voided_at.is_null()
        & BallotVote.stream.is_in(list(counting.BINDING_STREAMS))
    )
    return counting.participation(
        Rule(ballot["rule"]), _roll_lines(await roll(ballot["id"])), [v["voter_key"] for v in votes]
    )


async def current_count(ballot: dict[str, Any]) -> Count | None:
    """The live figures of an open ballot (None if they cannot be counted).
    Never for a sealed ballot: see ``participation``."""
    if sealed(ballot):
        raise Forbidden(_("The figures of a secret vote are counted when it closes."))
    try:
        return await _count(ballot)
    except (TallyError, ValueError):
        return None


# Reading ----------------------------------------------------------------------------


async def ballot_in_compound(compound_id: int, ballot_id: int) -> dict[str, Any]:
    ballot = (
        await Ballot.select(
            Ballot.all_columns(),
            Ballot.meeting.title.as_alias("meeting_title"),
            Ballot.meeting.kind.as_alias("meeting_kind"),
            Ballot.meeting.starts_at.as_alias("meeting_starts_at"),
            Ballot.opened_by.display_name.as_alias("opened_by_name"),
            Ballot.closed_by.display_name.as_alias("closed_by_name"),
        )
        .where((Ballot.id == ballot_id) & (Ballot.compound == compound_id))
        .output(load_json=True)
        .first()
    )
    if ballot is None:
        raise NotFound()
    ballot["extensions"] = [
        {**e, **{k: datetime.fromisoformat(e[k]) if e.get(k) else None for k in ("at", "from", "to")}}
        for e in ballot["extensions"]
    ]
    return ballot


async def ballots_in_compound(compound_id: int) -> list[dict[str, Any]]:
    return (
        await Ballot.select(
            Ballot.id,
            Ballot.title,
            Ballot.rule,
            Ballot.status,
            Ballot.opens_at,
            Ballot.closes_at,
            Ballot.closed_at,
            Ballot.passed,
            Ballot.secret,
            Ballot.agenda_item,
            Ballot.meeting.title.as_alias("meeting_title"),
            Ballot.opened_at,
        )
        .where(Ballot.compound == compound_id)
        .order_by(Ballot.opened_at, ascending=False)
        .output(load_json=True)
    )


async def decision_items(compound_id: int) -> list[dict[str, Any]]:
    """Agenda items with a voting rule in the compound's meetings, with their ballot if any."""
    items = (
        await AgendaItem.select(
            AgendaItem.id,
            AgendaItem.title,
            AgendaItem.rule,
            AgendaItem.kind,
            AgendaItem.withdrawn_at,
            AgendaItem.on_published_notice,
            AgendaItem.position,
            AgendaItem.meeting,
            AgendaItem.meeting.title.as_alias("meeting_title"),
            AgendaItem.meeting.status.as_alias("meeting_status"),
            AgendaItem.meeting.starts_at.as_alias("meeting_starts_at"),
        )
        .where((AgendaItem.meeting.compound == compound_id) & (AgendaItem.kind == "decision") & (AgendaItem.rule != ""))
        .order_by(AgendaItem.meeting.starts_at, ascending=False)
    )
    ballots = {
        b["agenda_item"]: b["id"]
        for b in await Ballot.select(Ballot.id, Ballot.agenda_item).where(Ballot.compound == compound_id)
    }
    for item in items:
        item["ballot_id"] = ballots.get(item["id"])
    return sorted(
        items, key=lambda i: (i["meeting_starts_at"] is None, i["meeting_starts_at"], i["position"]), reverse=True
    )


async def agenda_item_in_compound(compound_id: int, item_id: int) -> dict[str, Any]:
    item, meeting = await _item_in_compound(compound_id, item_id)
    return {**item, "meeting_row": meeting}


async def votes(ballot_id: int) -> list[dict[str, Any]]:
    """Every vote recorded, voided ones included, newest first (staff view)."""
    return await _votes(ballot_id, counted_only=False)


async def _votes(ballot_id: int, *, counted_only: bool) -> list[dict[str, Any]]:
    query = BallotVote.select(
        BallotVote.all_columns(),
        BallotVote.roll_entry.label.as_alias("label"),
        BallotVote.roll_entry.building.as_alias("building"),
        BallotVote.recorded_by.display_name.as_alias("recorded_by_name"),
        BallotVote.voided_by.display_name.as_alias("voided_by_name"),
    ).where(BallotVote.ballot == ballot_id)
    if counted_only:
        query = query.where(BallotVote.voided_at.is_null())
    return await query.order_by(BallotVote.recorded_at, ascending=False)


async def vote_in_ballot(ballot_id: int, vote_id: int) -> dict[str, Any]:
    vote = next((v for v in await votes(ballot_id) if v["id"] == vote_id), None)
    if vote is None:
        raise NotFound()
    return vote


async def hand_count(ballot_id: int) -> dict[str, Any] | None:
    return (
        await HandCount.select(
            HandCount.all_columns(),
            HandCount.recorded_by.display_name.as_alias("recorded_by_name"),
        )
        .where(HandCount.ballot == ballot_id)
        .first()
    )


async def household_votes(
    ballot: dict[str, Any], household_id: int
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The household's roll entry and the counted votes of its voter (any stream)."""
    entry = (
        await BallotRollEntry.select()
        .where((BallotRollEntry.ballot == ballot["id"]) & (BallotRollEntry.member_key == f"h:{household_id}"))
        .first()
    )
    if entry is None:
        return None, []
    found = await BallotVote.select(
        BallotVote.all_columns(),
        BallotVote.roll_entry.label.as_alias("label"),
    ).where(
        (BallotVote.ballot == ballot["id"])
        & (BallotVote.voter_key == entry["voter_key"])
        & BallotVote.voided_at.is_null()
    )
    return entry, found


@dataclass(frozen=True)
class ReceiptLine:
    receipt_code: str
    choice: str
    stream: str
    units: tuple[str, ...] = ()
    area: int | None = None


async def receipt_list(ballot: dict[str, Any]) -> list[ReceiptLine]:
    """The receipt codes of a closed ballot with their choices: with units and areas
    for an open ballot, nothing else for a secret one."""
    if ballot["secret"]:
        rows = (
            await SecretChoice.select().where(SecretChoice.ballot == ballot["id"]).order_by(SecretChoice.receipt_code)
        )
        return [ReceiptLine(r["receipt_code"], r["choice"], r["stream"]) for r in rows]
    entries = await roll(ballot["id"])
    units: dict[str, list[dict[str, Any]]] = {}
    for e in entries:
        units.setdefault(e["voter_key"], []).append(e)
    counts_area = Rule(ballot["rule"]).counts_owners
    lines = []
    for vote in await _votes(ballot["id"], counted_only=True):
        owned = units.get(vote["voter_key"], [])
        lines.append(
            ReceiptLine(
                vote["receipt_code"],
                vote["choice"],
                vote["stream"],
                tuple(e["label"] for e in owned),
                sum(e["area"] for e in owned) if counts_area else None,
            )
        )
    return sorted(lines, key=lambda line: line.receipt_code)


async def open_ballots_for_public(compound_id: int) -> list[dict[str, Any]]:
    return (
        await Ballot.select(
            Ballot.id,
            Ballot.title,
            Ballot.rule,
            Ballot.opens_at,
            Ballot.closes_at,
            Ballot.extensions,
            Ballot.meeting.title.as_alias("meeting_title"),
        )
        .where((Ballot.compound == compound_id) & (Ballot.status == OPEN))
        .order_by(Ballot.opened_at)
        .output(load_json=True)
    )


async def closed_ballots_for_public(compound_id: int, limit: int | None = None) -> list[dict[str, Any]]:
    query = (
        Ballot.select(
            Ballot.id,
            Ballot.title,
            Ballot.rule,
            Ballot.closed_at,
            Ballot.passed,
            Ballot.result,
            Ballot.meeting.title.as_alias("meeting_title"),
        )
        .where((Ballot.compound == compound_id) & (Ballot.status == CLOSED))
        .order_by(Ballot.closed_at, ascending=False)
        .output(load_json=True)
    )
    if limit:
        query = query.limit(limit)
    return await query


async def public_results(compound_id: int) -> dict[str, Any]:
    """What the compound's public page shows of votes: those open now, and recent results."""
    return {
        "open": await open_ballots_for_public(compound_id),
        "closed": await closed_ballots_for_public(compound_id, limit=5),
    }


@dataclass(frozen=True)
class ItemResult:
    """How an agenda item's vote stands, for other steps (actions, minutes, documents)."""

    ballot_id: int
    closed: bool
    passed: bool | None
    adopted_option: str | None
    result: dict[str, Any] | None


async def item_result(agenda_item_id: int) -> ItemResult | None:
    """The ballot of an agenda item, or None when no vote was opened on it."""
    ballot = (
        await Ballot.select(Ballot.id, Ballot.status, Ballot.passed, Ballot.result)
        .where(Ballot.agenda_item == agenda_item_id)
        .output(load_json=True)
        .first()
    )
    if ballot is None:
        return None
    result = ballot["result"]
    return ItemResult(
        ballot["id"],
        ballot["status"] == CLOSED,
        ballot["passed"],
        result.get("adopted_option") if result else None,
        result,
    )


def results_visible_to_voter(ballot: dict[str, Any], has_voted: bool) -> bool:
    if ballot["status"] == CLOSED:
        return True
    if sealed(ballot):
        return False
    if ballot["results_visibility"] == "live":
        return True
    return ballot["results_visibility"] == "after_voting" and has_voted
