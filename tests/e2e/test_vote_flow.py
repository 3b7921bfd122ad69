"""Step 3 as people do it: the secretary opens two votes, residents vote from
their personal links on phones, a paper ballot and a proxy are entered, a second
attempt is refused, the secretary closes, the result is public, and the exported
files recount to the same result with `yishi tally`."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import PHONE, ROOT, log_in

SHOTS = ROOT / "var" / "screenshots"
COMPOUND = "yinhewan"
ISSUE_LINKS = """
import asyncio, sys
from yishi import db
from yishi.accounts.service import issue_household_link
from yishi.roster.tables import Household
from yishi.settings import Settings

async def main():
    db.configure(Settings.from_env())
    for label in sys.argv[1:]:
        building, unit = label.split("-", 1)
        row = await Household.select(Household.id).where(
            (Household.building.compound.code == "yinhewan") & (Household.building.code == building)
            & (Household.unit == unit)).first()
        print(label, await issue_household_link(row["id"], None))

asyncio.run(main())
"""
VOTING_ENDS = """
import asyncio
from datetime import timedelta
from yishi import clock, db
from yishi.meetings.tables import Meeting
from yishi.voting.tables import Ballot
from yishi.settings import Settings

async def main():
    db.configure(Settings.from_env())
    end = clock.now() - timedelta(minutes=1)
    await Meeting.update({Meeting.votes_close_at: end}).where(Meeting.kind == "owners_decision")
    await Ballot.update({Ballot.closes_at: end}).where(Ballot.notice_bound == True)  # noqa: E712

asyncio.run(main())
"""
VOTING_BEGINS = """
import asyncio, sys
from datetime import timedelta
from yishi import clock, db
from yishi.meetings.tables import Meeting
from yishi.settings import Settings

async def main():
    db.configure(Settings.from_env())
    now = clock.now()
    await Meeting.update({Meeting.published_at: now - timedelta(days=16), Meeting.starts_at: now - timedelta(hours=1),
                          Meeting.votes_open_at: now - timedelta(hours=1)}).where(Meeting.kind == "owners_decision")

asyncio.run(main())
"""


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def issue_links(database_url: str, *labels: str) -> dict[str, str]:
    """Household links, as the grid worker would hand them out (issued on the server's database)."""
    done = subprocess.run(
        [sys.executable, "-c", ISSUE_LINKS, *labels],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "YISHI_DATABASE_URL": database_url},
    )
    return dict(line.split() for line in done.stdout.splitlines())


def run_on_server(database_url: str, script: str) -> None:
    """Time passes on the server's database (the notice period, the voting period)."""
    subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "YISHI_DATABASE_URL": database_url},
    )


def phone(browser: Browser, live_server: str) -> BrowserContext:
    return browser.new_context(
        base_url=live_server, locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )


def open_vote(page: Page, meeting_words: str, rule_words: str) -> tuple[int, str]:
    """Open the vote on the first waiting item matching both texts; its ballot id and title."""
    page.goto(f"/compounds/{COMPOUND}/ballots")
    item = page.locator("#waiting li").filter(has_text=meeting_words).filter(has_text=rule_words).first
    title = item.locator("strong").inner_text()
    item.locator("a:has-text('发起表决')").click()
    expect(page.locator("h1")).to_have_text("发起表决")
    page.check("input[name=results_visibility][value=live]")
    page.click("form button.primary:has-text('发起表决')")
    expect(page.locator(".notice-success")).to_contain_text("表决已开始")
    return int(page.url.rstrip("/").rsplit("/", 1)[1]), title


YES, NO, ABSTAIN = 0, 1, 2  # the choices in ballot order: yes (or option one), no (or option two), abstain


def vote_on_phone(
    browser: Browser, live_server: str, token: str, ballot_id: int, choice: int, shot: str | None = None
) -> str:
    """A resident opens the personal link on a phone and picks the ``choice``-th
    choice; the receipt code they are shown."""
    context = phone(browser, live_server)
    page = context.new_page()
    page.goto(f"/h/{token}?next=/c/{COMPOUND}/ballots/{ballot_id}")
    expect(page.locator(".ballot-choice")).to_have_count(3)
    if shot:
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        shoot(page, f"{shot}-before")
    page.locator("input[name=choice]").nth(choice).check()
    page.click("button:has-text('提交我的投票')")
    expect(page.locator(".notice-success").first).to_contain_text("您的投票已计入")
    receipt = page.locator(".ballot-receipt").inner_text().strip()
    if shot:
        shoot(page, f"{shot}-after")
    context.close()
    return receipt


