"""After a start, the first visitors' answers are never handed to the next:
a new phone logs in, and a resident seconds a proposal, on the first try."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser

from tests.e2e.conftest import PHONE, log_in, serving


def test_after_a_cold_start_a_new_browser_submits_its_first_form(browser: Browser, tmp_path: Path):
    with serving(tmp_path) as base_url:
        # The first request after the start: a phone's browser asking for the site's icon.
        first = browser.new_context(base_url=base_url)
        assert first.request.get("/favicon.ico").ok
        first.close()
        for n in range(3):  # new phones: the login page, the icon it asks for, then the form
            phone = browser.new_context(base_url=base_url, locale="zh-CN", viewport=PHONE, is_mobile=True)
            page = phone.new_page()
            page.goto("/login")
            assert page.request.get("/favicon.ico").ok
            page.fill("#f-username", "manager")
            page.fill("#f-password", "yishi-demo-2026")
            page.click("button[type=submit].primary")
            page.wait_for_load_state()
            assert "王志强" in page.content(), f"login {n + 1} was refused: {page.content()[:300]}"
            phone.close()
        # The secretary, logged in, asks for the icon; a stranger asking next is not her.
        contexts = [browser.new_context(base_url=base_url, locale="zh-CN") for _ in range(2)]
        secretary, stranger = (context.new_page() for context in contexts)
        log_in(secretary, "secretary")
        assert secretary.request.get("/favicon.ico").ok
        assert stranger.request.get("/favicon.ico").ok
        stranger.goto("/")
        assert "李红霞" not in stranger.content() and "/login" in stranger.url
        for context in contexts:
            context.close()
