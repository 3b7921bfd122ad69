"""The secretary prints voter slips for a building, and anyone checks the
PDF on the public verify page, as people would (phone-sized window)."""

import os
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import log_in


def look_dir(tmp_path: Path) -> Path:
    return Path(os.environ.get("YISHI_LOOK_DIR") or tmp_path)


def test_secretary_prints_slips_after_confirming_and_a_resident_checks_the_pdf(phone_page: Page, tmp_path: Path):
    page, look = phone_page, look_dir(tmp_path)
    log_in(page, "secretary")
    page.goto("/compounds/yinhewan/roster")
    page.click("text=打印本楼投票链接条 >> nth=0")
    expect(page.locator("text=打印链接条会签发新链接")).to_be_visible()
    page.screenshot(path=str(look / "e2e-slips-form.png"), full_page=True)

    page.click("text=签发新链接并打印链接条")  # without the confirmation
    expect(page.locator("#e-confirm")).to_be_visible()
    page.check("input[name=confirm]")
    page.click("text=签发新链接并打印链接条")
    expect(page.locator(".notice-success")).to_contain_text("投票链接条已签发")
    page.screenshot(path=str(look / "e2e-documents.png"), full_page=True)

    link = page.locator("li.row-new a", has_text="打开 PDF")
    pdf = page.request.get(link.get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    pdf_file = tmp_path / "slips.pdf"
    pdf_file.write_bytes(pdf.body())
    changed_file = tmp_path / "slips-changed.pdf"
    changed_file.write_bytes(pdf.body() + b"%")

    page.locator("li.row-new a", has_text="核验码").click()
    expect(page.locator("h1")).to_contain_text("核验码")
    page.set_input_files("#f-file", str(pdf_file))
    page.click("text=核验此文件")
    expect(page.locator(".verify-verdict")).to_contain_text("一致")
    page.screenshot(path=str(look / "e2e-verify-match.png"), full_page=True)
    page.set_input_files("#f-file", str(changed_file))
    page.click("text=核验此文件")
    expect(page.locator(".verify-verdict")).to_contain_text("不一致")
    page.screenshot(path=str(look / "e2e-verify-refused.png"), full_page=True)


def test_property_manager_sees_documents_but_cannot_print_slips(page: Page):
    log_in(page, "manager")
    page.goto("/compounds/yinhewan/documents")
    expect(page.locator("h1")).to_contain_text("银河湾小区的文件")
    expect(page.locator("text=投票链接条…")).to_have_count(0)
    response = page.goto("/compounds/yinhewan/documents/voter-slips")
    assert response is not None and response.status == 403
