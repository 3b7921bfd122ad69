"""The secretary imports a roster from a spreadsheet as a person would."""

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import log_in

BAD = "楼栋,房号,专有部分面积,业主,电话,人数\n5,1-101,88.50,赵桂兰,13991300001,2\n5,1-102,八十,钱德明,13991300002,3\n5,1-201,92.10,孙秀英,13991300003,1\n"
GOOD = BAD.replace("八十", "80.25")


def test_secretary_fixes_a_bad_row_and_imports_the_roster(page: Page, tmp_path: Path):
    bad_file = tmp_path / "名册.csv"
    bad_file.write_bytes(BAD.encode("gb18030"))
    good_file = tmp_path / "名册-改正.csv"
    good_file.write_bytes(GOOD.encode("gb18030"))

    log_in(page, "secretary")
    page.goto("/compounds/yinhewan/roster")
    page.set_input_files("#f-file", str(bad_file))
    page.click("text=检查文件")
    expect(page.locator("text=没有保存任何内容")).to_be_visible()
    error_row = page.locator("table.errors tr.row-error").first
    expect(error_row.locator("td").first).to_have_text("3")
    expect(error_row).to_contain_text("八十")
    page.screenshot(path=str(tmp_path / "roster-error.png"), full_page=True)

    page.click("text=上传改正后的文件")
    page.set_input_files("#f-file", str(good_file))
    page.click("text=检查文件")
    expect(page.locator(".new-buildings")).to_contain_text("5")  # building 5 is new: confirm it
    page.check("input[name=confirm_buildings]")
    page.click("text=导入 3 行")
    expect(page.locator(".notice-success")).to_contain_text("新增 3 户")
    expect(page.locator("text=5-1-102")).to_be_visible()
    expect(page.locator("text=钱德明")).to_be_visible()


def test_property_manager_cannot_open_another_compounds_roster(page: Page):
    log_in(page, "manager")
    response = page.goto("/compounds/yinhewan/roster")
    assert response is not None and response.status == 200
    response = page.goto("/compounds/renbao/roster")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("未找到")
