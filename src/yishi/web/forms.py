"""How handlers receive forms, said once: the body types of a plain form and
of a form with files, and whether a request came from htmx."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request
from litestar.enums import RequestEncodingType
from litestar.params import Body

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
Multipart = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]


def is_htmx(request: Request[Any, Any, Any]) -> bool:
    """The request was sent by htmx (it swaps a fragment, not the page)."""
    return request.headers.get("hx-request") == "true"
