"""Memory of a worker that holds live screens, and what it gives back when they
close: ``.venv/bin/python bench/stream_memory.py [--screens 1000] [--rounds 3]``.

Builds a small compound with an open ballot (``vote_load.prepare``), starts the
real server (``yishi serve``, SQLite, one worker, pinned to the last core; this
client on the others), then, for each round: opens S screens on the ballot's
live stream (each reads its first event and stays open), reads the worker's
resident memory (``VmRSS``), closes every screen, waits, and reads it again.
The baseline is the same worker, idle, in the same run, before any screen.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))
import vote_load as load

from yishi.settings import Settings


def resident_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


async def hold_screens(url: str, path: str, screens: int) -> tuple[list[asyncio.Task[None]], aiohttp.ClientSession]:
    """``screens`` streams, each open and past its first event."""
    http = aiohttp.ClientSession(
        base_url=url, connector=aiohttp.TCPConnector(limit=0), timeout=aiohttp.ClientTimeout(total=None)
    )
    first_events = 0
    all_in = asyncio.Event()

    async def screen() -> None:
        nonlocal first_events
        async with http.get(path, headers={"Accept": "text/event-stream"}) as response:
            async for raw in response.content:
                if raw.startswith(b"data:"):
                    first_events += 1
                    if first_events == screens:
                        all_in.set()
                    await asyncio.Event().wait()  # hold the stream until cancelled

    tasks = [asyncio.create_task(screen()) for _ in range(screens)]
    await asyncio.wait_for(all_in.wait(), 120)
    return tasks, http


async def measure(url: str, pid: int, path: str, screens: int, rounds: int) -> None:
    await asyncio.sleep(2)
    idle = resident_mib(pid)
    print(f"  idle worker (baseline):                 {idle:7.1f} MiB")
    held, after = [], []
    for n in range(1, rounds + 1):
        tasks, http = await hold_screens(url, path, screens)
        held.append(resident_mib(pid))
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await http.close()
        await asyncio.sleep(3)
        after.append(resident_mib(pid))
        print(f"  round {n}: {screens} screens open {held[-1]:7.1f} MiB, 3 s after they closed {after[-1]:7.1f} MiB")
    print(
        f"  medians: open {statistics.median(held):.1f} MiB (+{statistics.median(held) - idle:.1f}), "
        f"closed {statistics.median(after):.1f} MiB (+{statistics.median(after) - idle:.1f} over idle)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--screens", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    os.sched_setaffinity(0, load.CLIENT_CORES)
    folder = Path(tempfile.mkdtemp(prefix="yishi-stream-memory-"))
    settings = Settings(database_url=f"sqlite:///{folder / 'bench.sqlite3'}", secret_key=load.SECRET, var_dir=folder)
    world = asyncio.run(load.prepare(settings, 40))
    print(f"stream_memory: {args.screens} screens, {args.rounds} rounds, load average {os.getloadavg()[0]:.2f}")
    with load.served(settings, 1) as (url, process):
        path = f"/c/{load.COMPOUND}/ballots/{world.ballots[1]}/stream"
        started = time.perf_counter()
        asyncio.run(measure(url, process.pid, path, args.screens, args.rounds))
        print(f"  ({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
