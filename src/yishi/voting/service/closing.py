"""Closing a ballot: the final tally, the item's outcome, the proposal's timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from yishi import clock, db, i18n
from yishi.audit import service as audit
from yishi.db import write_transaction
from yishi.errors import DomainError, FormErrors, NotFound
from yishi.i18n import gettext as _
from yishi.i18n import ngettext
from yishi.meetings.tables import AgendaItem
from yishi.proposals.service import record_event, set_stage
from yishi.voting import counting
from yishi.voting.counting import STREAM_CONSULTATION, STREAM_COUNT, Count
from yishi.voting.sealing import SealBroken
from yishi.voting.service.casting import random_id
from yishi.voting.service.common import (
    CLOSED,
    ballot_changed,
    choices_of,
    lock_ballot,
    refuse_if_closed,
    seal_of,
    when_text,
)
from yishi.voting.service.corrections import conflicts
from yishi.voting.service.reading import ballot_count, sealed
from yishi.voting.tables import Ballot, BallotRollEntry, BallotVote, HandCount, SecretChoice, SecretTally


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
    waiting = (await _not_voted(ballot))[0] if early else 0
    return ClosingTerms(early, bool(ballot["notice_bound"]), waiting, ballot["closes_at"])


async def _not_voted(ballot: dict[str, Any]) -> tuple[int, int]:
    """Voters on the roll with no counted binding vote, and the roll's voters
    (none are waiting once a show of hands counted the ballot)."""
    voters = {
        e["voter_key"]
        for e in await BallotRollEntry.select(BallotRollEntry.voter_key).where(BallotRollEntry.ballot == ballot["id"])
    }
    voted = {
        v["voter_key"]
        for v in await BallotVote.select(BallotVote.voter_key).where(
            (BallotVote.ballot == ballot["id"])
            & BallotVote.voided_at.is_null()
            & BallotVote.stream.is_in(list(counting.BINDING_STREAMS))
        )
    }
    if await HandCount.exists().where(HandCount.ballot == ballot["id"]):
        return 0, len(voters)
    return len(voters - voted), len(voters)


@dataclass(frozen=True)
class ClosingPreview:
    """What closing the ballot now does, said before it is done: who can vote
    no more, and what it records (``passed`` is None while the figures are
    sealed, as a secret ballot's are until it closes)."""

    waiting: int
    voters: int
    passed: bool | None
    adopted_option: str | None
    reason: str


async def closing_preview(ballot_id: int, *, reason: str = "", at: datetime | None = None) -> ClosingPreview:
    """Check that the ballot may close now (the same refusals as closing it)
    and say what closing would record, changing nothing."""
    at = at or clock.now()
    reason = " ".join(reason.split())
    ballot = await Ballot.select().where(Ballot.id == ballot_id).output(load_json=True).first()
    if ballot is None:
        raise NotFound()
    await _check_may_close(ballot, reason, at)
    waiting, voters = await _not_voted(ballot)
    passed, adopted = None, None
    if not sealed(ballot):
        count = await ballot_count(ballot)
        passed, adopted = count.passed, count.adopted_option
    return ClosingPreview(waiting, voters, passed, adopted, reason)


async def _check_may_close(ballot: dict[str, Any], reason: str, at: datetime) -> ClosingTerms:
    """Refuse to close a closed ballot, a bound one before its time while voters
    wait, an early close without a reason, or one with unresolved conflicts."""
    refuse_if_closed(ballot)
    terms = await closing_terms(ballot, at)
    _check_closing(terms, reason)
    if await conflicts(ballot["id"]):
        raise DomainError(_("Resolve every conflict between paper ballots and the city's results before closing."))
    return terms


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
        ballot = await lock_ballot(ballot_id, exclusive=True)
        terms = await _check_may_close(ballot, reason, at)
        if ballot["secret"]:
            await _unseal(ballot)
        count = await ballot_count(ballot)
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


async def _unseal(ballot: dict[str, Any]) -> None:
    """Open a secret ballot's sealed choices and write every choice again in
    the clear, in receipt-code order with fresh random ids, and the sums of
    each choice's owners and area, in the closing transaction: nothing of the
    order or the transactions they were cast in survives in the tables (on
    PostgreSQL every row then carries the closing transaction's ``xmin``).
    The count that follows checks the sums against the participants' areas."""
    ballot_id = ballot["id"]
    rows = await SecretChoice.select().where(SecretChoice.ballot == ballot_id)
    seal = seal_of(ballot) if any(row["sealed"] for row in rows) else None
    choices: list[tuple[str, str, str]] = []  # (receipt code, stream, choice)
    sums: dict[tuple[str, str], tuple[int, int]] = {
        (row["stream"], row["choice"]): (row["owners"], row["area"])  # of choices cast before sealing
        for row in await SecretTally.select().where(SecretTally.ballot == ballot_id)
    }
    for row in rows:
        if not row["sealed"]:
            choices.append((row["receipt_code"], row["stream"], row["choice"]))
            continue
        assert seal is not None
        try:
            opened = seal.open(row["sealed"])
        except SealBroken as error:
            raise DomainError(
                _(
                    "The choices of this secret vote cannot be opened: the site's secret key "
                    "(YISHI_SECRET_KEY) changed after the vote opened. Put the earlier key back, then "
                    "close the vote; nothing was changed."
                )
            ) from error
        choices.append((opened.receipt_code, row["stream"], opened.choice))
        owners, area = sums.get((row["stream"], opened.choice), (0, 0))
        sums[(row["stream"], opened.choice)] = (owners + 1, area + opened.weight)
    streams = (STREAM_COUNT,) if ballot["links_binding"] else (STREAM_COUNT, STREAM_CONSULTATION)
    for stream in streams:
        for choice in choices_of(ballot):
            sums.setdefault((stream, choice), (0, 0))
    await SecretChoice.delete().where(SecretChoice.ballot == ballot_id)
    await SecretTally.delete().where(SecretTally.ballot == ballot_id)
    await db.insert_many(
        SecretChoice,
        [
            SecretChoice(id=random_id(), ballot=ballot_id, stream=stream, receipt_code=code, choice=choice)
            for code, stream, choice in sorted(choices)
        ],
    )
    await db.insert_many(
        SecretTally,
        [
            SecretTally(ballot=ballot_id, stream=stream, choice=choice, owners=owners, area=area)
            for (stream, choice), (owners, area) in sorted(sums.items())
        ],
    )


async def _tell_proposal(ballot: dict[str, Any], count: Count, at: datetime) -> None:
    """The proposal behind a passed item records the vote on its timeline and moves to the vote stage."""
    if not count.passed:
        return
    item = await AgendaItem.select(AgendaItem.proposal).where(AgendaItem.id == ballot["agenda_item"]).first()
    if not item or not item["proposal"]:
        return

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
