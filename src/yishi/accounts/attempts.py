"""Limits on guessing: staff passwords, and a household's unit + phone.

An attempt is counted before it is checked. ``reserve`` counts the recent
attempts and records this one in one write transaction, serialised per key
(and per address) on PostgreSQL by advisory locks, and on SQLite by its one
writer: N simultaneous guesses meet the limits exactly as N guesses in a row,
across every worker and whatever addresses they come from. Only an attempt
that got its reservation is checked (argon2, or the roster). A success clears
the key's failures from that address; a failure stays counted for ``WINDOW``.

- ``PER_KEY`` attempts at one key (an account, or a unit) within the window,
  from any number of addresses: refused until they age out. A household whose
  unit is locked still opens its pages with its personal link, and a grid
  worker still enters its paper ballot; the refusal says so.
- ``PER_KEY_AND_ADDRESS`` of them from one address: that address is refused
  sooner, so one guesser does not use up the key's whole allowance.
- Beyond ``SLOW_AFTER`` attempts at a key, each waits ``DELAY_STEP`` longer
  (up to ``MAX_DELAY``), and the waits follow one another: an attempt is
  checked only after the one before it (``not_before``), so simultaneous
  guesses cannot wait side by side.
- ``PER_ADDRESS`` attempts from one address, whatever the key: unit + phone
  identification from that address slows from half of it and is refused at
  it, and so is any account that has failed from there. A staff account that
  has not failed, and every personal link, are never refused for what other
  people behind the same address (a carrier's NAT, a compound's Wi-Fi) did.

The client's address is the peer's; ``X-Forwarded-For`` is read only from a
peer named in ``YISHI_TRUSTED_PROXIES``.
"""

from __future__ import annotations

import asyncio
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from yishi import clock, db
from yishi.accounts.tables import LoginAttempt
from yishi.db import write_transaction
from yishi.errors import DomainError
from yishi.i18n import gettext as _

WINDOW = timedelta(minutes=15)
PER_KEY = 10
PER_KEY_AND_ADDRESS = 5
SLOW_AFTER = 3
PER_ADDRESS = 20
HOUSEHOLD_PREFIX = "household:"
DELAY_STEP = 0.5  # seconds per failure beyond the threshold
MAX_DELAY = 8.0


class TooManyAttempts(DomainError):
    status_code = 429


def _lock_key(text: str) -> int:
    return zlib.crc32(text.encode()) - 2**31


def _refused(key: str) -> TooManyAttempts:
    minutes = WINDOW.seconds // 60
    if is_household(key):
        return TooManyAttempts(
            _(
                "Too many tries for this home. Try again in %(minutes)d minutes. Meanwhile your home's "
                "personal link (the QR code on your voting slip) still opens your pages and ballots, and "
                "your grid worker can enter your paper ballot.",
                minutes=minutes,
            )
        )
    return TooManyAttempts(_("Too many failed attempts. Wait %(minutes)d minutes and try again.", minutes=minutes))


def is_household(key: str) -> bool:
    """A unit + phone identification (``household:CODE:UNIT``), not a staff login."""
    return key.startswith(HOUSEHOLD_PREFIX)


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
    not_before: datetime


async def _latest_turn(key: str) -> datetime | None:
    row = (
        await LoginAttempt.select(LoginAttempt.not_before)
        .where((LoginAttempt.username == key) & (LoginAttempt.at > clock.now() - WINDOW))
        .order_by(LoginAttempt.not_before, ascending=False)
        .first()
    )
    return row["not_before"] if row else None


async def reserve(key: str, address: str) -> Reservation:
    """Count this attempt, or refuse it; say when it may be checked."""
    key, host = key[:64], address[:64]
    now = clock.now()
    async with write_transaction():
        for name in (f"key:{key}", f"address:{host}"):
            await db.lock_until_commit(db.LOCK_ATTEMPTS, _lock_key(name))
        of_key = await _count(LoginAttempt.username == key)
        if of_key >= PER_KEY:
            raise _refused(key)
        if await _count(LoginAttempt.username == key, LoginAttempt.address == host) >= PER_KEY_AND_ADDRESS:
            raise _refused(key)
        from_address = await _count(LoginAttempt.address == host)
        if from_address >= PER_ADDRESS and (is_household(key) or of_key > 0):
            raise _refused(key)
        excess = max(of_key - SLOW_AFTER + 1, 0)
        if is_household(key):
            excess += max(from_address - PER_ADDRESS // 2 + 1, 0)
        turn = now
        if excess:
            latest = await _latest_turn(key)
            turn = max(now, latest or now) + timedelta(seconds=min(excess * DELAY_STEP, MAX_DELAY))
        rows = await LoginAttempt.insert(LoginAttempt(username=key, address=host, at=now, not_before=turn)).returning(
            LoginAttempt.id
        )
    return Reservation(rows[0]["id"], key, host, turn)


async def wait(reservation: Reservation) -> None:
    """Until the attempt's turn: after the waits of the attempts before it."""
    delay = (reservation.not_before - clock.now()).total_seconds()
    if delay > 0:
        await asyncio.sleep(delay)


async def succeeded(reservation: Reservation) -> None:
    """The attempt was right: forget this key's failures from this address."""
    await LoginAttempt.delete().where(
        (LoginAttempt.username == reservation.key) & (LoginAttempt.address == reservation.address)
    )


async def purge_old() -> int:
    """Forget attempts older than the window, which no limit counts any more;
    return how many."""
    old = LoginAttempt.at < clock.now() - WINDOW
    count = await LoginAttempt.count().where(old)
    if count:
        await LoginAttempt.delete().where(old)
    return count
