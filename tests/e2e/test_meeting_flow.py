"""The secretary runs a tripartite joint meeting from the agenda to the vote draft, as a person would."""

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import log_in

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
TRIPARTITE = "地下车库照明与物业费公示三方联席会"
TOPIC = "在党群服务站开办老年助餐食堂"


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_secretary_builds_publishes_and_records_a_tripartite_meeting(page: Page, phone_page: Page):
    log_in(page, "secretary")
    page.goto("/compounds/yinhewan/meetings")
    page.click(f"text={TRIPARTITE}")
    expect(page.locator("h1")).to_have_text(TRIPARTITE)
    meeting_url = page.url

    # Put the accepted proposal on the agenda and move it up with the (htmx) button.
    page.select_option("#f-proposal", label=f"#7 {TOPIC}")
    page.fill("#add_item #f-minutes", "20")
    page.click("#add_item button[type=submit]")
    expect(page.locator(".notice-success")).to_contain_text("已列入议程")
    rows = page.locator("#agenda .agenda-item")
    expect(rows).to_have_count(3)
    expect(rows.nth(2)).to_contain_text(TOPIC)
    rows.nth(2).get_by_role("button", name=f"上移“{TOPIC}”").click()
    expect(page.locator("#agenda .agenda-item").nth(1)).to_contain_text(TOPIC)
    expect(page.locator("#agenda .agenda-time")).to_contain_text("议程共计 80 分钟，会议时长 90 分钟")

    # Publish the notice.
    page.click("#notice >> text=发布通知")
    expect(page.locator("text=通知发布及时")).to_be_visible()
    page.click("form button.primary:has-text('发布通知')")
    expect(page.locator(".notice-success")).to_contain_text("通知已发布")

    # Sign in one person of each party, a guest and a household.
    page.click("#attendance a:has-text('签到表')")
    for name in ("李红霞", "王志强", "张建国", "赵卫东"):
        page.click(f"button:has-text('为 {name} 签到')")
        expect(page.locator(".notice-success")).to_contain_text("已签到")
    page.fill("#f-q", "3-1-502")
    page.click("#households button:has-text('查找')")
    page.click("button:has-text('为 3-1-502 签到')")
    sign_in_list = page.locator("#sign-in-list")
    expect(sign_in_list).to_contain_text("3 / 3")
    expect(sign_in_list).to_contain_text("3-1-502")
    expect(sign_in_list.locator(".party-presence .present")).to_have_count(3)

    # The three parties' positions, then the vote.
    page.goto(meeting_url)
    shoot(page, "meeting-console-desktop")
    page.click(f"#agenda a:has-text('{TOPIC}')")
    positions = {
        "银河湾小区党支部": ("agree", ""),
        "华欣物业服务有限公司": ("conditions", "物业提供场地日常保洁，水电费由助餐点承担"),
        "银河湾小区业主委员会": ("agree", ""),
    }
    for party, (stance, text) in positions.items():
        card = page.locator("li.position", has_text=party)
        card.locator(f"input[name=stance][value={stance}]").check()
        if text:
            card.locator("textarea[name=text]").fill(text)
        card.locator("button:has-text('记录表态')").click()
        expect(page.locator(".notice-success")).to_contain_text("表态已记录")
    expect(page.locator("li.position", has_text="华欣物业服务有限公司")).to_contain_text("有条件同意")
    page.fill("#vote #f-question", "是否同意在党群服务站一楼开办老年助餐点？")
    page.fill("#vote #f-options", "方案一：每天中午由社区幸福食堂配送\n方案二：引入第三方餐饮企业现场制作")
    page.select_option("#vote #f-rule", "parties_unanimous")
    page.click("#vote button:has-text('保存表决事项')")
    expect(page.locator(".notice-success")).to_contain_text("表决事项已拟定")
    expect(page.locator("#vote")).to_contain_text("方案二：引入第三方餐饮企业现场制作")
    expect(page.locator("#vote")).to_contain_text("三方一致同意")
    expect(page.locator("#history")).to_contain_text("记录了表态")
    shoot(page, "agenda-item-desktop")

    # The public notice and the proposal's timeline, on a phone.
    phone_page.goto("/c/yinhewan")
    phone_page.click(f"#meetings a:has-text('{TRIPARTITE}')")
    expect(phone_page.locator("h1")).to_contain_text(TRIPARTITE)
    expect(phone_page.locator(".notice-items")).to_contain_text(TOPIC)
    shoot(phone_page, "public-notice-phone")
    phone_page.goto("/c/yinhewan/proposals/7")
    expect(phone_page.locator("body")).to_contain_text("列入会议议程")
    expect(phone_page.locator("body")).to_contain_text(TRIPARTITE)


def test_console_and_notice_read_well_on_a_phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server,
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    page = context.new_page()
    log_in(page, "secretary")
    page.goto("/compounds/yinhewan/meetings")
    page.click("text=3号楼电动车充电问题板凳会")
    expect(page.locator("#agenda")).to_contain_text("在3号楼东侧空地建电动车充电棚")
    shoot(page, "meeting-console-phone")
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate("""() => [...document.querySelectorAll('main *')]
        .filter(e => e.getBoundingClientRect().right > 391).slice(0, 5)
        .map(e => e.tagName + '.' + e.className + ': ' + e.textContent.slice(0, 40))""")
    assert width <= 390, f"the console scrolls sideways on a phone ({width}px): {wide}"
    page.goto("/c/yinhewan")
    page.click("#meetings a:has-text('3号楼电动车充电问题板凳会')")
    expect(page.locator(".notice-items")).to_contain_text("充电棚要装烟感和监控")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(page, "bench-notice-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    shoot(page, "bench-notice-desktop")
    context.close()
