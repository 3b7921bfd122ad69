"""``yishi escalate``: move escalations still open past their deadline up to the street.

Run it daily from cron (for example ``15 6 * * * yishi escalate``). The
community's and the street's escalation pages and the public board run the
same check when they load, so nothing waits for the cron job to be shown at
the right level.
"""

from __future__ import annotations

import click

from yishi.commands import run_with_database
from yishi.supervision import service


@click.command("escalate")
def escalate() -> None:
    """Send escalations still open after the compound's set days up to the street."""
    moved = run_with_database(service.raise_overdue_escalations)
    click.echo(f"{len(moved)} escalation(s) sent up to the street")
