"""From a closed meeting to the public board: the secretary drafts an action
for the adopted item, the property manager reports it done with a photo,
residents are mostly unsatisfied, the action reopens and reaches the
community, and the board shows all of it on a phone."""

import re
from datetime import date, timedelta
from pathlib import Path

from PIL import Image, ImageDraw
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import PHONE, log_in

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
MEETING = "2号楼板凳会：单元门禁维修"
ADOPTED = "更换2号楼两个单元的门禁系统"
FAILED = "门禁卡按户收取工本费"
ACTION = "更换2号楼一、二单元门禁为刷卡加人脸识别"


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def photo(path: Path) -> Path:
    image = Image.new("RGB", (800, 600), (170, 200, 220))
    draw = ImageDraw.Draw(image)
    draw.rectangle((300, 150, 500, 560), fill=(90, 90, 100))
    draw.rectangle((440, 330, 480, 400), fill=(30, 160, 90))
    image.save(path, format="JPEG")
    return path


def households_of_building_2(page: Page, count: int) -> list[tuple[str, str]]:
    """(unit, phone) of the first households of building 2, read from the roster."""
    page.goto("/compounds/yinhewan/roster")
    found = []
    for row in page.locator("table tbody tr").all():
        cells = row.locator("td").all_inner_texts()
        if len(cells) >= 4 and cells[0].startswith("2-") and cells[3]:
            found.append((cells[0].removeprefix("2-"), cells[3]))
        if len(found) == count:
            return found
    raise AssertionError("building 2 has too few households on the roster")


