"""Files that come with forms and go back as downloads: evidence and
objection photos. Used by the actions and supervision pages alike."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from litestar import Request
from litestar.datastructures import UploadFile
from litestar.response import Response

from yishi.actions import evidence
from yishi.errors import NotFound
from yishi.photos import Upload


def uploads_dir(request: Request[Any, Any, Any]) -> Path:
    return request.app.state.settings.var_dir / "uploads"


async def read_uploads(items: list[Any]) -> list[Upload]:
    """The files of a form field (one, several, or none chosen)."""
    uploads = []
    for item in items:
        if isinstance(item, UploadFile) and item.filename:
            content = await item.read(evidence.MAX_FILE_BYTES + 1)
            uploads.append(Upload(filename=item.filename, content=content))
    return uploads


def file_response(folder: Path, path: str, download_name: str) -> Response[bytes]:
    content = evidence.open_stored(folder, path)
    if content is None:
        raise NotFound()
    # A PDF is downloaded, never shown inside the site (it could carry scripts or links).
    disposition = "attachment" if evidence.media_type(path) == evidence.PDF_MEDIA_TYPE else "inline"
    return Response(
        content,
        media_type=evidence.media_type(path),
        headers={
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(download_name)}",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, max-age=86400",
        },
    )
