"""Load benchmark of voting: ``.venv/bin/python bench/vote_load.py [--postgres URL]``.

For each database (SQLite always; PostgreSQL when ``--postgres`` is given; its
``public`` schema is emptied, so point it at a database you do not need) it
builds a compound of N households, opens two ballots on it, issues every
household its personal link, starts the real server (``yishi serve``, in its
own process, ``--workers`` of them on PostgreSQL) and, over HTTP from C
concurrent clients:

1. opens every household's link (``GET /h/TOKEN``: the session a phone gets);
2. casts every household's vote on the first ballot (``POST .../vote``, the
   form a phone submits) and prints ballots per second and the p50/p99
   latency of a vote, beside the same figures for a bare page of the app
   (``GET /healthz``: routing, middleware and one database round trip) loaded
   the same way in the same run, as ratios;
3. opens S screens on the second ballot (its live SSE stream, as a voter's
   page or a projector holds it), casts every vote again on that ballot, and
   prints how long after the last vote's answer every screen showed the final
   count.

The load comes from this process (aiohttp, asyncio; each household's cookies
kept apart) on the same machine: on a 2-core machine client and server share
the cores, so the figures are a floor for what the server alone would do.
Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import re
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import aiohttp  # noqa: E402
import httpx  # noqa: E402

from yishi import db  # noqa: E402
from yishi.accounts.service import issue_household_link  # noqa: E402
from yishi.meetings.tables import AgendaItem, Meeting  # noqa: E402
from yishi.roster.tables import Building, Community, Compound, Household, Party, PartyKind  # noqa: E402
from yishi.settings import Settings  # noqa: E402
from yishi.voting import service  # noqa: E402
from yishi.voting.service import BallotSettings  # noqa: E402

logging.getLogger("httpx").setLevel(logging.WARNING)
# The server runs on the last core and this client on the others (one core: shared).
CORES = sorted(os.sched_getaffinity(0))
SERVER_PIN = ["taskset", "-c", str(CORES[-1])] if len(CORES) > 1 else []
CLIENT_CORES = set(CORES[:-1]) if len(CORES) > 1 else set(CORES)
COOKIE = re.compile(r"^([^=;]+)=([^;]*)")
COMPOUND = "bench"
SECRET = "bench-secret-key"
TOOK_PART = re.compile(r'data-choice="took_part".*?class="tally-value">\s*(\d+) /', re.S)


@dataclass
class World:
    tokens: list[str]
    ballots: tuple[int, int]


async def build(households: int) -> World:
    """A compound of ``households`` households in 10 buildings, a residents'
    council with two items, a ballot open on each (figures shown live) and a
    personal link per household."""
    now = datetime.now(UTC)
    community = (
        await Community.insert(Community(code="bench", name="六泉路社区", street="杜桥街道")).returning(Community.id)
    )[0]["id"]
    compound = (
        await Compound.insert(Compound(community=community, code=COMPOUND, name="银河湾小区")).returning(Compound.id)
    )[0]["id"]
    for kind in PartyKind.ALL:
        await Party.insert(Party(compound=compound, kind=kind, name=kind))
    per_building = -(-households // 10)
    made = 0
    for b in range(1, 11):
        building = (
            await Building.insert(Building(compound=compound, code=str(b), name=f"{b}号楼")).returning(Building.id)
        )[0]["id"]
        rows = []
        for n in range(min(per_building, households - made)):
            floor, door = divmod(n, 4)
            rows.append(
                Household(
                    building=building,
                    unit=f"{door % 2 + 1}-{floor + 1}{door // 2 + 1:02d}",
                    exclusive_area=8000 + (n * 37) % 5000,
                    owner_names=f"业主{b}-{n}",
                    phone=f"139{b:02d}{n:06d}",
                    residents=2,
                    updated_at=now,
                )
            )
        if rows:
            await Household.insert(*rows)
        made += len(rows)
    meeting = (
        await Meeting.insert(
            Meeting(
                compound=compound,
                kind="council",
                title="中心广场晚间活动居民议事会",
                starts_at=now + timedelta(days=1),
                place="党群服务站",
                status="published",
            )
        ).returning(Meeting.id)
    )[0]["id"]
    ballots = []
    for position, title in enumerate(("晚间广场舞音量控制", "充电棚夜间照明"), 1):
        item = (
            await AgendaItem.insert(
                AgendaItem(
                    meeting=meeting,
                    position=position,
                    kind="decision",
                    title=title,
                    full_text=title,
                    question=f"是否同意{title}方案？",
                    rule="majority_of_cast",
                    on_published_notice=True,
                )
            ).returning(AgendaItem.id)
        )[0]["id"]
        ballots.append(await service.open_ballot(compound, item, BallotSettings(results_visibility="live"), actor=None))
    ids = [row["id"] for row in await Household.select(Household.id).order_by(Household.id)]
    tokens = [await issue_household_link(household_id, None) for household_id in ids]
    return World(tokens, (ballots[0], ballots[1]))


async def prepare(settings: Settings, households: int) -> World:
    db.configure(settings)
    if settings.is_postgres:
        await db.engine().run_ddl("DROP SCHEMA IF EXISTS public CASCADE")
        await db.engine().run_ddl("CREATE SCHEMA public")
    await db.migrate()
    await db.prepare(settings)
    try:
        return await build(households)
    finally:
        await db.release()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def served(settings: Settings, workers: int):
    """``yishi serve`` on ``settings``, pinned to the last core: (its URL, its process)."""
    port = free_port()
    env = {
        **os.environ,
        "YISHI_DATABASE_URL": settings.database_url,
        "YISHI_SECRET_KEY": SECRET,
        "YISHI_VAR_DIR": str(settings.var_dir),
        "YISHI_BASE_URL": f"http://127.0.0.1:{port}",
        # Every simulated screen comes from 127.0.0.1: lift the per-address cap on live streams.
        "YISHI_LIVE_STREAMS_PER_ADDRESS": "100000",
        "YISHI_LIVE_STREAMS_PER_WORKER": "100000",
    }
    process = subprocess.Popen(
        [*SERVER_PIN, sys.executable, "-m", "yishi.cli", "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the server did not start")
            time.sleep(0.2)
        yield url, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


@contextlib.contextmanager
def server(settings: Settings, workers: int):
    with served(settings, workers) as (url, _process):
        yield url


def client(url: str) -> aiohttp.ClientSession:
    """One connection pool for every simulated phone; cookies are sent by hand per phone."""
    return aiohttp.ClientSession(
        base_url=url,
        cookie_jar=aiohttp.DummyCookieJar(),
        connector=aiohttp.TCPConnector(limit=0),
        timeout=aiohttp.ClientTimeout(total=None, sock_read=60),
    )


def cookies_of(response: aiohttp.ClientResponse) -> dict[str, str]:
    found = {}
    for header in response.headers.getall("Set-Cookie", []):
        match = COOKIE.match(header)
        if match:
            found[match.group(1)] = match.group(2)
    return found


@dataclass
class Phone:
    """A household's browser: its cookies after opening its personal link."""

    cookies: dict[str, str]

    @property
    def header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())


