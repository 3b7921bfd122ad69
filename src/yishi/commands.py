"""What every ``yishi`` command shares: its settings, and its work run against
the database with domain errors shown as CLI errors."""

from __future__ import annotations

import asyncio
import resource
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


def raise_open_files_limit() -> int:
    """Let the server hold as many connections as the system allows: each live
    screen keeps a socket open, and the usual soft limit (1,024 descriptors)
    stops well short of a compound's screens. Returns the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        wanted = hard if hard != resource.RLIM_INFINITY else max(soft, 1_048_576)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        except (ValueError, OSError):
            return soft
        return wanted
    return soft
