"""Photos people upload (a proposal's pictures, later an action's evidence).

A photo is judged by its content, never by its name: Pillow must read it as a
JPEG, PNG or WebP image. It is turned upright (EXIF orientation), shrunk to at
most ``MAX_SIDE`` pixels on its longest side and re-encoded from its bare
pixels, so no metadata survives (EXIF with its GPS position, camera and time,
XMP, ICC profiles, text chunks, comments). Stored files get random names under
``<var_dir>/uploads/<folder>/``; the database keeps the path relative to the
uploads folder.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import secrets
import threading
import unicodedata
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from yishi.errors import DomainError
from yishi.i18n import gettext as _

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTOS = 5
MAX_SIDE = 2048
MAX_PIXELS = 50_000_000  # a larger JPEG is refused from its header, before any decoding
MAX_PIXELS_LOSSLESS = 16_000_000  # PNG and WebP decode at full size: a lower limit bounds their memory
_DECODING = threading.Lock()  # one decode at a time: bounded memory, and the strict switch below is not shared
QUALITY = 85

# Pillow's format name → (file suffix, media type) of the re-encoded photo.
FORMATS = {
    "JPEG": (".jpg", "image/jpeg"),
    "PNG": (".png", "image/png"),
    "WEBP": (".webp", "image/webp"),
}
MEDIA_TYPES = dict(FORMATS.values())


class PhotoRefused(DomainError):
    """An upload that cannot be kept as a photo; the message names it and says why."""


@dataclass(frozen=True)
class Upload:
    """One file as it came from a form."""

    filename: str
    content: bytes


@dataclass(frozen=True)
class PreparedPhoto:
    content: bytes
    width: int
    height: int
    suffix: str


@dataclass(frozen=True)
class StoredPhoto:
    path: str  # relative to the uploads folder: "<folder>/<random name><suffix>"
    width: int
    height: int


T = TypeVar("T")


def shown_name(filename: str) -> str:
    """A file name safe to show in a message: no folders, no control characters."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    return name[-80:] or _("the photo")


def prepare_photo(data: bytes, filename: str = "") -> PreparedPhoto:
    """Check one upload by its content and re-encode it without metadata."""
    name = shown_name(filename)
    if not data:
        raise PhotoRefused(_("%(name)s is empty.", name=name))
    if len(data) > MAX_PHOTO_BYTES:
        raise PhotoRefused(
            _(
                "%(name)s is larger than %(mb)d MB. Choose a smaller photo.",
                name=name,
                mb=MAX_PHOTO_BYTES // (1024 * 1024),
            )
        )
    not_a_photo = PhotoRefused(_("%(name)s is not a JPEG, PNG or WebP photo.", name=name))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                image_format = probe.format
                if image_format not in FORMATS:
                    raise not_a_photo
                limit = MAX_PIXELS if image_format == "JPEG" else MAX_PIXELS_LOSSLESS
                if probe.width * probe.height > limit:
                    raise PhotoRefused(
                        _(
                            "%(name)s has too many pixels (%(w)d × %(h)d). Send a photo of at most "
                            "%(mp)d million pixels.",
                            name=name,
                            w=probe.width,
                            h=probe.height,
                            mp=limit // 1_000_000,
                        )
                    )
                probe.verify()
            with _DECODING, Image.open(io.BytesIO(data)) as image, _strict_decoding():
                if image_format == "JPEG":
                    # Decode a large JPEG at a reduced scale: no more pixels than the result needs.
                    image.draft("RGB" if image.mode not in ("L", "1") else "L", (MAX_SIDE, MAX_SIDE))
                image.load()
                upright = ImageOps.exif_transpose(image)
    except PhotoRefused:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise not_a_photo from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise not_a_photo from None
    assert image_format is not None
    return _reencode(upright, image_format)


@contextlib.contextmanager
def _strict_decoding() -> Iterator[None]:
    """Refuse truncated files while decoding an upload.

    WeasyPrint switches Pillow's process-wide ``LOAD_TRUNCATED_IMAGES`` on when
    it is imported; a photo cut off in transit would then be padded with grey.
    Decodes run one at a time (``_DECODING``), in worker threads (``off_loop``).
    """
    before = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before


def _reencode(image: Image.Image, image_format: str) -> PreparedPhoto:
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    if image_format == "JPEG":
        mode = "L" if image.mode in ("1", "L") else "RGB"
    else:
        mode = "RGBA" if has_alpha else ("L" if image.mode in ("1", "L") and image_format == "PNG" else "RGB")
    image = image.convert(mode)
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    # A new image from the bare pixels: nothing of the original's info travels.
    bare = Image.frombytes(image.mode, image.size, image.tobytes())
    buffer = io.BytesIO()
    if image_format == "JPEG":
        bare.save(buffer, format="JPEG", quality=QUALITY, optimize=True)
    elif image_format == "PNG":
        bare.save(buffer, format="PNG", optimize=True)
    else:
        bare.save(buffer, format="WEBP", quality=QUALITY)
    suffix = FORMATS[image_format][0]
    return PreparedPhoto(content=buffer.getvalue(), width=bare.width, height=bare.height, suffix=suffix)


def prepare_photos(uploads: Sequence[Upload], limit: int = MAX_PHOTOS) -> list[PreparedPhoto]:
    """Every upload checked; the first refusal says which file and why."""
    uploads = [u for u in uploads if u.filename or u.content]
    if len(uploads) > limit:
        raise PhotoRefused(_("At most %(n)d photos. Leave out %(extra)d.", n=limit, extra=len(uploads) - limit))
    return [prepare_photo(u.content, u.filename) for u in uploads]


async def off_loop(function: Callable[..., T], *args: Any) -> T:
    """Run a decode and re-encode in a worker thread, so a large picture never
    holds the event loop (and every other request) while it is decoded."""
    return await asyncio.to_thread(function, *args)


def uploads_folder(var_dir: Path) -> Path:
    return var_dir / "uploads"


def store_photos(photos: Sequence[PreparedPhoto], var_dir: Path, folder: str) -> list[StoredPhoto]:
    """Write the photos under random names; all of them or none."""
    target = uploads_folder(var_dir) / folder
    target.mkdir(parents=True, exist_ok=True)
    stored: list[StoredPhoto] = []
    try:
        for photo in photos:
            name = secrets.token_urlsafe(18) + photo.suffix
            (target / name).write_bytes(photo.content)
            stored.append(StoredPhoto(path=f"{folder}/{name}", width=photo.width, height=photo.height))
    except OSError:
        discard(stored, var_dir)
        raise
    return stored


def discard(photos: Sequence[StoredPhoto], var_dir: Path) -> None:
    """Remove stored files whose records were not saved."""
    for photo in photos:
        path = stored_path(var_dir, photo.path)
        if path is not None:
            path.unlink(missing_ok=True)


def stored_path(var_dir: Path, relative: str) -> Path | None:
    """The file of a stored photo, or None when the path would leave the uploads folder."""
    root = uploads_folder(var_dir).resolve()
    path = (root / relative).resolve()
    if root not in path.parents or path.suffix not in MEDIA_TYPES:
        return None
    return path


def media_type(relative: str) -> str:
    return MEDIA_TYPES.get(Path(relative).suffix, "application/octet-stream")
