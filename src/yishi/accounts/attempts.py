"""Limits on guessing: staff passwords, and a household's unit + phone.

An attempt is counted before it is checked. ``reserve`` counts the recent
attempts and records this one in one write transaction, serialised per key
(and per address) on PostgreSQL by advisory locks, and on SQLite by its one
writer: N simultaneous guesses meet the limits exactly as N guesses in a row,
across every worker. Only an attempt that got its reservation is checked
(argon2, or the roster). A success clears the key's failures from that
address; a failure stays counted for ``WINDOW``.

- ``PER_KEY_AND_ADDRESS`` failures of one key (account, or unit) from one
  address within the window: refused until they age out. The account holder
  at another address is not locked out by a guesser.
- Failures of one key from every address: each attempt beyond
  ``SLOW_AFTER`` waits a little longer before it is checked (up to
  ``MAX_DELAY``), however many addresses the guesses come from.
- ``PER_ADDRESS`` failures from one address, whatever the key: refused, when
  the address is the client's own (no proxy, or a trusted proxy named it).
  Behind a proxy that is not in ``YISHI_TRUSTED_PROXIES`` every client shares
  the proxy's address, so there it only slows down, and 20 failures of some
  never lock out everyone's login.
"""

from __future__ import annotations

import asyncio
import ipaddress
import zlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from yishi import clock, db
from yishi.accounts.tables import LoginAttempt
from yishi.db import write_transaction
from yishi.errors import DomainError
from yishi.i18n import gettext as _

WINDOW = timedelta(minutes=15)
PER_KEY_AND_ADDRESS = 5
SLOW_AFTER = 5
PER_ADDRESS = 20
DELAY_STEP = 0.5  # seconds per failure beyond the threshold
MAX_DELAY = 8.0


class TooManyAttempts(DomainError):
    status_code = 429


@dataclass(frozen=True)
class ClientAddress:
    """Where a request comes from. ``own``: the address is the client's own
    (not a proxy's that stands for many clients)."""

    host: str
    own: bool = True


def client_address(peer: str | None, headers: Any, trusted_proxies: tuple[str, ...]) -> ClientAddress:
    """The client's address: the peer's, or, when the peer is a trusted proxy,
    the nearest address in X-Forwarded-For that is not a trusted proxy."""
    host = peer or "unknown"
    forwarded = headers.get("x-forwarded-for", "")
    networks = [ipaddress.ip_network(p, strict=False) for p in trusted_proxies]

    def trusted(address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in networks)

    if not forwarded:
        return ClientAddress(host)
    if not trusted(host):
        # A proxy we were not told about (or a client pretending): the peer
        # address may stand for many people.
        return ClientAddress(host, own=False)
    for hop in reversed([part.strip() for part in forwarded.split(",") if part.strip()]):
        if not trusted(hop):
            try:
                return ClientAddress(str(ipaddress.ip_address(hop)))
            except ValueError:
                return ClientAddress(host, own=False)
    return ClientAddress(host)


def _lock_key(text: str) -> int:
    return zlib.crc32(text.encode()) - 2**31


def _refused() -> TooManyAttempts:
    return TooManyAttempts(
        _("Too many failed attempts. Wait %(minutes)d minutes and try again.", minutes=WINDOW.seconds // 60)
    )


async def _count(*conditions: Any) -> int:
    query = LoginAttempt.count().where(LoginAttempt.at > clock.now() - WINDOW)
    for condition in conditions:
        query = query.where(condition)
    return await query


@dataclass(frozen=True)
class Reservation:
    id: int
    key: str
    address: str
    delay: float


async def reserve(key: str, address: ClientAddress) -> Reservation:
    """Count this attempt, or refuse it; return how long to wait before checking it."""
    key, host = key[:64], address.host[:64]
    async with write_transaction():
        for name in (f"key:{key}", f"address:{host}"):
            await db.lock_until_commit(db.LOCK_ATTEMPTS, _lock_key(name))
        if await _count(LoginAttempt.username == key, LoginAttempt.address == host) >= PER_KEY_AND_ADDRESS:
            raise _refused()
        from_address = await _count(LoginAttempt.address == host)
        if address.own and from_address >= PER_ADDRESS:
            raise _refused()
        of_key = await _count(LoginAttempt.username == key)
        rows = await LoginAttempt.insert(LoginAttempt(username=key, address=host, at=clock.now())).returning(
            LoginAttempt.id
        )
    excess = max(of_key - SLOW_AFTER + 1, 0) + (0 if address.own else max(from_address - PER_ADDRESS + 1, 0))
    return Reservation(rows[0]["id"], key, host, min(excess * DELAY_STEP, MAX_DELAY))


async def wait(reservation: Reservation) -> None:
    if reservation.delay:
        await asyncio.sleep(reservation.delay)


async def succeeded(reservation: Reservation) -> None:
    """The attempt was right: forget this key's failures from this address."""
    await LoginAttempt.delete().where(
        (LoginAttempt.username == reservation.key) & (LoginAttempt.address == reservation.address)
    )
