from piccolo.columns import JSONB, ForeignKey, Integer, OnDelete, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from yishi.accounts.tables import StaffUser
from yishi.roster.tables import Compound


class AuditEntry(Table, tablename="audit_entry"):
    """One change: ``subject`` names the kind of record ("agenda_item", "ballot", ...)."""

    compound = ForeignKey(Compound, on_delete=OnDelete.cascade, null=True, default=None)
    subject = Varchar(length=32, index=True)
    subject_id = Integer(index=True)
    action = Varchar(length=64)
    actor = ForeignKey(StaffUser, on_delete=OnDelete.set_null, null=True, default=None)
    actor_label = Varchar(length=100, default="")
    detail = JSONB(default={})
    at = Timestamptz(default=TimestamptzNow())
