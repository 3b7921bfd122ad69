"""End-to-end tests: a real server process with the demo data, driven by Chromium."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}
LIVE_DATABASE: dict[str, str] = {}  # the live server's YISHI_DATABASE_URL, once it runs


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serving(var: Path) -> Iterator[str]:
    """`yishi migrate`, `yishi demo` and `yishi serve` on a fresh SQLite database in ``var``."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "YISHI_DATABASE_URL": f"sqlite:///{var / 'yishi.sqlite3'}",
        "YISHI_VAR_DIR": str(var),
        "YISHI_BASE_URL": base_url,
    }
    cli = [sys.executable, "-m", "yishi.cli"]
    subprocess.run([*cli, "demo"], env=env, check=True, cwd=ROOT, capture_output=True)
    log = (var / "server.log").open("w")
    server = subprocess.Popen(
        [*cli, "serve", "--port", str(port)], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        server.kill()
        raise RuntimeError("the server did not start: " + (var / "server.log").read_text())
    try:
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo served on a fresh SQLite database, for the whole session."""
    var = tmp_path_factory.mktemp("e2e-var")
    LIVE_DATABASE["url"] = f"sqlite:///{var / 'yishi.sqlite3'}"
    with serving(var) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def live_database_url(live_server: str) -> str:
    """The live server's SQLite database, for preparing what a person would be handed
    (for example a household's personal link)."""
    return LIVE_DATABASE["url"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One browser per test module, closed after it: the worker that runs the
    browser tests may run async tests after them."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `make test` installs it (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


def watch_policy(page: Page, refused: list[str]) -> Page:
    """Collect what the Content-Security-Policy refused on ``page`` (the site must need nothing it refuses)."""
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    return page


@pytest.fixture
def page(browser: Browser, live_server: str) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server, locale="zh-CN")
    refused: list[str] = []
    page = watch_policy(context.new_page(), refused)
    yield page
    context.close()
    assert not refused, "the Content-Security-Policy refused: " + "; ".join(refused)


@pytest.fixture
def phone_page(browser: Browser, live_server: str) -> Iterator[Page]:
    context = browser.new_context(
        base_url=live_server, locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    refused: list[str] = []
    page = watch_policy(context.new_page(), refused)
    yield page
    context.close()
    assert not refused, "the Content-Security-Policy refused: " + "; ".join(refused)


def log_in(page: Page, username: str, password: str = "yishi-demo-2026") -> None:
    page.goto("/login")
    page.fill("#f-username", username)
    page.fill("#f-password", password)
    page.click("button[type=submit].primary")
    page.wait_for_url(lambda url: "/login" not in url)
