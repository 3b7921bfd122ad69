"""What every ``yishi`` command shares: its settings, and its work run against
the database with domain errors shown as CLI errors."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import click

from yishi import db
from yishi.errors import DomainError, FormErrors
from yishi.settings import Settings, SettingsError

T = TypeVar("T")


def load_settings() -> Settings:
    try:
        return Settings.from_env().ensure_secret_key()
    except SettingsError as error:
        raise click.ClickException(str(error)) from error


def run_with_database(work: Callable[[], Awaitable[T]]) -> T:
    """Run ``work`` against the configured database (pool opened and closed around it)."""
    settings = load_settings()
    db.configure(settings)

    async def wrapped() -> T:
        async with db.lifespan_database(settings):
            return await work()

    try:
        return asyncio.run(wrapped())
    except FormErrors as error:
        raise click.ClickException("\n".join(f"{k}: {v}" for k, v in error.errors.items())) from error
    except DomainError as error:
        raise click.ClickException(error.message) from error
