"""Benchmark of PDF documents: ``.venv/bin/python bench/pdf.py``.

Builds the demo community in a fresh SQLite database, adds an owners' meeting
with 12 agenda items over 240 households (``bench/demo_meeting.py``), and
prints, in one warm process:

- the time to issue the full minutes (load the data, hash it, render the
  HTML, WeasyPrint, store): median of several runs, each on changed data so it
  really renders; pages per second;
- the time WeasyPrint alone takes on the same HTML written to a file and
  rendered bare, and the ratio of the two;
- peak memory of one issue (tracemalloc, Python allocations) and of the
  process (ru_maxrss);
- the time of a second download of the unchanged minutes through the app's
  HTTP handler (an in-process httpx client), served from the stored bytes.

Timings are printed, never asserted.
"""

from __future__ import annotations

import asyncio
import logging
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from weasyprint import HTML  # noqa: E402

from bench.demo_meeting import build_demo_meeting  # noqa: E402
from yishi import db, demo  # noqa: E402
from yishi.app import create_app  # noqa: E402
from yishi.documents import render, service  # noqa: E402
from yishi.documents.tables import IssuedDocument  # noqa: E402
from yishi.meetings.tables import Meeting  # noqa: E402
from yishi.settings import Settings  # noqa: E402

logging.getLogger("httpx").setLevel(logging.WARNING)
RUNS = 5
DOWNLOADS = 30


async def issue_minutes(settings: Settings, meeting_id: int, compound_id: int) -> dict:
    return await service.issue(
        "minutes", meeting_id, compound_id=compound_id, settings=settings, principal=None, language="zh_CN"
    )


async def touch(meeting_id: int, n: int) -> None:
    """Change what the minutes show, so the next issue renders again."""
    await Meeting.update({Meeting.place: f"小区党群服务站二楼会议室（第 {n} 次记录）"}).where(Meeting.id == meeting_id)


async def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="yishi-bench-"))
    settings = Settings(
        database_url=f"sqlite:///{folder / 'bench.sqlite3'}",
        secret_key="bench",
        base_url="https://yishi.example.org",
        var_dir=folder,
    )
    db.configure(settings)
    await db.migrate()
    await db.prepare(settings)
    await demo.load(folder)
    meeting_id = await build_demo_meeting()
    compound_id = (await Meeting.select(Meeting.compound).where(Meeting.id == meeting_id).first())["compound"]

    await issue_minutes(settings, meeting_id, compound_id)  # warm: fonts, templates, catalogs
    issue_times, bare_times, pages = [], [], 0
    html_file = folder / "minutes.html"
    for n in range(RUNS):
        await touch(meeting_id, n)
        started = time.perf_counter()
        record = await issue_minutes(settings, meeting_id, compound_id)
        issue_times.append(time.perf_counter() - started)
        assert not record["reused"]
        pages = record["pages"]

        # The same HTML, written to a file and rendered bare by WeasyPrint.
        kind = service.kinds.get("minutes")
        source = await kind.load(meeting_id, "")
        info = service.DocInfo(
            code=record["code"],
            code_display=record["code"],
            verify_url=f"{settings.base_url}/verify/{record['code']}",
            version=record["version"],
            issued_at=record["issued_at"],
            issued_by_name="",
            title=source.title,
            kind_label="会议纪要",
            compound_name=source.compound_name,
            language="zh_CN",
            base_url=settings.base_url,
        )
        html_file.write_text(render.render_html(settings, kind.template, {**source.context, "doc": info}, "zh_CN"))
        started = time.perf_counter()
        HTML(filename=str(html_file)).write_pdf()
        bare_times.append(time.perf_counter() - started)

    await touch(meeting_id, RUNS)
    tracemalloc.start()
    await issue_minutes(settings, meeting_id, compound_id)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    # Second download of the unchanged minutes, through the HTTP handler.
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    download_times = []
    async with httpx.AsyncClient(transport=transport, base_url="https://bench.local", follow_redirects=False) as client:
        await client.get("/login")
        login = await client.post(
            "/login",
            data={"username": "secretary", "password": demo.DEMO_PASSWORD},
            headers={"x-csrftoken": client.cookies["yishi_csrf"]},
        )
        assert login.status_code in (302, 303), login.text
        url = f"/compounds/yinhewan/documents/pdf/minutes/{meeting_id}"

        async def issue_and_open() -> httpx.Response:
            issued = await client.post(url, headers={"x-csrftoken": client.cookies["yishi_csrf"]})
            assert issued.status_code == 303, issued.text[:500]
            return await client.get(issued.headers["location"])

        first = await issue_and_open()
        assert first.status_code == 200, first.text[:500]
        for _ in range(DOWNLOADS):
            started = time.perf_counter()
            again = await issue_and_open()
            download_times.append(time.perf_counter() - started)
            assert again.headers["x-verification-code"] == first.headers["x-verification-code"]
        # Voter slips of the whole compound: 240 new links and 31 pages, rendered
        # inside the transaction that issues the links.
        started = time.perf_counter()
        slips = await client.post(
            "/compounds/yinhewan/documents/voter-slips",
            data={"building": "all", "confirm": "yes"},
            headers={"x-csrftoken": client.cookies["yishi_csrf"]},
        )
        slips_time = time.perf_counter() - started
        assert slips.status_code in (302, 303), slips.text[:500]
    versions = await IssuedDocument.count().where(IssuedDocument.kind == "minutes")
    slips_pages = (
        await IssuedDocument.select(IssuedDocument.pages).where(IssuedDocument.kind == "voter_slips").first()
    )["pages"]

    issue = statistics.median(issue_times)
    bare = statistics.median(bare_times)
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"minutes: {pages} pages, 12 agenda items, 240 households ({RUNS} runs, warm process)")
    print(f"  issue (load + hash + HTML + WeasyPrint + store), median: {issue:.3f} s")
    print(f"  pages per second:                                       {pages / issue:.1f}")
    print(f"  bare WeasyPrint on the same HTML file, median:          {bare:.3f} s")
    print(f"  ratio issue / bare:                                     {issue / bare:.2f}")
    print(f"  peak Python memory of one issue (tracemalloc):          {peak / 2**20:.1f} MiB")
    print(f"  peak resident memory of the process (ru_maxrss):        {maxrss_mb:.0f} MiB")
    print(f"second download of the unchanged minutes ({DOWNLOADS} runs, HTTP handler, in-process client)")
    print(
        f"  median: {statistics.median(download_times) * 1000:.1f} ms, "
        f"max: {max(download_times) * 1000:.1f} ms ({len(first.content) // 1024} KiB, {versions} versions stored)"
    )
    print(f"voter slips of the whole compound (240 new links, {slips_pages} pages), one issue: {slips_time:.2f} s")
    print(f"load average while measuring: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    await db.release()


if __name__ == "__main__":
    asyncio.run(main())
