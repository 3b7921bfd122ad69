"""Evidence files of progress updates: photos and PDFs, judged by content.

Photos go through :mod:`yishi.photos` (read by Pillow as JPEG, PNG or WebP,
turned upright, shrunk, re-encoded from bare pixels so no metadata survives).
A PDF must start with the ``%PDF-`` signature and is kept as sent, up to
``MAX_PDF_BYTES``. Files are stored under the uploads folder with random
names; the database keeps the relative path.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from yishi import photos
from yishi.errors import DomainError
from yishi.i18n import gettext as _

MAX_PDF_BYTES = 10 * 1024 * 1024
MAX_FILE_BYTES = max(MAX_PDF_BYTES, photos.MAX_PHOTO_BYTES)  # what a view reads of one file
PDF_SIGNATURE = b"%PDF-"
PDF_MEDIA_TYPE = "application/pdf"

IMAGE, PDF = "image", "pdf"


class EvidenceRefused(DomainError):
    """A file that cannot be kept as evidence; the message says which and why."""


@dataclass(frozen=True)
class PreparedFile:
    kind: str
    content: bytes
    suffix: str
    width: int = 0
    height: int = 0
    name: str = ""


@dataclass(frozen=True)
class StoredFile:
    kind: str
    path: str
    width: int
    height: int
    size: int
    name: str


def prepare(data: bytes, filename: str = "", *, allow_pdf: bool = True) -> PreparedFile:
    """Check one upload by its content; photos come back re-encoded."""
    name = photos.shown_name(filename)
    if data.startswith(PDF_SIGNATURE):
        if not allow_pdf:
            raise EvidenceRefused(_("%(name)s is a PDF; only photos are accepted here.", name=name))
        if len(data) > MAX_PDF_BYTES:
            raise EvidenceRefused(_("%(name)s is larger than %(mb)d MB.", name=name, mb=MAX_PDF_BYTES // (1024 * 1024)))
        return PreparedFile(kind=PDF, content=data, suffix=".pdf", name=name)
    try:
        photo = photos.prepare_photo(data, filename)
    except photos.PhotoRefused as refused:
        if (
            allow_pdf
            and data
            and len(data) <= photos.MAX_PHOTO_BYTES
            and refused.message == _("%(name)s is not a JPEG, PNG or WebP photo.", name=name)
        ):
            raise EvidenceRefused(_("%(name)s is neither a photo (JPEG, PNG, WebP) nor a PDF.", name=name)) from None
        raise EvidenceRefused(refused.message) from None
    return PreparedFile(
        kind=IMAGE, content=photo.content, suffix=photo.suffix, width=photo.width, height=photo.height, name=name
    )


def store(prepared: PreparedFile, uploads_dir: Path, folder: str) -> StoredFile:
    """Write the file under ``uploads_dir/folder`` with a random name."""
    target_dir = uploads_dir / folder
    target_dir.mkdir(parents=True, exist_ok=True)
    relative = f"{folder}/{secrets.token_urlsafe(18)}{prepared.suffix}"
    (uploads_dir / relative).write_bytes(prepared.content)
    return StoredFile(
        kind=prepared.kind,
        path=relative,
        width=prepared.width,
        height=prepared.height,
        size=len(prepared.content),
        name=prepared.name,
    )


def remove(uploads_dir: Path, stored: list[StoredFile]) -> None:
    """Delete files written for a change that did not commit."""
    for item in stored:
        (uploads_dir / item.path).unlink(missing_ok=True)


def open_stored(uploads_dir: Path, relative: str) -> bytes | None:
    """The bytes of a stored file, or None; never reads outside the uploads folder."""
    base = uploads_dir.resolve()
    path = (base / relative).resolve()
    if base not in path.parents or not path.is_file():
        return None
    return path.read_bytes()


def media_type(relative: str) -> str:
    return PDF_MEDIA_TYPE if relative.endswith(".pdf") else photos.media_type(relative)
