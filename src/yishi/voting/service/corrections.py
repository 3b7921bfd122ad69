"""Corrections while a ballot runs: voids, extensions, service of paper
ballots, and conflicts between two votes of one voter."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from yishi import clock, labels
from yishi.accounts.tables import StaffUser
from yishi.areas import format_area
from yishi.audit import service as audit
from yishi.db import write_transaction
from yishi.errors import Conflict, DomainError, Forbidden, FormErrors, NotFound
from yishi.i18n import gettext as _
from yishi.rules import Rule
from yishi.voting import cityimport, receipts
from yishi.voting.counting import STREAM_CITY, STREAM_COUNT
from yishi.voting.service.casting import CountMismatch, add_to_sum, check_secret_count, vote_weight
from yishi.voting.service.common import (
    CITY,
    ballot_changed,
    check_accepts,
    choices_of,
    lock_ballot,
    refuse_if_closed,
    seal_of,
)
from yishi.voting.service.opening import iso
from yishi.voting.service.reading import participation, vote_rows
from yishi.voting.tables import Ballot, BallotRollEntry, BallotVote, SecretChoice


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
        ballot = await lock_ballot(ballot_id, exclusive=True)
        refuse_if_closed(ballot)
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
            await _void_secret_choice(ballot, vote, receipt_code)
        else:
            detail.update(choice=vote["choice"], receipt_code=vote["receipt_code"])
        await _void(vote["id"], reason, actor, at)
        if ballot["secret"]:
            await check_secret_count(ballot_id, vote["stream"])
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


async def _void_secret_choice(ballot: dict[str, Any], vote: dict[str, Any], receipt_code: str) -> None:
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
    ballot_id, stream, public = ballot["id"], vote["stream"], receipts.public_part(code)
    where = (SecretChoice.ballot == ballot_id) & (SecretChoice.stream == stream)
    sealed = None
    if ballot["seal_salt"]:
        tag = seal_of(ballot).tag(stream, public)
        sealed = await SecretChoice.select(SecretChoice.id).where(where & (SecretChoice.tag == tag)).first()
    if sealed is not None:
        await SecretChoice.delete().where(SecretChoice.id == sealed["id"])
        return
    # A choice cast before choices were sealed: in the clear, its weight in the running sums.
    choice = await SecretChoice.select().where(where & (SecretChoice.receipt_code == public)).first()
    if choice is None:
        raise CountMismatch(
            _(
                "The choice of this receipt is not in the count, so nothing was changed. "
                "Tell the secretary; the vote's record is unchanged."
            )
        )
    await SecretChoice.delete().where(SecretChoice.id == choice["id"])
    await add_to_sum(ballot_id, stream, choice["choice"], await vote_weight(ballot_id, vote["voter_key"]), -1)


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
        ballot = await lock_ballot(ballot_id, exclusive=True)
        refuse_if_closed(ballot)
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
            "from": iso(ballot["closes_at"]),
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
        ballot = await lock_ballot(ballot_id, exclusive=True)
        refuse_if_closed(ballot)
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
        ballot = await lock_ballot(ballot_id, exclusive=True)
        check_accepts(ballot, CITY, at)
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
    votes = await vote_rows(ballot_id, counted_only=True)
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
        ballot = await lock_ballot(ballot_id, exclusive=True)
        refuse_if_closed(ballot)
        pair = next((c for c in await conflicts(ballot_id) if c.voter_key == voter_key), None)
        if pair is None:
            raise Conflict(_("This conflict was already resolved."))
        kept, dropped = (pair.ours, pair.city) if keep == "ours" else (pair.city, pair.ours)
        text = _(
            "Conflict resolved, the %(channel)s vote stands: %(reason)s",
            channel=labels.label("channel", kept["channel"]),
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
