"""Where a request comes from: the peer, or the client a trusted proxy named."""

from __future__ import annotations

import ipaddress
from typing import Any

from litestar import Request


def client_address(peer: str | None, headers: Any, trusted_proxies: tuple[str, ...]) -> str:
    """The client's address: the peer's, or, when the peer is a trusted proxy,
    the nearest address in X-Forwarded-For that is not a trusted proxy. From
    any other peer the header is ignored: anyone can write it."""
    host = peer or "unknown"
    forwarded = headers.get("x-forwarded-for", "")
    networks = [ipaddress.ip_network(p, strict=False) for p in trusted_proxies]

    def trusted(address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in networks)

    if not forwarded or not trusted(host):
        return host
    for hop in reversed([part.strip() for part in forwarded.split(",") if part.strip()]):
        if not trusted(hop):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return host
    return host


def request_address(request: Request[Any, Any, Any]) -> str:
    """The client's address, through the proxies named in ``YISHI_TRUSTED_PROXIES``."""
    return client_address(
        request.client.host if request.client else None, request.headers, request.app.state.settings.trusted_proxies
    )