def rate_as_household(
    browser: Browser, base_url: str, unit: str, phone: str, action_path: str, verdict: str, comment: str
) -> None:
    context = browser.new_context(base_url=base_url, locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(action_path)
    page.click("text=我是住户：去评价")
    page.fill("#f-building", "2")
    page.fill("#f-unit", unit)
    page.fill("#f-phone", phone)
    page.click("button:has-text('继续')")
    expect(page.locator("#rate")).to_contain_text(f"2-{unit}")
    page.check(f"input[name=verdict][value={verdict}]")
    page.fill("#f-comment", comment)
    page.click("#rate button:has-text('提交评价')")
    expect(page.locator("#rate")).to_contain_text("谢谢，您的评价已记录")
    context.close()


def test_an_adopted_item_is_carried_out_rated_reopened_and_escalated(
    page: Page, phone_page: Page, browser: Browser, live_server: str, tmp_path: Path
):
    # The secretary closes yesterday's bench meeting; its votes were counted.
    log_in(page, "secretary")
    page.goto("/compounds/yinhewan/meetings")
    page.click(f"text={MEETING}")
    page.click("#close button:has-text('结束会议')")
    # Closing fixes the record for good: the page says so first.
    expect(page.locator("#close-confirm")).to_contain_text("都将固定")
    page.click("#close-confirm button:has-text('结束会议')")
    expect(page.locator(".notice-success")).to_contain_text("会议已结束")

    # Only the adopted item can get an action.
    page.goto("/compounds/yinhewan/actions/resolutions")
    failed = page.locator("section.resolution", has_text=FAILED)
    expect(failed).to_contain_text("未通过")
    expect(failed.locator("text=拟定落实事项")).to_have_count(0)
    page.locator("section.resolution", has_text=ADOPTED).locator("text=拟定落实事项").click()
    expect(page.locator("#f-item option:checked")).to_contain_text(ADOPTED)
    page.fill("#f-title", ACTION)
    page.fill("#f-details", "两个单元门各装一套门禁，旧门禁拆除回收；施工期间由物业安排人员值守。")
    page.check("input[name=party_kind][value=property]")
    page.select_option("#f-responsible", label="王志强（项目经理）")
    page.fill("#f-due_on", (date.today() + timedelta(days=14)).isoformat())
    page.fill("#f-budget", "12800")
    page.select_option("#f-funding_source", label="公共收益")
    page.click("button:has-text('保存落实事项')")
    expect(page.locator(".notice-success")).to_contain_text("已拟定落实事项")
    expect(page.locator("h1")).to_contain_text(ACTION)
    action_url = page.url
    number = action_url.rsplit("/", 1)[1]
    shoot(page, "action-drafted-desktop")

    # The secretary's home lists it, and follows it live.
    page.goto("/")
    my_actions = page.locator("#my-actions")
    expect(my_actions).to_contain_text(ACTION)

    # The property manager finds it on a phone, one tap from an update, and reports it done.
    manager = browser.new_context(base_url=live_server, locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    manager_page = manager.new_page()
    log_in(manager_page, "manager")
    manager_page.locator("#my-actions li", has_text=ACTION).locator("text=报告进展").click()
    manager_page.fill("#f-text", "两个单元门禁已更换完毕，刷卡和人脸识别调试正常。")
    manager_page.set_input_files("#f-files", str(photo(tmp_path / "门禁完工.jpg")))
    manager_page.check("input[name=move][value=complete]")
    manager_page.click("#update button:has-text('发布进展')")
    expect(manager_page.locator("#action-panel")).to_contain_text("进展已发布")
    expect(manager_page.locator("#action-panel .status")).to_have_text("已办结")
    expect(manager_page.locator("#action-panel .evidence img")).to_have_count(1)
    shoot(manager_page, "action-done-phone")
    manager.close()

    # Without reloading, the secretary's list drops the action: it is done.
    expect(my_actions).not_to_contain_text(ACTION, timeout=10_000)

    # Residents of building 2 rate it: most are unsatisfied.
    log_in(page, "secretary")
    residents = households_of_building_2(page, 3)
    action_path = f"/c/yinhewan/board/actions/{number}"
    for (unit, phone), verdict, comment in zip(
        residents,
        ["unsatisfied", "unsatisfied", "satisfied"],
        [
            "人脸识别经常认不出老人，还得等人开门。",
            "门禁卡只发了一张，家里人不够用。",
            "比原来方便多了。",
        ],
        strict=True,
    ):
        rate_as_household(browser, live_server, unit, phone, action_path, verdict, comment)

    # The action is reopened and the community admin sees the escalation.
    page.goto(action_url)
    expect(page.locator("#action-panel .status")).to_have_text("重新办理")
    expect(page.locator("#escalations")).to_contain_text("六泉路社区")
    log_in(page, "admin")
    page.goto("/communities/liuquanlu/escalations")
    escalation = page.locator("article.escalation", has_text=ACTION)
    expect(escalation).to_contain_text("不满意评价过多")
    expect(escalation).to_contain_text("银河湾小区")
    shoot(page, "action-escalations-desktop")

    # On a phone, the public board shows the result, the action, its photo, the ratings and the escalation.
    phone_page.goto("/c/yinhewan")
    phone_page.click("#board a:has-text('打开公示栏')")
    expect(phone_page.locator("h1")).to_have_text("银河湾小区公示栏")
    card = phone_page.locator("article.board-action", has_text=ACTION)
    expect(card.locator(".status")).to_have_text("重新办理")
    expect(card).to_contain_text("两个单元门禁已更换完毕")
    expect(card).to_contain_text("已重新办理并上报六泉路社区")
    expect(card.locator(".rating-counts")).to_contain_text(re.compile(r"不满意\s*2"))
    expect(card.locator(".evidence img")).to_have_count(1)
    expect(phone_page.locator("#results")).to_contain_text(ADOPTED)
    expect(phone_page.locator("#results")).to_contain_text("同意 12 · 反对 2 · 弃权 1，共 15 票")
    # Scroll through once so the lazily loaded photos are there for the screenshot.
    height = phone_page.evaluate("document.body.scrollHeight")
    for y in range(0, height, PHONE["height"] // 2):
        phone_page.evaluate(f"window.scrollTo(0, {y})")
        phone_page.wait_for_timeout(50)
    phone_page.evaluate("window.scrollTo(0, 0)")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(phone_page, "board-phone")
    card.screenshot(path=str(SHOTS / "board-action-phone.png"))