def enter(page: Page, ballot_id: int, form: str, fields: dict[str, str], choice: int) -> None:
    page.goto(f"/compounds/{COMPOUND}/ballots/{ballot_id}")
    page.click(f"#{form} summary")
    for name, value in fields.items():
        page.locator(f"#{form} [name={name}]").fill(value)
    page.locator(f"#{form} select[name=choice]").select_option(index=choice + 1)  # after "— choose —"
    page.click(f"#{form} button.primary")


def recount(page: Page, ballot_id: int, rule: str, options: list[str], folder: Path) -> dict:
    """Download the result's files and run `yishi tally` on them, as the result page says."""
    for name in ("roll.csv", "votes.csv"):
        response = page.request.get(f"/c/{COMPOUND}/results/{ballot_id}/{name}")
        assert response.ok and response.headers["content-type"].startswith("text/csv")
        (folder / name).write_bytes(response.body())
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "yishi.cli",
            "tally",
            "--rule",
            rule,
            "--roll",
            str(folder / "roll.csv"),
            "--votes",
            str(folder / "votes.csv"),
            *(arg for option in options for arg in ("--option", option)),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout)


def frozen_result(database_url: str, ballot_id: int) -> tuple[str, list[str], dict]:
    """The rule, the options and the result frozen when the ballot closed."""
    with sqlite3.connect(database_url.removeprefix("sqlite:///")) as connection:
        rule, options, result = connection.execute(
            "SELECT rule, options, result FROM ballot WHERE id = ?", (ballot_id,)
        ).fetchone()
    return rule, json.loads(options), json.loads(result)


