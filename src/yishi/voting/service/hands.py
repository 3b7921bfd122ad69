"""Recording a show of hands (举手表决) as one count."""

from __future__ import annotations

from datetime import datetime

from yishi import clock
from yishi.audit import service as audit
from yishi.db import write_transaction
from yishi.errors import DomainError, FormErrors
from yishi.forms import whole_number
from yishi.i18n import gettext as _
from yishi.rules import Rule
from yishi.voting.service.common import HAND_RULES, ROOM, ballot_changed, check_accepts, lock_ballot
from yishi.voting.tables import BallotRollEntry, BallotVote, HandCount


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
        ballot = await lock_ballot(ballot_id, exclusive=True)
        check_accepts(ballot, ROOM, at)
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
