"""Several worker processes on PostgreSQL: a vote cast through one worker
reaches a live screen served by another (the live channel goes through
PostgreSQL LISTEN/NOTIFY), and a screen that reconnects is current."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from httpx_sse import aconnect_sse

from tests.conftest import only_postgres
from tests.support import World
from tests.voting.support import make_item, make_meeting
from yishi.accounts.service import issue_household_link
from yishi.settings import Settings
from yishi.voting import service
from yishi.voting.service import BallotSettings

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def workers(settings: Settings, var: Path, count: int) -> Iterator[list[str]]:
    """``count`` separate server processes on the same database, as ``yishi serve
    --workers N`` runs them (each its own process, its own pool and listener)."""
    env = {
        **os.environ,
        "YISHI_DATABASE_URL": settings.database_url,
        "YISHI_SECRET_KEY": "test-secret-key",
        "YISHI_VAR_DIR": str(var),
        "YISHI_BASE_URL": "http://127.0.0.1",
    }
    env.pop("YISHI_REDIS_URL", None)
    ports = [free_port() for _ in range(count)]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "yishi.cli", "serve", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        deadline = time.monotonic() + 30
        for url, process in zip(urls, processes):
            while True:
                assert process.poll() is None, "a worker process exited while starting"
                try:
                    if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "a worker did not start within 30 s"
                time.sleep(0.2)
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


async def cast_through(url: str, token: str, ballot_id: int, choice: str) -> None:
    """A resident opens their personal link and votes, on the worker at ``url``."""
    async with httpx.AsyncClient(base_url=url, follow_redirects=True) as resident:
        page = await resident.get(f"/h/{token}", params={"next": f"/c/alpha/ballots/{ballot_id}"})
        assert page.status_code == 200
        voted = await resident.post(
            f"/c/alpha/ballots/{ballot_id}/vote",
            data={"choice": choice},
            headers={"x-csrftoken": resident.cookies["yishi_csrf"]},
        )
        assert voted.status_code == 200 and "ballot-receipt" in voted.text, voted.text[:500]


def yes_value(html: str) -> str:
    """The text beside the agree bar of a rendered tally."""
    row = html.split('data-choice="yes"', 1)[1]
    return row.split('class="tally-value">', 1)[1].split("</text>", 1)[0].strip()


@only_postgres
async def test_a_vote_through_one_worker_updates_a_live_screen_on_another(
    settings: Settings, world: World, tmp_path: Path
):
    meeting = await make_meeting(world)
    item = await make_item(meeting, "majority_of_cast")
    ballot_id = await service.open_ballot(
        world.compounds["alpha"], item, BallotSettings(results_visibility="live"), actor=None
    )
    first = await issue_household_link(world.households["alpha:1-1-101"], None)
    second = await issue_household_link(world.households["alpha:1-1-102"], None)

    with workers(settings, tmp_path, 2) as (voting_worker, screen_worker):
        async with (
            httpx.AsyncClient(base_url=screen_worker, timeout=10) as screen,
            aconnect_sse(screen, "GET", f"/c/alpha/ballots/{ballot_id}/stream") as source,
        ):
            events = source.aiter_sse()
            current = await asyncio.wait_for(anext(events), 10)
            assert yes_value(current.data).startswith("0 ·")
            await cast_through(voting_worker, first, ballot_id, "yes")
            update = await asyncio.wait_for(anext(events), 5)
            assert yes_value(update.data) == "1 · 100.0%"

        # A screen that (re)connects after more votes is sent the tally as it stands.
        await cast_through(voting_worker, second, ballot_id, "no")
        async with (
            httpx.AsyncClient(base_url=screen_worker, timeout=10) as screen,
            aconnect_sse(screen, "GET", f"/c/alpha/ballots/{ballot_id}/stream") as source,
        ):
            current = await asyncio.wait_for(anext(source.aiter_sse()), 10)
            assert yes_value(current.data) == "1 · 50.0%"
