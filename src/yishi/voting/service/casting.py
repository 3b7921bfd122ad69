"""Casting votes through every channel: the resident's link, paper, the room,
proxies and the city platform's import."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from yishi import clock, db
from yishi.audit import service as audit
from yishi.db import write_transaction
from yishi.errors import Conflict, DomainError, Forbidden, FormErrors
from yishi.i18n import gettext as _
from yishi.roster.tables import Compound, Household
from yishi.voting import receipts
from yishi.voting.service.common import (
    ATTEMPTS,
    CITY,
    DUPLICATE,
    LINK,
    PAPER,
    PROXY,
    ROLL_ATTENDEES,
    ROOM,
    AlreadyVoted,
    ballot_changed,
    check_accepts,
    choices_of,
    lock_ballot,
    seal_of,
    stream_for,
    when_text,
)
from yishi.voting.tables import BallotRollEntry, BallotVote, HandCount, SecretChoice, SecretTally


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
        except DUPLICATE:
            # Another request counted a vote for this voter (or drew the same
            # receipt code) first: try again, and meet that vote in the check.
            await asyncio.sleep(0)
            continue
        ballot_changed(ballot_id, compound_id)
        return receipt
    raise Conflict(_("Several votes for this voter arrived at once. Reload the page to see which one counts."))


async def _check_may_record(
    ballot: dict[str, Any], entry: dict[str, Any], choice: str, allowed_buildings: frozenset[int] | None
) -> None:
    if allowed_buildings is not None and entry["building"] not in allowed_buildings:
        raise Forbidden(_("You enter votes only for the buildings you look after."))
    if await HandCount.exists().where(HandCount.ballot == ballot["id"]):
        raise DomainError(_("This vote was counted by a show of hands: votes are not recorded one by one."))
    if choice not in choices_of(ballot):
        raise FormErrors({"choice": _("Choose one of the choices on the ballot.")})


async def _refuse_paper_entered_twice(ballot_id: int, serial: str) -> None:
    if await BallotVote.exists().where(
        (BallotVote.ballot == ballot_id)
        & (BallotVote.channel == PAPER)
        & (BallotVote.paper_serial == serial)
        & BallotVote.voided_at.is_null()
    ):
        raise FormErrors({"serial": _("Paper ballot no. %(serial)s was already entered.", serial=serial)})


async def _store_secret_vote(ballot: dict[str, Any], recorded: dict[str, Any], choice: str) -> str:
    """Record that the voter voted (with a check of their receipt) apart from
    the choice, which is sealed with the voter's weight under a random id (see
    ``voting.sealing``); returns the receipt code."""
    ballot_id, stream = recorded["ballot"], recorded["stream"]
    code = receipts.new_secret_code()
    public = receipts.public_part(code)
    seal = seal_of(ballot)
    weight = await vote_weight(ballot_id, recorded["voter_key"])
    await BallotVote.insert(BallotVote(**recorded, receipt_check=receipts.check_value(code)))
    await SecretChoice.insert(
        SecretChoice(
            id=random_id(),
            ballot=ballot_id,
            stream=stream,
            receipt_code="",
            choice="",
            sealed=seal.seal(public, choice, weight),
            tag=seal.tag(stream, public),
        )
    )
    await check_secret_count(ballot_id, stream)
    return code


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
    ballot = await lock_ballot(ballot_id, exclusive=False)
    check_accepts(ballot, channel, at)
    entry = await find(ballot)
    await _check_may_record(ballot, entry, choice, allowed_buildings)
    stream = stream_for(ballot, channel)
    existing = await _counted_vote(ballot_id, entry["voter_key"], stream)
    if existing is not None:
        if channel == LINK and existing["channel"] == LINK and ballot["changeable"] and not ballot["secret"]:
            return await _replace_choice(ballot, existing, entry, choice, at), ballot["compound"]
        raise AlreadyVoted(already_voted_message(existing, entry))
    if channel == PAPER:
        await _refuse_paper_entered_twice(ballot_id, serial)
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
        code = await _store_secret_vote(ballot, recorded, choice)
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


def random_id() -> int:
    return secrets.randbelow(2**62) + 1


class CountMismatch(Conflict):
    """The secret count would no longer add up: the transaction is rolled back."""


async def vote_weight(ballot_id: int, voter_key: str) -> int:
    """An owner's weight: the area of every unit of theirs on the roll."""
    return sum(
        row["area"]
        for row in await BallotRollEntry.select(BallotRollEntry.area).where(
            (BallotRollEntry.ballot == ballot_id) & (BallotRollEntry.voter_key == voter_key)
        )
    )


async def add_to_sum(ballot_id: int, stream: str, choice: str, weight: int, owners: int) -> None:
    where = (SecretTally.ballot == ballot_id) & (SecretTally.stream == stream) & (SecretTally.choice == choice)
    if not await SecretTally.exists().where(where):
        await SecretTally.insert(SecretTally(ballot=ballot_id, stream=stream, choice=choice))
    await SecretTally.update(
        {SecretTally.owners: SecretTally.owners + owners, SecretTally.area: SecretTally.area + owners * weight}
    ).where(where)


async def check_secret_count(ballot_id: int, stream: str) -> None:
    """In the transaction that changed it: a secret stream holds exactly one
    choice per participant (the choices themselves are sealed until closing,
    which checks them against the participants' areas). Otherwise nothing is
    written."""
    # One statement, so one snapshot: votes cast at the same time by others
    # are seen with their choices or not at all (PostgreSQL, read committed).
    counted = await BallotVote.raw(
        "SELECT (SELECT count(*) FROM ballot_vote WHERE ballot = {} AND stream = {} AND voided_at IS NULL) AS voters, "
        "(SELECT count(*) FROM ballot_secret_choice WHERE ballot = {} AND stream = {}) AS choices",
        ballot_id,
        stream,
        ballot_id,
        stream,
    )
    if counted[0]["voters"] != counted[0]["choices"]:
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
    await db.lock_until_commit(db.LOCK_PROXY_CAP, ballot["meeting"])
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
