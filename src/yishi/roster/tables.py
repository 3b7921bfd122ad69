"""Places (community, compound, building), households and the three parties."""

from piccolo.columns import (
    Boolean,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from yishi.i18n import N_


class Community(Table, tablename="community"):
    """社区: the level above compounds; a street (街道) is named for escalations."""

    code = Varchar(length=32, unique=True)
    name = Varchar(length=100)
    street = Varchar(length=100, default="")


class PropertyCompany(Table, tablename="property_company"):
    """物业服务企业: may serve several compounds."""

    name = Varchar(length=100, unique=True)


class Compound(Table, tablename="compound"):
    """小区."""

    community = ForeignKey(Community, on_delete=OnDelete.restrict, null=False)
    code = Varchar(length=32, unique=True)
    name = Varchar(length=100)
    address = Varchar(length=200, default="")
    built_year = Integer(null=True, default=None)
    property_company = ForeignKey(
        PropertyCompany, on_delete=OnDelete.set_null, null=True, default=None
    )


class Building(Table, tablename="building"):
    """楼栋. ``code`` is what unit labels start with: building 3 → "3-2-502"."""

    compound = ForeignKey(Compound, on_delete=OnDelete.cascade, null=False)
    code = Varchar(length=16)
    name = Varchar(length=50)


class Household(Table, tablename="household"):
    """户: one unit of a building.

    ``exclusive_area`` is the registered exclusive area (专有部分面积) in
    hundredths of m², an exact integer. Households sharing an ``owner_key``
    belong to one owner (one buyer's several units; "developer" for the
    developer's unsold units).
    """

    building = ForeignKey(Building, on_delete=OnDelete.cascade, null=False)
    unit = Varchar(length=32)
    exclusive_area = Integer()
    owner_names = Varchar(length=200, default="")
    phone = Varchar(length=32, default="")
    residents = Integer(default=0)
    owner_key = Varchar(length=64, null=True, default=None)
    updated_at = Timestamptz()


class PartyKind:
    """The three parties of a compound (三方)."""

    BRANCH = "branch"
    PROPERTY = "property"
    COMMITTEE = "committee"
    ALL = (BRANCH, PROPERTY, COMMITTEE)


PARTY_LABELS = {
    PartyKind.BRANCH: N_("Party branch"),
    PartyKind.PROPERTY: N_("Property company"),
    PartyKind.COMMITTEE: N_("Owners' committee"),
}


class Party(Table, tablename="party"):
    """One of the compound's three parties: 党支部, 物业服务企业, 业主委员会."""

    compound = ForeignKey(Compound, on_delete=OnDelete.cascade, null=False)
    kind = Varchar(length=16)
    name = Varchar(length=100)
    active = Boolean(default=True)
    note = Text(default="")