def test_a_vote_from_opening_to_a_published_result_that_recounts(
    page: Page, browser: Browser, live_server: str, live_database_url: str, tmp_path: Path
):
    run_on_server(live_database_url, VOTING_BEGINS)
    log_in(page, "secretary")
    bench_id, bench_title = open_vote(page, "板凳会", "过投票数半数")
    special_id, special_title = open_vote(page, "业主共同决定", "重大事项")
    expect(page.locator("#figures")).to_contain_text("当前票数")

    tokens = issue_links(live_database_url, "3-1-101", "3-1-102", "3-1-201", "3-2-101", "3-2-102")

    # Residents vote on their phones, without an account.
    receipts = {"bench": [], "special": []}
    receipts["bench"].append(vote_on_phone(browser, live_server, tokens["3-1-101"], bench_id, YES, "ballot-phone"))
    receipts["bench"].append(vote_on_phone(browser, live_server, tokens["3-1-102"], bench_id, YES))
    receipts["bench"].append(vote_on_phone(browser, live_server, tokens["3-1-201"], bench_id, NO))
    receipts["special"].append(vote_on_phone(browser, live_server, tokens["3-1-101"], special_id, YES))
    receipts["special"].append(vote_on_phone(browser, live_server, tokens["3-2-102"], special_id, YES))

    # The same household with the ballot open twice: the second submission is refused.
    context = phone(browser, live_server)
    first, second = context.new_page(), context.new_page()
    for tab in (first, second):
        tab.goto(f"/h/{tokens['3-2-101']}?next=/c/{COMPOUND}/ballots/{special_id}")
    first.locator("input[name=choice]").nth(NO).check()
    first.click("button:has-text('提交我的投票')")
    receipts["special"].append(first.locator(".ballot-receipt").inner_text().strip())
    second.locator("input[name=choice]").nth(YES).check()
    second.click("button:has-text('提交我的投票')")
    expect(second.locator(".notice-error")).to_contain_text("该户已于")
    expect(second.locator(".notice-error")).to_contain_text("通过专属链接投票")
    shoot(second, "ballot-phone-refused")
    context.close()

    # A scrutineer enters a paper ballot and a proxy vote; a paper ballot for a
    # household that voted by link is refused with how and when it voted.
    enter(page, bench_id, "paper", {"serial": "03-001", "voter": "3-1-202"}, YES)
    expect(page.locator(".notice-success")).to_contain_text("已录入 3-1-202")
    enter(
        page,
        bench_id,
        "proxy",
        {"voter": "3-2-201", "holder": "刘桂兰", "authorization": "业主签字的书面委托书，2026年11月20日，限本次表决"},
        ABSTAIN,
    )
    expect(page.locator(".notice-success")).to_contain_text("已录入 3-2-201")
    enter(page, bench_id, "paper", {"serial": "03-002", "voter": "3-1-101"}, NO)
    expect(page.locator("#paper .notice-error")).to_contain_text("该户已于")
    expect(page.locator("#paper .notice-error")).to_contain_text("通过专属链接投票")
    enter(page, special_id, "paper", {"serial": "S-001", "voter": "3-1-1201"}, NO)
    expect(page.locator(".notice-success")).to_contain_text("已录入 3-1-1201")
    enter(page, special_id, "proxy", {"voter": "3-1-1301", "holder": "王志强", "authorization": "开发商授权书"}, YES)
    expect(page.locator("#proxy .notice-error")).to_contain_text("该户业主（通过 3-1-1201）")
    enter(page, special_id, "proxy", {"voter": "3-2-202", "holder": "刘桂兰", "authorization": "书面委托书"}, ABSTAIN)
    expect(page.locator(".notice-success")).to_contain_text("已录入 3-2-202")
    shoot(page, "ballot-console-desktop")

    # The owners' vote cannot close before the end its notice announced; once it has come, both close.
    page.goto(f"/compounds/{COMPOUND}/ballots/{special_id}")
    expect(page.locator("#close-refused")).to_contain_text("只有名册上所有人都投票后才能提前结束")
    run_on_server(live_database_url, VOTING_ENDS)
    for ballot_id in (bench_id, special_id):
        page.goto(f"/compounds/{COMPOUND}/ballots/{ballot_id}")
        page.click("#manage button:has-text('结束表决并公布结果')")
        # Closing cannot be undone: the page says first what it will record.
        expect(page.locator("#close-confirm")).to_contain_text("不能重新开启")
        page.click("#close-confirm button:has-text('结束表决并公布结果')")
        expect(page.locator(".notice-success")).to_contain_text("表决已结束，结果已公布")

    result_page = phone(browser, live_server).new_page()
    result_page.goto(f"/c/{COMPOUND}/results/{special_id}")
    expect(result_page.locator("h1")).to_contain_text(special_title)
    figures = result_page.locator("#figures")
    expect(figures).to_contain_text("参与表决面积")
    expect(figures).to_contain_text("参与表决人数")
    expect(result_page.locator(".ballot-outcome")).to_have_text("未通过")
    expect(result_page.locator("body")).to_contain_text("参与表决面积不足")
    for code in receipts["special"]:
        expect(result_page.locator("#receipts")).to_contain_text(code)
    expect(result_page.locator("#receipts")).to_contain_text("3-1-1201")
    assert result_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(result_page, "result-phone")
    result_page.fill("#f-receipt", receipts["special"][0])
    result_page.click("#receipts button:has-text('查询')")
    expect(result_page.locator(".notice-success")).to_contain_text("已计入：同意")

    page.goto(f"/c/{COMPOUND}/results/{bench_id}")
    expect(page.locator(".ballot-outcome.ballot-passed")).to_be_visible()
    expect(page.locator("#figures")).to_contain_text("投票数")
    for code in receipts["bench"]:
        expect(page.locator("#receipts")).to_contain_text(code)
    shoot(page, "result-desktop")
    page.goto(f"/c/{COMPOUND}")
    expect(page.locator("#votes")).to_contain_text(bench_title)

    # The exported files recount to the frozen result.
    for ballot_id in (bench_id, special_id):
        rule, options, result = frozen_result(live_database_url, ballot_id)
        folder = tmp_path / str(ballot_id)
        folder.mkdir()
        assert recount(page, ballot_id, rule, options, folder) == result["actual"]
    _rule, _options, bench = frozen_result(live_database_url, bench_id)
    first_option = bench["actual"]["options"][0]
    assert bench["actual"]["ballots_cast"] == 5 and first_option["ballots"] == 3
    assert bench["passed"] and bench["adopted_option"] == first_option["label"]
    _rule, _options, special = frozen_result(live_database_url, special_id)
    assert (special["actual"]["participating_owners"], special["actual"]["yes_owners"]) == (5, 2)
