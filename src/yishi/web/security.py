"""Headers every answer carries, so a browser holds the site to its own
scripts and styles and no other site can frame it."""

from __future__ import annotations

from typing import Any

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

# Only our own files: no inline script, no inline handler, no inline style, no
# framing; images may be data: URIs (QR codes) and blobs (photo previews).
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",  # personal links (/h/TOKEN) never leave in a Referer
    "X-Content-Type-Options": "nosniff",
}


async def add_security_headers(message: Message, scope: Scope) -> None:
    """A ``before_send`` hook: it sees every answer, routing errors included."""
    if message["type"] == "http.response.start":
        headers = MutableScopeHeaders.from_message(message)
        for name, value in HEADERS.items():
            if name not in headers:
                headers[name] = value


def secure_cookies(base_url: str) -> dict[str, Any]:
    """Cookie flags for every cookie the site sets: ``Secure`` behind https."""
    return {"secure": base_url.startswith("https://"), "samesite": "lax", "httponly": True}