async def run_concurrently(count: int, concurrency: int, work) -> tuple[float, list[float]]:
    """Run ``work(i)`` for i in range(count) from ``concurrency`` workers; the
    wall time and each call's latency in seconds."""
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(count):
        queue.put_nowait(i)
    latencies: list[float] = []

    async def worker() -> None:
        while not queue.empty():
            i = queue.get_nowait()
            start = time.perf_counter()
            await work(i)
            latencies.append(time.perf_counter() - start)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - start, latencies


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


@dataclass
class Figures:
    per_second: float
    p50_ms: float
    p99_ms: float

    def line(self, name: str) -> str:
        return f"  {name:<22} {self.per_second:8.0f}/s   p50 {self.p50_ms:7.1f} ms   p99 {self.p99_ms:7.1f} ms"


def figures(count: int, wall: float, latencies: list[float]) -> Figures:
    return Figures(count / wall, statistics.median(latencies) * 1000, percentile(latencies, 99) * 1000)


async def open_links(http: aiohttp.ClientSession, tokens: list[str], concurrency: int) -> list[Phone]:
    """Each household opens its personal link, as on its own phone."""
    phones: list[Phone] = [Phone({}) for _ in tokens]

    async def open_link(i: int) -> None:
        async with http.get(f"/h/{tokens[i]}", allow_redirects=False) as response:
            phones[i].cookies.update(cookies_of(response))
            if response.status not in (302, 303) or "yishi_csrf" not in phones[i].cookies:
                raise SystemExit(f"opening a household link answered {response.status}")

    await run_concurrently(len(tokens), concurrency, open_link)
    return phones


async def cast_all(
    http: aiohttp.ClientSession, phones: list[Phone], ballot_id: int, concurrency: int
) -> tuple[float, list[float], float]:
    """Every household votes once (choices spread over agree, disagree, abstain);
    wall time, latencies and the moment the last vote was answered."""
    choices = ("yes", "no", "yes", "abstain")
    last = 0.0

    async def vote(i: int) -> None:
        nonlocal last
        phone = phones[i]
        async with http.post(
            f"/c/{COMPOUND}/ballots/{ballot_id}/vote",
            data={"choice": choices[i % 4]},
            headers={"Cookie": phone.header, "x-csrftoken": phone.cookies["yishi_csrf"]},
            allow_redirects=False,
        ) as response:
            body = await response.read()
            phone.cookies.update(cookies_of(response))
            if response.status not in (302, 303):
                raise SystemExit(f"a vote answered {response.status}: {body[:300]!r}")
        last = max(last, time.perf_counter())

    wall, latencies = await run_concurrently(len(phones), concurrency, vote)
    return wall, latencies, last


