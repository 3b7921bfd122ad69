"""``yishi purge``: forget expired sessions and old login attempts.

``yishi serve`` does it every hour by itself; run it from cron where the site
is served otherwise (for example ``20 * * * * yishi purge``).
"""

from __future__ import annotations

import click

from yishi.accounts import service
from yishi.commands import run_with_database


@click.command("purge")
def purge() -> None:
    """Delete expired sessions and login attempts no limit counts any more."""
    purged = run_with_database(service.purge_expired)
    click.echo(f"{purged.sessions} expired session(s) and {purged.attempts} old attempt(s) deleted")
