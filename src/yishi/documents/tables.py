"""Issued documents: every PDF Yishi hands out, with what makes it checkable."""

from piccolo.columns import Bytea, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from yishi.accounts.tables import StaffUser
from yishi.roster.tables import Compound


class IssuedDocument(Table, tablename="issued_document"):
    """One issued PDF, found by its verification code (核验码).

    ``series`` names what the document is of (``kind:subject_type:subject_id``);
    each change of its source data makes a new ``version`` in the series and
    the previous one ``superseded_by`` it. One version may exist in several
    ``language``s (the same data, translated). ``source_hash`` is the SHA-256 of
    the data the PDF was rendered from: while it is unchanged, the stored
    ``pdf`` is served again. ``sha256`` is the hash of the ``pdf`` bytes, which
    an uploaded copy must match. ``summary`` is a short public description;
    it never holds secrets (voter slips' links exist only inside the PDF).
    """

    code = Varchar(length=16, unique=True)
    kind = Varchar(length=32, index=True)
    series = Varchar(length=120, index=True)
    subject_type = Varchar(length=32)
    subject_id = Integer()
    version = Integer(default=1)
    language = Varchar(length=8, default="zh_CN")
    title = Varchar(length=200)
    summary = Text(default="")
    compound = ForeignKey(Compound, on_delete=OnDelete.cascade, null=False)
    issued_by = ForeignKey(StaffUser, on_delete=OnDelete.set_null, null=True, default=None)
    issued_by_name = Varchar(length=64, default="")
    issued_at = Timestamptz(default=TimestamptzNow())
    source_hash = Varchar(length=64)
    sha256 = Varchar(length=64)
    size = Integer()
    pages = Integer()
    pdf = Bytea()
    superseded_by = ForeignKey("self", on_delete=OnDelete.set_null, null=True, default=None)
    superseded_at = Timestamptz(null=True, default=None)
