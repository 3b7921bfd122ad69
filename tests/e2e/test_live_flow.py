"""Live tallies as a meeting room sees them: the projector and the secretary's
console move when a resident votes on a phone, without reloading, and a
projector whose connection dropped shows the current tally when it is back."""

from __future__ import annotations

import contextlib
import socket
import threading
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import log_in
from tests.e2e.test_vote_flow import issue_links, open_vote, phone, shoot

COMPOUND = "yinhewan"
FIRST, SECOND = 0, 1  # the item's first two options (方案一, 方案二)


def vote_on_phone(browser: Browser, live_server: str, token: str, ballot_id: int, choice: int) -> None:
    context = phone(browser, live_server)
    page = context.new_page()
    page.goto(f"/h/{token}?next=/c/{COMPOUND}/ballots/{ballot_id}")
    page.locator("input[name=choice]").nth(choice).check()
    page.click("button:has-text('提交我的投票')")
    expect(page.locator(".notice-success").first).to_contain_text("您的投票已计入")
    context.close()


def bar_value(page: Page, n: int):
    """The value beside the n-th choice's bar (after the participation row)."""
    return page.locator(".tally-row:not(.tally-took-part) .tally-value").nth(n)


class DroppableProxy:
    """A TCP relay in front of the server whose connections can be cut, as a
    flaky venue Wi-Fi would: ``drop()`` closes every open connection and
    refuses new ones until ``resume()``."""

    def __init__(self, target: str) -> None:
        parts = urlsplit(target)
        self.target = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.accepting = threading.Event()
        self.accepting.set()
        self.sockets: set[socket.socket] = set()
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            if not self.accepting.is_set():
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.sockets.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                self._close(end)

    def _close(self, end: socket.socket) -> None:
        with self.lock:
            self.sockets.discard(end)
        with contextlib.suppress(OSError):
            end.shutdown(socket.SHUT_RDWR)
        end.close()

    def drop(self) -> None:
        self.accepting.clear()
        with self.lock:
            ends = list(self.sockets)
        for end in ends:
            self._close(end)

    def resume(self) -> None:
        self.accepting.set()

    def close(self) -> None:
        self.drop()
        self.listener.close()


def test_projector_and_console_follow_votes_live_and_catch_up_after_a_dropped_connection(
    page: Page, browser: Browser, live_server: str, live_database_url: str
):
    log_in(page, "secretary")
    ballot_id, title = open_vote(page, "居民议事会", "过投票数半数")
    meeting_path = page.locator("a:has-text('打开大屏')").first.get_attribute("href")
    assert meeting_path and meeting_path.endswith("/screen")
    not_voted = int(page.locator("#not-voted .not-voted-count").inner_text())
    expect(page.locator("#not-voted")).to_contain_text("2-1-301")
    page.evaluate("window.notReloaded = true")

    # The projector, on the computer in the room, reached over a connection that can drop.
    proxy = DroppableProxy(live_server)
    screen_context = browser.new_context(base_url=proxy.url, locale="zh-CN", viewport={"width": 1280, "height": 720})
    screen = screen_context.new_page()
    try:
        log_in(screen, "secretary")
        screen.goto(meeting_path)
        expect(screen.locator(".screen-title")).to_have_text(title)
        expect(screen.locator(".screen-count strong")).to_have_text("0")
        expect(screen.locator(".screen-qr svg")).to_be_visible()
        screen.evaluate("window.notReloaded = true")

        tokens = issue_links(live_database_url, "2-1-301", "2-1-302", "2-1-401")
        vote_on_phone(browser, live_server, tokens["2-1-301"], ballot_id, FIRST)

        # Both screens move within moments, without reloading.
        expect(screen.locator(".screen-count strong")).to_have_text("1", timeout=3000)
        expect(bar_value(screen, FIRST)).to_contain_text("1 · 100.0%")
        expect(page.locator("#not-voted .not-voted-count")).to_have_text(str(not_voted - 1), timeout=3000)
        expect(page.locator("#not-voted")).not_to_contain_text("2-1-301")
        expect(bar_value(page, FIRST)).to_contain_text("1 · 100.0%")
        assert screen.evaluate("window.notReloaded") and page.evaluate("window.notReloaded")
        shoot(screen, "projector-live")
        shoot(page, "console-live")

        # The room's network drops; two more votes arrive meanwhile; when it is back the
        # projector reconnects by itself and shows the tally as it now stands.
        proxy.drop()
        vote_on_phone(browser, live_server, tokens["2-1-302"], ballot_id, SECOND)
        vote_on_phone(browser, live_server, tokens["2-1-401"], ballot_id, FIRST)
        screen.wait_for_timeout(500)
        expect(screen.locator(".screen-count strong")).to_have_text("1")
        proxy.resume()
        expect(screen.locator(".screen-count strong")).to_have_text("3", timeout=10000)
        expect(bar_value(screen, FIRST)).to_contain_text("2 · 66.7%")
        expect(bar_value(screen, SECOND)).to_contain_text("1 · 33.3%")
        assert screen.evaluate("window.notReloaded")

        # Closing the vote puts the result on the projector.
        page.goto(f"/compounds/{COMPOUND}/ballots/{ballot_id}")
        page.click("#manage button:has-text('结束表决并公布结果')")
        expect(page.locator("#close-confirm")).to_contain_text("不能重新开启")
        page.click("#close-confirm button:has-text('结束表决并公布结果')")
        expect(screen.locator(".screen-status")).to_contain_text("方案一", timeout=5000)
        shoot(screen, "projector-closed")
    finally:
        screen_context.close()
        proxy.close()
