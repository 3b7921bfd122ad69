"""Use cases of documents: issue (render only what changed), serve, verify.

Issuing a document:

1. its kind loads the source data and the data is hashed (with the language,
   the public address and the print templates);
2. when a current version in that language has the same hash, its stored
   bytes are the answer: nothing is rendered;
3. otherwise a fresh verification code and the next version number are
   chosen, the HTML is rendered with them (the code and its QR are inside the
   PDF), WeasyPrint lays it out in a worker thread, and one transaction stores
   the PDF, its SHA-256, and marks the versions it replaces as superseded.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from yishi import clock, db, i18n
from yishi.accounts.permissions import Principal
from yishi.audit import service as audit
from yishi.db import write_transaction
from yishi.documents import kinds, qr, render
from yishi.documents.kinds import DocumentKind, Source
from yishi.documents.tables import IssuedDocument
from yishi.errors import Conflict, DomainError, NotFound
from yishi.i18n import gettext as _
from yishi.settings import Settings

PLAN_ATTEMPTS = 3

META_COLUMNS = [
    IssuedDocument.id,
    IssuedDocument.code,
    IssuedDocument.kind,
    IssuedDocument.series,
    IssuedDocument.subject_type,
    IssuedDocument.subject_id,
    IssuedDocument.version,
    IssuedDocument.language,
    IssuedDocument.title,
    IssuedDocument.summary,
    IssuedDocument.compound,
    IssuedDocument.issued_by,
    IssuedDocument.issued_by_name,
    IssuedDocument.issued_at,
    IssuedDocument.source_hash,
    IssuedDocument.sha256,
    IssuedDocument.size,
    IssuedDocument.pages,
    IssuedDocument.superseded_by,
    IssuedDocument.superseded_at,
]


@dataclass(frozen=True)
class Issuer:
    user_id: int | None
    name: str

    @classmethod
    def of(cls, principal: Principal | None) -> Issuer:
        if principal is None:
            return cls(None, "")
        return cls(principal.user_id, principal.display_name)


@dataclass(frozen=True)
class DocInfo:
    """What every print template knows about the document it renders (``doc``)."""

    code: str
    code_display: str
    verify_url: str
    version: int
    issued_at: datetime
    issued_by_name: str
    title: str
    kind_label: str
    compound_name: str
    language: str
    base_url: str

    @property
    def html_lang(self) -> str:
        return "zh-CN" if self.language == "zh_CN" else "en"

    @property
    def page_counter(self) -> Any:
        return render.page_counter_css(_("Page {page} of {pages}"))

    @property
    def verify_qr(self) -> Any:
        return qr.qr_svg(self.verify_url, css_class="qr verify-qr")


def reading() -> Any:
    """One read transaction: a consistent snapshot for a loader's many small
    queries, on one connection (SQLite otherwise opens one per query)."""
    return db.engine().transaction()


def series_key(kind: DocumentKind, subject_id: int, variant: str = "") -> str:
    key = f"{kind.name}:{kind.subject_type}:{subject_id}"
    return f"{key}:{variant}" if variant else key


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, bytes):
        return hashlib.sha256(value).hexdigest()
    raise TypeError(f"cannot hash {type(value).__name__} in a document source")


def source_hash(kind: DocumentKind, source: Source, *, variant: str, settings: Settings) -> str:
    """The fingerprint of the data a document shows, and of the templates and
    translations that shape it, but not of the language chosen (one version
    may exist in several languages) nor of the code and time of issue."""
    payload = {
        "kind": kind.name,
        "variant": variant,
        "base_url": settings.base_url,
        "renderer": render.renderer_fingerprint(),
        "compound": [source.compound_id, source.compound_name],
        "context": source.context,
    }
    encoded = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=_jsonable)
    return hashlib.sha256(encoded.encode()).hexdigest()


async def _current_with_hash(
    series: str, hash_: str, language: str, *, with_pdf: bool = False
) -> dict[str, Any] | None:
    columns = [*META_COLUMNS, IssuedDocument.pdf] if with_pdf else META_COLUMNS
    return (
        await IssuedDocument.select(*columns)
        .where(
            (IssuedDocument.series == series)
            & (IssuedDocument.source_hash == hash_)
            & (IssuedDocument.language == language)
            & IssuedDocument.superseded_by.is_null()
        )
        .order_by(IssuedDocument.id, ascending=False)
        .first()
    )


async def _next_version(series: str, hash_: str) -> int:
    """The same data in another language shares its version; new data takes the next."""
    twin = (
        await IssuedDocument.select(IssuedDocument.version)
        .where(
            (IssuedDocument.series == series)
            & (IssuedDocument.source_hash == hash_)
            & IssuedDocument.superseded_by.is_null()
        )
        .first()
    )
    if twin is not None:
        return twin["version"]
    rows = await IssuedDocument.select(IssuedDocument.version).where(IssuedDocument.series == series)
    return max((r["version"] for r in rows), default=0) + 1


async def _free_code() -> str:
    while True:
        code = qr.new_code()
        if not await IssuedDocument.exists().where(IssuedDocument.code == code):
            return code


async def issue(
    kind_name: str,
    subject_id: int,
    *,
    compound_id: int,
    settings: Settings,
    principal: Principal | None,
    language: str,
    variant: str = "",
) -> dict[str, Any]:
    """The current document of ``kind_name`` about ``subject_id``: the stored
    one when its data did not change, else a newly rendered version.

    ``compound_id`` is the compound the caller checked permissions in; a
    subject of another compound is "not found" (and nothing is rendered).
    Returns the record's facts, with ``reused`` saying whether stored bytes
    answer (then the record carries them as ``pdf``); :func:`pdf_bytes` gives
    the bytes either way.
    """
    kind = kinds.get(kind_name)
    if kind.renew_each_time:
        raise NotFound(_("There is no such document."))
    async with reading():
        source = await kind.load(subject_id, variant)
    if source.compound_id != compound_id:
        raise NotFound()
    return await issue_source(
        kind,
        subject_id,
        source,
        settings=settings,
        issuer=Issuer.of(principal),
        language=language,
        variant=variant,
    )


MAX_RENDERS_PER_PERSON = 2  # at once, in one worker: one person's clicks never take every core
_rendering: Counter[int | None] = Counter()


class TooManyRenders(DomainError):
    status_code = 429


@contextlib.contextmanager
def _render_turn(issuer: Issuer) -> Iterator[None]:
    """A render of ``issuer``'s, refused while they have ``MAX_RENDERS_PER_PERSON``
    under way (sixteen at once from one person slowed everyone's pages)."""
    if issuer.user_id is not None and _rendering[issuer.user_id] >= MAX_RENDERS_PER_PERSON:
        raise TooManyRenders(_("Your other documents are still being made. Wait until they are ready, then try again."))
    _rendering[issuer.user_id] += 1
    try:
        yield
    finally:
        _rendering[issuer.user_id] -= 1


async def issue_source(
    kind: DocumentKind,
    subject_id: int,
    source: Source,
    *,
    settings: Settings,
    issuer: Issuer,
    language: str,
    variant: str = "",
) -> dict[str, Any]:
    """Issue ``source`` (already loaded) as a document of ``kind``; see :func:`issue`.

    Called inside a caller's transaction (voter slips), the render happens in
    it and the record joins it.
    """
    series = series_key(kind, subject_id, variant)
    hash_ = source_hash(kind, source, variant=variant, settings=settings)
    if not kind.renew_each_time:
        existing = await _current_with_hash(series, hash_, language, with_pdf=True)
        if existing is not None:
            return {**existing, "reused": True}

    for _attempt in range(PLAN_ATTEMPTS):
        version = await _next_version(series, hash_)
        code = await _free_code()
        issued_at = clock.now()
        with i18n.language(language):
            kind_label = _(kind.label)
        info = DocInfo(
            code=code,
            code_display=qr.display_code(code),
            verify_url=f"{settings.base_url}/verify/{code}",
            version=version,
            issued_at=issued_at,
            issued_by_name=issuer.name,
            title=source.title,
            kind_label=kind_label,
            compound_name=source.compound_name,
            language=language,
            base_url=settings.base_url,
        )
        with _render_turn(issuer):
            html = render.render_html(settings, kind.template, {**source.context, "doc": info}, language)
            rendered = await asyncio.to_thread(render.html_to_pdf, html)
        async with write_transaction():
            if not kind.renew_each_time:
                existing = await _current_with_hash(series, hash_, language)
                if existing is not None:  # someone issued the same data meanwhile
                    return {**existing, "reused": True}
            if await _next_version(series, hash_) != version or await IssuedDocument.exists().where(
                IssuedDocument.code == code
            ):
                continue  # another version was issued while this one rendered: plan again
            record = await _store(kind, subject_id, source, series, hash_, info, rendered, issuer)
            await _supersede(series, record, renew_each_time=kind.renew_each_time)
            await audit.record(
                "document",
                record["id"],
                "issued",
                actor=issuer.user_id,
                actor_label=issuer.name,
                compound=source.compound_id,
                code=code,
                kind=kind.name,
                version=version,
            )
            return {**record, "reused": False}
    raise Conflict(_("This document was being issued by someone else at the same moment. Please try again."))


async def _store(
    kind: DocumentKind,
    subject_id: int,
    source: Source,
    series: str,
    hash_: str,
    info: DocInfo,
    rendered: render.RenderedPdf,
    issuer: Issuer,
) -> dict[str, Any]:
    await IssuedDocument.insert(
        IssuedDocument(
            code=info.code,
            kind=kind.name,
            series=series,
            subject_type=kind.subject_type,
            subject_id=subject_id,
            version=info.version,
            language=info.language,
            title=source.title[:200],
            summary=source.summary,
            compound=source.compound_id,
            issued_by=issuer.user_id,
            issued_by_name=issuer.name[:64],
            issued_at=info.issued_at,
            source_hash=hash_,
            sha256=hashlib.sha256(rendered.data).hexdigest(),
            size=len(rendered.data),
            pages=rendered.pages,
            pdf=rendered.data,
        )
    )
    record = await IssuedDocument.select(*META_COLUMNS).where(IssuedDocument.code == info.code).first()
    assert record is not None
    return record


async def _supersede(series: str, record: dict[str, Any], *, renew_each_time: bool) -> None:
    """Mark the versions ``record`` replaces: those of other data (in any
    language); for documents renewed each time, every earlier one."""
    condition = (
        (IssuedDocument.series == series) & IssuedDocument.superseded_by.is_null() & (IssuedDocument.id != record["id"])
    )
    if not renew_each_time:
        condition &= IssuedDocument.source_hash != record["source_hash"]
    await IssuedDocument.update(
        {IssuedDocument.superseded_by: record["id"], IssuedDocument.superseded_at: record["issued_at"]}
    ).where(condition)


# Reading ------------------------------------------------------------------------


async def pdf_bytes(record: dict[str, Any]) -> bytes:
    """The PDF of a record: the bytes it already carries, or read from the table."""
    if record.get("pdf") is not None:
        return bytes(record["pdf"])
    return await pdf_of(record["id"])


async def pdf_of(document_id: int) -> bytes:
    row = await IssuedDocument.select(IssuedDocument.pdf).where(IssuedDocument.id == document_id).first()
    if row is None:
        raise NotFound(_("There is no such document."))
    return bytes(row["pdf"])


async def by_code(code: str) -> dict[str, Any]:
    """The record of a verification code with its compound and successor, or NotFound."""
    normalized = qr.normalize_code(code)
    row = None
    if normalized is not None:
        row = (
            await IssuedDocument.select(
                *META_COLUMNS,
                IssuedDocument.compound.name.as_alias("compound_name"),
                IssuedDocument.compound.code.as_alias("compound_code"),
                IssuedDocument.compound.community.name.as_alias("community_name"),
                IssuedDocument.superseded_by.code.as_alias("superseded_by_code"),
            )
            .where(IssuedDocument.code == normalized)
            .first()
        )
    if row is None:
        raise NotFound(_("No document was issued under this verification code. Check the code on the paper."))
    return row


async def later_in_compound(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Documents of the same kind issued later in the same compound (newest first)."""
    return await (
        IssuedDocument.select(*META_COLUMNS)
        .where(
            (IssuedDocument.compound == record["compound"])
            & (IssuedDocument.kind == record["kind"])
            & (IssuedDocument.id > record["id"])
        )
        .order_by(IssuedDocument.id, ascending=False)
    )


@dataclass(frozen=True)
class Check:
    matches: bool
    sha256: str
    size: int


async def check_copy(record: dict[str, Any], data: bytes) -> Check:
    """Does an uploaded file equal, byte for byte, the issued PDF?"""
    digest = hashlib.sha256(data).hexdigest()
    matches = digest == record["sha256"] and data == await pdf_of(record["id"])
    return Check(matches=matches, sha256=digest, size=len(data))


async def issued_in_compound(
    compound_id: int, *, limit: int = 200, kinds_allowed: set[str] | None = None
) -> list[dict[str, Any]]:
    query = (
        IssuedDocument.select(*META_COLUMNS, IssuedDocument.superseded_by.code.as_alias("superseded_by_code"))
        .where(IssuedDocument.compound == compound_id)
        .order_by(IssuedDocument.id, ascending=False)
        .limit(limit)
    )
    if kinds_allowed is not None:
        query = query.where(IssuedDocument.kind.is_in(sorted(kinds_allowed) or [""]))
    return await query


async def current_of(
    kind_name: str, subject_id: int, *, variant: str = "", language: str | None = None
) -> dict[str, Any] | None:
    """The newest current (not superseded) issued copy, for pages that link to it."""
    kind = kinds.get(kind_name)
    query = IssuedDocument.select(*META_COLUMNS).where(
        (IssuedDocument.series == series_key(kind, subject_id, variant)) & IssuedDocument.superseded_by.is_null()
    )
    if language is not None:
        query = query.where(IssuedDocument.language == language)
    return await query.order_by(IssuedDocument.id, ascending=False).first()


def kind_label(name: str) -> str:
    """The readable name of a kind, even for a kind no longer registered."""
    kind = kinds.find(name)
    return _(kind.label) if kind else name
