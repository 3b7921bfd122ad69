"""A Litestar store backed by our database, so every worker process shares sessions."""

from __future__ import annotations

from datetime import datetime, timedelta

from litestar.stores.base import Store

from yishi import clock
from yishi.accounts.tables import SessionRecord


def _expiry(expires_in: int | timedelta | None) -> datetime | None:
    if expires_in is None:
        return None
    seconds = expires_in.total_seconds() if isinstance(expires_in, timedelta) else expires_in
    return clock.now() + timedelta(seconds=seconds)


class DatabaseStore(Store):
    async def set(self, key: str, value: str | bytes, expires_in: int | timedelta | None = None) -> None:
        data = value.encode() if isinstance(value, str) else value
        expires_at = _expiry(expires_in)
        await SessionRecord.insert(SessionRecord(key=key, data=data, expires_at=expires_at)).on_conflict(
            target=SessionRecord.key,
            action="DO UPDATE",
            values=[SessionRecord.data, SessionRecord.expires_at],
        )

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        row = (
            await SessionRecord.select(SessionRecord.data, SessionRecord.expires_at)
            .where(SessionRecord.key == key)
            .first()
        )
        if row is None:
            return None
        if row["expires_at"] is not None and row["expires_at"] <= clock.now():
            await self.delete(key)
            return None
        if renew_for is not None and row["expires_at"] is not None:
            await SessionRecord.update({SessionRecord.expires_at: _expiry(renew_for)}).where(SessionRecord.key == key)
        return bytes(row["data"])

    async def delete(self, key: str) -> None:
        await SessionRecord.delete().where(SessionRecord.key == key)

    async def delete_all(self) -> None:
        await SessionRecord.delete(force=True)

    async def delete_expired(self) -> int:
        """End the sessions past their expiry; return how many."""
        expired = SessionRecord.expires_at < clock.now()
        count = await SessionRecord.count().where(expired)
        if count:
            await SessionRecord.delete().where(expired)
        return count

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        row = await SessionRecord.select(SessionRecord.expires_at).where(SessionRecord.key == key).first()
        if row is None or row["expires_at"] is None:
            return None
        return int((row["expires_at"] - clock.now()).total_seconds())
