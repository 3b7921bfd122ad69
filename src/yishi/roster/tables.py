"""Places (community, compound, building), households and the three parties."""

from piccolo.columns import JSONB, Boolean, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table

from yishi import labels
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
    """小区, with the rules its residents agreed on.

    ``seconds_threshold``: seconds that put a proposal before the secretary.
    ``notice_days``: minimum notice per meeting kind. ``link_votes_binding``:
    whether link votes bind owners' decisions (else they are consultation and
    paper + city-system results bind). ``proxy_cap``: owners one proxy holder
    may represent (0: no cap). ``deemed_votes_clause``: the rules-of-procedure
    clause that counts served non-voters with the majority (empty: off).
    ``reopen_*``: the unsatisfied share of ratings that reopens an action.
    """

    community = ForeignKey(Community, on_delete=OnDelete.restrict, null=False)
    code = Varchar(length=32, unique=True)
    name = Varchar(length=100)
    address = Varchar(length=200, default="")
    built_year = Integer(null=True, default=None)
    property_company = ForeignKey(PropertyCompany, on_delete=OnDelete.set_null, null=True, default=None)
    # The compound's own rules (set by its secretary or the community admin).
    seconds_threshold = Integer(default=5)
    notice_days = JSONB(default={"bench_meeting": 1, "tripartite": 3, "council": 3, "owners_decision": 15})
    link_votes_binding = Boolean(default=True)
    proxy_cap = Integer(default=0)
    deemed_votes_clause = Text(default="")
    reopen_unsatisfied_numerator = Integer(default=1)
    reopen_unsatisfied_denominator = Integer(default=3)
    reopen_min_ratings = Integer(default=3)
    escalate_to_street_after_days = Integer(default=7)


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


PARTY_LABELS = labels.register(
    "party",
    {
        PartyKind.BRANCH: N_("Party branch"),
        PartyKind.PROPERTY: N_("Property company"),
        PartyKind.COMMITTEE: N_("Owners' committee"),
    },
)


class Party(Table, tablename="party"):
    """One of the compound's three parties: 党支部, 物业服务企业, 业主委员会."""

    compound = ForeignKey(Compound, on_delete=OnDelete.cascade, null=False)
    kind = Varchar(length=16)
    name = Varchar(length=100)
    active = Boolean(default=True)
    note = Text(default="")
