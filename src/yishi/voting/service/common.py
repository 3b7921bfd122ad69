"""What every use case of a ballot shares: its states and channels, its phase,
the lock taken before it changes, and the live-tally hook."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from asyncpg.exceptions import UniqueViolationError

from yishi import clock, db, settings
from yishi.errors import Conflict, DomainError, NotFound
from yishi.i18n import gettext as _
from yishi.live import channels
from yishi.meetings.tables import AgendaItem, Meeting
from yishi.rules import ABSTAIN, YES_NO_CHOICES, Rule
from yishi.voting.counting import STREAM_CITY, STREAM_CONSULTATION, STREAM_COUNT
from yishi.voting.sealing import BallotSeal
from yishi.voting.tables import Ballot

ROLL_HOUSEHOLDS, ROLL_PARTIES, ROLL_ATTENDEES = "households", "parties", "attendees"


ROLL_SOURCES = (ROLL_HOUSEHOLDS, ROLL_PARTIES, ROLL_ATTENDEES)


VISIBILITIES = ("live", "after_voting", "after_closing")


LINK, PAPER, ROOM, PROXY, CITY = "link", "paper", "room", "proxy", "city"


OPEN, CLOSED = "open", "closed"


SCHEDULED, OVERDUE = "scheduled", "overdue"


HAND_RULES = (Rule.MAJORITY_OF_CAST, Rule.TWO_THIRDS_OF_CAST)


ATTEMPTS = 3


DUPLICATE = (sqlite3.IntegrityError, UniqueViolationError)


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


def check_accepts(ballot: dict[str, Any], channel: str, at: datetime) -> None:
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


async def lock_ballot(ballot_id: int, *, exclusive: bool) -> dict[str, Any]:
    query = Ballot.select().where(Ballot.id == ballot_id)
    if not db.is_sqlite():
        query = query.lock_rows("UPDATE" if exclusive else "SHARE")
    ballot = await query.output(load_json=True).first()
    if ballot is None:
        raise NotFound()
    return ballot


def seal_of(ballot: dict[str, Any]) -> BallotSeal:
    """The keys that seal an open secret ballot's choices: from the site's
    secret key and the ballot's salt (see ``voting.sealing``)."""
    return BallotSeal(settings.active().secret_key, ballot["seal_salt"])


def refuse_if_closed(ballot: dict[str, Any]) -> None:
    if ballot["status"] == CLOSED:
        raise Conflict(_("This vote is closed: nothing can be added or changed."))


async def item_in_compound(compound_id: int, item_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    item = await AgendaItem.select().where(AgendaItem.id == item_id).output(load_json=True).first()
    meeting = None
    if item is not None:
        meeting = await Meeting.select().where(Meeting.id == item["meeting"]).output(load_json=True).first()
    if item is None or meeting is None or meeting["compound"] != compound_id:
        raise NotFound()
    return item, meeting
