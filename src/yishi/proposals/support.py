"""Who stands behind a proposal: seconds, and for owners' matters area and owners.

Pure arithmetic, no I/O. A compound's ``seconds_threshold`` counts households
that seconded (the proposer's household is not a second). For a matter that
owners decide together (Civil Code art. 278) the support is also counted the
way owners are counted (docs/voting-rules.md, "Counting owners"): households sharing an
``owner_key`` are one owner with their areas added (one buyer's several units;
all of the developer's unsold units under ``"developer"``), a household
without a key is its own owner, and an owner supports the proposal when any of
its households proposed or seconded it, with the owner's whole area.

Owners holding at least 20% of the exclusive area **and** at least 20% of the
owners oblige the owners' committee to convene a meeting; in exact integers,
with areas in hundredths of m²: ``5·A ≥ A_total and 5·N ≥ N_total``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from yishi.shares import percent_figure

OBLIGING_SHARE_DENOMINATOR = 5  # one fifth: 20%


@dataclass(frozen=True)
class Unit:
    """One household of the compound, as owners are counted."""

    household_id: int
    area: int  # exclusive area in hundredths of m²
    owner_key: str | None = None


@dataclass(frozen=True)
class OwnerSupport:
    area: int
    owners: int
    total_area: int
    total_owners: int

    @property
    def obliges_committee(self) -> bool:
        return obliges_committee(self.area, self.owners, self.total_area, self.total_owners)

    def area_percent(self) -> str:
        return _percent(self.area, self.total_area)

    def owners_percent(self) -> str:
        return _percent(self.owners, self.total_owners)


def threshold_reached(seconds: int, threshold: int) -> bool:
    """The compound's number of seconds puts a proposal before the secretary."""
    return seconds >= threshold


def obliges_committee(area: int, owners: int, total_area: int, total_owners: int) -> bool:
    """At least one fifth of the area and one fifth of the owners (bounds included)."""
    if total_area <= 0 or total_owners <= 0:
        return False
    return OBLIGING_SHARE_DENOMINATOR * area >= total_area and OBLIGING_SHARE_DENOMINATOR * owners >= total_owners


def _owner_of(unit: Unit) -> tuple[str, str | int]:
    return ("key", unit.owner_key) if unit.owner_key else ("unit", unit.household_id)


def owner_support(units: Iterable[Unit], supporters: Iterable[int]) -> OwnerSupport:
    """Area and owners behind ``supporters`` (household ids), against the totals of ``units``."""
    owner_area: dict[tuple[str, str | int], int] = {}
    owner_of: dict[int, tuple[str, str | int]] = {}
    for unit in units:
        owner = _owner_of(unit)
        owner_of[unit.household_id] = owner
        owner_area[owner] = owner_area.get(owner, 0) + unit.area
    behind = {owner_of[h] for h in supporters if h in owner_of}
    return OwnerSupport(
        area=sum(owner_area[o] for o in behind),
        owners=len(behind),
        total_area=sum(owner_area.values()),
        total_owners=len(owner_area),
    )


_percent = percent_figure
