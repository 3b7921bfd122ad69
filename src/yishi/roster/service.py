"""Use cases of places and the roster: look-ups, CSV preview, import, export."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from yishi import clock
from yishi.codes import natural_key
from yishi.db import write_transaction
from yishi.errors import NotFound
from yishi.i18n import gettext as _
from yishi.roster import csvio
from yishi.roster.tables import Building, Community, Compound, Household


async def compounds_by_ids(ids: list[int]) -> list[dict[str, Any]]:
    if not ids:
        return []
    return (
        await Compound.select(Compound.all_columns(), Compound.community.name.as_alias("community_name"))
        .where(Compound.id.is_in(ids))
        .order_by(Compound.name)
    )


async def compound_by_code(code: str) -> dict[str, Any]:
    row = (
        await Compound.select(
            Compound.all_columns(),
            Compound.community.name.as_alias("community_name"),
            Compound.property_company.name.as_alias("company_name"),
        )
        .where(Compound.code == code)
        .first()
    )
    if row is None:
        raise NotFound()
    return row


async def community_by_code(code: str) -> dict[str, Any]:
    row = await Community.select().where(Community.code == code).first()
    if row is None:
        raise NotFound()
    return row


def building_name(code: str) -> str:
    return _("Building %(code)s", code=code) if code.isdigit() else code


def unit_label(building_code: str, unit: str) -> str:
    """The label voters and exports use: building 3, unit 2-502 → "3-2-502"."""
    return f"{building_code}-{unit}"


@dataclass
class BuildingRoster:
    id: int
    code: str
    name: str
    households: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total_area(self) -> int:
        return sum(h["exclusive_area"] for h in self.households)


async def roster(compound_id: int, building_limit: frozenset[int] | None = None) -> list[BuildingRoster]:
    buildings_query = Building.select().where(Building.compound == compound_id)
    if building_limit is not None:
        buildings_query = buildings_query.where(Building.id.is_in(list(building_limit) or [-1]))
    buildings = {b["id"]: BuildingRoster(id=b["id"], code=b["code"], name=b["name"]) for b in await buildings_query}
    if buildings:
        households = await Household.select().where(Household.building.is_in(list(buildings))).order_by(Household.unit)
        for household in households:
            buildings[household["building"]].households.append(household)
    return sorted(buildings.values(), key=lambda b: natural_key(b.code))


async def household_counts(compound_id: int) -> dict[str, int]:
    rows = await Household.select(Household.id, Household.exclusive_area).where(
        Household.building.compound == compound_id
    )
    return {"households": len(rows), "area": sum(r["exclusive_area"] for r in rows)}


# Import -------------------------------------------------------------------------

NEW, CHANGED, UNCHANGED = "new", "changed", "unchanged"


@dataclass
class ImportPreview:
    rows: list[tuple[csvio.RosterRow, str]]
    errors: list[csvio.RowError]
    kept: int = 0  # households on the roster that the file does not mention
    new_buildings: list[str] = field(default_factory=list)  # codes the file would create, to confirm
    confirm_error: str = ""  # set when importing without confirming those buildings

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    def count(self, status: str) -> int:
        return sum(1 for _row, s in self.rows if s == status)


def _household_values(row: csvio.RosterRow) -> dict[str, Any]:
    return {
        "exclusive_area": row.area,
        "owner_names": row.owner,
        "phone": row.phone,
        "residents": row.residents,
        "owner_key": row.owner_key,
    }


async def _existing(compound_id: int) -> dict[tuple[str, str], dict[str, Any]]:
    rows = await Household.select(Household.all_columns(), Household.building.code.as_alias("building_code")).where(
        Household.building.compound == compound_id
    )
    return {(r["building_code"], r["unit"]): r for r in rows}


async def preview_import(compound_id: int, data: bytes) -> ImportPreview:
    parsed = csvio.parse_roster(data)
    if parsed.errors or not parsed.rows:
        errors = parsed.errors or [csvio.RowError(1, _("The file has no households."))]
        return ImportPreview(rows=[], errors=errors)
    existing = await _existing(compound_id)
    statuses = []
    for row in parsed.rows:
        current = existing.get((row.building, row.unit))
        if current is None:
            status = NEW
        elif all(current[k] == v for k, v in _household_values(row).items()):
            status = UNCHANGED
        else:
            status = CHANGED
        statuses.append((row, status))
    seen = {(r.building, r.unit) for r in parsed.rows}
    known = {b["code"] for b in await Building.select(Building.code).where(Building.compound == compound_id)}
    new_buildings = sorted({r.building for r in parsed.rows} - known, key=natural_key)
    return ImportPreview(rows=statuses, errors=[], kept=len(set(existing) - seen), new_buildings=new_buildings)


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    buildings_created: int


async def apply_import(
    compound_id: int, data: bytes, confirmed_buildings: Iterable[str] = ()
) -> ImportResult | ImportPreview:
    """Write the whole file or nothing; a file with errors, or one that would
    create buildings not confirmed (``confirmed_buildings``), returns its preview."""
    async with write_transaction():
        preview = await preview_import(compound_id, data)
        if not preview.ok:
            return preview
        if set(preview.new_buildings) - set(confirmed_buildings):
            preview.confirm_error = _(
                "The file would create the buildings %(codes)s. Check they are real buildings of this "
                "compound and tick the box to confirm.",
                codes="、".join(preview.new_buildings),
            )
            return preview
        buildings = {
            b["code"]: b["id"]
            for b in await Building.select(Building.id, Building.code).where(Building.compound == compound_id)
        }
        buildings_created = 0
        existing = await _existing(compound_id)
        now = clock.now()
        for row, status in preview.rows:
            if row.building not in buildings:
                created = await Building.insert(
                    Building(compound=compound_id, code=row.building, name=building_name(row.building))
                ).returning(Building.id)
                buildings[row.building] = created[0]["id"]
                buildings_created += 1
            values = _household_values(row)
            if status == NEW:
                await Household.insert(
                    Household(building=buildings[row.building], unit=row.unit, updated_at=now, **values)
                )
            elif status == CHANGED:
                household_id = existing[(row.building, row.unit)]["id"]
                await Household.update({**values, "updated_at": now}).where(Household.id == household_id)
    return ImportResult(
        created=preview.count(NEW),
        updated=preview.count(CHANGED),
        unchanged=preview.count(UNCHANGED),
        buildings_created=buildings_created,
    )


async def export_roster(compound_id: int, header_language: str = "zh_CN") -> bytes:
    rows = []
    for building in await roster(compound_id):
        for h in building.households:
            rows.append(
                csvio.RosterRow(
                    line=0,
                    building=building.code,
                    unit=h["unit"],
                    area=h["exclusive_area"],
                    owner=h["owner_names"],
                    phone=h["phone"],
                    residents=h["residents"],
                    owner_key=h["owner_key"],
                )
            )
    return csvio.write_roster(rows, header_language=header_language)
