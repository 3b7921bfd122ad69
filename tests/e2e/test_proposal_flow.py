"""Step 1 as people do it: a resident proposes from a phone, neighbours second,
the secretary accepts, and the proposal's page tells the story."""

from __future__ import annotations

import io
import re
from pathlib import Path

from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import PHONE, log_in

COMPOUND = "yinhewan"
RESIDENT = ("1", "1-101")
NEIGHBOURS = [("1", "1-102"), ("1", "2-101")]


def roster_phone(page: Page, building: str, unit: str) -> str:
    """The phone number the roster has for a household, read off the staff roster page."""
    label = f"{building}-{unit}"
    row = page.locator("tr", has=page.locator("td", has_text=re.compile(rf"^{re.escape(label)}$")))
    return row.locator("td").nth(3).inner_text().strip()


def identify(page: Page, building: str, unit: str, phone: str) -> None:
    page.fill("#f-building", building)
    page.fill("#f-unit", unit)
    page.fill("#f-phone", phone)
    page.click("button[type=submit].primary")


def photo_file(tmp_path: Path) -> Path:
    image = Image.new("RGB", (640, 480), (40, 40, 48))
    for x in range(260, 380):  # a lamp post, so the picture is not blank
        for y in range(60, 420):
            image.putpixel((x if y < 100 else 310 + (x % 20), y), (250, 220, 120))
    path = tmp_path / "车库出口.png"
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def test_a_resident_proposes_neighbours_second_and_the_secretary_accepts(
    page: Page,
    phone_page: Page,
    browser: Browser,
    live_server: str,
    tmp_path: Path,
):
    # The secretary's roster has the phone numbers residents identify with.
    log_in(page, "secretary")
    page.goto(f"/compounds/{COMPOUND}/roster")
    phones = {key: roster_phone(page, *key) for key in [RESIDENT, *NEIGHBOURS]}
    assert all(re.fullmatch(r"1\d{10}", p) for p in phones.values()), phones

    # A resident opens the compound's short link on their phone and proposes, with a photo.
    resident = phone_page
    resident.goto(f"/p/{COMPOUND}")
    expect(resident.locator("h1")).to_contain_text("银河湾小区")
    resident.get_by_role("link", name="我要提议").first.click()
    expect(resident.locator("h1")).to_have_text("请问您是哪一户？")
    identify(resident, *RESIDENT, phones[RESIDENT])
    expect(resident.locator("h1")).to_have_text("我要提议")
    resident.fill("#f-title", "地下车库B出口坡道太暗")
    resident.get_by_label("安全").check()
    resident.fill("#f-problem", "B出口坡道的灯坏了一个多月，晚上出车看不清转角，上周有车剐蹭。")
    resident.fill("#f-suggestion", "坡道加装感应灯，转角装广角镜。")
    resident.set_input_files("#f-photos", str(photo_file(tmp_path)))
    resident.get_by_role("button", name="提交提议").click()
    expect(resident.locator(".notice-success")).to_contain_text("您的提议编号为")
    number = int(re.search(r"/proposals/(\d+)$", resident.url).group(1))
    expect(resident.locator(".proposal-photos img")).to_have_count(1)
    photo = resident.locator(".proposal-photos img")
    photo.scroll_into_view_if_needed()  # a lazily loaded image loads once it is in view
    photo.evaluate("img => img.complete ? null : new Promise(done => img.addEventListener('load', done, {once: true}))")
    assert photo.evaluate("img => img.naturalWidth") == 640

    # Two neighbours, each on their own phone, second it.
    for key in NEIGHBOURS:
        context = browser.new_context(
            base_url=live_server, locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True
        )
        neighbour = context.new_page()
        neighbour.goto(f"/c/{COMPOUND}/proposals/{number}")
        neighbour.get_by_role("link", name="我住这里，我要附议").click()
        identify(neighbour, *key, phones[key])
        neighbour.get_by_role("button", name="附议这条提议").click()
        expect(neighbour.locator("#second-panel")).to_contain_text("您家已附议")
        context.close()

    # The secretary accepts it for deliberation.
    page.goto(f"/compounds/{COMPOUND}/proposals")
    page.get_by_role("link", name="地下车库B出口坡道太暗").click()
    expect(page.locator("#seconders")).to_contain_text("1-1-102")
    page.get_by_role("button", name="受理，进入议事").click()
    expect(page.locator(".notice-success")).to_contain_text("已受理")

    # The proposal's public page shows where it stands and how it got there.
    resident.goto(f"/c/{COMPOUND}/proposals/{number}")
    expect(resident.locator("#second-panel")).to_contain_text("2 户已附议")
    expect(resident.locator(".stage-current")).to_contain_text("民主议事")
    timeline = resident.locator("#timeline")
    expect(timeline).to_contain_text("提出提议")
    expect(timeline).to_contain_text("已受理，进入议事")
    expect(timeline).to_contain_text("李红霞")
    width = resident.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width}px)"
    resident.screenshot(path=str(tmp_path / "proposal-phone.png"), full_page=True)

    # The resident's own page lists the proposal with its status.
    resident.goto(f"/c/{COMPOUND}/proposals/mine")
    expect(resident.locator("main")).to_contain_text("地下车库B出口坡道太暗")
    expect(resident.locator("main")).to_contain_text("已受理，进入议事")
