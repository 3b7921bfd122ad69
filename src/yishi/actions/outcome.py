"""Whether an agenda item was adopted: the one place step 4 asks step 3.

An item is decided when its ballot is closed; it is adopted when that frozen
result passed. A multi-option item names the option adopted.
"""

from __future__ import annotations

from dataclasses import dataclass

from yishi.voting import service as voting


@dataclass(frozen=True)
class ItemOutcome:
    agenda_item_id: int
    decided: bool  # a closed ballot exists
    adopted: bool
    adopted_option: str | None = None
    ballot_id: int | None = None


async def item_outcome(agenda_item_id: int) -> ItemOutcome:
    result = await voting.item_result(agenda_item_id)
    if result is None or not result.closed:
        return ItemOutcome(agenda_item_id, decided=False, adopted=False, ballot_id=result.ballot_id if result else None)
    return ItemOutcome(
        agenda_item_id,
        decided=True,
        adopted=bool(result.passed),
        adopted_option=result.adopted_option,
        ballot_id=result.ballot_id,
    )