async def bare(http: aiohttp.ClientSession, count: int, concurrency: int) -> Figures:
    async def get(_i: int) -> None:
        async with http.get("/healthz") as response:
            await response.read()
            if response.status != 200:
                raise SystemExit("/healthz failed")

    await run_concurrently(200, concurrency, get)  # warm up
    wall, latencies = await run_concurrently(count, concurrency, get)
    return figures(count, wall, latencies)


async def watch(http: aiohttp.ClientSession, path: str, on_event) -> None:
    """Read a Server-Sent Event stream, calling ``on_event(data)`` until it returns True."""
    async with http.get(path, headers={"Accept": "text/event-stream"}) as response:
        data: list[str] = []
        async for raw in response.content:
            line = raw.decode().rstrip("\r\n")
            if line.startswith("data:"):
                data.append(line[5:].removeprefix(" "))
            elif not line and data:
                if on_event("\n".join(data)):
                    return
                data = []


async def screens_run(
    http: aiohttp.ClientSession, phones: list[Phone], ballot_id: int, screens: int, concurrency: int
) -> None:
    final = len(phones)
    seen_final: list[float] = []
    ready = asyncio.Event()
    connected = 0

    def screen_event(state: dict[str, bool]):
        def on_event(data: str) -> bool:
            nonlocal connected
            if not state.get("connected"):
                state["connected"] = True
                connected += 1
                if connected == screens:
                    ready.set()
            match = TOOK_PART.search(data)
            if match and int(match.group(1)) == final:
                seen_final.append(time.perf_counter())
                return True
            return False

        return on_event

    path = f"/c/{COMPOUND}/ballots/{ballot_id}/stream"
    failures: list[str] = []

    async def screen() -> None:
        try:
            await watch(http, path, screen_event({}))
        except (TimeoutError, aiohttp.ClientError) as error:
            failures.append(type(error).__name__)

    tasks = [asyncio.create_task(screen()) for _ in range(screens)]
    try:
        await asyncio.wait_for(ready.wait(), 120)
    except TimeoutError:
        for task in tasks:
            task.cancel()
        print(f"  only {connected} of {screens} screens connected within 120 s ({len(failures)} failed)")
        return
    wall, latencies, last = await cast_all(http, phones, ballot_id, concurrency)
    _done, pending = await asyncio.wait(tasks, timeout=30)
    for task in pending:
        task.cancel()
    cast = figures(final, wall, latencies)
    print(f"  with {screens} screens open:")
    print(cast.line("casting a vote"))
    if len(seen_final) < screens:
        print(
            f"  {screens - len(seen_final)} of {screens} screens did not show the final count within 30 s"
            f" ({len(failures)} streams failed)"
        )
        return
    lags = [(t - last) * 1000 for t in seen_final]
    print(
        f"  every screen showed the final count {max(lags):.0f} ms after the last vote was answered "
        f"(median screen {statistics.median(lags):.0f} ms)"
    )


async def measure(name: str, settings: Settings, workers: int, households: int, concurrency: int, screens: int) -> None:
    print(f"\n== {name}: {households} households, {concurrency} concurrent clients, {workers} worker(s)")
    start = time.perf_counter()
    world = await prepare(settings, households)
    print(f"  set-up (roster, ballots, links) {time.perf_counter() - start:.1f} s")
    with server(settings, workers) as url:
        async with client(url) as http:
            base = await bare(http, households, concurrency)
            phones = await open_links(http, world.tokens, concurrency)
            wall, latencies, _last = await cast_all(http, phones, world.ballots[0], concurrency)
            votes = figures(households, wall, latencies)
            print(base.line("bare page (/healthz)"))
            print(votes.line("casting a vote"))
            print(
                f"  ratio vote / bare page: {votes.per_second / base.per_second:.2f}× throughput, "
                f"{votes.p50_ms / base.p50_ms:.2f}× p50, {votes.p99_ms / base.p99_ms:.2f}× p99"
            )
            if screens:
                await screens_run(http, phones, world.ballots[1], screens, concurrency)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--screens", type=int, default=1000)
    parser.add_argument("--postgres", default="", help="a PostgreSQL URL whose public schema may be emptied")
    parser.add_argument("--workers", type=int, default=2, help="worker processes on PostgreSQL")
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # thousands of sockets, in here and in the server
    os.sched_setaffinity(0, CLIENT_CORES)  # away from the server's core
    print(f"vote_load: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start")
    folder = Path(tempfile.mkdtemp(prefix="yishi-vote-load-"))
    sqlite = Settings(database_url=f"sqlite:///{folder / 'bench.sqlite3'}", secret_key=SECRET, var_dir=folder)
    asyncio.run(measure("SQLite", sqlite, 1, args.households, args.clients, args.screens))
    if args.postgres:
        postgres = Settings(database_url=args.postgres, secret_key=SECRET, var_dir=folder)
        asyncio.run(measure("PostgreSQL", postgres, args.workers, args.households, args.clients, args.screens))
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
